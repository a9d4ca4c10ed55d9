/* int8 addition for Arm MVE (Helium), TFLite's int8 ADD, 4 int32 lanes per step: each input
 * plus its offset, shifted left by left_shift, rescaled by its multiplier (a doubling high
 * multiply and a rounding shift right, internal/requantize_s8_mve.h), the sum rescaled to the
 * output, plus its zero point, clamped, narrowed on store. The same three roundings as
 * ref/add_s8.c, lane by lane: same bytes (sub_s8 is this with the second multiplier negated).
 * Each operand is dense over the two innermost dims or constant over them (same shape, or
 * the UNet's time embedding [N,C,1,1] onto [N,C,H,W]: overrides/mve.py), any strides on the
 * two outer dims; a constant operand is its byte broadcast to every lane. out may alias a
 * dense operand (each vector is read before it is written). */
#include <arm_mve.h>

#include "edgediff/kernels_mve.h"
#include "edgediff/internal/requantize_s8_mve.h"

/* 4 bytes of a row (dense) or its one byte in every lane (constant), widened. */
static inline __attribute__((always_inline)) int32x4_t operand(const int8_t *row, int32_t i,
                                                                int32_t dense,
                                                                mve_pred16_t m) {
    return dense ? vldrbq_z_s32(row + i, m) : vdupq_n_s32(row[0]);
}

void edgediff_add_s8_mve(const binary_s8_params_t *p, const int8_t *a, const int8_t *b,
                         int8_t *out) {
    const int32_t *shape = p->shape.out_shape, *as = p->shape.a_strides,
                  *bs = p->shape.b_strides;
    const int32_t inner = shape[2] * shape[3];
    /* dense: inner elements contiguous; otherwise constant over the inner dims */
    const int32_t a_dense = (shape[3] == 1 || as[3] != 0) && (shape[2] == 1 || as[2] != 0);
    const int32_t b_dense = (shape[3] == 1 || bs[3] != 0) && (shape[2] == 1 || bs[2] != 0);
    /* the parameters in locals (an int8 store may alias *p), scalar operands of the vector
     * instructions: no vector register per parameter */
    const int32_t n0 = shape[0], n1 = shape[1], left = p->left_shift;
    const int32_t z1 = p->input1_offset, m1 = p->input1_multiplier, r1 = p->input1_shift;
    const int32_t z2 = p->input2_offset, m2 = p->input2_multiplier, r2 = p->input2_shift;
    const int32_t mo = p->output_multiplier, ro = p->output_shift, zo = p->output_offset;
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    int8_t *o = out;
    for (int32_t i0 = 0; i0 < n0; ++i0) {
        for (int32_t i1 = 0; i1 < n1; ++i1, o += inner) {
            const int8_t *ar = a + i0 * as[0] + i1 * as[1];
            const int8_t *br = b + i0 * bs[0] + i1 * bs[1];
            for (int32_t i = 0; i < inner; i += 4) {
                const mve_pred16_t m = vctp32q(inner - i);
                const int32x4_t x = vaddq_n_s32(operand(ar, i, a_dense, m), z1);
                const int32x4_t y = vaddq_n_s32(operand(br, i, b_dense, m), z2);
                /* the shifts of ADD's three scalings are <= 0: no left shift inside them */
                const int32x4_t xs = edgediff_mve_requantize_n(vshlq_r_s32(x, left), m1, 0, r1);
                const int32x4_t ys = edgediff_mve_requantize_n(vshlq_r_s32(y, left), m2, 0, r2);
                int32x4_t v = edgediff_mve_requantize_n(vaddq_s32(xs, ys), mo, 0, ro);
                v = vminq_s32(vmaxq_s32(vaddq_n_s32(v, zo), lo), hi);
                vstrbq_p_s32(o + i, v, m);
            }
        }
    }
}
