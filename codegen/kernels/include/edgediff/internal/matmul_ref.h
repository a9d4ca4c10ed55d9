/* The reference matmul loop, internal to ref/matmul_f32.c and ref/matmul_f16.c: one dot
 * product of K terms per output, FP32 accumulation in k order, one store per output, over
 * any element type through kernel_util.h's load/store/at. */
#ifndef EDGEDIFF_MATMUL_REF_H
#define EDGEDIFF_MATMUL_REF_H

#include "edgediff/internal/kernel_util.h"

static inline void edgediff_matmul(const matmul_params_t *p, const void *a, const void *b,
                                   void *out, edgediff_load_t load, edgediff_store_t store,
                                   edgediff_at_t at) {
    const int32_t m = p->m, k = p->k, n = p->n;
    int32_t o = 0;
    for (int32_t b0 = 0; b0 < p->batch[0]; ++b0) {
        for (int32_t b1 = 0; b1 < p->batch[1]; ++b1) {
            const void *a_mat = at(a, b0 * p->a_batch_strides[0] + b1 * p->a_batch_strides[1]);
            const void *b_mat = at(b, b0 * p->b_batch_strides[0] + b1 * p->b_batch_strides[1]);
            for (int32_t r = 0; r < m; ++r) {
                const void *a_row = at(a_mat, r * k);
                for (int32_t c = 0; c < n; ++c) {
                    float acc = 0.0f;
                    for (int32_t i = 0; i < k; ++i) {
                        acc += load(a_row, i) * load(b_mat, i * n + c);
                    }
                    store(out, o++, acc);
                }
            }
        }
    }
}

#endif /* EDGEDIFF_MATMUL_REF_H */
