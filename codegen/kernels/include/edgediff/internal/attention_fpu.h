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
 * and V widened to floats once per slice (lk d + lk dv floats). The including file defines
 * EDGEDIFF_FPU_F16 or not and includes fpu_elem.h first. */
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

/* s[n * 4 + r] = qs_r . k_n for the 4 keys from k (rows d apart); m[r] their running max. */
EDGEDIFF_FPU_INLINE void attn_scores4(const float *qs, const float *k, int32_t d, float *s,
                                      float *m) {
    const float *k0 = k, *k1 = k0 + d, *k2 = k1 + d, *k3 = k2 + d;
    float a00 = 0.0f, a01 = 0.0f, a02 = 0.0f, a03 = 0.0f, a10 = 0.0f, a11 = 0.0f;
    float a12 = 0.0f, a13 = 0.0f, a20 = 0.0f, a21 = 0.0f, a22 = 0.0f, a23 = 0.0f;
    float a30 = 0.0f, a31 = 0.0f, a32 = 0.0f, a33 = 0.0f;
    EDGEDIFF_ATTN_UNROLL2
    for (int32_t c = 0; c < d; ++c, qs += 4) {
        const float q0 = qs[0], q1 = qs[1], q2 = qs[2], q3 = qs[3];
        const float x0 = k0[c], x1 = k1[c], x2 = k2[c], x3 = k3[c];
        ATTN_FMA_ROWS(0, x0);
        ATTN_FMA_ROWS(1, x1);
        ATTN_FMA_ROWS(2, x2);
        ATTN_FMA_ROWS(3, x3);
    }
    ATTN_PUT_KEY(0);
    ATTN_PUT_KEY(1);
    ATTN_PUT_KEY(2);
    ATTN_PUT_KEY(3);
    m[0] = attn_max(m[0], attn_max(attn_max(a00, a10), attn_max(a20, a30)));
    m[1] = attn_max(m[1], attn_max(attn_max(a01, a11), attn_max(a21, a31)));
    m[2] = attn_max(m[2], attn_max(attn_max(a02, a12), attn_max(a22, a32)));
    m[3] = attn_max(m[3], attn_max(attn_max(a03, a13), attn_max(a23, a33)));
}

