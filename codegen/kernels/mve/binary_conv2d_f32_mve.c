/* MVE binary convolution (f32 output): 4 output pixels per vector, their receptive-field
 * words gathered straight from the packed input, XOR with the tap's weight word and a byte
 * gather from a popcount table per 128 channel-taps, two output channels sharing each
 * activation gather (binary_conv2d_mve.h). The integer dot is exact and the output step
 * (with the folded steps in scalar code) is the reference's, so the result equals
 * binary_conv2d_f32 bit for bit.
 * Limits: overrides/mve.py. */
#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#include "edgediff/internal/kernel_util.h"

typedef float elem_t;
#define EDGEDIFF_LOAD edgediff_load_f32
#define EDGEDIFF_STORE edgediff_store_f32

/* Lanes of y to out[0..3]; lanes off in m skipped. */
EDGEDIFF_MVE_INLINE void store4_p(float *out, float32x4_t y, mve_pred16_t m) {
    vstrwq_p_f32(out, y, m);
}

/* base[0..3]; lanes off in m are 0. */
EDGEDIFF_MVE_INLINE float32x4_t load4_z(const float *base, mve_pred16_t m) {
    return vldrwq_z_f32(base, m);
}

/* Folded steps in scalar code: f32 operands may be subnormal (binary_conv2d_mve.h). */
#define EDGEDIFF_VECTOR_POST 0

#include "edgediff/internal/binary_conv2d_mve.h"

void edgediff_binary_conv2d_f32_mve(const binary_conv2d_params_t *p, const uint32_t *in,
                                    const uint32_t *weight, const float *scale, const float *bias,
                                    const float *shift_in, const float *slope,
                                    const float *shift_out, const float *res_scale,
                                    const float *residual, float *out, void *scratch) {
    const edgediff_binary_post_t post = {shift_in, slope, shift_out, res_scale, residual};
    binary_conv2d_mve(p, in, weight, scale, bias, &post, out, scratch);
}
