/*
 * Internal: the int8 dot-product core of the RVV kernels (conv2d_s8_rvv, linear_s8_rvv), not
 * API; the layout of internal/gemm_s8_mve.h. A layer's weights are packed into blocks of 4
 * output channels x 16-byte vectors of its depth (a conv's patch: kx, ky, then channel, at
 * build time by overrides/mve.py conv_s8_pack; a linear's input row, once per call by
 * edgediff_s8_rvv_pack), zero past the depth; with them 4 int32 per channel: the
 * bias plus input_offset x the channel's weight sum (sum((x + offset) * w) = sum(x * w) +
 * offset * sum(w)), the multiplier, the left shift and minus the right shift. A step of a
 * dot product is 16 int8 products widened to int16 (vwmul) and summed into an int32
 * (vwredsum), for 4 channels x 2 columns; the 4 channels' sums of a column then go through
 * the requantization as one vector.
 */
#ifndef EDGEDIFF_GEMM_S8_RVV_H
#define EDGEDIFF_GEMM_S8_RVV_H

#include <riscv_vector.h>
#include <stdint.h>

#include "edgediff/kernels.h"

/* Packs weight [c_out][c_in][taps] for columns ordered (tap, channel), `vectors` 16-byte
 * vectors per column; the parameters are 0 for the channels past c_out. */
static inline void edgediff_s8_rvv_pack(const int8_t *weight, int32_t c_out, int32_t c_in,
                                        int32_t taps, int32_t vectors, int32_t input_offset,
                                        const int32_t *bias, const int32_t *multiplier,
                                        const int32_t *shift, int8_t *packed, int32_t *params) {
    const int32_t blocks = (c_out + 3) / 4;
    for (int32_t i = 0; i < blocks * vectors * 64; i += 16) {
        vse8_v_i8m1(packed + i, vmv_v_x_i8m1(0, 16), 16);
    }
    for (int32_t i = 0; i < blocks * 16; ++i) {
        params[i] = 0;
    }
    for (int32_t co = 0; co < c_out; ++co) {
        const int8_t *w = weight + co * c_in * taps;
        int8_t *dst = packed + (co / 4) * vectors * 64 + (co % 4) * 16;
        int32_t sum = 0;
        for (int32_t ci = 0; ci < c_in; ++ci) {
            for (int32_t t = 0; t < taps; ++t) {
                const int32_t k = t * c_in + ci; /* position in the column */
                const int8_t v = *w++;
                dst[(k / 16) * 64 + k % 16] = v;
                sum += v;
            }
        }
        int32_t *c = params + (co / 4) * 16 + co % 4;
        const int32_t s = shift[co];
        c[0] = (bias ? bias[co] : 0) + input_offset * sum;
        c[4] = multiplier[co];
        c[8] = s > 0 ? s : 0;
        c[12] = s > 0 ? 0 : s;
    }
}

/* Dot products of `vectors` 16-byte vectors: 4 packed channels (w) x 2 columns (a, b);
 * sums[j] for channel j of column a, sums[4 + j] of column b. */
