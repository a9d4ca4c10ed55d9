/* The register tiles of the scalar-FPU gather kernels (conv1d_fpu.h, conv_transpose2d_fpu.h,
 * conv2d_dw_fpu.h); internal to codegen/kernels, not API. Include after fpu_elem.h.
 *
 * The kernels first copy the input rows a stretch of outputs reads into FP32 scratch with
 * their zero padding around them (FP16 widened there, once per layer row), and the weights
 * of a block of EDGEDIFF_FPU_GATHER_CO output channels, interleaved by channel and zero past
 * the last channel. Then every output of a tile reads the scratch at fixed offsets, with no
 * bounds tests and no tails: a row of the scratch is padded to whole tiles, a partial tile
 * or channel block computes zeros that are never stored.
 *
 * edgediff_gather_tile_*: 4 output channels x 4 outputs, 16 FP32 accumulators in FP
 * registers. For each tap t (x_off, w_off: its offsets into a channel's rows and into its
 * packed weights) and each input channel: 4 input loads (outputs `step` floats apart), 4
 * weight loads (consecutive), 16 fused multiply-adds: 24 instructions for 16 MACs, and
 * the loop's few for every two input channels. ACCUMULATION: FP32 fused multiply-adds
 * (EDGEDIFF_FMA of fpu_math.h: libm's fmaf would be a call on the Arm builds); one rounding
 * per multiply-add, so the reference's gamma_K error bound still holds (it bounds K
 * roundings of at most u each). */
#ifndef EDGEDIFF_GATHER_FPU_H
#define EDGEDIFF_GATHER_FPU_H

#include <math.h>

#include "edgediff/internal/fpu_math.h"
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels_fpu.h"

#define EDGEDIFF_GATHER_CO EDGEDIFF_FPU_GATHER_CO
#define EDGEDIFF_GATHER_PX EDGEDIFF_FPU_GATHER_PX
#if EDGEDIFF_GATHER_CO != 4 || EDGEDIFF_GATHER_PX != 4
#error "the tiles below are 4 x 4"
#endif

/* The sums of one tile: the channel block's packed weights w ([channel][tap][CO] with
 * w_ch floats per input channel), the input rows at x (x_ch floats per input channel, x at
 * the tile's first output), the tap offsets, n_ci input channels. */
typedef struct {
    const float *w;
    int32_t w_ch, x_ch, n_ci, taps;
    const int32_t *x_off, *w_off;
} edgediff_gather_t;

#define EDGEDIFF_GATHER_Q(c, wv)                                                         \
    a##c##0 = EDGEDIFF_FMA(x0, wv, a##c##0);                                              \
    a##c##1 = EDGEDIFF_FMA(x1, wv, a##c##1);                                              \
    a##c##2 = EDGEDIFF_FMA(x2, wv, a##c##2);                                              \
    a##c##3 = EDGEDIFF_FMA(x3, wv, a##c##3)

/* One input channel of a tile: inputs at x (STEP apart), weights at w. */
#define EDGEDIFF_GATHER_STEP(x, w, STEP)                                                 \
    do {                                                                                 \
        const float *xs = (x), *ws = (w);                                                \
        const float x0 = xs[0], x1 = xs[(STEP)], x2 = xs[2 * (STEP)];                    \
        const float x3 = xs[3 * (STEP)];                                                 \
        const float v0 = ws[0], v1 = ws[1], v2 = ws[2], v3 = ws[3];                      \
        EDGEDIFF_GATHER_Q(0, v0);                                                        \
        EDGEDIFF_GATHER_Q(1, v1);                                                        \
        EDGEDIFF_GATHER_Q(2, v2);                                                        \
        EDGEDIFF_GATHER_Q(3, v3);                                                        \
    } while (0)

/* acc[c * 4 + p] (seeded by the caller, the bias) += the tile's sums; outputs STEP floats
 * apart in the rows (a constant in the specialised copies). */
#define EDGEDIFF_GATHER_TILE(NAME, STEP)                                                 \
    static void NAME(const edgediff_gather_t *g, const float *x, float *acc, int32_t step) { \
        (void)step;                                                                      \
        float a00 = acc[0], a01 = acc[1], a02 = acc[2], a03 = acc[3];                    \
        float a10 = acc[4], a11 = acc[5], a12 = acc[6], a13 = acc[7];                    \
        float a20 = acc[8], a21 = acc[9], a22 = acc[10], a23 = acc[11];                  \
        float a30 = acc[12], a31 = acc[13], a32 = acc[14], a33 = acc[15];                \
        const int32_t x_ch = g->x_ch, w_ch = g->w_ch, n_ci = g->n_ci;                    \
        for (int32_t t = 0; t < g->taps; ++t) {                                          \
            const float *xp = x + g->x_off[t], *wp = g->w + g->w_off[t];                 \
            int32_t i = 0;                                                               \
            for (; i + 2 <= n_ci; i += 2) {                                              \
                EDGEDIFF_GATHER_STEP(xp, wp, STEP);                                      \
                EDGEDIFF_GATHER_STEP(xp + x_ch, wp + w_ch, STEP);                        \
                xp += 2 * x_ch;                                                          \
                wp += 2 * w_ch;                                                          \
            }                                                                            \
            if (i < n_ci) {                                                              \
                EDGEDIFF_GATHER_STEP(xp, wp, STEP);                                      \
            }                                                                            \
        }                                                                                \
        acc[0] = a00, acc[1] = a01, acc[2] = a02, acc[3] = a03;                          \
        acc[4] = a10, acc[5] = a11, acc[6] = a12, acc[7] = a13;                          \
        acc[8] = a20, acc[9] = a21, acc[10] = a22, acc[11] = a23;                        \
        acc[12] = a30, acc[13] = a31, acc[14] = a32, acc[15] = a33;                      \
    }

