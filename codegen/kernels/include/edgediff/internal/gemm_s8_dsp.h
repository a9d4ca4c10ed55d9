/*
 * Internal: the int8 dot-product core of the DSP kernels (conv2d_s8_dsp, linear_s8_dsp), for
 * Armv7E-M / Armv8-M Mainline with the DSP extension (Cortex-M4, M7, M33).
 *
 * The input of two output pixels (conv: their im2col patches; linear: two rows) is widened
 * once into int16 columns in scratch with the input offset already added (a tap in the
 * padding stores 0, which is what (zero point + input_offset) is, so it adds nothing, as in
 * the reference). Each group of 4 values is stored as (x0, x2, x1, x3): SXTB16 of a word of 4
 * int8 weights gives (w0, w2), SXTB16 of it rotated by 8 gives (w1, w3), so one SMLAD per
 * pair adds two products. Blocks of 2 output channels x 2 pixels keep 4 int32 sums; each
 * weight word read from flash serves both pixels, each column word both channels. The sums
 * are exact int32 (|x + offset| <= 255, |w| <= 128), so only the order of the additions
 * differs from the reference, and the requantization is its function: same bytes.
 *
 * Off an Arm DSP core (the host tests) the ACLE intrinsics are replaced by C of the same
 * arithmetic, so the host runs this exact code path.
 */
#ifndef EDGEDIFF_GEMM_S8_DSP_H
#define EDGEDIFF_GEMM_S8_DSP_H

#include <stdint.h>

#include "edgediff/internal/requantize_s8.h"

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
#define EDGEDIFF_SXTB16(x) __sxtb16(x)
#define EDGEDIFF_SXTB16_ROR8(x) __sxtb16(((x) >> 8) | ((x) << 24))
#define EDGEDIFF_SMLAD(a, b, acc) __smlad((a), (b), (acc))
#else
static inline uint32_t edgediff_sxtb16_c(uint32_t x) {
    return (uint32_t)(uint16_t)(int16_t)(int8_t)(x & 0xffu)
           | ((uint32_t)(uint16_t)(int16_t)(int8_t)((x >> 16) & 0xffu) << 16);
}
static inline int32_t edgediff_smlad_c(uint32_t a, uint32_t b, int32_t acc) {
    const int32_t lo = (int32_t)(int16_t)(a & 0xffffu) * (int32_t)(int16_t)(b & 0xffffu);
    const int32_t hi = (int32_t)(int16_t)(a >> 16) * (int32_t)(int16_t)(b >> 16);
    return (int32_t)((uint32_t)acc + (uint32_t)lo + (uint32_t)hi);  /* wraps as SMLAD does */
}
#define EDGEDIFF_SXTB16(x) edgediff_sxtb16_c(x)
#define EDGEDIFF_SXTB16_ROR8(x) edgediff_sxtb16_c((x) >> 8)
#define EDGEDIFF_SMLAD(a, b, acc) edgediff_smlad_c((a), (b), (acc))
#endif

/* int16 slots of one column: the depth rounded up to whole groups of 4. */
static inline int32_t edgediff_s8_dsp_depth(int32_t depth) {
    return (depth + 3) & ~3;
}

/* Where depth index k lives in a column: (x0, x2, x1, x3) within its group of 4. */
static inline int32_t edgediff_s8_dsp_slot(int32_t k) {
    static const int8_t order[4] = {0, 2, 1, 3};
    return (k & ~3) + order[k & 3];
}

static inline uint32_t edgediff_load32(const void *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);  /* one LDR: the M4/M7/M33 read unaligned words */
    return v;
}

/* Two aligned words (little-endian: the first in the low half): one LDRD. */
static inline uint64_t edgediff_load64(const uint32_t *p) {
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
    return v;
}

/* edgediff_doubling_high_mul in fewer instructions (SMULL, ADDS/ADC, two shifts): for every
 * product but INT32_MIN * INT32_MIN, gemmlowp's nudge-then-truncate equals the floor of
 * (a * b + 2^30) / 2^31 (a negative product p gives trunc((p + 1 - 2^30) / 2^31) = ceil of
 * that = floor((p + 2^30) / 2^31)); tests/test_int8_dsp_kernels.py checks it on the edges. */
