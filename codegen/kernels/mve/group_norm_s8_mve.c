/* int8 group norm for Arm MVE (Helium): ref/group_norm_s8.c's integer arithmetic, vectorised,
 * so the same bytes. Statistics: 16 bytes per step, the sums of q and q^2 (VADDVA, VMLADAVA;
 * integer sums are exact in any order) in int32 chunks of at most 2^16 elements (q^2 <=
 * 2^14), then S1 = sum q + M z and S2 = sum q^2 + 2 z sum q + M z^2 (z the input offset: the
 * reference's sums of d = q + z). 1/sqrt(D) is the reference's scalar Newton iteration (once
 * per group). Normalise, 4 int32 lanes per step: c = M d - S1, the 64-bit product c * Y as
 * its high (VMULH) and low (VMUL) words, + 2^(r-1) with the carry by hand, then the low word
 * of the shift right by r (r = 26 + j in [11, 42]): (lo >> r) | (hi << (32 - r)), both VSHL
 * by a register, which give 0 / an arithmetic right shift past 32 (the reference's
 * (int32_t)((c * Y + half) >> r)). The channel's requantization and the rounding shift by 8
 * after + bias are internal/requantize_s8_mve.h's lane-by-lane twins of edgediff_requantize
 * and edgediff_rounding_shift_right (the negative-tie fixup, then VRSHL). Reads a group's
 * statistics before writing it, and each element before writing it (in place is fine). */
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

void edgediff_group_norm_s8_mve(const group_norm_s8_params_t *p, const int8_t *in,
                                const int32_t *multiplier, const int32_t *shift,
                                const int32_t *bias, int8_t *out) {
    const int32_t per_group = p->channels / p->groups;
    const int32_t m = per_group * p->spatial;
    const int32_t z = p->input_offset;
    for (int32_t b = 0; b < p->n; ++b) {
        for (int32_t g = 0; g < p->groups; ++g) {
            const int32_t base = (b * p->channels + g * per_group) * p->spatial;
            int32_t sq = 0;
            int64_t sqq = 0;
            for (int32_t i = 0; i < m; i += EDGEDIFF_GN_S8_CHUNK) {
                const int32_t n = m - i < EDGEDIFF_GN_S8_CHUNK ? m - i : EDGEDIFF_GN_S8_CHUNK;
                int32_t s, ss;
                group_sums(in + base + i, n, &s, &ss);
                sq += s;
                sqq += ss;
            }
            const int32_t s1 = sq + m * z;
            const int64_t s2 = sqq + 2 * (int64_t)z * sq + (int64_t)m * z * z;
            int64_t dd = (int64_t)m * s2 - (int64_t)s1 * (int64_t)s1 + p->eps_term;
            dd = dd < 1 ? 1 : dd;
            int32_t j;
            const int32_t y = edgediff_inv_sqrt_s8((uint64_t)dd, &j);
            const int32_t r = 26 + j;
            /* 2^(r-1) in the low word (r <= 32) or the high word */
            const uint32_t half_lo = r <= 32 ? (uint32_t)1 << (r - 1) : 0;
            const int32_t half_hi = r <= 32 ? 0 : (int32_t)1 << (r - 33);
            const int32x4_t right = vdupq_n_s32(-r), left = vdupq_n_s32(32 - r);
            const uint32x4_t hl = vdupq_n_u32(half_lo);
            for (int32_t k = 0; k < per_group; ++k) {
                const int32_t ch = g * per_group + k;
                const int32_t sh = shift[ch];
                const int32x4_t mul = vdupq_n_s32(multiplier[ch]);
                const int32x4_t lsh = vdupq_n_s32(sh > 0 ? sh : 0);
                const int32x4_t rsh = vdupq_n_s32(sh > 0 ? 0 : sh);
                const int32x4_t minus8 = vdupq_n_s32(-8);
                const int8_t *src = in + base + k * p->spatial;
                int8_t *dst = out + base + k * p->spatial;
                for (int32_t i = 0; i < p->spatial; i += 4) {
                    const mve_pred16_t pr = vctp32q(p->spatial - i);
                    const int32x4_t d = vaddq_n_s32(vldrbq_z_s32(src + i, pr), z);
                    const int32x4_t c = vsubq_n_s32(vmulq_n_s32(d, m), s1);
                    int32x4_t hi = vmulhq_s32(c, vdupq_n_s32(y));
                    const uint32x4_t lo = vaddq_u32(
                        vreinterpretq_u32_s32(vmulq_n_s32(c, y)), hl);
                    /* carry out of the low word: the sum wrapped below the addend */
                    hi = vaddq_m_n_s32(hi, hi, 1, vcmphiq_u32(hl, lo));
                    hi = vaddq_n_s32(hi, half_hi);
                    const int32x4_t norm = vorrq_s32(
                        vreinterpretq_s32_u32(vshlq_u32(lo, right)), vshlq_s32(hi, left));
                    const int32x4_t v = edgediff_mve_requantize(norm, mul, lsh, rsh);
                    /* rounding_shift_right(v + bias, 8): the fixup, then VRSHL by -8 */
                    int32x4_t t = vaddq_n_s32(v, bias[ch]);
                    t = vqaddq_s32(t, vshrq_n_s32(t, 31));
                    t = vrshlq_s32(t, minus8);
                    vstrbq_p_s32(dst + i,
                                 edgediff_mve_output_s8(t, p->output_offset, p->act_min,
                                                        p->act_max),
                                 pr);
                }
            }
        }
    }
}
