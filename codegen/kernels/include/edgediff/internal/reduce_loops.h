/*
 * The loops of the reduction, softmax, layer norm and pooling reference kernels, shared by
 * their FP32 and FP16 files through kernel_util.h's load/store functions (not API). Every
 * statistic is float whatever the element type: sums, means, variances and softmax's sum of
 * exponentials accumulate in float, and each output is stored (rounded) once.
 */
#ifndef EDGEDIFF_REDUCE_LOOPS_H
#define EDGEDIFF_REDUCE_LOOPS_H

#include <math.h>
#include <stdint.h>

#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

/* sum over the reduced dims of (x - center)^power (power 1 or 2), starting at element base;
 * in_shape/reduce as in reduce_params_t, strides row-major. */
static inline float edgediff_reduce_block(const reduce_params_t *p, const int32_t *strides,
                                          const void *in, int32_t base, float center, int power,
                                          edgediff_load_t load) {
    int32_t extent[EDGEDIFF_MAX_RANK];
    for (int32_t k = 0; k < EDGEDIFF_MAX_RANK; ++k) {
        extent[k] = p->reduce[k] ? p->in_shape[k] : 1;
    }
    float acc = 0.0f;
    for (int32_t r0 = 0; r0 < extent[0]; ++r0) {
        for (int32_t r1 = 0; r1 < extent[1]; ++r1) {
            for (int32_t r2 = 0; r2 < extent[2]; ++r2) {
                const int32_t row = base + r0 * strides[0] + r1 * strides[1] + r2 * strides[2];
                for (int32_t r3 = 0; r3 < extent[3]; ++r3) {
                    const float d = load(in, row + r3 * strides[3]) - center;
                    acc += power == 2 ? d * d : d;
                }
            }
        }
    }
    return acc;
}

/* Sum, mean or variance over the flagged dims, one output per combination of kept indices,
 * in row-major order of the kept dims. */
static inline void edgediff_reduce(const reduce_params_t *p, const void *in, void *out,
                                   edgediff_load_t load, edgediff_store_t store) {
    int32_t strides[EDGEDIFF_MAX_RANK];
    int32_t keep[EDGEDIFF_MAX_RANK];
    int32_t count = 1;
    strides[EDGEDIFF_MAX_RANK - 1] = 1;
    for (int32_t k = EDGEDIFF_MAX_RANK - 1; k >= 0; --k) {
        if (k < EDGEDIFF_MAX_RANK - 1) {
            strides[k] = strides[k + 1] * p->in_shape[k + 1];
        }
        keep[k] = p->reduce[k] ? 1 : p->in_shape[k];
        count *= p->reduce[k] ? p->in_shape[k] : 1;
    }
    const float inv_count = 1.0f / (float)count;
    int32_t o = 0;
    for (int32_t i0 = 0; i0 < keep[0]; ++i0) {
        for (int32_t i1 = 0; i1 < keep[1]; ++i1) {
            for (int32_t i2 = 0; i2 < keep[2]; ++i2) {
                for (int32_t i3 = 0; i3 < keep[3]; ++i3) {
                    const int32_t base =
                        i0 * strides[0] + i1 * strides[1] + i2 * strides[2] + i3 * strides[3];
                    const float sum = edgediff_reduce_block(p, strides, in, base, 0.0f, 1, load);
                    float y = sum;
                    if (p->mode == EDGEDIFF_REDUCE_MEAN) {
                        y = sum * inv_count;
                    } else if (p->mode == EDGEDIFF_REDUCE_VAR) {
                        const float mean = sum * inv_count;
                        const float sq = edgediff_reduce_block(p, strides, in, base, mean, 2, load);
                        y = sq / (float)(count - p->correction);
                    }
                    store(out, o++, y);
                }
            }
        }
    }
}

/* Softmax along the middle dim of [outer][size][inner]: the max first, so every exponent is
 * <= 0 and the sum is at least 1; the exponentials are recomputed on the output pass rather
 * than kept (no scratch buffer, and an FP16 output cannot hold them unrounded). */
