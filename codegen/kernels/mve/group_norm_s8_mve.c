/* int8 group norm for Arm MVE (Helium): ref/group_norm_s8.c's integer arithmetic, vectorised,
 * so the same bytes. Statistics: 16 bytes per step, the sums of q and q^2 (VADDVA, VMLADAVA;
 * integer sums are exact in any order) in int32 chunks of at most 2^16 elements (q^2 <=
 * 2^14), then S1 = sum q + M z and S2 = sum q^2 + 2 z sum q + M z^2 (z the input offset: the
 * reference's sums of d = q + z). 1/sqrt(D) is the reference's scalar Newton iteration (once
 * per group). Normalise, 4 int32 lanes per step: c = M d - S1; of P = c * Y, the low word of
 * P >> (r - 1) from its high (VMULH) and low (VMUL) words, each VSHL'd by a register (0 /
 * an arithmetic right shift past 32; r = 26 + j in [11, 42]), then VRSHR by 1: (t + 1) >> 1
 * = (P + 2^(r-1)) >> r, the reference's (int32_t)((c * Y + half) >> r), while |norm| < 2^30:
 * the normalised value is in Q.20 and |z-score| <= sqrt(M - 1), so groups of at most 2^18
 * elements (overrides/mve.py). The channel's requantization and the rounding shift by 8
 * after + bias are internal/requantize_s8_mve.h's lane-by-lane twins of edgediff_requantize
 * and edgediff_rounding_shift_right (the negative-tie fixup, then VRSHL). Reads a group's
 * statistics before writing it, and each element before writing it (in place is fine).
 * Whole vectors of a channel unpredicated, then one predicated tail (gcc's code for a
 * predicate in every step takes a third more instructions). */
#include <arm_mve.h>

#include "edgediff/kernels_mve.h"
#include "edgediff/internal/group_norm_s8.h"
#include "edgediff/internal/requantize_s8_mve.h"

#define EDGEDIFF_GN_S8_CHUNK 65536

/* Sums of q and q^2 over n bytes (n <= EDGEDIFF_GN_S8_CHUNK: the squares fit int32). */
static void group_sums(const int8_t *in, int32_t n, int32_t *s, int32_t *ss) {
    int32_t a = 0, b = 0;
    for (int32_t i = 0; i < n; i += 16) {
        const mve_pred16_t m = vctp8q(n - i);
        const int8x16_t q = vldrbq_z_s8(in + i, m); /* inactive lanes 0: add nothing */
        a = vaddvaq_s8(a, q);
        b = vmladavaq_s8(b, q, q);
    }
    *s = a;
    *ss = b;
}

/* 4 elements of a channel: the reference's per-element arithmetic, lane by lane. */
static inline __attribute__((always_inline)) int32x4_t normalise(
    int32x4_t q, int32x4_t mv, int32_t k, int32_t y, int32x4_t yv, int32_t r,
    int32_t mul, int32_t lsh, int32_t rsh, int32_t bi, int32_t out_offset, int32x4_t lo,
    int32x4_t hi) {
    /* c = m (q + z) - s1 = q m + k, k = z m - s1 (the same int32 value) */
    const int32x4_t c = vmlasq_n_s32(q, mv, k);
    /* t = the low word of P >> (r - 1), P = c * Y (high and low words) */
    const int32x4_t t = vorrq_s32(
        vreinterpretq_s32_u32(vshlq_r_u32(vreinterpretq_u32_s32(vmulq_n_s32(c, y)), 1 - r)),
        vshlq_r_s32(vmulhq_s32(c, yv), 33 - r));
    /* (t + 1) >> 1 = (P + 2^(r-1)) >> r */
    const int32x4_t norm = vrshrq_n_s32(t, 1);
    const int32x4_t v = edgediff_mve_requantize_n(norm, mul, lsh, rsh);
    /* rounding_shift_right(v + bias, 8): the fixup, then VRSHR by 8 */
    int32x4_t out = vaddq_n_s32(v, bi);
    out = vrshrq_n_s32(vqaddq_s32(out, vshrq_n_s32(out, 31)), 8);
    return vminq_s32(vmaxq_s32(vaddq_n_s32(out, out_offset), lo), hi);
}

void edgediff_group_norm_s8_mve(const group_norm_s8_params_t *p, const int8_t *in,
                                const int32_t *multiplier, const int32_t *shift,
                                const int32_t *bias, int8_t *out) {
    const int32_t per_group = p->channels / p->groups;
    const int32_t m = per_group * p->spatial;
    /* the parameters in locals: an int8 store may alias anything, *p included */
    const int32_t z = p->input_offset, spatial = p->spatial, out_offset = p->output_offset;
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    const int32_t n = p->n, groups = p->groups, channels = p->channels;
    for (int32_t b = 0; b < n; ++b) {
        for (int32_t g = 0; g < groups; ++g) {
            const int32_t base = (b * channels + g * per_group) * spatial;
            int32_t sq = 0;
            int64_t sqq = 0;
            for (int32_t i = 0; i < m; i += EDGEDIFF_GN_S8_CHUNK) {
                const int32_t len = m - i < EDGEDIFF_GN_S8_CHUNK ? m - i : EDGEDIFF_GN_S8_CHUNK;
                int32_t s, ss;
                group_sums(in + base + i, len, &s, &ss);
                sq += s;
                sqq += ss;
            }
            const int32_t s1 = sq + m * z;
            const int64_t s2 = sqq + 2 * (int64_t)z * sq + (int64_t)m * z * z;
            int64_t dd = (int64_t)m * s2 - (int64_t)s1 * (int64_t)s1 + p->eps_term;
            dd = dd < 1 ? 1 : dd;
            int32_t j;
            const int32_t y = edgediff_inv_sqrt_s8((uint64_t)dd, &j);
            const int32x4_t yv = vdupq_n_s32(y), mv = vdupq_n_s32(m);
            const int32_t kc = (int32_t)((uint32_t)z * (uint32_t)m - (uint32_t)s1);
            const int32_t r = 26 + j;
            for (int32_t k = 0; k < per_group; ++k) {
                const int32_t ch = g * per_group + k;
                const int32_t mul = multiplier[ch], sh = shift[ch], bi = bias[ch];
                const int32_t lsh = sh > 0 ? sh : 0, rsh = sh > 0 ? 0 : sh;
                const int8_t *src = in + base + k * spatial;
                int8_t *dst = out + base + k * spatial;
                int32_t i = 0;
                for (; i + 4 <= spatial; i += 4) {
                    vstrbq_s32(dst + i, normalise(vldrbq_s32(src + i), mv, kc, y, yv, r, mul, lsh,
                                                  rsh, bi, out_offset, lo, hi));
                }
                if (i < spatial) {
                    const mve_pred16_t pr = vctp32q((uint32_t)(spatial - i));
                    vstrbq_p_s32(dst + i, normalise(vldrbq_z_s32(src + i, pr), mv, kc, y, yv, r,
                                                    mul, lsh, rsh, bi, out_offset, lo, hi), pr);
                }
            }
        }
    }
}
