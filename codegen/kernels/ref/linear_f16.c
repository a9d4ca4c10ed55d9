/* Reference FP16 fully connected layer: the FP32 reference loop (kernel_util.h) on halves
 * widened to float, FP32 accumulation, one rounding to half per output. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_linear_f16(const linear_params_t *p, const edgediff_f16_t *in,
                         const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                         edgediff_f16_t *out) {
    edgediff_linear(p, in, weight, bias, out, edgediff_load_f16, edgediff_store_f16,
                    edgediff_at_f16);
}
