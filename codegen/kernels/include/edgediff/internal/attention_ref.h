/* The reference attention loop, internal to ref/attention_f32.c and ref/attention_f16.c,
 * over any element type through kernel_util.h's load/store/at. Per batch slice and query
 * row i, in FP32:
 *   1. scores[j] = scale * (q[i] . k[j]) for the keys the row sees (all lk, or j <= i when
 *      causal), and their maximum;
 *   2. scores[j] = expf(scores[j] - max) and their sum (each term in (0, 1], the largest 1,
 *      so the sum never overflows and is at least 1);
 *   3. out[i][c] = (sum_j scores[j] * v[j][c]) / sum, one store per output.
 * Only the row of scores is kept (lk floats, the kernel's scratch): the Lq x Lk matrix
 * never exists. */
#ifndef EDGEDIFF_ATTENTION_REF_H
#define EDGEDIFF_ATTENTION_REF_H

#include "edgediff/internal/kernel_util.h"

static inline void edgediff_attention(const attention_params_t *p, const void *q, const void *k,
                                      const void *v, void *out, float *scores,
                                      edgediff_load_t load, edgediff_store_t store,
                                      edgediff_at_t at) {
    const int32_t lq = p->lq, lk = p->lk, d = p->d, dv = p->dv;
    for (int32_t b = 0; b < p->batch; ++b) {
        const void *k_slice = at(k, b * lk * d);
        const void *v_slice = at(v, b * lk * dv);
        for (int32_t i = 0; i < lq; ++i) {
            const void *q_row = at(q, (b * lq + i) * d);
            const int32_t keys = p->causal && i + 1 < lk ? i + 1 : lk;
            float max = -INFINITY;
            for (int32_t j = 0; j < keys; ++j) {
                const void *k_row = at(k_slice, j * d);
                float dot = 0.0f;
                for (int32_t c = 0; c < d; ++c) {
                    dot += load(q_row, c) * load(k_row, c);
                }
                scores[j] = dot * p->scale;
                max = scores[j] > max ? scores[j] : max;
            }
            float sum = 0.0f;
            for (int32_t j = 0; j < keys; ++j) {
                scores[j] = expf(scores[j] - max);
                sum += scores[j];
            }
            const int32_t out_row = (b * lq + i) * dv;
            for (int32_t c = 0; c < dv; ++c) {
                float acc = 0.0f;
                for (int32_t j = 0; j < keys; ++j) {
                    acc += scores[j] * load(v_slice, j * dv + c);
                }
                store(out, out_row + c, acc / sum);
            }
        }
    }
}

#endif /* EDGEDIFF_ATTENTION_REF_H */
