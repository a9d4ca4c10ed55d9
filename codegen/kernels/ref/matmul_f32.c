/* Reference matmul of two activations (batch dims broadcast by stride 0): one FP32 dot
 * product per output. The loop is internal/matmul_ref.h, shared with matmul_f16. */
#include "edgediff/internal/matmul_ref.h"

void edgediff_matmul_f32(const matmul_params_t *p, const float *a, const float *b, float *out) {
    edgediff_matmul(p, a, b, out, edgediff_load_f32, edgediff_store_f32, edgediff_at_f32);
}
