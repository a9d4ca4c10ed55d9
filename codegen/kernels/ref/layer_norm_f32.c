/* Reference FP32 layer norm, two passes (the loop is reduce_loops.h). */
#include "edgediff/internal/reduce_loops.h"
#include "edgediff/kernels.h"

void edgediff_layer_norm_f32(const layer_norm_params_t *p, const float *in, const float *gamma,
                             const float *beta, float *out) {
    edgediff_layer_norm(p, in, gamma, beta, out, edgediff_load_f32, edgediff_store_f32);
}
