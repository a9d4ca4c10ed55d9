/*
 * Loops of the data-movement and resize kernels (strided_copy, pad, upsample_linear), shared
 * by their FP32 and FP16 references through kernel_util.h's element access functions; not
 * part of the public API (semantics in kernels.h).
 */
#ifndef EDGEDIFF_SHAPE_UTIL_H
#define EDGEDIFF_SHAPE_UTIL_H

#include <math.h>
#include <stdint.h>

#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

/* One gather: the output is written densely, each element read from its strided source. */
static inline void edgediff_strided_copy(const strided_copy_params_t *p, const void *in,
                                         void *out, edgediff_move_t move) {
    const int32_t *n = p->shape;
    const int32_t *s = p->strides;
    int32_t dst = 0;
    for (int32_t i0 = 0; i0 < n[0]; ++i0) {
        for (int32_t i1 = 0; i1 < n[1]; ++i1) {
            for (int32_t i2 = 0; i2 < n[2]; ++i2) {
                for (int32_t i3 = 0; i3 < n[3]; ++i3) {
                    for (int32_t i4 = 0; i4 < n[4]; ++i4) {
                        int32_t src = p->offset + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3]
                                      + i4 * s[4];
                        for (int32_t i5 = 0; i5 < n[5]; ++i5, src += s[5]) {
                            move(out, dst++, in, src);
                        }
                    }
                }
            }
        }
    }
}

/* The input index output index o of a padded dim reads, or -1 for the constant. */
static inline int32_t edgediff_pad_source(int32_t o, int32_t before, int32_t size, int32_t mode) {
    int32_t i = o - before;
    if (i >= 0 && i < size) {
        return i;
    }
    if (mode == EDGEDIFF_PAD_REFLECT) {
        return i < 0 ? -i : 2 * (size - 1) - i;
    }
    if (mode == EDGEDIFF_PAD_REPLICATE) {
        return i < 0 ? 0 : size - 1;
    }
    return -1;
}

/* Pad: each output element is an input element or the constant (stored once, rounded to
 * the element type by `store`). */
static inline void edgediff_pad(const pad_params_t *p, const void *in, void *out,
                                edgediff_move_t move, edgediff_store_t store) {
    const int32_t *is = p->in_shape;
    const int32_t *os = p->out_shape;
    int32_t dst = 0;
    for (int32_t o0 = 0; o0 < os[0]; ++o0) {
        const int32_t i0 = edgediff_pad_source(o0, p->before[0], is[0], p->mode);
        for (int32_t o1 = 0; o1 < os[1]; ++o1) {
            const int32_t i1 = edgediff_pad_source(o1, p->before[1], is[1], p->mode);
            for (int32_t o2 = 0; o2 < os[2]; ++o2) {
                const int32_t i2 = edgediff_pad_source(o2, p->before[2], is[2], p->mode);
                const int32_t row = ((i0 * is[1] + i1) * is[2] + i2) * is[3];
                const int32_t outside = i0 < 0 || i1 < 0 || i2 < 0;
                for (int32_t o3 = 0; o3 < os[3]; ++o3, ++dst) {
                    const int32_t i3 = edgediff_pad_source(o3, p->before[3], is[3], p->mode);
                    if (outside || i3 < 0) {
                        store(out, dst, p->value);
                    } else {
                        move(out, dst, in, row + i3);
                    }
                }
            }
        }
    }
}

/* torch's source index and weights of one output index d of a resized dim, its float steps
 * exactly: scale * (d + 0.5) - 0.5 is one fused multiply-add (fmaf, as torch's CPU build
 * compiles it; hardware on every FPU target, exact software on the host). */
static inline void edgediff_linear_source(int32_t d, int32_t in_size, int32_t out_size,
                                          float scale, int32_t align_corners, int32_t *i0,
                                          int32_t *i1, float *l0, float *l1) {
    if (in_size == out_size) {
        *i0 = d;
        *i1 = d;
        *l0 = 1.0f;
        *l1 = 0.0f;
        return;
    }
    float src;
    if (align_corners) {
        src = scale * (float)d;
    } else {
        src = fmaf(scale, (float)d + 0.5f, -0.5f);
        src = src < 0.0f ? 0.0f : src;
    }
    int32_t index = (int32_t)floorf(src);
    index = index < in_size - 1 ? index : in_size - 1;
    float lambda = src - (float)index;
    lambda = lambda < 0.0f ? 0.0f : (lambda > 1.0f ? 1.0f : lambda);
    *i0 = index;
    *i1 = index + (index < in_size - 1 ? 1 : 0);
    *l1 = lambda;
    *l0 = 1.0f - lambda;
}

/* One product and one sum per statement, in torch's order: a*w0 + b*w1. */
static inline float edgediff_lerp_weights(float a, float w0, float b, float w1) {
    const float pa = a * w0;
    const float pb = b * w1;
    return pa + pb;
}

static inline void edgediff_upsample_linear(const upsample_linear_params_t *p, const void *in,
                                            void *out, edgediff_load_t load,
                                            edgediff_store_t store) {
    int32_t dst = 0;
    for (int32_t plane = 0; plane < p->planes; ++plane) {
        const int32_t base = plane * p->h_in * p->w_in;
        for (int32_t y = 0; y < p->h_out; ++y) {
            int32_t y0, y1;
            float ly0, ly1;
            edgediff_linear_source(y, p->h_in, p->h_out, p->scale_h, p->align_corners, &y0, &y1,
                                   &ly0, &ly1);
            const int32_t row0 = base + y0 * p->w_in;
            const int32_t row1 = base + y1 * p->w_in;
            for (int32_t x = 0; x < p->w_out; ++x) {
                int32_t x0, x1;
                float lx0, lx1;
                edgediff_linear_source(x, p->w_in, p->w_out, p->scale_w, p->align_corners, &x0,
                                       &x1, &lx0, &lx1);
                const float t0 = edgediff_lerp_weights(load(in, row0 + x0), lx0,
                                                       load(in, row0 + x1), lx1);
                const float t1 = edgediff_lerp_weights(load(in, row1 + x0), lx0,
                                                       load(in, row1 + x1), lx1);
                store(out, dst++, edgediff_lerp_weights(t0, ly0, t1, ly1));
            }
        }
    }
}

#endif /* EDGEDIFF_SHAPE_UTIL_H */
