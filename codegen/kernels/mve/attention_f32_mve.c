/* FP32 fused attention for Arm MVE (Helium), the row loop of internal/attention_mve.h.
 * Scores: 4 keys per vector, each step gathering one column of 4 key rows (VLDRW gather at
 * offsets j * d) and multiply-adding the query element, so every score is the reference's
 * dot product in the same order; the scale after. Weighted sum: 8 output features per step
 * (two vectors of a V row) times the key's softmax numerator. ACCUMULATION: FP32. */
#pragma GCC optimize("no-schedule-insns")

#include <math.h>

#define EDGEDIFF_MVE_ELEM_F32
#include "edgediff/internal/mve_elem.h"

EDGEDIFF_MVE_INLINE float attention_scores(const float *q, const float *k, int32_t keys,
                                           int32_t d, float scale, float *scores) {
    const uint32x4_t offsets = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)d);
    float32x4_t max = vdupq_n_f32(-INFINITY);
    for (int32_t j = 0; j < keys; j += 4) {
        const mve_pred16_t m = vctp32q((uint32_t)(keys - j));
        const float *column = k + j * d;
        float32x4_t acc = vdupq_n_f32(0.0f);
        for (int32_t c = 0; c < d; ++c) {
            acc = vfmaq_n_f32(acc, vldrwq_gather_shifted_offset_z_f32(column + c, offsets, m),
                              q[c]);
        }
        acc = vmulq_n_f32(acc, scale);
        vstrwq_p_f32(scores + j, acc, m);
        max = vmaxnmq_m_f32(max, max, acc, m);
    }
    return vmaxnmvq_f32(-INFINITY, max);
}

EDGEDIFF_MVE_INLINE void attention_weighted(const float *v, int32_t keys, int32_t dv,
                                            const float *scores, float inv, float *y) {
    for (int32_t c = 0; c < dv; c += 8) {
        const mve_pred16_t m0 = vctp32q((uint32_t)(dv - c));
        const mve_pred16_t m1 = dv - c > 4 ? vctp32q((uint32_t)(dv - c - 4)) : 0;
        float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
        const float *row = v + c;
        for (int32_t j = 0; j < keys; ++j, row += dv) {
            acc0 = vfmaq_n_f32(acc0, vldrwq_z_f32(row, m0), scores[j]);
            acc1 = vfmaq_n_f32(acc1, vldrwq_z_f32(row + 4, m1), scores[j]);
        }
        vstrwq_p_f32(y + c, vmulq_n_f32(acc0, inv), m0);
        vstrwq_p_f32(y + c + 4, vmulq_n_f32(acc1, inv), m1);
    }
}

#include "edgediff/internal/attention_mve.h"

void edgediff_attention_f32_mve(const attention_params_t *p, const float *q, const float *k,
                                const float *v, float *out) {
    attention_mve(p, q, k, v, out);
}
