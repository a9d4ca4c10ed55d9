/* The loop of linear_f16_mve.c and linear_f32_mve.c, internal to codegen/kernels/mve/: per
 * input row, 4 outputs at a time, each a dot product along in_features accumulated in 4 FP32
 * lanes whose partial sums are added at the end. Include mve_elem.h (element type) first and
 * define, before including this header, the two steps that depend on the element type:
 *   linear_step(x, w0, w1, w2, w3, m, a)       a[k] += x[0..LANES) * wk[0..LANES), lane-
 *                                               wise in FP32, the lanes past predicate m zero
 *   linear_store(y, o, n_o, sums, bias, act)    y[o + k] = act(sums[k] + bias[o + k]),
 *                                               k < n_o (bias NULL: none)
 * The weight rows past n_o repeat the last one, so linear_step never reads out of bounds. */
#ifndef EDGEDIFF_LINEAR_MVE_H
#define EDGEDIFF_LINEAR_MVE_H

#include "edgediff/internal/mve_elem.h"

EDGEDIFF_MVE_INLINE void linear_mve(const linear_params_t *p, const elem_t *in,
                                    const elem_t *weight, const elem_t *bias, elem_t *out) {
    const int32_t n_in = p->in_features, n_out = p->out_features;
    for (int32_t r = 0; r < p->rows; ++r) {
        const elem_t *x = in + r * n_in;
        elem_t *y = out + r * n_out;
        for (int32_t o = 0; o < n_out; o += 4) {
            const int32_t n_o = n_out - o < 4 ? n_out - o : 4;
            const elem_t *w0 = weight + o * n_in;
            const elem_t *w1 = n_o > 1 ? w0 + n_in : w0;
            const elem_t *w2 = n_o > 2 ? w1 + n_in : w1;
            const elem_t *w3 = n_o > 3 ? w2 + n_in : w2;
            float32x4_t acc[4];
            acc[0] = acc[1] = acc[2] = acc[3] = vdupq_n_f32(0.0f);
            for (int32_t i = 0; i < n_in; i += EDGEDIFF_LANES) {
                const mve_pred16_t m = EDGEDIFF_MVE_VCTP((uint32_t)(n_in - i));
                linear_step(x + i, w0 + i, w1 + i, w2 + i, w3 + i, m, acc);
            }
            const float sums[4] = {
                edgediff_mve_sum_lanes_f32(acc[0]), edgediff_mve_sum_lanes_f32(acc[1]),
                edgediff_mve_sum_lanes_f32(acc[2]), edgediff_mve_sum_lanes_f32(acc[3])};
            linear_store(y, o, n_o, sums, bias, p->act);
        }
    }
}

#endif /* EDGEDIFF_LINEAR_MVE_H */
