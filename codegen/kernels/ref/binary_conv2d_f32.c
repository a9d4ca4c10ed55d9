/* Reference binary convolution (f32 output): portable popcount, the shared loop in
 * binary_util.h. Equal bit for bit to codegen/binary.py on every target. */
#include "edgediff/internal/binary_util.h"

void edgediff_binary_conv2d_f32(const binary_conv2d_params_t *p, const uint32_t *in,
                                const uint32_t *weight, const float *scale, const float *bias,
                                const float *shift_in, const float *slope, const float *shift_out,
                                const float *res_scale, const float *residual, float *out) {
    const edgediff_binary_post_t post = {shift_in, slope, shift_out, res_scale, residual};
    edgediff_binary_conv2d(p, in, weight, scale, bias, &post, out, edgediff_load_f32,
                           edgediff_store_f32);
}