/* One key's 4 scores (the keys past the last block of 4). */
EDGEDIFF_FPU_INLINE void attn_scores1(const float *qs, const float *k, int32_t d, float *s,
                                      float *m) {
    float a00 = 0.0f, a01 = 0.0f, a02 = 0.0f, a03 = 0.0f;
    for (int32_t c = 0; c < d; ++c, qs += 4) {
        const float q0 = qs[0], q1 = qs[1], q2 = qs[2], q3 = qs[3];
        const float x0 = k[c];
        ATTN_FMA_ROWS(0, x0);
    }
    ATTN_PUT_KEY(0);
    m[0] = attn_max(m[0], a00);
    m[1] = attn_max(m[1], a01);
    m[2] = attn_max(m[2], a02);
    m[3] = attn_max(m[3], a03);
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

/* y[r][f] = inv[r] * sum_j e[j * 4 + r] v[j][f], f < 4, for the first `rows` rows (rows
 * dv apart in y). */
EDGEDIFF_FPU_INLINE void attn_weighted4(const float *e, const float *v, int32_t nk, int32_t dv,
                                        const float *inv, elem_t *y, int32_t rows) {
    float w00 = 0.0f, w01 = 0.0f, w02 = 0.0f, w03 = 0.0f, w10 = 0.0f, w11 = 0.0f;
    float w12 = 0.0f, w13 = 0.0f, w20 = 0.0f, w21 = 0.0f, w22 = 0.0f, w23 = 0.0f;
    float w30 = 0.0f, w31 = 0.0f, w32 = 0.0f, w33 = 0.0f;
    EDGEDIFF_ATTN_UNROLL2
    for (int32_t j = 0; j < nk; ++j, e += 4, v += dv) {
        const float e0 = e[0], e1 = e[1], e2 = e[2], e3 = e[3];
        const float x0 = v[0], x1 = v[1], x2 = v[2], x3 = v[3];
        ATTN_FMA_FEATURE(0, x0);
        ATTN_FMA_FEATURE(1, x1);
        ATTN_FMA_FEATURE(2, x2);
        ATTN_FMA_FEATURE(3, x3);
    }
    ATTN_PUT_ROW(0);
    if (rows > 1) {
        ATTN_PUT_ROW(1);
    }
    if (rows > 2) {
        ATTN_PUT_ROW(2);
    }
    if (rows > 3) {
        ATTN_PUT_ROW(3);
    }
}

/* One output feature of the 4 rows (the features past the last block of 4). */
EDGEDIFF_FPU_INLINE void attn_weighted1(const float *e, const float *v, int32_t nk, int32_t dv,
                                        const float *inv, elem_t *y, int32_t rows) {
    float w00 = 0.0f, w10 = 0.0f, w20 = 0.0f, w30 = 0.0f;
    for (int32_t j = 0; j < nk; ++j, e += 4, v += dv) {
        const float e0 = e[0], e1 = e[1], e2 = e[2], e3 = e[3];
        const float x0 = v[0];
        ATTN_FMA_FEATURE(0, x0);
    }
    EDGEDIFF_FPU_STORE(y, w00 * inv[0]);
    if (rows > 1) {
        EDGEDIFF_FPU_STORE(y + dv, w10 * inv[1]);
    }
    if (rows > 2) {
        EDGEDIFF_FPU_STORE(y + 2 * dv, w20 * inv[2]);
    }
    if (rows > 3) {
        EDGEDIFF_FPU_STORE(y + 3 * dv, w30 * inv[3]);
    }
}

/* The parts of the scratch (byte offsets of edgediff_attention_fpu_bytes' layout). */
EDGEDIFF_FPU_INLINE float *attn_part(void *scratch, int32_t offset) {
    return (float *)((char *)scratch + offset);
}

/* The kernel body for elem_t q, k, v, out; kv: the slice's K and V as floats (FP32: in
 * place; FP16: widened into the scratch by the caller's `widen`). */
EDGEDIFF_FPU_INLINE void attention_fpu(const attention_params_t *p, const elem_t *q,
                                       const elem_t *k, const elem_t *v, elem_t *out,
                                       void *scratch) {
    const int32_t lq = p->lq, lk = p->lk, d = p->d, dv = p->dv;
    const float scale = p->scale; /* in a register: the stores below may alias *p */
    float *const s = (float *)scratch;
    float *const qs = attn_part(scratch, edgediff_scratch_round(16 * lk));
#ifdef EDGEDIFF_FPU_F16
    float *const kw = attn_part(qs, edgediff_scratch_round(16 * d));
    float *const vw = attn_part(kw, edgediff_scratch_round(4 * lk * d));
#endif
    for (int32_t b = 0; b < p->batch; ++b) {
#ifdef EDGEDIFF_FPU_F16 /* each half of the slice widened once, used by every query row */
        EDGEDIFF_ATTN_UNROLL4
        for (int32_t i = 0; i < lk * d; ++i) {
            kw[i] = EDGEDIFF_FPU_LOAD(k + b * lk * d + i);
        }
        EDGEDIFF_ATTN_UNROLL4
        for (int32_t i = 0; i < lk * dv; ++i) {
            vw[i] = EDGEDIFF_FPU_LOAD(v + b * lk * dv + i);
        }
        const float *const ks = kw, *const vs = vw;
#else
        const float *const ks = k + b * lk * d, *const vs = v + b * lk * dv;
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
                keys[r] = p->causal && i + 1 < lk ? i + 1 : lk;
            }
            const int32_t nk = keys[3];
            float m[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY}, inv[4];
            int32_t j = 0;
            for (; j + 4 <= nk; j += 4) {
                attn_scores4(qs, ks + j * d, d, s + 4 * j, m);
            }
            for (; j < nk; ++j) {
                attn_scores1(qs, ks + j * d, d, s + 4 * j, m);
            }
            attn_softmax(s, keys, p->causal, m, inv);
            elem_t *const y = out + (b * lq + i0) * dv;
            int32_t c = 0;
            for (; c + 4 <= dv; c += 4) {
                attn_weighted4(s, vs + c, nk, dv, inv, y + c, rows);
            }
            for (; c < dv; ++c) {
                attn_weighted1(s, vs + c, nk, dv, inv, y + c, rows);
            }
        }
    }
}

#endif /* EDGEDIFF_ATTENTION_FPU_H */
