/* Reference FP32 softmax, max subtracted (the loop is reduce_loops.h). */
#include "edgediff/internal/reduce_loops.h"
#include "edgediff/kernels.h"

void edgediff_softmax_f32(const softmax_params_t *p, const float *in, float *out) {
    edgediff_softmax(p, in, out, edgediff_load_f32, edgediff_store_f32);
}
