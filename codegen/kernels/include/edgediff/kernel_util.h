/*
 * Internal helpers shared by the reference kernels; not part of the public API.
 * Everything is static inline so each kernel file stays self-contained at link time.
 */
#ifndef EDGEDIFF_KERNEL_UTIL_H
#define EDGEDIFF_KERNEL_UTIL_H

#include <math.h>
#include <stdint.h>

#include "edgediff/kernels.h"

/* x * sigmoid(x) written as x / (1 + e^-x), one rounding fewer than x * (1 / (1 + e^-x)).
 * Never NaN for finite x: for very negative x, expf overflows to +inf and the quotient is
 * -0; for very positive x, expf underflows to 0 and the quotient is x. */
static inline float edgediff_silu(float x) {
    return x / (1.0f + expf(-x));
}

static inline float edgediff_relu(float x) {
    return x > 0.0f ? x : 0.0f;
}

/* Applies the activation fused into an op's output step. */
static inline float edgediff_apply_act(float x, int32_t act) {
    switch (act) {
    case EDGEDIFF_ACT_RELU:
        return edgediff_relu(x);
    case EDGEDIFF_ACT_SILU:
        return edgediff_silu(x);
    case EDGEDIFF_ACT_NONE:
    default:
        return x;
    }
}

typedef float (*edgediff_binary_op_t)(float a, float b);

/* The broadcasting loop shared by add/sub/mul. out is dense in out_shape; a and b are
 * addressed through their strides (0 on broadcast dims). Each out element is written only
 * after its operands are read, so out may alias an operand that is not broadcast.
 * Called with a constant op, the compiler inlines it, so there is no call per element. */
static inline void edgediff_binary_broadcast(const binary_params_t *p, const float *a,
                                             const float *b, float *out,
                                             edgediff_binary_op_t op) {
    const int32_t *shape = p->out_shape;
    const int32_t *as = p->a_strides;
    const int32_t *bs = p->b_strides;
    int32_t o = 0;
    for (int32_t i0 = 0; i0 < shape[0]; ++i0) {
        for (int32_t i1 = 0; i1 < shape[1]; ++i1) {
            for (int32_t i2 = 0; i2 < shape[2]; ++i2) {
                const int32_t a_row = i0 * as[0] + i1 * as[1] + i2 * as[2];
                const int32_t b_row = i0 * bs[0] + i1 * bs[1] + i2 * bs[2];
                for (int32_t i3 = 0; i3 < shape[3]; ++i3) {
                    const float v = op(a[a_row + i3 * as[3]], b[b_row + i3 * bs[3]]);
                    out[o++] = edgediff_apply_act(v, p->act);
                }
            }
        }
    }
}

#endif /* EDGEDIFF_KERNEL_UTIL_H */
