/* Internal to group_norm_f32_fpu.c and group_norm_f16_fpu.c; not part of the API.
 *
 * Group norm fused with its activation on a scalar FPU, written once over the element
 * type: the including file defines elem_t and EDGEDIFF_FPU_LOAD(p) (one element widened to
 * float), EDGEDIFF_FPU_STORE(p, v) (one rounding), then includes this header. Statistics,
 * the affine step and the activation are FP32 in both precisions; each element is widened
 * once per pass and rounded once on store.
 *
 * Statistics, one pass where it is safe, else the reference's two. The first pass sums x
 * and x^2 (fused) over the group's M elements: s1, s2. Then mean = s1 / M and
 * v1 = s2 / M - mean^2. Computed in float, s2 errs by at most gamma_M * sum x^2 =
 * gamma_M M (V + mean^2) and mean^2 by 2 |mean| gamma_M mean|x| <= 2 |mean| gamma_M
 * sqrt(V + mean^2) (mean|x| <= rms x), V the exact variance. When the pass finds
 * mean^2 <= v1 / 1024 (so mean^2 <= V / 1024 up to O(u), as v1 is V up to these errors),
 * v1 errs by at most gamma_M V (1 + 1/1024 + 2 sqrt(1/1024 * 1025/1024)) < 1.07 gamma_M V:
 * within 7% of the two-pass bound gamma_{M+2} V, with the same mean (the same sum s1).
 * Otherwise (|mean| above ~std / 32, where x^2 - mean^2 cancels) a second pass sums
 * (x - mean)^2 exactly as the reference does. A variance that comes out negative in the
 * first pass always takes the second.
 *
 * FP16 storage (EDGEDIFF_FPU_F16) takes the one pass more often, where its extra error is
 * small against the output's own rounding to half. With c = mean^2 / v1 the bound above
 * is gamma_M V ((1 + c) + 2 sqrt(c (1 + c))): above the two-pass one by at most
 * M 2^-24 V (c + 2 sqrt(c (1 + c))). Where M (c + 2 sqrt(c (1 + c))) <= 4096 (and c <= 1)
 * that is at most 2^-12 V, so rstd errs by at most 2^-13 relative more than with two
 * passes: a quarter of the half's unit roundoff 2^-11, which the output's rounding to
 * half adds anyway (the tolerance counts a group norm as one FP16 rounding). For a zoo
 * UNet group (M = 1024, |mean| below ~0.9 std) that is nearly every group; with M >= 4096
 * hardly any, as with floats.
 * The same groups normalise as x * scale + (shift - mean * scale), one fused multiply-add
 * per element: x * scale is exact inside it and shift - mean * scale rounds once, by
 * 2^-24 (|shift| + |mean| |scale|) <= 2^-24 (|shift| + |gamma|) as |mean| <= std there;
 * the mean-first form (below) keeps the groups where a large mean would cancel. */
#ifndef EDGEDIFF_GROUP_NORM_FPU_H
#define EDGEDIFF_GROUP_NORM_FPU_H

#include <math.h>

#include "edgediff/internal/fpu_math.h"

/* s1 = sum x, s2 = sum x^2 over count elements; two accumulators each, 2 per iteration
 * (one pair load; an unaligned first element and an odd last one on their own). */
static inline void group_sums(const elem_t *x, int32_t count, float *s1, float *s2) {
#if EDGEDIFF_FPU_PAIRED /* an unaligned first element, then pair loads */
    float a0 = 0.0f, a1 = 0.0f, q0 = 0.0f, q1 = 0.0f;
    const elem_t *end = x + count;
    if (x != end && !EDGEDIFF_FPU_ALIGNED(x)) {
        const float v = EDGEDIFF_FPU_LOAD(x++);
        a1 = v;
        q1 = v * v;
    }
    /* the loop ends on a pointer compare (not end - x >= 2: one instruction less per pair) */
    for (const elem_t *pairs_end = x + ((end - x) & ~1); x != pairs_end; x += 2) {
        float v0, v1;
        EDGEDIFF_FPU_LOAD2(x, v0, v1);
        a0 += v0;
        q0 = EDGEDIFF_FMA(v0, v0, q0);
        a1 += v1;
        q1 = EDGEDIFF_FMA(v1, v1, q1);
    }
    if (x != end) {
        const float v = EDGEDIFF_FPU_LOAD(x);
        a0 += v;
        q0 = EDGEDIFF_FMA(v, v, q0);
    }
    *s1 = a0 + a1;
    *s2 = q0 + q1;
#else
    float a0 = 0.0f, a1 = 0.0f, q0 = 0.0f, q1 = 0.0f;
    const elem_t *end = x + (count & ~1);
#ifdef EDGEDIFF_FPU_F16
    /* the widening is one more instruction per element: the pointer step and branch once
     * per four elements keep the pass at 4.5 per element */
#pragma GCC unroll 2
#endif
    for (; x != end; x += 2) {
        const float v0 = EDGEDIFF_FPU_LOAD(x), v1 = EDGEDIFF_FPU_LOAD(x + 1);
        a0 += v0;
        q0 = EDGEDIFF_FMA(v0, v0, q0);
        a1 += v1;
        q1 = EDGEDIFF_FMA(v1, v1, q1);
    }
    if (count & 1) {
        const float v = EDGEDIFF_FPU_LOAD(x);
        a0 += v;
        q0 = EDGEDIFF_FMA(v, v, q0);
    }
    *s1 = a0 + a1;
    *s2 = q0 + q1;
#endif
}

