/* Reference fused attention: one row of FP32 scores at a time (in the scratch, lk floats),
 * softmax with the row's maximum subtracted, then the weighted sum of V. The loop is
 * internal/attention_ref.h, shared with attention_f16. */
#include "edgediff/internal/attention_ref.h"

void edgediff_attention_f32(const attention_params_t *p, const float *q, const float *k,
                            const float *v, float *out, void *scratch) {
    edgediff_attention(p, q, k, v, out, (float *)scratch, edgediff_load_f32, edgediff_store_f32,
                       edgediff_at_f32);
}
