/* Reference FP16 (halves widened to float, float statistics, one rounding per output) layer
 * norm, two passes (the loop is reduce_loops.h). */
#include "edgediff/internal/reduce_loops.h"
#include "edgediff/kernels.h"

void edgediff_layer_norm_f16(const layer_norm_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                             edgediff_f16_t *out) {
    edgediff_layer_norm(p, in, gamma, beta, out, edgediff_load_f16, edgediff_store_f16);
}
