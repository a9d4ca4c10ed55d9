/* Reference broadcasting div (aten.div, true division); the loop lives in kernel_util.h,
 * shared with add/sub/mul. Correctly rounded, as torch's float32 division. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

static float div_op(float a, float b) {
    return a / b;
}

void edgediff_div_f32(const binary_params_t *p, const float *a, const float *b, float *out) {
    edgediff_binary(p, a, b, out, div_op, edgediff_load_f32, edgediff_store_f32);
}
