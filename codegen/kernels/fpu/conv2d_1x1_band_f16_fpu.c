/* FP16-storage pointwise (1x1, stride 1, pad 0) convolution with widened weights, for cores
 * with a scalar FPU: the weights of each block of 4 output channels are widened once per
 * layer into the scratch ([ci][4] floats), and the 4 x 4 register tiles of
 * conv2d_1x1_f32_fpu read them as floats and the input halves in place, each widened in
 * its load (on Arm two halves per 32-bit load where the rows are 4-byte aligned). In
 * conv2d_1x1_f16_fpu, which needs no scratch, every tile widens each weight again (a
 * weight serves 4 MACs, an input value 4). ACCUMULATION: FP32 with fused multiply-adds,
 * one rounding to half per output. The memory planner takes this kernel only where its
 * scratch (16 bytes per input channel) does not grow the arena (codegen/plan.py). */
#include <math.h>

#include "edgediff/internal/fpu_math.h"
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"
#include "edgediff/kernels_fpu.h"

static inline void edgediff_pb16_put(edgediff_f16_t *out, float v, int32_t act) {
    *out = (edgediff_f16_t)(act == EDGEDIFF_ACT_RELU ? edgediff_relu(v) : edgediff_apply_act(v, act));
}

#define EDGEDIFF_PB16_Q(c, wv)                                                           \
    a##c##0 = fmaf(x0, wv, a##c##0);                                                     \
    a##c##1 = fmaf(x1, wv, a##c##1);                                                     \
    a##c##2 = fmaf(x2, wv, a##c##2);                                                     \
    a##c##3 = fmaf(x3, wv, a##c##3)
/* Input values x0..x3 of row x: pair loads (A, Arm) or one half each. */
#if EDGEDIFF_FPU_PAIRS
#define EDGEDIFF_PB16_X(x)                                                               \
    float x0, x1, x2, x3;                                                                \
    if (A) {                                                                             \
        const float p0 = edgediff_fpu_pair_load(x), p1 = edgediff_fpu_pair_load((x) + 2); \
        x0 = edgediff_fpu_pair_lo(p0), x1 = edgediff_fpu_pair_hi(p0);                    \
        x2 = edgediff_fpu_pair_lo(p1), x3 = edgediff_fpu_pair_hi(p1);                    \
    } else {                                                                             \
        x0 = (float)(x)[0], x1 = (float)(x)[1], x2 = (float)(x)[2], x3 = (float)(x)[3];  \
    }
#else
#define EDGEDIFF_PB16_X(x)                                                               \
    const float x0 = (float)(x)[0], x1 = (float)(x)[1], x2 = (float)(x)[2], x3 = (float)(x)[3]
#endif

/* One input channel of the tile: input row x, the 4 weights at wp. */
#define EDGEDIFF_PB16_STEP(x, wp)                                                        \
    do {                                                                                 \
        EDGEDIFF_PB16_X(x);                                                              \
        const float v0 = (wp)[0], v1 = (wp)[1], v2 = (wp)[2], v3 = (wp)[3];              \
        EDGEDIFF_PB16_Q(0, v0);                                                          \
        EDGEDIFF_PB16_Q(1, v1);                                                          \
        EDGEDIFF_PB16_Q(2, v2);                                                          \
        EDGEDIFF_PB16_Q(3, v3);                                                          \
    } while (0)

/* 4 output channels (widened weights wp: [ci][4]) x 4 pixels at x (input rows hw apart)
 * to out (channel step hw); two input channels per iteration; A: pair loads. */