static inline int32_t edgediff_s8_dsp_high_mul(int32_t a, int32_t b) {
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

/* edgediff_requantize with that multiply. */
static inline int32_t edgediff_s8_dsp_requantize(int32_t x, int32_t multiplier, int32_t shift) {
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    const int32_t shifted = (int32_t)((uint32_t)x << left);
    return edgediff_rounding_shift_right(edgediff_s8_dsp_high_mul(shifted, multiplier), right);
}

/* One output channel's requantization, loaded once for the pixels of a block: its bias,
 * multiplier, left shift and right shift, and the layer's output zero point and clamp. */
typedef struct {
    int32_t bias, multiplier, left, right, offset, lo, hi;
} edgediff_s8_dsp_channel_t;

static inline edgediff_s8_dsp_channel_t edgediff_s8_dsp_channel(const int32_t *bias, int32_t co,
                                                                 const int32_t *multiplier,
                                                                 const int32_t *shift,
                                                                 const quant_s8_params_t *q) {
    const int32_t s = shift[co];
    const edgediff_s8_dsp_channel_t c = {bias ? bias[co] : 0, multiplier[co], s > 0 ? s : 0,
                                         s > 0 ? 0 : -s, q->output_offset, q->act_min,
                                         q->act_max};
    return c;
}

/* A sum through its channel's requantization: the reference's arithmetic, int8. */
static inline int8_t edgediff_s8_dsp_store(int32_t acc, const edgediff_s8_dsp_channel_t *c) {
    const int32_t shifted = (int32_t)((uint32_t)(acc + c->bias) << c->left);
    const int32_t scaled =
        edgediff_rounding_shift_right(edgediff_s8_dsp_high_mul(shifted, c->multiplier), c->right);
    return edgediff_output_s8(scaled, c->offset, c->lo, c->hi);
}

/* Requantize one sum (the reference's arithmetic) and store it. */
static inline int8_t edgediff_s8_dsp_out(int32_t acc, const int32_t *bias, int32_t co,
                                         const int32_t *multiplier, const int32_t *shift,
                                         const quant_s8_params_t *q) {
    if (bias) {
        acc += bias[co];
    }
    return edgediff_output_s8(edgediff_s8_dsp_requantize(acc, multiplier[co], shift[co]),
                              q->output_offset, q->act_min, q->act_max);
}

/* Every output channel for `pixels` (1 or 2) columns col0/col1 (col1 == col0 for one) of
 * `depth` values: weight row co is weight + co * depth (int8, natural order); output
 * (co, pixel j) goes to out[co * co_step + j * px_step]. */
static inline void edgediff_gemm_s8_dsp(const int16_t *col0, const int16_t *col1, int32_t pixels,
                                        int32_t depth, const int8_t *weight, int32_t c_out,
                                        const int32_t *bias, const int32_t *multiplier,
                                        const int32_t *shift, const quant_s8_params_t *q,
                                        int8_t *out, int32_t co_step, int32_t px_step) {
    const int32_t groups = depth >> 2;
    const int32_t tail = depth & 3;
    int32_t co = 0;
    for (; co + 1 < c_out; co += 2) {
        const int8_t *w0 = weight + co * depth;
        const int8_t *w1 = w0 + depth;
        const uint32_t *a = (const uint32_t *)col0;
        const uint32_t *b = (const uint32_t *)col1;
        int32_t s00 = 0, s01 = 0, s10 = 0, s11 = 0;  /* channel, pixel */
        for (int32_t g = 0; g < groups; ++g) {
            const uint32_t v0 = edgediff_load32(w0), v1 = edgediff_load32(w1);
            w0 += 4;
            w1 += 4;
            const uint32_t w0e = EDGEDIFF_SXTB16(v0), w0o = EDGEDIFF_SXTB16_ROR8(v0);
            const uint32_t w1e = EDGEDIFF_SXTB16(v1), w1o = EDGEDIFF_SXTB16_ROR8(v1);
            const uint32_t a0 = a[0], a1 = a[1], b0 = b[0], b1 = b[1];
            a += 2;
            b += 2;
            s00 = EDGEDIFF_SMLAD(w0e, a0, s00);
            s00 = EDGEDIFF_SMLAD(w0o, a1, s00);
            s01 = EDGEDIFF_SMLAD(w0e, b0, s01);
            s01 = EDGEDIFF_SMLAD(w0o, b1, s01);
            s10 = EDGEDIFF_SMLAD(w1e, a0, s10);
            s10 = EDGEDIFF_SMLAD(w1o, a1, s10);
            s11 = EDGEDIFF_SMLAD(w1e, b0, s11);
            s11 = EDGEDIFF_SMLAD(w1o, b1, s11);
        }
        for (int32_t t = 0; t < tail; ++t) {
            const int32_t slot = edgediff_s8_dsp_slot(groups * 4 + t);
            s00 += (int32_t)w0[t] * col0[slot];
            s01 += (int32_t)w0[t] * col1[slot];
            s10 += (int32_t)w1[t] * col0[slot];
            s11 += (int32_t)w1[t] * col1[slot];
        }
        out[co * co_step] = edgediff_s8_dsp_out(s00, bias, co, multiplier, shift, q);
        out[(co + 1) * co_step] = edgediff_s8_dsp_out(s10, bias, co + 1, multiplier, shift, q);
        if (pixels == 2) {
            out[co * co_step + px_step] = edgediff_s8_dsp_out(s01, bias, co, multiplier, shift, q);
            out[(co + 1) * co_step + px_step] =
                edgediff_s8_dsp_out(s11, bias, co + 1, multiplier, shift, q);
        }
    }
    if (co < c_out) {  /* an odd last channel */
        const int8_t *w0 = weight + co * depth;
        const uint32_t *a = (const uint32_t *)col0;
        const uint32_t *b = (const uint32_t *)col1;
        int32_t s00 = 0, s01 = 0;
        for (int32_t g = 0; g < groups; ++g) {
            const uint32_t v0 = edgediff_load32(w0);
            w0 += 4;
            const uint32_t w0e = EDGEDIFF_SXTB16(v0), w0o = EDGEDIFF_SXTB16_ROR8(v0);
            s00 = EDGEDIFF_SMLAD(w0e, a[0], s00);
            s00 = EDGEDIFF_SMLAD(w0o, a[1], s00);
            s01 = EDGEDIFF_SMLAD(w0e, b[0], s01);
            s01 = EDGEDIFF_SMLAD(w0o, b[1], s01);
            a += 2;
            b += 2;
        }
        for (int32_t t = 0; t < tail; ++t) {
            const int32_t slot = edgediff_s8_dsp_slot(groups * 4 + t);
            s00 += (int32_t)w0[t] * col0[slot];
            s01 += (int32_t)w0[t] * col1[slot];
        }
        out[co * co_step] = edgediff_s8_dsp_out(s00, bias, co, multiplier, shift, q);
        if (pixels == 2) {
            out[co * co_step + px_step] = edgediff_s8_dsp_out(s01, bias, co, multiplier, shift, q);
        }
    }
}

#endif
