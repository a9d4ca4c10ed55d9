/* Reference int8 softmax over the last axis, TFLite's int8 SOFTMAX (output scale 1/256, zero
 * point -128): per row, each difference to the row maximum scaled into Q5.26, its
 * fixed-point exp summed in Q12.19, the sum's reciprocal normalised to [1, 2), each exp times
 * that reciprocal shifted to 1/256 steps (codegen/int8/softmax.py). The exps are computed
 * twice, as TFLite does, rather than kept in a scratch row. */
#include "edgediff/kernels.h"
#include "edgediff/internal/fixedpoint_exp.h"

#define SCALED_DIFF_INTEGER_BITS 5
#define ACCUMULATION_INTEGER_BITS 12

/* exp(beta * scale * diff) in Q0.31, for diff >= diff_min. */
static int32_t row_exp(const softmax_s8_params_t *p, int32_t diff) {
    const int32_t scaled = edgediff_requantize(diff, p->input_multiplier, p->input_left_shift);
    return edgediff_exp_on_negative_values(scaled, SCALED_DIFF_INTEGER_BITS);
}

void edgediff_softmax_s8(const softmax_s8_params_t *p, const int8_t *in, int8_t *out) {
    for (int32_t r = 0; r < p->rows; ++r) {
        const int8_t *row = in + r * p->depth;
        int8_t *dst = out + r * p->depth;
        int32_t max = -128;
        for (int32_t c = 0; c < p->depth; ++c) {
            max = row[c] > max ? row[c] : max;
        }
        int32_t sum = 0; /* Q12.19; the row maximum alone adds 2^19 */
        for (int32_t c = 0; c < p->depth; ++c) {
            const int32_t diff = (int32_t)row[c] - max;
            if (diff >= p->diff_min) {
                /* Rescale Q0.31 -> Q12.19: a rounding shift by 12 */
                const int32_t e = edgediff_rounding_shift_right(row_exp(p, diff),
                                                                ACCUMULATION_INTEGER_BITS);
                sum = edgediff_fx_add(sum, e);
            }
        }
        int32_t headroom_plus_one = 0; /* leading zeros of sum, without a clz helper */
        while (headroom_plus_one < 32 && !(((uint32_t)sum << headroom_plus_one) & 0x80000000u)) {
            ++headroom_plus_one;
        }
        const int32_t shifted_minus_one =
            (int32_t)(((uint32_t)sum << headroom_plus_one) - 0x80000000u);
        const int32_t reciprocal = edgediff_one_over_one_plus_x(shifted_minus_one);
        const int32_t exponent = ACCUMULATION_INTEGER_BITS - headroom_plus_one + 31 - 8;
        for (int32_t c = 0; c < p->depth; ++c) {
            const int32_t diff = (int32_t)row[c] - max;
            int32_t v = -128;
            if (diff >= p->diff_min) {
                v = edgediff_rounding_shift_right(edgediff_doubling_high_mul(reciprocal,
                                                                             row_exp(p, diff)),
                                                  exponent) - 128;
                v = v > 127 ? 127 : (v < -128 ? -128 : v);
            }
            dst[c] = (int8_t)v;
        }
    }
}
