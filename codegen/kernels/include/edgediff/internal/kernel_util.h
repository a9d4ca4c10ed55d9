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

/* ---- Element access ----------------------------------------------------------------------
 * The loops that FP32 and FP16 kernels share are written once, below, over untyped tensors
 * accessed through these functions: a load widens one element to float, a store rounds a
 * float result once (a plain store for FP32), `at` offsets a tensor pointer by a number of
 * elements (so hot loops walk row pointers, as typed code would), and a move copies one
 * element bit for bit (data movement never goes through float). Kernel files pass constant
 * functions, so once a loop is inlined into its kernel the compiler sees plain typed loads
 * and stores, with no call per element. */
typedef float (*edgediff_load_t)(const void *tensor, int32_t index);
typedef void (*edgediff_store_t)(void *tensor, int32_t index, float value);
typedef const void *(*edgediff_at_t)(const void *tensor, int32_t index);
typedef void (*edgediff_move_t)(void *dst, int32_t dst_index, const void *src, int32_t src_index);

static inline float edgediff_load_f32(const void *tensor, int32_t index) {
    return ((const float *)tensor)[index];
}

static inline void edgediff_store_f32(void *tensor, int32_t index, float value) {
    ((float *)tensor)[index] = value;
}

static inline const void *edgediff_at_f32(const void *tensor, int32_t index) {
    return (const float *)tensor + index;
}

static inline void edgediff_move_f32(void *dst, int32_t dst_index, const void *src,
                                     int32_t src_index) {
    ((float *)dst)[dst_index] = ((const float *)src)[src_index];
}

/* Widening half to float is exact. */
static inline float edgediff_load_f16(const void *tensor, int32_t index) {
    return (float)((const edgediff_f16_t *)tensor)[index];
}

/* The one rounding of an FP16 kernel: float to half, to nearest even; overflow gives +-inf. */
static inline void edgediff_store_f16(void *tensor, int32_t index, float value) {
    ((edgediff_f16_t *)tensor)[index] = (edgediff_f16_t)value;
}

static inline const void *edgediff_at_f16(const void *tensor, int32_t index) {
    return (const edgediff_f16_t *)tensor + index;
}

static inline void edgediff_move_f16(void *dst, int32_t dst_index, const void *src,
                                     int32_t src_index) {
    ((edgediff_f16_t *)dst)[dst_index] = ((const edgediff_f16_t *)src)[src_index];
}

/* ---- Shared loops ------------------------------------------------------------------------
 * Each is the body of the reference kernel of the same op (see kernels.h for semantics),
 * for any element type: operands are loaded to float, all arithmetic and accumulation is
 * float, and each output element is stored once. Optional operands (bias, gamma, beta) may
 * be NULL. */

/* First and one-past-last kernel tap whose input coordinate origin + k*dilation lies in
 * [0, size). */
static inline void edgediff_clip_taps(int32_t origin, int32_t dilation, int32_t taps,
                                      int32_t size, int32_t *first, int32_t *end) {
    int32_t lo = 0, hi = taps;
    while (lo < hi && origin + lo * dilation < 0) {
        ++lo;
    }
    while (hi > lo && origin + (hi - 1) * dilation >= size) {
        --hi;
    }
    *first = lo;
    *end = hi;
}

/* The convolution's loop is conv2d_ref.h: typed, for speed (see there). */

/* Fully connected layer: one dot product per output. */
static inline void edgediff_linear(const linear_params_t *p, const void *in, const void *weight,
                                   const void *bias, void *out, edgediff_load_t load,
                                   edgediff_store_t store, edgediff_at_t at) {
    for (int32_t r = 0; r < p->rows; ++r) {
        const void *in_row = at(in, r * p->in_features);
        for (int32_t o = 0; o < p->out_features; ++o) {
            const void *w_row = at(weight, o * p->in_features);
            float acc = bias ? load(bias, o) : 0.0f;
            for (int32_t i = 0; i < p->in_features; ++i) {
                acc += load(in_row, i) * load(w_row, i);
            }
            store(out, r * p->out_features + o, edgediff_apply_act(acc, p->act));
        }
    }
}

/* Group norm with float statistics. Two passes (mean, then mean of squared deviations)
 * rather than E[x^2] - E[x]^2, which cancels catastrophically in float when |mean| >> std. */
