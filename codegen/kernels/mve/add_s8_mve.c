/* int8 addition for Arm MVE (Helium), TFLite's int8 ADD on operands of the output's shape
 * (no broadcasting: overrides/mve.py), 4 int32 lanes per step: each input plus its offset,
 * shifted left by left_shift, rescaled by its multiplier (a doubling high multiply and a
 * rounding shift right, internal/requantize_s8_mve.h), the sum rescaled to the output, plus
 * its zero point, clamped, narrowed on store. The same three roundings as ref/add_s8.c, lane
 * by lane: same bytes (sub_s8 is this with the second multiplier negated). */
#include <arm_mve.h>

#include "edgediff/kernels_mve.h"
#include "edgediff/internal/requantize_s8_mve.h"

void edgediff_add_s8_mve(const binary_s8_params_t *p, const int8_t *a, const int8_t *b,
                         int8_t *out) {
    const int32_t *shape = p->shape.out_shape;
    const int32_t count = shape[0] * shape[1] * shape[2] * shape[3];
    const int32x4_t zero = vdupq_n_s32(0);
    const int32x4_t left = vdupq_n_s32(p->left_shift);
    const int32x4_t m1 = vdupq_n_s32(p->input1_multiplier), r1 = vdupq_n_s32(p->input1_shift);
    const int32x4_t m2 = vdupq_n_s32(p->input2_multiplier), r2 = vdupq_n_s32(p->input2_shift);
    const int32x4_t mo = vdupq_n_s32(p->output_multiplier), ro = vdupq_n_s32(p->output_shift);
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    for (int32_t i = 0; i < count; i += 4) {
        const mve_pred16_t m = vctp32q(count - i);
        const int32x4_t x = vaddq_n_s32(vldrbq_z_s32(a + i, m), p->input1_offset);
        const int32x4_t y = vaddq_n_s32(vldrbq_z_s32(b + i, m), p->input2_offset);
        /* the shifts of ADD's three scalings are <= 0: no left shift inside them */
        const int32x4_t xs = edgediff_mve_requantize(vshlq_s32(x, left), m1, zero, r1);
        const int32x4_t ys = edgediff_mve_requantize(vshlq_s32(y, left), m2, zero, r2);
        int32x4_t v = edgediff_mve_requantize(vaddq_s32(xs, ys), mo, zero, ro);
        v = vminq_s32(vmaxq_s32(vaddq_n_s32(v, p->output_offset), lo), hi);
        vstrbq_p_s32(out + i, v, m);
    }
}
