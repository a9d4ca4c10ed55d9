/* RVV F32 concat: each input's contiguous slab per outer index copied as bytes, 32
 * bytes per vector load/store (e8, LMUL 2); bit-exact. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"
#include "edgediff/internal/concat_rvv.h"

static const void *input(const void *inputs, int32_t k) {
    return ((const float *const *)inputs)[k];
}

void edgediff_concat_f32_rvv(const concat_params_t *p, const float *const *inputs, float *out) {
    edgediff_rvv_concat_bytes(p, inputs, input, out, (int32_t)sizeof(float));
}
