/* Reference W1A16 convolution (f16 activations, 1-bit weights): the shared loop in
 * binary_util.h, float accumulation. */
#include "edgediff/internal/binary_util.h"

void edgediff_binary_weight_conv2d_f16(const binary_conv2d_params_t *p, const edgediff_f16_t *in,
                                       const uint32_t *weight, const edgediff_f16_t *scale,
                                       const edgediff_f16_t *bias, const edgediff_f16_t *shift_in,
                                       const edgediff_f16_t *slope, const edgediff_f16_t *shift_out,
                                       const edgediff_f16_t *res_scale,
                                       const edgediff_f16_t *residual, edgediff_f16_t *out) {
    const edgediff_binary_post_t post = {shift_in, slope, shift_out, res_scale, residual};
    edgediff_binary_weight_conv2d(p, in, weight, scale, bias, &post, out, edgediff_load_f16,
                                  edgediff_store_f16);
}
