/* Scalar-FPU fused attention, FP16 storage: each batch slice's K and V widened once into the
 * scratch (every query row reuses them; past EDGEDIFF_FPU_ATTENTION_F16_KV_BYTES as floats,
 * widened as loaded instead) and each block of 4 query rows once, then the FP32 loop of
 * internal/attention_fpu.h; FP32 scores, statistics and sums, one rounding to half per
 * output. */
#define EDGEDIFF_FPU_F16
#include "edgediff/internal/fpu_elem.h"
#include "edgediff/internal/attention_fpu.h"

void edgediff_attention_f16_fpu(const attention_params_t *p, const edgediff_f16_t *q,
                                const edgediff_f16_t *k, const edgediff_f16_t *v,
                                edgediff_f16_t *out, void *scratch) {
    attention_fpu(p, q, k, v, out, scratch);
}
