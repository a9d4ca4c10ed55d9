/* FP32 fused attention for Arm MVE (Helium), the row loop of internal/attention_mve.h.
 * Scores: 8 keys per step in two vectors, each gathering one column of 4 key rows (VLDRW
 * gather at offsets j * d) multiply-added with the query element, so every score is the
 * reference's dot product in the same order; the scale after. Weighted sum: 8 output
 * features per step (two vectors of a V row) times the key's softmax numerator. Full blocks
 * of 8 keys or features run unpredicated; only the last, partial one is predicated.
 * ACCUMULATION: FP32. */
#pragma GCC optimize("no-schedule-insns")

#include <math.h>

#define EDGEDIFF_MVE_ELEM_F32
#include "edgediff/internal/mve_elem.h"

/* Scores of the 8 keys from k (left of them exist; full: all 8, no predicates). */
EDGEDIFF_MVE_INLINE void score_block(const float *q, const float *k, int32_t d, int32_t left,
                                     uint32x4_t offsets, float scale, float *scores,
                                     float32x4_t *max, int full) {
    const mve_pred16_t m_lo = full ? 0xFFFF : vctp32q((uint32_t)left);
    const mve_pred16_t m_hi = full ? 0xFFFF : left > 4 ? vctp32q((uint32_t)(left - 4)) : 0;
    const float *hi_k = k + 4 * d;
    float32x4_t lo = vdupq_n_f32(0.0f), hi = vdupq_n_f32(0.0f);
    for (int32_t c = 0; c < d; ++c) {
        const float qc = q[c];
        if (full) {
            lo = vfmaq_n_f32(lo, vldrwq_gather_shifted_offset_f32(k + c, offsets), qc);
            hi = vfmaq_n_f32(hi, vldrwq_gather_shifted_offset_f32(hi_k + c, offsets), qc);
        } else {
            lo = vfmaq_n_f32(lo, vldrwq_gather_shifted_offset_z_f32(k + c, offsets, m_lo), qc);
            hi = vfmaq_n_f32(hi, vldrwq_gather_shifted_offset_z_f32(hi_k + c, offsets, m_hi), qc);
        }
    }
    lo = vmulq_n_f32(lo, scale);
    hi = vmulq_n_f32(hi, scale);
    vstrwq_p_f32(scores, lo, m_lo);
    vstrwq_p_f32(scores + 4, hi, m_hi);
    *max = vmaxnmq_m_f32(*max, *max, lo, m_lo);
    *max = vmaxnmq_m_f32(*max, *max, hi, m_hi);
}

EDGEDIFF_MVE_INLINE float attention_scores(const float *q, const float *k, int32_t keys,
                                           int32_t d, float scale, float *scores) {
    const uint32x4_t offsets = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)d);
    float32x4_t max = vdupq_n_f32(-INFINITY);
    int32_t j = 0;
    for (; j + 8 <= keys; j += 8) {
        score_block(q, k + j * d, d, 8, offsets, scale, scores + j, &max, 1);
    }
    if (j < keys) {
        score_block(q, k + j * d, d, keys - j, offsets, scale, scores + j, &max, 0);
    }
    return vmaxnmvq_f32(-INFINITY, max);
}

/* y[0..8) (left of them exist; full: all 8) = inv * sum_j scores[j] v[j][0..8). */
EDGEDIFF_MVE_INLINE void weighted_block(const float *v, int32_t keys, int32_t dv, int32_t left,
                                        const float *scores, float inv, float *y, int full) {
    const mve_pred16_t m0 = full ? 0xFFFF : vctp32q((uint32_t)left);
    const mve_pred16_t m1 = full ? 0xFFFF : left > 4 ? vctp32q((uint32_t)(left - 4)) : 0;
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
    for (int32_t j = 0; j < keys; ++j, v += dv) {
        const float s = scores[j];
        if (full) {
            acc0 = vfmaq_n_f32(acc0, vld1q_f32(v), s);
            acc1 = vfmaq_n_f32(acc1, vld1q_f32(v + 4), s);
        } else {
            acc0 = vfmaq_n_f32(acc0, vldrwq_z_f32(v, m0), s);
            acc1 = vfmaq_n_f32(acc1, vldrwq_z_f32(v + 4, m1), s);
        }
    }
    vstrwq_p_f32(y, vmulq_n_f32(acc0, inv), m0);
    vstrwq_p_f32(y + 4, vmulq_n_f32(acc1, inv), m1);
}

EDGEDIFF_MVE_INLINE void attention_weighted(const float *v, int32_t keys, int32_t dv,
                                            const float *scores, float inv, float *y) {
    int32_t c = 0;
    for (; c + 8 <= dv; c += 8) {
        weighted_block(v + c, keys, dv, 8, scores, inv, y + c, 1);
    }
    if (c < dv) {
        weighted_block(v + c, keys, dv, dv - c, scores, inv, y + c, 0);
    }
}

#include "edgediff/internal/attention_mve.h"

void edgediff_attention_f32_mve(const attention_params_t *p, const float *q, const float *k,
                                const float *v, float *out, void *scratch) {
    attention_mve(p, q, k, v, out, scratch);
}