/* sum (x - mean)^2 over count elements: the reference's second pass. */
static inline float group_deviations(const elem_t *x, int32_t count, float mean) {
#if EDGEDIFF_FPU_PAIRED /* an unaligned first element, then pair loads */
    float q0 = 0.0f, q1 = 0.0f;
    const elem_t *end = x + count;
    if (x != end && !EDGEDIFF_FPU_ALIGNED(x)) {
        const float d = EDGEDIFF_FPU_LOAD(x++) - mean;
        q1 = d * d;
    }
    for (const elem_t *pairs_end = x + ((end - x) & ~1); x != pairs_end; x += 2) {
        float d0, d1;
        EDGEDIFF_FPU_LOAD2(x, d0, d1);
        d0 -= mean, d1 -= mean;
        q0 = EDGEDIFF_FMA(d0, d0, q0);
        q1 = EDGEDIFF_FMA(d1, d1, q1);
    }
    if (x != end) {
        const float d = EDGEDIFF_FPU_LOAD(x) - mean;
        q0 = EDGEDIFF_FMA(d, d, q0);
    }
    return q0 + q1;
#else
    float q0 = 0.0f, q1 = 0.0f;
    const elem_t *end = x + (count & ~1);
    for (; x != end; x += 2) {
        const float d0 = EDGEDIFF_FPU_LOAD(x) - mean, d1 = EDGEDIFF_FPU_LOAD(x + 1) - mean;
        q0 = EDGEDIFF_FMA(d0, d0, q0);
        q1 = EDGEDIFF_FMA(d1, d1, q1);
    }
    if (count & 1) {
        const float d = EDGEDIFF_FPU_LOAD(x) - mean;
        q0 = EDGEDIFF_FMA(d, d, q0);
    }
    return q0 + q1;
#endif
}

/* y = act((x - mean) * scale + shift) over one channel's count elements, the multiply-add
 * fused; one loop per activation. Subtracting the mean first, as the reference does, keeps
 * a large mean from cancelling in the output. CENTRE(v) is that subtraction (v - mean);
 * FP16's one-pass groups pass the identity and fold the mean into shift (header comment). */
#define EDGEDIFF_GN_FPU_NO_ACT(v) (v)
#define EDGEDIFF_GN_FPU_RELU(v) ((v) > 0.0f ? (v) : 0.0f)
#define EDGEDIFF_GN_FPU_MINUS_MEAN(v) ((v) - mean)
#define EDGEDIFF_GN_FPU_AS_IS(v) (v)
/* Halves on Arm (EDGEDIFF_FPU_PAIRED): two elements per iteration in one pair load and one
 * pair store where x and y share an alignment (after peeling one element when both are
 * unaligned); the rest, and every other build, one at a time. */
#define EDGEDIFF_GN_FPU_LOOP(ACT, CENTRE, UNROLL)                                           \
    do {                                                                                    \
        if (EDGEDIFF_FPU_PAIRED && EDGEDIFF_FPU_ALIGNED(x) == EDGEDIFF_FPU_ALIGNED(y)) {    \
            if (x != end && !EDGEDIFF_FPU_ALIGNED(x)) {                                     \
                const float v = EDGEDIFF_FMA(CENTRE(EDGEDIFF_FPU_LOAD(x)), scale, shift);   \
                EDGEDIFF_FPU_STORE(y, ACT(v));                                              \
                ++x, ++y;                                                                   \
            }                                                                               \
            for (const elem_t *pairs_end = x + ((end - x) & ~1); x != pairs_end;            \
                 x += 2, y += 2) {                                                          \
                float v0, v1;                                                               \
                EDGEDIFF_FPU_LOAD2(x, v0, v1);                                              \
                v0 = EDGEDIFF_FMA(CENTRE(v0), scale, shift);                                \
                v1 = EDGEDIFF_FMA(CENTRE(v1), scale, shift);                                \
                EDGEDIFF_FPU_STORE2(y, ACT(v0), ACT(v1));                                   \
            }                                                                               \
        }                                                                                   \
        UNROLL                                                                              \
        for (; x != end; ++x, ++y) {                                                        \
            const float v = EDGEDIFF_FMA(CENTRE(EDGEDIFF_FPU_LOAD(x)), scale, shift);       \
            EDGEDIFF_FPU_STORE(y, ACT(v));                                                  \
        }                                                                                   \
    } while (0)
