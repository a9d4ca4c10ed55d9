/* Internal to fpu/attention_f32_fpu.c and fpu/attention_f16_fpu.c; not part of the API.
 *
 * Fused attention on a scalar FPU, register-blocked over 4 query rows at a time. Per batch
 * slice and block of 4 query rows, all in FP32:
 *   1. the rows are copied into the scratch interleaved (qs[c * 4 + r]) with the scale
 *      folded in (fl(scale * q), one rounding, so a score is a (D + 1)-rounding dot product
 *      as the reference's scale * (q . k)); a block past the last row repeats that row;
 *   2. scores, 4 keys x 4 rows per tile: per query feature 4 loads of the rows, 4 of the
 *      keys (one pointer per key row) and 16 fused multiply-adds (fmaf: one rounding each,
 *      Higham's gamma_D stays an upper bound), the 16 sums stored interleaved
 *      (s[j * 4 + r]) and each row's maximum kept; keys past the last 4 one at a time;
 *   3. softmax numerators e^(s - max) with edgediff_fpu_exp_neg (fpu_math.h, the SiLU
 *      kernels' range reduction and polynomial, a few ulp) and their FP32 sums; causal: a
 *      row's keys past its own (j > i) get 0 and its maximum is taken over its own keys;
 *   4. the weighted sum of V rows, 4 rows x 4 output features per tile: per key 4 loads of
 *      the numerators, 4 of the V row and 16 fused multiply-adds; features past the last 4
 *      one at a time; times 1 / sum, one rounding per output on store.
 * Only a block of 4 score rows exists at a time (the Lq x Lk matrix never does).
 *
 * Scratch (edgediff_attention_fpu_bytes, kernels_fpu.h), each part 16-byte aligned: the 4
 * rows of scores (4 lk floats), the 4 query rows (4 d floats) and, FP16 only, the slice's K
 * and V widened to floats once per slice (lk d + lk dv floats) where that fits
 * EDGEDIFF_FPU_ATTENTION_F16_KV_BYTES; past it the tiles widen each half as they load it
 * (internal/attention_fpu_tiles.h, included once per K/V element type). The including file
 * defines EDGEDIFF_FPU_F16 or not and includes fpu_elem.h first. */
#ifndef EDGEDIFF_ATTENTION_FPU_H
#define EDGEDIFF_ATTENTION_FPU_H

#include <math.h>

#include "edgediff/internal/fpu_math.h"
#include "edgediff/scratch.h"

#ifdef __clang__
#define EDGEDIFF_ATTN_UNROLL2 _Pragma("unroll 2")
#define EDGEDIFF_ATTN_UNROLL4 _Pragma("unroll 4")
#else
#define EDGEDIFF_ATTN_UNROLL2 _Pragma("GCC unroll 2")
#define EDGEDIFF_ATTN_UNROLL4 _Pragma("GCC unroll 4")
#endif

/* The larger of two floats: one fmax.s / vmaxnm.f32 where the ISA has it. */
EDGEDIFF_FPU_INLINE float attn_max(float a, float b) {
#if defined(__riscv) || defined(__ARM_FEATURE_NUMERIC_MAXMIN)
    return __builtin_fmaxf(a, b);
#else
    return a > b ? a : b;
#endif
}

