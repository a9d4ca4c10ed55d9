/* Reference FP16 2-D convolution: the FP32 reference loop (kernel_util.h) on halves widened
 * to float, FP32 accumulation, one rounding to half per output. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_conv2d_f16(const conv2d_params_t *p, const edgediff_f16_t *in, const edgediff_f16_t *weight,
                         const edgediff_f16_t *bias, edgediff_f16_t *out) {
    edgediff_conv2d(p, in, weight, bias, out, edgediff_load_f16, edgediff_store_f16,
                    edgediff_at_f16);
}
