/* Scalar-FPU fused attention, FP32: 4 query rows at a time, scores and the weighted sum of V
 * in 4 x 4 register tiles of fused multiply-adds, softmax numerators from the FPU kernels'
 * polynomial e^x (internal/attention_fpu.h). FP32 throughout, one rounding per output. */
#include "edgediff/internal/fpu_elem.h"
#include "edgediff/internal/attention_fpu.h"

void edgediff_attention_f32_fpu(const attention_params_t *p, const float *q, const float *k,
                                const float *v, float *out, void *scratch) {
    attention_fpu(p, q, k, v, out, scratch);
}