/* Row r's numerator of key j (one of its own keys), stored, added to its sum. */
#define ATTN_EXP(r)                                                         \
    do {                                                                    \
        const float e = edgediff_fpu_exp_neg(m##r - s[r], &silu_k_, round_b); \
        s[r] = e;                                                           \
        sum##r += e;                                                        \
    } while (0)
/* The same for the keys past the first row's: 0 past row r's own keys. */
#define ATTN_EXP_MASKED(r)          \
    do {                            \
        if (j < keys[r]) {          \
            ATTN_EXP(r);            \
        } else {                    \
            s[r] = 0.0f;            \
        }                           \
    } while (0)

/* The largest of row r's first `keys` scores. */
static inline float attn_row_max(const float *s, int32_t r, int32_t keys) {
    float m = -INFINITY;
    for (int32_t j = 0; j < keys; ++j) {
        m = attn_max(m, s[j * 4 + r]);
    }
    return m;
}

/* s[j * 4 + r] = e^(s - m[r]) for j < keys[r], 0 for keys[r] <= j < keys[3] (causal only:
 * keys[0] <= .. <= keys[3]); inv[r] = 1 / the row's sum (at least 1: one term is e^0). */
EDGEDIFF_FPU_INLINE void attn_softmax(float *s, const int32_t *keys, int32_t causal,
                                      const float *m, float *inv) {
    float m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3];
    if (causal) { /* each row's maximum over its own keys only */
        m0 = keys[0] < keys[3] ? attn_row_max(s, 0, keys[0]) : m0;
        m1 = keys[1] < keys[3] ? attn_row_max(s, 1, keys[1]) : m1;
        m2 = keys[2] < keys[3] ? attn_row_max(s, 2, keys[2]) : m2;
    }
    EDGEDIFF_FPU_SILU_SETUP();
    float round_b = 12583039.0f; /* 1.5 * 2^23 + 127: edgediff_fpu_exp_neg */
    __asm__("" : EDGEDIFF_FPU_REG(round_b));
    float sum0 = 0.0f, sum1 = 0.0f, sum2 = 0.0f, sum3 = 0.0f;
    int32_t j = 0;
    for (; j < keys[0]; ++j, s += 4) {
        ATTN_EXP(0);
        ATTN_EXP(1);
        ATTN_EXP(2);
        ATTN_EXP(3);
    }
    for (; j < keys[3]; ++j, s += 4) {
        ATTN_EXP_MASKED(0);
        ATTN_EXP_MASKED(1);
        ATTN_EXP_MASKED(2);
        ATTN_EXP(3);
    }
    inv[0] = 1.0f / sum0;
    inv[1] = 1.0f / sum1;
    inv[2] = 1.0f / sum2;
    inv[3] = 1.0f / sum3;
}

/* Key n's sums for the 4 rows, a<n><r> += q_r * x. */
#define ATTN_FMA_ROWS(n, x)                     \
    a##n##0 = EDGEDIFF_FMA(q0, x, a##n##0);     \
    a##n##1 = EDGEDIFF_FMA(q1, x, a##n##1);     \
    a##n##2 = EDGEDIFF_FMA(q2, x, a##n##2);     \
    a##n##3 = EDGEDIFF_FMA(q3, x, a##n##3)
/* Key n's 4 scores stored interleaved; each row's maximum updated. */
#define ATTN_PUT_KEY(n)                         \
    s[4 * n] = a##n##0;                         \
    s[4 * n + 1] = a##n##1;                     \
    s[4 * n + 2] = a##n##2;                     \
    s[4 * n + 3] = a##n##3

/* Output feature f's sums for the 4 rows, w<r><f> += e_r * x. */
#define ATTN_FMA_FEATURE(f, x)                  \
    w0##f = EDGEDIFF_FMA(e0, x, w0##f);         \
    w1##f = EDGEDIFF_FMA(e1, x, w1##f);         \
    w2##f = EDGEDIFF_FMA(e2, x, w2##f);         \
    w3##f = EDGEDIFF_FMA(e3, x, w3##f)

