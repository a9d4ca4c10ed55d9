/* Zbb binary convolution (f16 output): XOR and one cpop per 32 channels, 4 output
 * channels sharing each activation word load (binary_conv2d_zbb.h); the integer dot is
 * exact and the output step is the reference's (FP32, rounded once to half), so the result
 * equals binary_conv2d_f16 bit for bit. Any kernel size, stride and padding. */
#include "edgediff/internal/binary_conv2d_zbb.h"

void edgediff_binary_conv2d_f16_zbb(const binary_conv2d_params_t *p, const uint32_t *in,
                                    const uint32_t *weight, const edgediff_f16_t *scale,
                                    const edgediff_f16_t *bias, const edgediff_f16_t *shift_in,
                                    const edgediff_f16_t *slope, const edgediff_f16_t *shift_out,
                                    const edgediff_f16_t *res_scale, const edgediff_f16_t *residual,
                                    edgediff_f16_t *out) {
    const edgediff_binary_post_t post = {shift_in, slope, shift_out, res_scale, residual};
    binary_conv2d_zbb(p, in, weight, scale, bias, &post, out, edgediff_load_f16,
                      edgediff_store_f16);
}
