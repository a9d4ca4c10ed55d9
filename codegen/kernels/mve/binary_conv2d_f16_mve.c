/* MVE binary convolution (f16 output): XOR and popcount of 128 channel-taps per VEOR and
 * one byte gather from a popcount table, 4 output channels sharing each activation load
 * (binary_conv2d_mve.h). The integer dot is exact and the output step is the reference's
 * (FP32, then one rounding to half; VCVTB keeps subnormal halves), so the result equals
 * binary_conv2d_f16 bit for bit.
 * Limits: overrides/mve.py. */
#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#include "edgediff/kernel_util.h"

typedef edgediff_f16_t elem_t;
#define LOAD edgediff_load_f16
#define STORE edgediff_store_f16

/* Each lane of y rounded to half, into the bottom half of its 32-bit lane (VCVTB; the MVE
 * encoding written out as edgediff_mve_narrow does, for the assembler's sake). */
EDGEDIFF_MVE_INLINE uint32x4_t to_halves(float32x4_t y) {
    float16x8_t h = vreinterpretq_f16_f32(y); /* the bottom halves are overwritten */
    __asm__(EDGEDIFF_MVE_QQ_INST("0xEE3F0E01") : "+&w"(h) : "w"(y)); /* vcvtb.f16.f32 */
    return vreinterpretq_u32_f16(h);
}

/* Lane j of y, rounded to half, to out + offsets[j] bytes. */
EDGEDIFF_MVE_INLINE void store4(edgediff_f16_t *out, uint32x4_t offsets, float32x4_t y) {
    vstrhq_scatter_offset_u32((uint16_t *)(void *)out, offsets, to_halves(y));
}

/* The same, lanes off in m not stored. */
EDGEDIFF_MVE_INLINE void store4_p(edgediff_f16_t *out, uint32x4_t offsets, float32x4_t y,
                                  mve_pred16_t m) {
    vstrhq_scatter_offset_p_u32((uint16_t *)(void *)out, offsets, to_halves(y), m);
}

#include "binary_conv2d_mve.h"

void binary_conv2d_f16_mve(const binary_conv2d_params_t *p, const uint32_t *in,
                           const uint32_t *weight, const edgediff_f16_t *scale,
                           const edgediff_f16_t *bias, edgediff_f16_t *out) {
    binary_conv2d_mve(p, in, weight, scale, bias, out);
}