static inline __attribute__((always_inline)) void edgediff_pb16_tile_body(
    const edgediff_f16_t *x, const float *wp, const float *b, edgediff_f16_t *out,
    int32_t c_in, int32_t hw, int32_t act, const int A) {
    float a00 = b[0], a01 = b[0], a02 = b[0], a03 = b[0];
    float a10 = b[1], a11 = b[1], a12 = b[1], a13 = b[1];
    float a20 = b[2], a21 = b[2], a22 = b[2], a23 = b[2];
    float a30 = b[3], a31 = b[3], a32 = b[3], a33 = b[3];
    (void)A;
    const float *end = wp + (c_in & ~1) * 4;
    for (; wp != end; wp += 8, x += 2 * hw) {
        EDGEDIFF_PB16_STEP(x, wp);
        EDGEDIFF_PB16_STEP(x + hw, wp + 4);
    }
    if (c_in & 1) {
        EDGEDIFF_PB16_STEP(x, wp);
    }
    const float acc[16] = {a00, a01, a02, a03, a10, a11, a12, a13,
                           a20, a21, a22, a23, a30, a31, a32, a33};
    for (int c = 0; c < 4; ++c) {
        for (int j = 0; j < 4; ++j) {
            edgediff_pb16_put(out + c * hw + j, acc[c * 4 + j], act);
        }
    }
}

typedef void (*edgediff_pb16_tile_fn)(const edgediff_f16_t *, const float *, const float *,
                                      edgediff_f16_t *, int32_t, int32_t, int32_t);
static void edgediff_pb16_tile(const edgediff_f16_t *x, const float *w, const float *b,
                               edgediff_f16_t *out, int32_t c_in, int32_t hw, int32_t act) {
    edgediff_pb16_tile_body(x, w, b, out, c_in, hw, act, 0);
}
#if EDGEDIFF_FPU_PAIRS
static void edgediff_pb16_tile_pairs(const edgediff_f16_t *x, const float *w, const float *b,
                                     edgediff_f16_t *out, int32_t c_in, int32_t hw, int32_t act) {
    edgediff_pb16_tile_body(x, w, b, out, c_in, hw, act, 1);
}
#endif

/* Output channel c of the block (widened weights wp: [ci][4]) at one pixel: the pixels
 * past the last tile. */
static float edgediff_pb16_dot(const edgediff_f16_t *x, const float *wp, float b, int32_t c_in,
                               int32_t hw) {
    for (int32_t ci = 0; ci < c_in; ++ci) {
        b = fmaf((float)x[ci * hw], wp[ci * 4], b);
    }
    return b;
}

void edgediff_conv2d_1x1_band_f16_fpu(const conv2d_params_t *p, const edgediff_f16_t *in,
                                      const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                                      edgediff_f16_t *out, void *scratch) {
    const int32_t c_in = p->c_in, c_out = p->c_out, hw = p->h_out * p->w_out, act = p->act;
    const int32_t hw4 = hw - hw % 4;
    float *wf = (float *)scratch; /* [ci][4]: the block's 4 weights of each input channel */
    edgediff_pb16_tile_fn tile = edgediff_pb16_tile;
#if EDGEDIFF_FPU_PAIRS
    if (((uintptr_t)in & 3) == 0 && hw % 2 == 0) { /* every input row 4-byte aligned */
        tile = edgediff_pb16_tile_pairs;
    }
#endif
    /* blocks of 4 output channels; the last, when c_out is not a multiple of 4, overlaps
     * the one before (c_out >= 4) and writes its channels again with the same values */
    for (int32_t co0 = 0; co0 < c_out; co0 += 4) {
        const int32_t co = co0 + 4 <= c_out ? co0 : c_out - 4;
        float b[4];
        for (int c = 0; c < 4; ++c) {
            b[c] = bias ? (float)bias[co + c] : 0.0f;
        }
        for (int c = 0; c < 4; ++c) {
            for (int32_t ci = 0; ci < c_in; ++ci) {
                wf[ci * 4 + c] = (float)weight[(co + c) * c_in + ci];
            }
        }
        for (int32_t n = 0; n < p->n; ++n) {
            const edgediff_f16_t *x = in + n * c_in * hw;
            edgediff_f16_t *y = out + (n * c_out + co) * hw;
            for (int32_t i = 0; i < hw4; i += 4) {
                tile(x + i, wf, b, y + i, c_in, hw, act);
            }
            for (int32_t i = hw4; i < hw; ++i) {
                for (int c = 0; c < 4; ++c) {
                    edgediff_pb16_put(y + c * hw + i, edgediff_pb16_dot(x + i, wf + c, b[c], c_in, hw),
                                      act);
                }
            }
        }
    }
}
