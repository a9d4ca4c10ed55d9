/* Reference FP32 max pooling: exact, a comparison per input (the loop is reduce_loops.h). */
#include "edgediff/internal/reduce_loops.h"
#include "edgediff/kernels.h"

void edgediff_max_pool2d_f32(const pool2d_params_t *p, const float *in, float *out) {
    edgediff_pool2d(p, in, out, 1, edgediff_load_f32, edgediff_store_f32);
}