EDGEDIFF_GATHER_TILE(edgediff_gather_tile_s1, 1)
EDGEDIFF_GATHER_TILE(edgediff_gather_tile_s2, 2)
EDGEDIFF_GATHER_TILE(edgediff_gather_tile_sn, step)

/* The tile with outputs step floats apart: the copies for steps 1 and 2 have constant
 * offsets (one load instruction each), any other step computes its addresses. */
static inline void edgediff_gather_tile(const edgediff_gather_t *g, const float *x, float *acc,
                                        int32_t step) {
    if (step == 1) {
        edgediff_gather_tile_s1(g, x, acc, 1);
    } else if (step == 2) {
        edgediff_gather_tile_s2(g, x, acc, 2);
    } else {
        edgediff_gather_tile_sn(g, x, acc, step);
    }
}

/* dst[0, width) = src[c - left] where 0 <= c - left < count, else 0: one padded row (the
 * copy 4 elements per iteration). */
static inline void edgediff_gather_row(float *dst, const elem_t *src, int32_t left, int32_t count,
                                       int32_t width) {
    int32_t c = 0;
    for (; c < left && c < width; ++c) {
        dst[c] = 0.0f;
    }
    const int32_t end = left + count < width ? left + count : width;
    src -= left;
    for (; c + 4 <= end; c += 4) {
        const float v0 = EDGEDIFF_FPU_LOAD(src + c), v1 = EDGEDIFF_FPU_LOAD(src + c + 1);
        const float v2 = EDGEDIFF_FPU_LOAD(src + c + 2), v3 = EDGEDIFF_FPU_LOAD(src + c + 3);
        dst[c] = v0, dst[c + 1] = v1, dst[c + 2] = v2, dst[c + 3] = v3;
    }
    for (; c < end; ++c) {
        dst[c] = EDGEDIFF_FPU_LOAD(src + c);
    }
    for (; c < width; ++c) {
        dst[c] = 0.0f;
    }
}

/* dst[q * step] = act(v[q]) for q < n, one rounding each; the activation chosen once. */
static inline void edgediff_gather_put(elem_t *dst, int32_t step, const float *v, int32_t n,
                                       int32_t act) {
    if (act == EDGEDIFF_ACT_NONE) {
        for (int32_t q = 0; q < n; ++q) {
            EDGEDIFF_FPU_STORE(dst + q * step, v[q]);
        }
    } else if (act == EDGEDIFF_ACT_RELU) {
        for (int32_t q = 0; q < n; ++q) {
            EDGEDIFF_FPU_STORE(dst + q * step, edgediff_relu(v[q]));
        }
    } else {
        for (int32_t q = 0; q < n; ++q) {
            EDGEDIFF_FPU_STORE(dst + q * step, edgediff_apply_act(v[q], act));
        }
    }
}

/* w[j * GATHER_CO + c] = weight[c * c_step + j * j_step] for j < count, c < n_co; zeros for
 * the channels c >= n_co of a block past the last channel (or the group's). */
static inline void edgediff_gather_pack(float *w, const elem_t *weight, int32_t c_step,
                                        int32_t j_step, int32_t count, int32_t n_co) {
    if (n_co == 4) {
        const elem_t *w0 = weight, *w1 = w0 + c_step, *w2 = w1 + c_step, *w3 = w2 + c_step;
        for (int32_t j = 0; j < count; ++j, w += 4) {
            const int32_t k = j * j_step;
            w[0] = EDGEDIFF_FPU_LOAD(w0 + k), w[1] = EDGEDIFF_FPU_LOAD(w1 + k);
            w[2] = EDGEDIFF_FPU_LOAD(w2 + k), w[3] = EDGEDIFF_FPU_LOAD(w3 + k);
        }
        return;
    }
    for (int32_t j = 0; j < count; ++j) {
        for (int32_t c = 0; c < EDGEDIFF_GATHER_CO; ++c) {
            w[j * EDGEDIFF_GATHER_CO + c] =
                c < n_co ? EDGEDIFF_FPU_LOAD(weight + c * c_step + j * j_step) : 0.0f;
        }
    }
}

#undef EDGEDIFF_GATHER_Q
#undef EDGEDIFF_GATHER_STEP
#undef EDGEDIFF_GATHER_TILE

#endif /* EDGEDIFF_GATHER_FPU_H */
