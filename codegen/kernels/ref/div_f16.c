/* Reference FP16 broadcasting div: the float quotient of two halves, rounded once to half.
 * float (24 bits) >= 2 * 11 + 2 bits makes that double rounding innocuous (Figueroa), so
 * the result is the correctly rounded half quotient. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

static float div_op(float a, float b) {
    return a / b;
}

void edgediff_div_f16(const binary_params_t *p, const edgediff_f16_t *a, const edgediff_f16_t *b,
                      edgediff_f16_t *out) {
    edgediff_binary(p, a, b, out, div_op, edgediff_load_f16, edgediff_store_f16);
}
