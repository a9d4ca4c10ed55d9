/* FP16 fused attention for Arm MVE (Helium), the row loop of internal/attention_mve.h, with
 * FP32 arithmetic throughout: halves are widened (VCVTB/VCVTT) before they are multiplied.
 * Scores: 8 keys per step, one VLDRH gather of a column of 8 key rows whose lanes are
 * ordered so that the even lanes hold keys 0-3 and the odd ones keys 4-7; widened, they are
 * two FP32 vectors of 4 consecutive keys, each multiply-added with the query element
 * (the reference's dot product, same order); the scale after. Weighted sum: 8 output
 * features per step, one V row load widened to even / odd features, FP32 accumulators
 * narrowed back into order with the one rounding to half. Full blocks of 8 keys or
 * features run unpredicated; only the last, partial one is predicated. ACCUMULATION: FP32. */
#pragma GCC optimize("no-schedule-insns")

#include <math.h>

#define EDGEDIFF_MVE_ELEM_F16
#include "edgediff/internal/mve_elem.h"

/* Scores of the 8 keys from k (left of them exist; full: all 8, no predicates). */
EDGEDIFF_MVE_INLINE void score_block(const float *q, const edgediff_f16_t *k, int32_t d,
                                     int32_t left, uint16x8_t key, uint16x8_t offsets,
                                     float scale, float *scores, float32x4_t *max, int full) {
    const mve_pred16_t m = full ? 0xFFFF : vcmphiq_u16(vdupq_n_u16((uint16_t)left), key);
    const mve_pred16_t m_lo = full ? 0xFFFF : vctp32q((uint32_t)left);
    const mve_pred16_t m_hi = full ? 0xFFFF : left > 4 ? vctp32q((uint32_t)(left - 4)) : 0;
    float32x4_t lo = vdupq_n_f32(0.0f), hi = vdupq_n_f32(0.0f);
    for (int32_t c = 0; c < d; ++c) {
        const float qc = q[c];
        const float16x8_t g =
            full ? vldrhq_gather_shifted_offset_f16(EDGEDIFF_CH(k + c), offsets)
                 : vldrhq_gather_shifted_offset_z_f16(EDGEDIFF_CH(k + c), offsets, m);
        lo = vfmaq_n_f32(lo, edgediff_mve_widen_b(g), qc);
        hi = vfmaq_n_f32(hi, edgediff_mve_widen_t(g), qc);
    }
    lo = vmulq_n_f32(lo, scale);
    hi = vmulq_n_f32(hi, scale);
    vstrwq_p_f32(scores, lo, m_lo);
    vstrwq_p_f32(scores + 4, hi, m_hi);
    *max = vmaxnmq_m_f32(*max, *max, lo, m_lo);
    *max = vmaxnmq_m_f32(*max, *max, hi, m_hi);
}

EDGEDIFF_MVE_INLINE float attention_scores(const float *q, const edgediff_f16_t *k,
                                           int32_t keys, int32_t d, float scale,
                                           float *scores) {
    /* lane l gathers key (l >> 1) + 4 * (l & 1): 0 4 1 5 2 6 3 7 */
    const uint16x8_t lane = vidupq_n_u16(0, 1);
    const uint16x8_t key = vaddq_u16(vshrq_n_u16(lane, 1),
                                     vshlq_n_u16(vandq_u16(lane, vdupq_n_u16(1)), 2));
    const uint16x8_t offsets = vmulq_n_u16(key, (uint16_t)d);
    float32x4_t max = vdupq_n_f32(-INFINITY);
    int32_t j = 0;
    for (; j + 8 <= keys; j += 8) {
        score_block(q, k + j * d, d, 8, key, offsets, scale, scores + j, &max, 1);
    }
    if (j < keys) {
        score_block(q, k + j * d, d, keys - j, key, offsets, scale, scores + j, &max, 0);
    }
    return vmaxnmvq_f32(-INFINITY, max);
}

/* y[0..8) (left of them exist; full: all 8) = inv * sum_j scores[j] v[j][0..8). */
EDGEDIFF_MVE_INLINE void weighted_block(const edgediff_f16_t *v, int32_t keys, int32_t dv,
                                        int32_t left, const float *scores, float inv,
                                        edgediff_f16_t *y, int full) {
    const mve_pred16_t m = full ? 0xFFFF : vctp16q((uint32_t)left);
    float32x4_t even = vdupq_n_f32(0.0f), odd = vdupq_n_f32(0.0f);
    for (int32_t j = 0; j < keys; ++j, v += dv) {
        const float s = scores[j];
        const float16x8_t x = full ? vld1q_f16(EDGEDIFF_CH(v)) : vldrhq_z_f16(EDGEDIFF_CH(v), m);
        even = vfmaq_n_f32(even, edgediff_mve_widen_b(x), s);
        odd = vfmaq_n_f32(odd, edgediff_mve_widen_t(x), s);
    }
    vstrhq_p_f16(EDGEDIFF_H(y), edgediff_mve_narrow(vmulq_n_f32(even, inv), vmulq_n_f32(odd, inv)),
                 m);
}

EDGEDIFF_MVE_INLINE void attention_weighted(const edgediff_f16_t *v, int32_t keys, int32_t dv,
                                            const float *scores, float inv, edgediff_f16_t *y) {
    int32_t c = 0;
    for (; c + 8 <= dv; c += 8) {
        weighted_block(v + c, keys, dv, 8, scores, inv, y + c, 1);
    }
    if (c < dv) {
        weighted_block(v + c, keys, dv, dv - c, scores, inv, y + c, 0);
    }
}

#include "edgediff/internal/attention_mve.h"

void edgediff_attention_f16_mve(const attention_params_t *p, const edgediff_f16_t *q,
                                const edgediff_f16_t *k, const edgediff_f16_t *v,
                                edgediff_f16_t *out, void *scratch) {
    attention_mve(p, q, k, v, out, scratch);
}
