/* RVV binary convolution (f32 output): XOR and popcount of up to 128 channel-taps per
 * three mask instructions (vlm.v, vmxor.mm, vcpop.m); each pixel's receptive field stays
 * in mask registers while every output channel's weights stream past (binary_conv2d_rvv.h).
 * The integer dot is exact and the output step is the reference's, so the result equals
 * binary_conv2d_f32 bit for bit. Receptive fields up to 1152 bits (overrides/rvv.py). */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

#include "edgediff/internal/binary_conv2d_rvv.h"

void edgediff_binary_conv2d_f32_rvv(const binary_conv2d_params_t *p, const uint32_t *in,
                                    const uint32_t *weight, const float *scale, const float *bias,
                                    const float *shift_in, const float *slope,
                                    const float *shift_out, const float *res_scale,
                                    const float *residual, float *out, void *scratch) {
    const edgediff_binary_post_t post = {shift_in, slope, shift_out, res_scale, residual};
    binary_conv2d_rvv(p, in, weight, scale, bias, &post, out, 0, scratch);
}
