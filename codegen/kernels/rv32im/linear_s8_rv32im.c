/* int8 fully connected layer for scalar RV32IM cores (overrides/rv32im.py): any shape, same
 * bytes as ref/linear_s8.c (exact int32 dot products of (x + input_offset) and a weight row,
 * in another order, then the reference's requantization, internal/requantize_s8.h).
 *
 * No scratch: blocks of 2 input rows x 4 outputs keep 8 sums, and read the input rows and 4
 * weight rows in place, one pointer each (per input element: 2 input loads plus the offset,
 * 4 weight loads, 8 mul + add for 8 MACs; four elements a step); a lone last row (a time MLP's
 * only one) takes blocks of 1 row x 8 outputs instead (1 input and 8 weight loads for 8
 * MACs). A block's outputs past out_features repeat its first and are not stored. The sums
 * wrap in uint32 (the reference's int32 whenever that does not overflow). */
#include "edgediff/kernels_rv32im.h"
#include "edgediff/internal/requantize_s8.h"

/* acc[r][o] += sum_i (x_r[i] + off) * w_o[i] over n elements. */
static __attribute__((noinline)) void block(const int8_t *x0, const int8_t *x1,
                                            const int8_t *const w[4], int32_t n, uint32_t off,
                                            uint32_t acc[2][4]) {
    uint32_t a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
    const int8_t *p0 = w[0], *p1 = w[1], *p2 = w[2], *p3 = w[3];
#define EDGEDIFF_LINEAR_STEP(i)                                                       \
    do {                                                                              \
        const uint32_t u = (uint32_t)(int32_t)x0[i] + off;                            \
        const uint32_t v = (uint32_t)(int32_t)x1[i] + off;                            \
        const uint32_t w0 = (uint32_t)(int32_t)p0[i], w1 = (uint32_t)(int32_t)p1[i];  \
        const uint32_t w2 = (uint32_t)(int32_t)p2[i], w3 = (uint32_t)(int32_t)p3[i];  \
        a00 += u * w0; a01 += u * w1; a02 += u * w2; a03 += u * w3;                   \
        a10 += v * w0; a11 += v * w1; a12 += v * w2; a13 += v * w3;                   \
    } while (0)
    const int8_t *const end4 = x0 + (n & ~3);
    for (; x0 != end4; x0 += 4, x1 += 4, p0 += 4, p1 += 4, p2 += 4, p3 += 4) {
        EDGEDIFF_LINEAR_STEP(0);
        EDGEDIFF_LINEAR_STEP(1);
        EDGEDIFF_LINEAR_STEP(2);
        EDGEDIFF_LINEAR_STEP(3);
    }
    for (int32_t i = 0; i < (n & 3); ++i) {
        EDGEDIFF_LINEAR_STEP(i);
    }
#undef EDGEDIFF_LINEAR_STEP
    acc[0][0] = a00; acc[0][1] = a01; acc[0][2] = a02; acc[0][3] = a03;
    acc[1][0] = a10; acc[1][1] = a11; acc[1][2] = a12; acc[1][3] = a13;
}

/* acc[o] += sum_i (x[i] + off) * w_o[i] over n elements, for 8 outputs; four elements a step. */
static __attribute__((noinline)) void block_row(const int8_t *x, const int8_t *const w[8],
                                                int32_t n, uint32_t off, uint32_t acc[8]) {
    uint32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
    const int8_t *p0 = w[0], *p1 = w[1], *p2 = w[2], *p3 = w[3];
    const int8_t *p4 = w[4], *p5 = w[5], *p6 = w[6], *p7 = w[7];
#define EDGEDIFF_LINEAR_STEP(i)                                                       \
    do {                                                                              \
        const uint32_t u = (uint32_t)(int32_t)x[i] + off;                             \
        a0 += u * (uint32_t)(int32_t)p0[i]; a1 += u * (uint32_t)(int32_t)p1[i];       \
        a2 += u * (uint32_t)(int32_t)p2[i]; a3 += u * (uint32_t)(int32_t)p3[i];       \
        a4 += u * (uint32_t)(int32_t)p4[i]; a5 += u * (uint32_t)(int32_t)p5[i];       \
        a6 += u * (uint32_t)(int32_t)p6[i]; a7 += u * (uint32_t)(int32_t)p7[i];       \
    } while (0)
    const int8_t *const end4 = x + (n & ~3);
    for (; x != end4; x += 4, p0 += 4, p1 += 4, p2 += 4, p3 += 4, p4 += 4, p5 += 4, p6 += 4,
                      p7 += 4) {
        EDGEDIFF_LINEAR_STEP(0);
        EDGEDIFF_LINEAR_STEP(1);
        EDGEDIFF_LINEAR_STEP(2);
        EDGEDIFF_LINEAR_STEP(3);
    }
    for (int32_t i = 0; i < (n & 3); ++i) {
        EDGEDIFF_LINEAR_STEP(i);
    }
#undef EDGEDIFF_LINEAR_STEP
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
    acc[4] = a4; acc[5] = a5; acc[6] = a6; acc[7] = a7;
}

/* count sums plus bias, requantized by the reference's helpers, stored at dst. */
static void store(const uint32_t *acc, const int32_t *bias, const int32_t *multiplier,
                  const int32_t *shift, const quant_s8_params_t *q, int32_t count, int8_t *dst) {
    for (int32_t c = 0; c < count; ++c) {
        const uint32_t sum = acc[c] + (bias ? (uint32_t)bias[c] : 0);
        const int32_t scaled = edgediff_requantize((int32_t)sum, multiplier[c], shift[c]);
        dst[c] = edgediff_output_s8(scaled, q->output_offset, q->act_min, q->act_max);
    }
}

void edgediff_linear_s8_rv32im(const linear_s8_params_t *p, const int8_t *in,
                               const int8_t *weight, const int32_t *bias,
                               const int32_t *multiplier, const int32_t *shift, int8_t *out) {
    const linear_params_t *g = &p->linear;
    const int32_t n = g->in_features, outs = g->out_features;
    const quant_s8_params_t q = p->q;
    int32_t r = 0;
    for (; r + 1 < g->rows; r += 2) {
        const int8_t *x0 = in + r * n;
        for (int32_t o0 = 0; o0 < outs; o0 += 4) {
            const int32_t live = outs - o0 < 4 ? outs - o0 : 4;
            const int8_t *w[4];
            for (int c = 0; c < 4; ++c) {
                w[c] = weight + (o0 + (c < live ? c : 0)) * n;
            }
            uint32_t acc[2][4];
            block(x0, x0 + n, w, n, (uint32_t)q.input_offset, acc);
            for (int32_t rr = 0; rr < 2; ++rr) {
                store(acc[rr], bias ? bias + o0 : 0, multiplier + o0, shift + o0, &q, live,
                      out + (r + rr) * outs + o0);
            }
        }
    }
    if (r < g->rows) {
        for (int32_t o0 = 0; o0 < outs; o0 += 8) {
            const int32_t live = outs - o0 < 8 ? outs - o0 : 8;
            const int8_t *w[8];
            for (int c = 0; c < 8; ++c) {
                w[c] = weight + (o0 + (c < live ? c : 0)) * n;
            }
            uint32_t acc[8];
            block_row(in + r * n, w, n, (uint32_t)q.input_offset, acc);
            store(acc, bias ? bias + o0 : 0, multiplier + o0, shift + o0, &q, live,
                  out + r * outs + o0);
        }
    }
}
