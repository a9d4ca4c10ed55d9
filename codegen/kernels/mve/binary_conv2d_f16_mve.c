/* MVE binary convolution (f16 output): 4 output pixels per vector, their receptive-field
 * words gathered straight from the packed input, XOR with the tap's weight word and a byte
 * gather from a popcount table per 128 channel-taps, two output channels sharing each
 * activation gather (binary_conv2d_mve.h). The integer dot is exact and the output step,
 * with the folded steps, is the reference's (FP32, then one rounding to half; VCVTB keeps
 * subnormal halves), so the result equals binary_conv2d_f16 bit for bit.
 * Limits: overrides/mve.py. */
#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#include "edgediff/internal/kernel_util.h"

typedef edgediff_f16_t elem_t;
#define EDGEDIFF_LOAD edgediff_load_f16
#define EDGEDIFF_STORE edgediff_store_f16

/* Each lane of y rounded to half, into the bottom half of its 32-bit lane (VCVTB; the MVE
 * encoding written out as edgediff_mve_narrow does, for the assembler's sake). */
EDGEDIFF_MVE_INLINE uint32x4_t to_halves(float32x4_t y) {
    float16x8_t h = vreinterpretq_f16_f32(y); /* the bottom halves are overwritten */
    __asm__(EDGEDIFF_MVE_QQ_INST("0xEE3F0E01") : "+&w"(h) : "w"(y)); /* vcvtb.f16.f32 */
    return vreinterpretq_u32_f16(h);
}

/* Lanes of y, rounded to half, to out[0..3] (a narrowing store); lanes off in m skipped. */
EDGEDIFF_MVE_INLINE void store4_p(edgediff_f16_t *out, float32x4_t y, mve_pred16_t m) {
    vstrhq_p_u32((uint16_t *)(void *)out, to_halves(y), m);
}

/* base[0..3] widened exactly (VCVTB keeps subnormal halves); lanes off in m are 0. */
EDGEDIFF_MVE_INLINE float32x4_t load4_z(const edgediff_f16_t *base, mve_pred16_t m) {
    const uint32x4_t h = vldrhq_z_u32((const uint16_t *)(const void *)base, m);
    return edgediff_mve_widen_b(vreinterpretq_f16_u32(h));
}

/* Folded steps on vectors: halves keep every intermediate normal (binary_conv2d_mve.h). */
#define EDGEDIFF_VECTOR_POST 1

#include "edgediff/internal/binary_conv2d_mve.h"

void edgediff_binary_conv2d_f16_mve(const binary_conv2d_params_t *p, const uint32_t *in,
                                    const uint32_t *weight, const edgediff_f16_t *scale,
                                    const edgediff_f16_t *bias, const edgediff_f16_t *shift_in,
                                    const edgediff_f16_t *slope, const edgediff_f16_t *shift_out,
                                    const edgediff_f16_t *res_scale, const edgediff_f16_t *residual,
                                    edgediff_f16_t *out, void *scratch) {
    const edgediff_binary_post_t post = {shift_in, slope, shift_out, res_scale, residual};
    binary_conv2d_mve(p, in, weight, scale, bias, &post, out, scratch);
}
