/* Scalar-FPU fully connected layer, FP32: blocks of four outputs share each input load
 * (internal/linear_fpu.h), fused multiply-adds, FP32 sums. */
#include "edgediff/internal/fpu_elem.h"
#include "edgediff/internal/linear_fpu.h"

void edgediff_linear_f32_fpu(const linear_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out) {
    for (int32_t r = 0; r < p->rows; ++r) {
        linear_row_fpu(p, in + r * p->in_features, weight, bias, out + r * p->out_features);
    }
}
