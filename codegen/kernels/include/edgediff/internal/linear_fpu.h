/* Internal to linear_f32_fpu.c and linear_f16_fpu.c; not part of the API.
 *
 * A fully connected layer on a scalar FPU, register-blocked over outputs: four output rows
 * of weights walk one float input row together, so each input element is loaded once per
 * four multiply-adds, each weight once, and the four sums stay in registers (FP32, fused
 * multiply-adds: one rounding each, Higham's gamma_K holds as an upper bound). The including
 * file defines elem_t (weights, bias, output), EDGEDIFF_FPU_LOAD(p) and EDGEDIFF_FPU_STORE(p,
 * v), then includes this header; the input row arrives as floats (the FP16 kernel widens
 * each row once, into its scratch). */
#ifndef EDGEDIFF_LINEAR_FPU_H
#define EDGEDIFF_LINEAR_FPU_H

#include "edgediff/internal/fpu_math.h"

/* out[o] = act(bias[o] + x . weight[o]) for the outputs of one row. */
static inline void linear_row_fpu(const linear_params_t *p, const float *x, const elem_t *weight,
                                  const elem_t *bias, elem_t *out) {
    const int32_t k = p->in_features, outs = p->out_features;
    int32_t o = 0;
    for (; o + 4 <= outs; o += 4) {
        const elem_t *w0 = weight + o * k, *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
        float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
        if (bias) {
            a0 = EDGEDIFF_FPU_LOAD(bias + o);
            a1 = EDGEDIFF_FPU_LOAD(bias + o + 1);
            a2 = EDGEDIFF_FPU_LOAD(bias + o + 2);
            a3 = EDGEDIFF_FPU_LOAD(bias + o + 3);
        }
        for (int32_t i = 0; i < k; ++i) {
            const float xi = x[i];
            a0 = EDGEDIFF_FMA(xi, EDGEDIFF_FPU_LOAD(w0 + i), a0);
            a1 = EDGEDIFF_FMA(xi, EDGEDIFF_FPU_LOAD(w1 + i), a1);
            a2 = EDGEDIFF_FMA(xi, EDGEDIFF_FPU_LOAD(w2 + i), a2);
            a3 = EDGEDIFF_FMA(xi, EDGEDIFF_FPU_LOAD(w3 + i), a3);
        }
        EDGEDIFF_FPU_STORE(out + o, edgediff_fpu_act(a0, p->act));
        EDGEDIFF_FPU_STORE(out + o + 1, edgediff_fpu_act(a1, p->act));
        EDGEDIFF_FPU_STORE(out + o + 2, edgediff_fpu_act(a2, p->act));
        EDGEDIFF_FPU_STORE(out + o + 3, edgediff_fpu_act(a3, p->act));
    }
    for (; o < outs; ++o) { /* the last outputs, one at a time */
        const elem_t *w = weight + o * k;
        float a = bias ? EDGEDIFF_FPU_LOAD(bias + o) : 0.0f;
        for (int32_t i = 0; i < k; ++i) {
            a = EDGEDIFF_FMA(x[i], EDGEDIFF_FPU_LOAD(w + i), a);
        }
        EDGEDIFF_FPU_STORE(out + o, edgediff_fpu_act(a, p->act));
    }
}

#endif /* EDGEDIFF_LINEAR_FPU_H */
