/* Reference FP16 matmul: the FP32 loop (internal/matmul_ref.h) on halves widened to float,
 * FP32 accumulation, one rounding to half per output. */
#include "edgediff/internal/matmul_ref.h"

void edgediff_matmul_f16(const matmul_params_t *p, const edgediff_f16_t *a,
                         const edgediff_f16_t *b, edgediff_f16_t *out) {
    edgediff_matmul(p, a, b, out, edgediff_load_f16, edgediff_store_f16, edgediff_at_f16);
}
