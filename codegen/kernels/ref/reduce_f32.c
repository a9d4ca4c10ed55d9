/* Reference FP32 sum / mean / variance over dims (the loop is reduce_loops.h). */
#include "edgediff/internal/reduce_loops.h"
#include "edgediff/kernels.h"

void edgediff_reduce_f32(const reduce_params_t *p, const float *in, float *out) {
    edgediff_reduce(p, in, out, edgediff_load_f32, edgediff_store_f32);
}
