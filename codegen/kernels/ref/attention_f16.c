/* Reference FP16 fused attention: the FP32 loop (internal/attention_ref.h) on halves
 * widened to float (scores, softmax statistics and sums all FP32; the row of scores in the
 * scratch, lk floats), one rounding to half per output. */
#include "edgediff/internal/attention_ref.h"

void edgediff_attention_f16(const attention_params_t *p, const edgediff_f16_t *q,
                            const edgediff_f16_t *k, const edgediff_f16_t *v,
                            edgediff_f16_t *out, void *scratch) {
    edgediff_attention(p, q, k, v, out, (float *)scratch, edgediff_load_f16, edgediff_store_f16,
                       edgediff_at_f16);
}
