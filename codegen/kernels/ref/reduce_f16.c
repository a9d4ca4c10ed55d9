/* Reference FP16 (halves widened to float, float statistics, one rounding per output) sum /
 * mean / variance over dims (the loop is reduce_loops.h). */
#include "edgediff/internal/reduce_loops.h"
#include "edgediff/kernels.h"

void edgediff_reduce_f16(const reduce_params_t *p, const edgediff_f16_t *in, edgediff_f16_t *out) {
    edgediff_reduce(p, in, out, edgediff_load_f16, edgediff_store_f16);
}