static inline void edgediff_softmax(const softmax_params_t *p, const void *in, void *out,
                                    edgediff_load_t load, edgediff_store_t store) {
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t j = 0; j < p->inner; ++j) {
            const int32_t base = o * p->size * p->inner + j;
            float max = load(in, base);
            for (int32_t i = 1; i < p->size; ++i) {
                const float v = load(in, base + i * p->inner);
                max = v > max ? v : max;
            }
            float sum = 0.0f;
            for (int32_t i = 0; i < p->size; ++i) {
                sum += expf(load(in, base + i * p->inner) - max);
            }
            for (int32_t i = 0; i < p->size; ++i) {
                const int32_t at = base + i * p->inner;
                store(out, at, expf(load(in, at) - max) / sum);
            }
        }
    }
}

/* Layer norm along the middle dim of [outer][size][inner], two passes like group norm
 * (kernel_util.h): the mean, then the mean of squared deviations. */
static inline void edgediff_layer_norm(const layer_norm_params_t *p, const void *in,
                                       const void *gamma, const void *beta, void *out,
                                       edgediff_load_t load, edgediff_store_t store) {
    const float inv_size = 1.0f / (float)p->size;
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t j = 0; j < p->inner; ++j) {
            const int32_t base = o * p->size * p->inner + j;
            float sum = 0.0f;
            for (int32_t i = 0; i < p->size; ++i) {
                sum += load(in, base + i * p->inner);
            }
            const float mean = sum * inv_size;
            float sq_sum = 0.0f;
            for (int32_t i = 0; i < p->size; ++i) {
                const float d = load(in, base + i * p->inner) - mean;
                sq_sum += d * d;
            }
            const float rstd = 1.0f / sqrtf(sq_sum * inv_size + p->eps);
            for (int32_t i = 0; i < p->size; ++i) {
                const int32_t at = base + i * p->inner;
                const float scale = gamma ? load(gamma, i) * rstd : rstd;
                const float shift = beta ? load(beta, i) : 0.0f;
                const float y = (load(in, at) - mean) * scale + shift;
                store(out, at, edgediff_apply_act(y, p->act));
            }
        }
    }
}

/* One pooling window along a dim: torch's start/end (end may reach into the padding, which
 * the unclipped size counts), then clipped to [0, size). */
static inline void edgediff_pool_window(int32_t o, int32_t stride, int32_t pad, int32_t kernel,
                                        int32_t size, int32_t *first, int32_t *end,
                                        int32_t *padded) {
    int32_t start = o * stride - pad;
    int32_t stop = start + kernel < size + pad ? start + kernel : size + pad;
    *padded = stop - start;
    *first = start > 0 ? start : 0;
    *end = stop < size ? stop : size;
}

/* Average (is_max 0) or max (is_max 1) pooling of each plane. */
static inline void edgediff_pool2d(const pool2d_params_t *p, const void *in, void *out, int is_max,
                                   edgediff_load_t load, edgediff_store_t store) {
    int32_t o = 0;
    for (int32_t plane = 0; plane < p->planes; ++plane) {
        const int32_t in_plane = plane * p->h_in * p->w_in;
        for (int32_t y = 0; y < p->h_out; ++y) {
            int32_t y0, y1, h_padded;
            edgediff_pool_window(y, p->stride_h, p->pad_h, p->kernel_h, p->h_in, &y0, &y1, &h_padded);
            for (int32_t x = 0; x < p->w_out; ++x) {
                int32_t x0, x1, w_padded;
                edgediff_pool_window(x, p->stride_w, p->pad_w, p->kernel_w, p->w_in, &x0, &x1,
                                     &w_padded);
                float acc = is_max ? -INFINITY : 0.0f;
                for (int32_t iy = y0; iy < y1; ++iy) {
                    for (int32_t ix = x0; ix < x1; ++ix) {
                        const float v = load(in, in_plane + iy * p->w_in + ix);
                        if (!is_max) {
                            acc += v;
                        } else if (v > acc || v != v) {
                            acc = v;
                        }
                    }
                }
                if (!is_max) {
                    const int32_t divisor = p->divisor_override ? p->divisor_override
                                            : p->count_include_pad ? h_padded * w_padded
                                                                   : (y1 - y0) * (x1 - x0);
                    acc = acc / (float)divisor;
                }
                store(out, o++, acc);
            }
        }
    }
}

#endif /* EDGEDIFF_REDUCE_LOOPS_H */
