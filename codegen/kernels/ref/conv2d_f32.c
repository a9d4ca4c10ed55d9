/* Reference 2-D convolution: direct loop nest, zero padding, grouped and dilated. The loop
 * lives in kernel_util.h, shared with conv2d_f16. */
#include "edgediff/kernel_util.h"
#include "edgediff/kernels.h"

void conv2d_f32(const conv2d_params_t *p, const float *in, const float *weight,
                const float *bias, float *out) {
    edgediff_conv2d(p, in, weight, bias, out, edgediff_load_f32, edgediff_store_f32,
                    edgediff_at_f32);
}
