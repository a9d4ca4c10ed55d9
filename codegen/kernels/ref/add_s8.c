/* Reference int8 broadcasting add, TFLite's int8 ADD: each input minus its zero point is
 * shifted left by left_shift (20) and rescaled to twice the larger input scale, the two are
 * summed and the sum rescaled to the output (three roundings, codegen/int8/ops.py add). */
#include "edgediff/internal/binary_s8.h"

static int32_t add_op(int32_t a, int32_t b, const binary_s8_params_t *p) {
    const int32_t a_scaled = edgediff_requantize_below_one(
        (a + p->input1_offset) * (1 << p->left_shift), p->input1_multiplier, p->input1_shift);
    const int32_t b_scaled = edgediff_requantize_below_one(
        (b + p->input2_offset) * (1 << p->left_shift), p->input2_multiplier, p->input2_shift);
    return edgediff_requantize_below_one(a_scaled + b_scaled, p->output_multiplier,
                                         p->output_shift);
}

void edgediff_add_s8(const binary_s8_params_t *p, const int8_t *a, const int8_t *b, int8_t *out) {
    edgediff_binary_s8(p, a, b, out, add_op);
}
