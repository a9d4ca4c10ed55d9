/* Reference int8 broadcasting multiply, TFLite's int8 MUL: the product of the two inputs
 * minus their zero points, rescaled once by s1 * s2 / s_out (codegen/int8/ops.py mul). */
#include "edgediff/internal/binary_s8.h"

static int32_t mul_op(int32_t a, int32_t b, const binary_s8_params_t *p) {
    return edgediff_requantize((a + p->input1_offset) * (b + p->input2_offset),
                               p->output_multiplier, p->output_shift);
}

void edgediff_mul_s8(const binary_s8_params_t *p, const int8_t *a, const int8_t *b, int8_t *out) {
    edgediff_binary_s8(p, a, b, out, mul_op);
}