static inline void edgediff_group_norm(const group_norm_params_t *p, const void *in,
                                       const void *gamma, const void *beta, void *out,
                                       edgediff_load_t load, edgediff_store_t store) {
    const int32_t channels_per_group = p->channels / p->groups;
    const int32_t group_size = channels_per_group * p->spatial;
    const float inv_group_size = 1.0f / (float)group_size;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t g = 0; g < p->groups; ++g) {
            const int32_t c_first = g * channels_per_group;
            const int32_t base = (n * p->channels + c_first) * p->spatial;

            float sum = 0.0f;
            for (int32_t i = 0; i < group_size; ++i) {
                sum += load(in, base + i);
            }
            const float mean = sum * inv_group_size;

            float sq_sum = 0.0f;
            for (int32_t i = 0; i < group_size; ++i) {
                const float d = load(in, base + i) - mean;
                sq_sum += d * d;
            }
            const float rstd = 1.0f / sqrtf(sq_sum * inv_group_size + p->eps);

            for (int32_t c = 0; c < channels_per_group; ++c) {
                const int32_t ch = c_first + c;
                const float scale = gamma ? load(gamma, ch) * rstd : rstd;
                const float shift = beta ? load(beta, ch) : 0.0f;
                const int32_t first = base + c * p->spatial;
                for (int32_t i = first; i < first + p->spatial; ++i) {
                    const float y = (load(in, i) - mean) * scale + shift;
                    store(out, i, edgediff_apply_act(y, p->act));
                }
            }
        }
    }
}

typedef float (*edgediff_binary_op_t)(float a, float b);

/* The broadcasting loop shared by add/sub/mul. out is dense in out_shape; a and b are
 * addressed through their strides (0 on broadcast dims). Each out element is written only
 * after its operands are read, so out may alias an operand that is not broadcast.
 * Called with a constant op, the compiler inlines it, so there is no call per element. */
static inline void edgediff_binary(const binary_params_t *p, const void *a, const void *b,
                                   void *out, edgediff_binary_op_t op, edgediff_load_t load,
                                   edgediff_store_t store) {
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
                    const float v = op(load(a, a_row + i3 * as[3]), load(b, b_row + i3 * bs[3]));
                    store(out, o++, edgediff_apply_act(v, p->act));
                }
            }
        }
    }
}

/* Concat: for each outer index, append each input's contiguous slab in turn. */
static inline void edgediff_concat(const concat_params_t *p, const void *const *inputs,
                                   void *out, edgediff_move_t move) {
    int32_t dst = 0;
    for (int32_t o = 0; o < p->outer; ++o) {
        for (int32_t k = 0; k < p->count; ++k) {
            const int32_t size = p->inner_sizes[k];
            for (int32_t i = 0; i < size; ++i) {
                move(out, dst++, inputs[k], o * size + i);
            }
        }
    }
}

/* Nearest-neighbour source index exactly like torch (float scale = in/out,
 * floorf(dst * scale)), not the exact integer ratio: the two disagree for some sizes
 * (e.g. 26 -> 22) because the float scale is rounded. */
static inline int32_t edgediff_nearest_source_index(int32_t dst, float scale, int32_t in_size) {
    const int32_t src = (int32_t)floorf((float)dst * scale);
    return src < in_size - 1 ? src : in_size - 1;
}

static inline void edgediff_upsample_nearest2d(const upsample_nearest2d_params_t *p,
                                               const void *in, void *out, edgediff_move_t move) {
    const float scale_h = (float)p->h_in / (float)p->h_out;
    const float scale_w = (float)p->w_in / (float)p->w_out;
    const int32_t planes = p->n * p->channels;
    int32_t dst = 0;
    for (int32_t plane = 0; plane < planes; ++plane) {
        const int32_t in_plane = plane * p->h_in * p->w_in;
        for (int32_t y = 0; y < p->h_out; ++y) {
            const int32_t in_row =
                in_plane + edgediff_nearest_source_index(y, scale_h, p->h_in) * p->w_in;
            for (int32_t x = 0; x < p->w_out; ++x) {
                move(out, dst++, in, in_row + edgediff_nearest_source_index(x, scale_w, p->w_in));
            }
        }
    }
}

/* PReLU, one slope per channel or one shared (slope_stride 0): float arithmetic, one
 * rounding on store. */
static inline void edgediff_prelu(const prelu_params_t *p, const void *in, const void *slope,
                                  void *out, edgediff_load_t load, edgediff_store_t store) {
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t c = 0; c < p->channels; ++c) {
            const float s = load(slope, c * p->slope_stride);
            const int32_t base = (n * p->channels + c) * p->spatial;
            for (int32_t i = 0; i < p->spatial; ++i) {
                const float v = load(in, base + i);
                store(out, base + i, v > 0.0f ? v : s * v);
            }
        }
    }
}

/* The row of a table that a float index selects, clamped to the table: a bad index reads a
 * valid row instead of memory past the table. */
static inline void edgediff_table_row(const table_row_params_t *p, const void *table,
                                      const float *index, void *out, edgediff_move_t move) {
    int32_t row = (int32_t)index[0];
    row = row < 0 ? 0 : (row >= p->rows ? p->rows - 1 : row);
    for (int32_t i = 0; i < p->row_size; ++i) {
        move(out, i, table, row * p->row_size + i);
    }
}

#endif /* EDGEDIFF_KERNEL_UTIL_H */
