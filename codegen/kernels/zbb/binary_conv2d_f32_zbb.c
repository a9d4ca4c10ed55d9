/* Zbb binary convolution (f32 output): XOR and one cpop per 32 channels, 4 output
 * channels sharing each activation word load (binary_conv2d_zbb.h); the integer dot is
 * exact and the output step is the reference's, so the result equals binary_conv2d_f32 bit
 * for bit. Any kernel size, stride and padding. */
#include "edgediff/internal/binary_conv2d_zbb.h"

void edgediff_binary_conv2d_f32_zbb(const binary_conv2d_params_t *p, const uint32_t *in,
                                    const uint32_t *weight, const float *scale, const float *bias,
                                    const float *shift_in, const float *slope,
                                    const float *shift_out, const float *res_scale,
                                    const float *residual, float *out) {
    const edgediff_binary_post_t post = {shift_in, slope, shift_out, res_scale, residual};
    binary_conv2d_zbb(p, in, weight, scale, bias, &post, out, edgediff_load_f32,
                      edgediff_store_f32);
}
