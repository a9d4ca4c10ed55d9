/* The row loop of attention_f16_mve.c and attention_f32_mve.c, internal to
 * codegen/kernels/mve/. Per batch slice and query row, as the reference
 * (internal/attention_ref.h) but vectorized, all in FP32:
 *   1. the row's scores, several keys per vector (key rows gathered column by column);
 *   2. softmax numerators e^(s - max) four per vector (edgediff_mve_exp_neg_f32, about 1.5
 *      FP32 ulp) and their sum in four FP32 lanes;
 *   3. the weighted sum of V rows, several output features per vector, times 1 / sum.
 * The row of scores (lk floats) and the query row widened to FP32 (d floats) are the
 * kernel's scratch, in that order, each 16-byte aligned (edgediff_attention_mve_bytes in
 * kernels_mve.h). Include mve_elem.h first and define, before including this header:
 *   attention_scores(q, k, keys, d, scale, scores)   scores[j] = scale * q . k[j], j < keys,
 *                                                    q the FP32 query row; returns their max
 *   attention_weighted(v, keys, dv, scores, inv, y)  y[c] = inv * sum_j scores[j] v[j][c] */
#ifndef EDGEDIFF_ATTENTION_MVE_H
#define EDGEDIFF_ATTENTION_MVE_H

#include <math.h>

#include "edgediff/internal/mve_elem.h"

/* scores[j] = e^(scores[j] - max) for j < keys (each in (0, 1], one of them 1); returns
 * their sum. Four lanes of partial sums, the tail lanes predicated off. */
EDGEDIFF_MVE_INLINE float attention_softmax_numerators(float *scores, int32_t keys, float max) {
    float32x4_t sum = vdupq_n_f32(0.0f);
    for (int32_t j = 0; j < keys; j += 4) {
        const mve_pred16_t m = vctp32q((uint32_t)(keys - j));
        const float32x4_t e =
            edgediff_mve_exp_neg_f32(vsubq_n_f32(vldrwq_z_f32(scores + j, m), max));
        vstrwq_p_f32(scores + j, e, m);
        sum = vaddq_m_f32(sum, sum, e, m);
    }
    return edgediff_mve_sum_lanes_f32(sum);
}

EDGEDIFF_MVE_INLINE void attention_mve(const attention_params_t *p, const elem_t *q,
                                       const elem_t *k, const elem_t *v, elem_t *out,
                                       void *scratch) {
    const int32_t lq = p->lq, lk = p->lk, d = p->d, dv = p->dv;
    float *const scores = (float *)scratch;
    float *const q_row = scores + edgediff_scratch_round(lk * 4) / 4;
    for (int32_t b = 0; b < p->batch; ++b) {
        const elem_t *k_slice = k + b * lk * d;
        const elem_t *v_slice = v + b * lk * dv;
        for (int32_t i = 0; i < lq; ++i) {
            const elem_t *q_in = q + (b * lq + i) * d;
            for (int32_t c = 0; c < d; ++c) {
                q_row[c] = (float)q_in[c];
            }
            const int32_t keys = p->causal && i + 1 < lk ? i + 1 : lk;
            const float max = attention_scores(q_row, k_slice, keys, d, p->scale, scores);
            const float sum = attention_softmax_numerators(scores, keys, max);
            attention_weighted(v_slice, keys, dv, scores, 1.0f / sum, out + (b * lq + i) * dv);
        }
    }
}

#endif /* EDGEDIFF_ATTENTION_MVE_H */
