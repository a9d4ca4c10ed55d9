/* Reference fully connected layer: one dot product per output. The loop lives in
 * kernel_util.h, shared with linear_f16. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_linear_f32(const linear_params_t *p, const float *in, const float *weight,
                         const float *bias, float *out) {
    edgediff_linear(p, in, weight, bias, out, edgediff_load_f32, edgediff_store_f32,
                    edgediff_at_f32);
}
