/*
 * Internal: the broadcasting loop of the int8 binary kernels (add_s8, mul_s8), not API.
 * Same 4-D stride walk as the float kernels' edgediff_binary (kernel_util.h); `op` takes the
 * two int8 values widened to int32 and returns the requantized result before the output
 * zero point and clamp, which this loop applies.
 */
#ifndef EDGEDIFF_BINARY_S8_H
#define EDGEDIFF_BINARY_S8_H

#include <stdint.h>

#include "edgediff/kernels.h"
#include "edgediff/internal/requantize_s8.h"

typedef int32_t (*edgediff_binary_s8_op_t)(int32_t a, int32_t b, const binary_s8_params_t *p);

static inline void edgediff_binary_s8(const binary_s8_params_t *p, const int8_t *a,
                                      const int8_t *b, int8_t *out, edgediff_binary_s8_op_t op) {
    const int32_t *shape = p->shape.out_shape;
    const int32_t *as = p->shape.a_strides;
    const int32_t *bs = p->shape.b_strides;
    int32_t o = 0;
    for (int32_t i0 = 0; i0 < shape[0]; ++i0) {
        for (int32_t i1 = 0; i1 < shape[1]; ++i1) {
            for (int32_t i2 = 0; i2 < shape[2]; ++i2) {
                const int32_t a_row = i0 * as[0] + i1 * as[1] + i2 * as[2];
                const int32_t b_row = i0 * bs[0] + i1 * bs[1] + i2 * bs[2];
                for (int32_t i3 = 0; i3 < shape[3]; ++i3) {
                    const int32_t v = op(a[a_row + i3 * as[3]], b[b_row + i3 * bs[3]], p);
                    out[o++] = edgediff_output_s8(v, p->output_offset, p->act_min, p->act_max);
                }
            }
        }
    }
}

#endif /* EDGEDIFF_BINARY_S8_H */