/* one loop per activation, each element centred by CENTRE */
#define EDGEDIFF_GN_FPU_ACTS(CENTRE)                                                        \
    do {                                                                                    \
        const elem_t *end = x + count;                                                      \
        if (act == EDGEDIFF_ACT_SILU) {                                                     \
            EDGEDIFF_FPU_SILU_SETUP();                                                      \
            /* the pointer steps and branch once per two elements */                      \
            EDGEDIFF_GN_FPU_LOOP(EDGEDIFF_FPU_SILU, CENTRE, _Pragma("GCC unroll 2"));       \
        } else if (act == EDGEDIFF_ACT_RELU) {                                              \
            EDGEDIFF_GN_FPU_LOOP(EDGEDIFF_GN_FPU_RELU, CENTRE, );                           \
        } else {                                                                            \
            EDGEDIFF_GN_FPU_LOOP(EDGEDIFF_GN_FPU_NO_ACT, CENTRE, );                         \
        }                                                                                   \
    } while (0)
static inline void group_normalize(const elem_t *x, elem_t *y, int32_t count, float mean,
                                   float scale, float shift, int32_t act) {
    EDGEDIFF_GN_FPU_ACTS(EDGEDIFF_GN_FPU_MINUS_MEAN);
}
#ifdef EDGEDIFF_FPU_F16
/* y = act(x * scale + shift), shift holding the mean: FP16's one-pass groups. */
static inline void group_normalize_folded(const elem_t *x, elem_t *y, int32_t count,
                                          float scale, float shift, int32_t act) {
    EDGEDIFF_GN_FPU_ACTS(EDGEDIFF_GN_FPU_AS_IS);
}

/* Does the FP16 rule of the header comment take one pass? c = mean^2 / v1 <= 1 and
 * M (c + 2 sqrt(c (1 + c))) <= 4096, multiplied through by v1 > 0. */
static inline int group_one_pass_f16(float mean, float v1, int32_t m) {
    const float mm = mean * mean;
    return v1 > 0.0f && mm <= v1
           && (float)m * (mm + 2.0f * sqrtf(mm * (v1 + mm))) <= 4096.0f * v1;
}
#endif
#undef EDGEDIFF_GN_FPU_ACTS
#undef EDGEDIFF_GN_FPU_LOOP
#undef EDGEDIFF_GN_FPU_NO_ACT
#undef EDGEDIFF_GN_FPU_RELU
#undef EDGEDIFF_GN_FPU_MINUS_MEAN
#undef EDGEDIFF_GN_FPU_AS_IS

/* The kernel: per group (its channels are adjacent planes), the statistics above, then
 * per channel scale = gamma * rstd and shift = beta in FP32. In place safe:
 * every element is read before it is written. */
static inline void group_norm_fpu(const group_norm_params_t *p, const elem_t *in,
                                  const elem_t *gamma, const elem_t *beta, elem_t *out) {
    const int32_t channels_per_group = p->channels / p->groups;
    const int32_t spatial = p->spatial;
    const int32_t group_size = channels_per_group * spatial;
    const float inv_group_size = 1.0f / (float)group_size;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t g = 0; g < p->groups; ++g) {
            const int32_t c_first = g * channels_per_group;
            const int32_t base = (n * p->channels + c_first) * spatial;
            float s1, s2;
            group_sums(in + base, group_size, &s1, &s2);
            const float mean = s1 * inv_group_size;
            float var = s2 * inv_group_size - mean * mean;
#ifdef EDGEDIFF_FPU_F16
            const int one_pass = group_one_pass_f16(mean, var, group_size);
#else
            const int one_pass = mean * mean * 1024.0f <= var;
#endif
            if (!one_pass) {
                var = group_deviations(in + base, group_size, mean) * inv_group_size;
            }
            const float rstd = 1.0f / sqrtf(var + p->eps);
            for (int32_t c = 0; c < channels_per_group; ++c) {
                const int32_t ch = c_first + c;
                const float scale = gamma ? EDGEDIFF_FPU_LOAD(gamma + ch) * rstd : rstd;
                const float shift = beta ? EDGEDIFF_FPU_LOAD(beta + ch) : 0.0f;
#ifdef EDGEDIFF_FPU_F16
                if (one_pass) {
                    group_normalize_folded(in + base + c * spatial, out + base + c * spatial,
                                           spatial, scale, EDGEDIFF_FMA(-mean, scale, shift),
                                           p->act);
                    continue;
                }
#endif
                group_normalize(in + base + c * spatial, out + base + c * spatial, spatial,
                                mean, scale, shift, p->act);
            }
        }
    }
}

#endif /* EDGEDIFF_GROUP_NORM_FPU_H */