/* Row r's 4 outputs, y[r][0..4) (rows dv apart). */
#define ATTN_PUT_ROW(r)                                        \
    EDGEDIFF_FPU_STORE(y + r * dv, w##r##0 * inv[r]);          \
    EDGEDIFF_FPU_STORE(y + r * dv + 1, w##r##1 * inv[r]);      \
    EDGEDIFF_FPU_STORE(y + r * dv + 2, w##r##2 * inv[r]);      \
    EDGEDIFF_FPU_STORE(y + r * dv + 3, w##r##3 * inv[r])

/* The tiles and the block step over float K and V (FP32, and FP16 widened) ... */
#define ATTN_KV_T float
#define ATTN_KV(p) (*(p))
#define ATTN_FN(name) name##_f
#include "edgediff/internal/attention_fpu_tiles.h"
#undef ATTN_KV_T
#undef ATTN_KV
#undef ATTN_FN
#ifdef EDGEDIFF_FPU_F16 /* ... and over halves, widened as loaded (K and V past the budget) */
#define ATTN_KV_T edgediff_f16_t
#define ATTN_KV(p) ((float)*(p))
#define ATTN_FN(name) name##_h
#include "edgediff/internal/attention_fpu_tiles.h"
#undef ATTN_KV_T
#undef ATTN_KV
#undef ATTN_FN
#endif

/* The parts of the scratch (byte offsets of edgediff_attention_fpu_bytes' layout). */
EDGEDIFF_FPU_INLINE float *attn_part(void *scratch, int32_t offset) {
    return (float *)((char *)scratch + offset);
}

/* The FP16 kernel widens a slice's K and V once when they fit the budget as floats. */
EDGEDIFF_FPU_INLINE int32_t attn_widens_kv(const attention_params_t *p) {
    return 4 * p->lk * (p->d + p->dv) <= EDGEDIFF_FPU_ATTENTION_F16_KV_BYTES;
}

/* The kernel body for elem_t q, k, v, out (FP32: K and V read in place; FP16: widened once
 * per slice into the scratch where they fit attn_widens_kv, else widened as loaded). */
EDGEDIFF_FPU_INLINE void attention_fpu(const attention_params_t *p, const elem_t *q,
                                       const elem_t *k, const elem_t *v, elem_t *out,
                                       void *scratch) {
    const int32_t lq = p->lq, lk = p->lk, d = p->d, dv = p->dv, causal = p->causal;
    const float scale = p->scale; /* in a register: the stores below may alias *p */
    float *const s = (float *)scratch;
    float *const qs = attn_part(scratch, edgediff_scratch_round(16 * lk));
#ifdef EDGEDIFF_FPU_F16
    const int32_t widen = attn_widens_kv(p);
    float *const kw = attn_part(qs, edgediff_scratch_round(16 * d));
    float *const vw = attn_part(kw, edgediff_scratch_round(4 * lk * d));
#endif
    for (int32_t b = 0; b < p->batch; ++b) {
        const elem_t *const k_slice = k + b * lk * d, *const v_slice = v + b * lk * dv;
#ifdef EDGEDIFF_FPU_F16 /* each half of the slice widened once, used by every query row */
        if (widen) {
            EDGEDIFF_ATTN_UNROLL4
            for (int32_t i = 0; i < lk * d; ++i) {
                kw[i] = EDGEDIFF_FPU_LOAD(k_slice + i);
            }
            EDGEDIFF_ATTN_UNROLL4
            for (int32_t i = 0; i < lk * dv; ++i) {
                vw[i] = EDGEDIFF_FPU_LOAD(v_slice + i);
            }
        }
#endif
        for (int32_t i0 = 0; i0 < lq; i0 += 4) {
            const int32_t rows = lq - i0 < 4 ? lq - i0 : 4;
            int32_t keys[4];
            for (int32_t r = 0; r < 4; ++r) { /* rows past lq repeat the last one */
                const int32_t i = i0 + (r < rows ? r : rows - 1);
                const elem_t *row = q + (b * lq + i) * d;
                for (int32_t c = 0; c < d; ++c) {
                    qs[c * 4 + r] = scale * EDGEDIFF_FPU_LOAD(row + c);
                }
                keys[r] = causal && i + 1 < lk ? i + 1 : lk;
            }
            elem_t *const y = out + (b * lq + i0) * dv;
#ifdef EDGEDIFF_FPU_F16
            if (!widen) {
                attn_block_h(qs, k_slice, v_slice, keys, causal, d, dv, s, y, rows);
                continue;
            }
            attn_block_f(qs, kw, vw, keys, causal, d, dv, s, y, rows);
#else
            attn_block_f(qs, k_slice, v_slice, keys, causal, d, dv, s, y, rows);
#endif
        }
    }
}

#endif /* EDGEDIFF_ATTENTION_FPU_H */
