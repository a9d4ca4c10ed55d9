/* Reference broadcasting mul; the loop lives in kernel_util.h, shared with its siblings
 * and the FP16 kernels. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

static float mul_op(float a, float b) {
    return a * b;
}

void edgediff_mul_f32(const binary_params_t *p, const float *a, const float *b, float *out) {
    edgediff_binary(p, a, b, out, mul_op, edgediff_load_f32, edgediff_store_f32);
}
