/* Reference FP16 (halves widened to float, float statistics, one rounding per output) average
 * pooling, float sum (the loop is reduce_loops.h). */
#include "edgediff/internal/reduce_loops.h"
#include "edgediff/kernels.h"

void edgediff_avg_pool2d_f16(const pool2d_params_t *p, const edgediff_f16_t *in,
                             edgediff_f16_t *out) {
    edgediff_pool2d(p, in, out, 0, edgediff_load_f16, edgediff_store_f16);
}