static inline __attribute__((always_inline)) void edgediff_s8_rvv_dot_4x2(
    const int8_t *w, const int8_t *a, const int8_t *b, int32_t vectors, int32_t *sums) {
    const vint32m1_t zero = vmv_v_x_i32m1(0, 4);
    vint32m1_t s00 = zero, s10 = zero, s20 = zero, s30 = zero;
    vint32m1_t s01 = zero, s11 = zero, s21 = zero, s31 = zero;
    for (int32_t v = 0; v < vectors; ++v) {
        const vint8m1_t x = vle8_v_i8m1(a, 16), y = vle8_v_i8m1(b, 16);
        const vint8m1_t w0 = vle8_v_i8m1(w, 16), w1 = vle8_v_i8m1(w + 16, 16);
        const vint8m1_t w2 = vle8_v_i8m1(w + 32, 16), w3 = vle8_v_i8m1(w + 48, 16);
        /* four products, then their four sums: the widening multiply runs at e8 and the
         * reduction at e16, so grouping them keeps the vtype switches at 4 per step */
        vint16m2_t p0 = vwmul_vv_i16m2(x, w0, 16), p1 = vwmul_vv_i16m2(y, w0, 16);
        vint16m2_t p2 = vwmul_vv_i16m2(x, w1, 16), p3 = vwmul_vv_i16m2(y, w1, 16);
        s00 = vwredsum_vs_i16m2_i32m1(s00, p0, s00, 16);
        s01 = vwredsum_vs_i16m2_i32m1(s01, p1, s01, 16);
        s10 = vwredsum_vs_i16m2_i32m1(s10, p2, s10, 16);
        s11 = vwredsum_vs_i16m2_i32m1(s11, p3, s11, 16);
        p0 = vwmul_vv_i16m2(x, w2, 16);
        p1 = vwmul_vv_i16m2(y, w2, 16);
        p2 = vwmul_vv_i16m2(x, w3, 16);
        p3 = vwmul_vv_i16m2(y, w3, 16);
        s20 = vwredsum_vs_i16m2_i32m1(s20, p0, s20, 16);
        s21 = vwredsum_vs_i16m2_i32m1(s21, p1, s21, 16);
        s30 = vwredsum_vs_i16m2_i32m1(s30, p2, s30, 16);
        s31 = vwredsum_vs_i16m2_i32m1(s31, p3, s31, 16);
        a += 16;
        b += 16;
        w += 64;
    }
    sums[0] = vmv_x_s_i32m1_i32(s00);
    sums[1] = vmv_x_s_i32m1_i32(s10);
    sums[2] = vmv_x_s_i32m1_i32(s20);
    sums[3] = vmv_x_s_i32m1_i32(s30);
    sums[4] = vmv_x_s_i32m1_i32(s01);
    sums[5] = vmv_x_s_i32m1_i32(s11);
    sums[6] = vmv_x_s_i32m1_i32(s21);
    sums[7] = vmv_x_s_i32m1_i32(s31);
}

/* The sums of 4 channels of one pixel (lanes) through the reference's requantization,
 * vectorized as internal/requantize_s8_mve.h does it: wrapping left shift, vsmul (with
 * vxrm = rnu: floor((a * b + 2^30) / 2^31), INT32_MIN * INT32_MIN saturated, which is
 * gemmlowp's SaturatingRoundingDoublingHighMul), then a rounding shift right that rounds
 * ties up (vssra, rnu) after lowering a negative value by one (vsadd; only INT32_MIN
 * saturates, where the quotient is exact), i.e. ties away from zero as RoundingDivideByPOT;
 * plus the zero point, clamped, narrowed and stored `stride` bytes apart (the first
 * `live`). The caller sets vxrm to rnu (csrwi vxrm, 0). */
static inline __attribute__((always_inline)) void edgediff_s8_rvv_store4(
    vint32m1_t acc, const int32_t *c, const quant_s8_params_t *q, int8_t *o, int32_t stride,
    size_t live) {
    const vint32m1_t neg_right = vle32_v_i32m1(c + 12, 4);
    vint32m1_t x = vadd_vv_i32m1(acc, vle32_v_i32m1(c, 4), 4);
    x = vsll_vv_i32m1(x, vreinterpret_v_i32m1_u32m1(vle32_v_i32m1(c + 8, 4)), 4);
    x = vsmul_vv_i32m1(x, vle32_v_i32m1(c + 4, 4), 4);
    x = vsadd_vv_i32m1(x, vsra_vx_i32m1(vand_vv_i32m1(x, neg_right, 4), 31, 4), 4);
    x = vssra_vv_i32m1(x, vreinterpret_v_i32m1_u32m1(vneg_v_i32m1(neg_right, 4)), 4);
    x = vadd_vx_i32m1(x, q->output_offset, 4);
    x = vmin_vx_i32m1(vmax_vx_i32m1(x, q->act_min, 4), q->act_max, 4);
    const vint8mf4_t b = vncvt_x_x_w_i8mf4(vncvt_x_x_w_i16mf2(x, 4), 4);
    vsse8_v_i8mf4(o, stride, b, live);
}

#endif /* EDGEDIFF_GEMM_S8_RVV_H */
