/* int8 addition for Arm MVE (Helium), TFLite's int8 ADD: each input plus its offset, shifted
 * left by left_shift, rescaled by its multiplier (a doubling high multiply and a rounding
 * shift right, internal/requantize_s8_mve.h), the sum rescaled to the output, plus its zero
 * point, clamped, narrowed on store. The same three roundings as ref/add_s8.c, lane by lane:
 * same bytes (sub_s8 is this with the second multiplier negated).
 * An input's rescaled value depends on its byte alone, so a long add (at least
 * EDGEDIFF_MVE_ADD_TABLE_MIN elements per row) first rescales the 256 possible bytes of each
 * input into a table of int32 on the stack (4 lanes per step, the arithmetic above), then per
 * 4 elements loads the bytes zero-extended (their table index: the byte's bits), gathers
 * the two rescaled values (VLDRW gather), adds them and rescales the sum: 15 instructions
 * per 4 elements where the three rescalings take about 30. A short row takes the lanes.
 * Each operand is dense over the two innermost dims or constant over them (same shape, or
 * the UNet's time embedding [N,C,1,1] onto [N,C,H,W]: overrides/mve.py), any strides on the
 * two outer dims; a constant operand is one value added to every lane. out may alias a
 * dense operand (each vector is read before it is written). */
#include <arm_mve.h>
#include <stddef.h>

#include "edgediff/kernels_mve.h"
#include "edgediff/internal/requantize_s8_mve.h"

#define EDGEDIFF_MVE_ADD_TABLE_MIN 64

/* One input's rescaling, (x + z) << left, then the multiplier (ADD's shifts are <= 0). */
static inline __attribute__((always_inline)) int32x4_t scaled(int32x4_t x, int32_t z,
                                                               int32_t left, int32_t m,
                                                               int32_t r) {
    return edgediff_mve_requantize_n(vshlq_r_s32(vaddq_n_s32(x, z), left), m, 0, r);
}

/* table[u] = the rescaled value of the byte whose bits are u (u = 0..255) */
static void fill_table(int32_t *table, int32_t z, int32_t left, int32_t m, int32_t r) {
    for (int32_t u = 0; u < 256; u += 4) {
        /* the bytes u..u+3 as int8 (u - 256 from 128 on) */
        const int32x4_t x = vreinterpretq_s32_u32(vidupq_n_u32((uint32_t)u, 1));
        vstrwq_s32(table + u, scaled(vsubq_n_s32(x, u >= 128 ? 256 : 0), z, left, m, r));
    }
}

/* The rescaled sum of 4 elements: x, plus y (or the constant c), rescaled to the output,
 * plus its zero point, clamped. */
static inline __attribute__((always_inline)) int32x4_t output(int32x4_t sum, int32_t mo,
                                                               int32_t ro, int32_t zo,
                                                               int32_t lo, int32_t hi) {
    const int32x4_t v = edgediff_mve_requantize_n(sum, mo, 0, ro);
    return vminq_s32(vmaxq_s32(vaddq_n_s32(v, zo), vdupq_n_s32(lo)), vdupq_n_s32(hi));
}

/* n elements of a row from the tables: ta[a] + tb[b], or ta[a] + c where tb is NULL (b
 * constant over the row). Whole vectors unpredicated (gcc's code for a predicate in every
 * step takes twice the instructions), then one predicated tail. */
static void row_sum(const int32_t *ta, const uint8_t *a, const int32_t *tb, const uint8_t *b,
                    int32_t c, int8_t *o, int32_t n, int32_t mo, int32_t ro, int32_t zo,
                    int32_t lo, int32_t hi) {
    int32_t i = 0;
    if (tb) {
        for (; i + 4 <= n; i += 4) {
            const int32x4_t x = vldrwq_gather_shifted_offset_s32(ta, vldrbq_u32(a + i));
            const int32x4_t y = vldrwq_gather_shifted_offset_s32(tb, vldrbq_u32(b + i));
            vstrbq_s32(o + i, output(vaddq_s32(x, y), mo, ro, zo, lo, hi));
        }
    } else {
        for (; i + 4 <= n; i += 4) {
            const int32x4_t x = vldrwq_gather_shifted_offset_s32(ta, vldrbq_u32(a + i));
            vstrbq_s32(o + i, output(vaddq_n_s32(x, c), mo, ro, zo, lo, hi));
        }
    }
    if (i < n) {
        const mve_pred16_t m = vctp32q((uint32_t)(n - i));
        const int32x4_t x = vldrwq_gather_shifted_offset_z_s32(ta, vldrbq_z_u32(a + i, m), m);
        const int32x4_t y = tb ? vldrwq_gather_shifted_offset_z_s32(tb, vldrbq_z_u32(b + i, m), m)
                               : vdupq_n_s32(c);
        vstrbq_p_s32(o + i, output(vaddq_s32(x, y), mo, ro, zo, lo, hi), m);
    }
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
    const int32_t act_min = p->act_min, act_max = p->act_max;
    const int32x4_t lo = vdupq_n_s32(act_min), hi = vdupq_n_s32(act_max);
    int8_t *o = out;
    if (inner >= EDGEDIFF_MVE_ADD_TABLE_MIN && (a_dense || b_dense)) {
        int32_t ta[256] __attribute__((aligned(16))), tb[256] __attribute__((aligned(16)));
        /* a constant operand reads one entry of its table per row */
        fill_table(ta, z1, left, m1, r1);
        fill_table(tb, z2, left, m2, r2);
        for (int32_t i0 = 0; i0 < n0; ++i0) {
            for (int32_t i1 = 0; i1 < n1; ++i1, o += inner) {
                const uint8_t *ar = (const uint8_t *)a + i0 * as[0] + i1 * as[1];
                const uint8_t *br = (const uint8_t *)b + i0 * bs[0] + i1 * bs[1];
                if (a_dense && b_dense) {
                    row_sum(ta, ar, tb, br, 0, o, inner, mo, ro, zo, act_min, act_max);
                } else {
                    /* one operand constant over the row: its value added to every lane */
                    const int32_t c = a_dense ? tb[br[0]] : ta[ar[0]];
                    const uint8_t *row = a_dense ? ar : br;
                    row_sum(a_dense ? ta : tb, row, NULL, NULL, c, o, inner, mo, ro, zo,
                            act_min, act_max);
                }
            }
        }
        return;
    }
    for (int32_t i0 = 0; i0 < n0; ++i0) {
        for (int32_t i1 = 0; i1 < n1; ++i1, o += inner) {
            const int8_t *ar = a + i0 * as[0] + i1 * as[1];
            const int8_t *br = b + i0 * bs[0] + i1 * bs[1];
            for (int32_t i = 0; i < inner; i += 4) {
                const mve_pred16_t m = vctp32q((uint32_t)(inner - i));
                const int32x4_t x = a_dense ? vldrbq_z_s32(ar + i, m) : vdupq_n_s32(ar[0]);
                const int32x4_t y = b_dense ? vldrbq_z_s32(br + i, m) : vdupq_n_s32(br[0]);
                const int32x4_t xs = scaled(x, z1, left, m1, r1);
                const int32x4_t ys = scaled(y, z2, left, m2, r2);
                int32x4_t v = edgediff_mve_requantize_n(vaddq_s32(xs, ys), mo, 0, ro);
                v = vminq_s32(vmaxq_s32(vaddq_n_s32(v, zo), lo), hi);
                vstrbq_p_s32(o + i, v, m);
            }
        }
    }
}
