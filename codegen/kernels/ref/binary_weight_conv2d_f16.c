/* Reference W1A16 convolution (f16 activations, 1-bit weights): the shared loop in
 * binary_util.h, float accumulation. */
#include "edgediff/binary_util.h"

void binary_weight_conv2d_f16(const binary_conv2d_params_t *p, const edgediff_f16_t *in, const uint32_t *weight,
                             const edgediff_f16_t *scale, const edgediff_f16_t *bias, edgediff_f16_t *out) {
    edgediff_binary_weight_conv2d(p, in, weight, scale, bias, out, edgediff_load_f16, edgediff_store_f16);
}
