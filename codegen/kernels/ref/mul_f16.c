/* Reference FP16 broadcasting mul: the loop lives in kernel_util.h, shared with its siblings
 * and the FP32 kernels. The float mul of two halves is exact or correctly rounded to a
 * float, so the one rounding to half gives the correctly rounded half result. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

static float mul_op(float a, float b) {
    return a * b;
}

void edgediff_mul_f16(const binary_params_t *p, const edgediff_f16_t *a, const edgediff_f16_t *b,
                      edgediff_f16_t *out) {
    edgediff_binary(p, a, b, out, mul_op, edgediff_load_f16, edgediff_store_f16);
}
