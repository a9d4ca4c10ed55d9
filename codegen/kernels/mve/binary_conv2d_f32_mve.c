/* MVE binary convolution (f32 output): XOR and popcount of 128 channel-taps per VEOR and
 * one byte gather from a popcount table, 4 output channels sharing each activation load
 * (binary_conv2d_mve.h). The integer dot is exact and the output step is the reference's,
 * so the result equals binary_conv2d_f32 bit for bit.
 * Limits: overrides/mve.py. */
#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#include "edgediff/kernel_util.h"

typedef float elem_t;
#define LOAD edgediff_load_f32
#define STORE edgediff_store_f32

/* Lane j of y to out + offsets[j] bytes. */
EDGEDIFF_MVE_INLINE void store4(float *out, uint32x4_t offsets, float32x4_t y) {
    vstrwq_scatter_offset_f32(out, offsets, y);
}

/* The same, lanes off in m not stored. */
EDGEDIFF_MVE_INLINE void store4_p(float *out, uint32x4_t offsets, float32x4_t y, mve_pred16_t m) {
    vstrwq_scatter_offset_p_f32(out, offsets, y, m);
}

#include "binary_conv2d_mve.h"

void binary_conv2d_f32_mve(const binary_conv2d_params_t *p, const uint32_t *in,
                           const uint32_t *weight, const float *scale, const float *bias,
                           float *out) {
    binary_conv2d_mve(p, in, weight, scale, bias, out);
}
