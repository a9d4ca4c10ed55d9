/* FP16-storage pointwise (1x1, stride 1, pad 0) convolution with widened weights, for cores
 * with a scalar FPU: the weights of each block of output channels (8 where c_out >= 8, else
 * 4) are widened once per layer into the scratch, and register tiles read them as floats
 * and the input halves in place, each half widened once per tile and used for every output
 * channel of the block. On rv32 (no pair loads) a block of 8 runs 8 x 3 tiles (24
 * accumulators; per input channel 3 widened halves and 8 weights serve 24 MACs: 38
 * instructions, where 4 x 4 tiles take 28 for 16), the weights laid [ci][8]. On Arm the
 * 4 x 4 tiles of conv2d_1x1_f32_fpu read the halves two per 32-bit load where the rows are
 * 4-byte aligned (a 3-pixel tile would lose them), the block's weights laid as 4-channel
 * halves [2][ci][4]; a block of 4 is [ci][4] everywhere. In conv2d_1x1_f16_fpu, which
 * needs no scratch, every tile widens each weight again. ACCUMULATION: FP32 with fused
 * multiply-adds, one rounding to half per output. The memory planner takes this kernel
 * only where its scratch (32 bytes per input channel, 16 below 8 output channels) does not
 * grow the arena (codegen/plan.py). */
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

/* 4 output channels (widened weights w: [ci][4]) x 4 pixels at x (input rows hw apart)
 * to out (channel step hw), for `pixels` pixels (a multiple of 4) a tile at a time (one
 * call per run: a call per tile costs ~16 instructions on Arm); two input channels per
 * iteration; A: pair loads. */
static inline __attribute__((always_inline)) void edgediff_pb16_tile_body(
    const edgediff_f16_t *x0_, const float *w, const float *b, edgediff_f16_t *out,
    int32_t c_in, int32_t hw, int32_t act, int32_t pixels, const int A) {
    (void)A;
    for (const edgediff_f16_t *x_end = x0_ + pixels; x0_ != x_end; x0_ += 4, out += 4) {
        float a00 = b[0], a01 = b[0], a02 = b[0], a03 = b[0];
        float a10 = b[1], a11 = b[1], a12 = b[1], a13 = b[1];
        float a20 = b[2], a21 = b[2], a22 = b[2], a23 = b[2];
        float a30 = b[3], a31 = b[3], a32 = b[3], a33 = b[3];
        const edgediff_f16_t *x = x0_;
        const float *wp = w;
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
}

typedef void (*edgediff_pb16_tile_fn)(const edgediff_f16_t *, const float *, const float *,
                                      edgediff_f16_t *, int32_t, int32_t, int32_t, int32_t);
static void edgediff_pb16_tile(const edgediff_f16_t *x, const float *w, const float *b,
                               edgediff_f16_t *out, int32_t c_in, int32_t hw, int32_t act,
                               int32_t pixels) {
    edgediff_pb16_tile_body(x, w, b, out, c_in, hw, act, pixels, 0);
}
#if EDGEDIFF_FPU_PAIRS
static void edgediff_pb16_tile_pairs(const edgediff_f16_t *x, const float *w, const float *b,
                                     edgediff_f16_t *out, int32_t c_in, int32_t hw, int32_t act,
                                     int32_t pixels) {
    edgediff_pb16_tile_body(x, w, b, out, c_in, hw, act, pixels, 1);
}
#endif

#if !EDGEDIFF_FPU_PAIRS
/* 8 x 3: output channel c's weight at wq times x0..x2. */
#define EDGEDIFF_PB16_R(c, wq)                                                           \
    do {                                                                                 \
        const float v = (wq)[c];                                                         \
        a##c##0 = fmaf(x0, v, a##c##0);                                                  \
        a##c##1 = fmaf(x1, v, a##c##1);                                                  \
        a##c##2 = fmaf(x2, v, a##c##2);                                                  \
    } while (0)
/* One input channel: row x (3 halves, each widened once), the 8 weights at wq. */
#define EDGEDIFF_PB16_STEP8(x, wq)                                                       \
    do {                                                                                 \
        const float x0 = (float)(x)[0], x1 = (float)(x)[1], x2 = (float)(x)[2];          \
        EDGEDIFF_PB16_R(0, wq);                                                          \
        EDGEDIFF_PB16_R(1, wq);                                                          \
        EDGEDIFF_PB16_R(2, wq);                                                          \
        EDGEDIFF_PB16_R(3, wq);                                                          \
        EDGEDIFF_PB16_R(4, wq);                                                          \
        EDGEDIFF_PB16_R(5, wq);                                                          \
        EDGEDIFF_PB16_R(6, wq);                                                          \
        EDGEDIFF_PB16_R(7, wq);                                                          \
    } while (0)

/* 8 output channels (widened weights wp: [ci][8]) x 3 pixels at x (input rows hw apart) to
 * out (channel step hw); two input channels per iteration. */
static void edgediff_pb16_tile8(const edgediff_f16_t *x, const float *wp, const float *b,
                                edgediff_f16_t *out, int32_t c_in, int32_t hw, int32_t act) {
    float a00 = b[0], a01 = b[0], a02 = b[0], a10 = b[1], a11 = b[1], a12 = b[1];
    float a20 = b[2], a21 = b[2], a22 = b[2], a30 = b[3], a31 = b[3], a32 = b[3];
    float a40 = b[4], a41 = b[4], a42 = b[4], a50 = b[5], a51 = b[5], a52 = b[5];
    float a60 = b[6], a61 = b[6], a62 = b[6], a70 = b[7], a71 = b[7], a72 = b[7];
    const float *end = wp + (c_in & ~1) * 8;
    for (; wp != end; wp += 16, x += 2 * hw) {
        EDGEDIFF_PB16_STEP8(x, wp);
        EDGEDIFF_PB16_STEP8(x + hw, wp + 8);
    }
    if (c_in & 1) {
        EDGEDIFF_PB16_STEP8(x, wp);
    }
    if (act == EDGEDIFF_ACT_NONE || act == EDGEDIFF_ACT_RELU) {
        /* straight from the registers (through an array: 3 more instructions an output) */
        const int relu = act == EDGEDIFF_ACT_RELU;
#define EDGEDIFF_PB16_OUT(c)                                                             \
    do {                                                                                 \
        edgediff_f16_t *o = out + (c) * hw;                                              \
        o[0] = (edgediff_f16_t)(relu ? edgediff_relu(a##c##0) : a##c##0);                \
        o[1] = (edgediff_f16_t)(relu ? edgediff_relu(a##c##1) : a##c##1);                \
        o[2] = (edgediff_f16_t)(relu ? edgediff_relu(a##c##2) : a##c##2);                \
    } while (0)
        EDGEDIFF_PB16_OUT(0);
        EDGEDIFF_PB16_OUT(1);
        EDGEDIFF_PB16_OUT(2);
        EDGEDIFF_PB16_OUT(3);
        EDGEDIFF_PB16_OUT(4);
        EDGEDIFF_PB16_OUT(5);
        EDGEDIFF_PB16_OUT(6);
        EDGEDIFF_PB16_OUT(7);
#undef EDGEDIFF_PB16_OUT
        return;
    }
    const float acc[24] = {a00, a01, a02, a10, a11, a12, a20, a21, a22, a30, a31, a32,
                           a40, a41, a42, a50, a51, a52, a60, a61, a62, a70, a71, a72};
    for (int c = 0; c < 8; ++c) {
        for (int j = 0; j < 3; ++j) {
            edgediff_pb16_put(out + c * hw + j, acc[c * 3 + j], act);
        }
    }
}
#undef EDGEDIFF_PB16_STEP8
#undef EDGEDIFF_PB16_R
#endif

/* Output channel c of the block (its widened weights from wp, stride apart) at one
 * pixel: the pixels past the last tile. */
static float edgediff_pb16_dot(const edgediff_f16_t *x, const float *wp, float b, int32_t c_in,
                               int32_t hw, int32_t stride) {
    for (int32_t ci = 0; ci < c_in; ++ci) {
        b = fmaf((float)x[ci * hw], wp[ci * stride], b);
    }
    return b;
}

/* The 4 x 4 tiles over one image's hw pixels for 4 output channels (widened weights wq:
 * [ci][4], biases bq) to y (channel step hw); the pixels past the last tile one at a time. */
static inline __attribute__((always_inline)) void edgediff_pb16_quad(const edgediff_f16_t *x, const float *wq, const float *bq,
                               edgediff_f16_t *y, int32_t c_in, int32_t hw, int32_t act,
                               edgediff_pb16_tile_fn tile) {
    const int32_t hw4 = hw - hw % 4;
    if (hw4 > 0) {
        tile(x, wq, bq, y, c_in, hw, act, hw4);
    }
    for (int32_t i = hw4; i < hw; ++i) {
        for (int c = 0; c < 4; ++c) {
            edgediff_pb16_put(y + c * hw + i, edgediff_pb16_dot(x + i, wq + c, bq[c], c_in, hw, 4),
                              act);
        }
    }
}

/* The weights of `channels` output channels (rows of c_in halves at w) widened to
 * [ci][channels] floats at wf. */
static void edgediff_pb16_widen(const edgediff_f16_t *w, float *wf, int channels, int32_t c_in) {
    for (int c = 0; c < channels; ++c) {
        for (int32_t ci = 0; ci < c_in; ++ci) {
            wf[ci * channels + c] = (float)w[c * c_in + ci];
        }
    }
}

void edgediff_conv2d_1x1_band_f16_fpu(const conv2d_params_t *p, const edgediff_f16_t *in,
                                      const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                                      edgediff_f16_t *out, void *scratch) {
    const int32_t c_in = p->c_in, c_out = p->c_out, hw = p->h_out * p->w_out, act = p->act;
    const int32_t block = edgediff_conv2d_1x1_band_f16_fpu_block(p);
    /* rv32's 8 x 3 tiles read a block of 8 as [ci][8]; the 4 x 4 tiles read 4-channel
     * halves [block / 4][ci][4] */
#if EDGEDIFF_FPU_PAIRS
    const int wide = 0;
#else
    const int wide = block == 8;
#endif
    float *wf = (float *)scratch;
    edgediff_pb16_tile_fn tile = edgediff_pb16_tile;
#if EDGEDIFF_FPU_PAIRS
    if (((uintptr_t)in & 3) == 0 && hw % 2 == 0) { /* every input row 4-byte aligned */
        tile = edgediff_pb16_tile_pairs;
    }
#endif
    /* the last block, when c_out is not a multiple of the block, overlaps the one before
     * (c_out >= block) and writes its channels again with the same values */
    for (int32_t co0 = 0; co0 < c_out; co0 += block) {
        const int32_t co = co0 + block <= c_out ? co0 : c_out - block;
        float b[8];
        for (int c = 0; c < block; ++c) {
            b[c] = bias ? (float)bias[co + c] : 0.0f;
        }
        if (wide) {
            edgediff_pb16_widen(weight + co * c_in, wf, 8, c_in);
        } else {
            for (int c = 0; c < block; c += 4) {
                edgediff_pb16_widen(weight + (co + c) * c_in, wf + c * c_in, 4, c_in);
            }
        }
        for (int32_t n = 0; n < p->n; ++n) {
            const edgediff_f16_t *x = in + n * c_in * hw;
            edgediff_f16_t *y = out + (n * c_out + co) * hw;
#if !EDGEDIFF_FPU_PAIRS
            if (wide && hw >= 3) {
                /* the last tile, when hw is not a multiple of 3, overlaps the one before */
                for (int32_t i0 = 0; i0 < hw; i0 += 3) {
                    const int32_t i = i0 + 3 <= hw ? i0 : hw - 3;
                    edgediff_pb16_tile8(x + i, wf, b, y + i, c_in, hw, act);
                }
                continue;
            }
            if (wide) { /* fewer than 3 pixels */
                for (int32_t i = 0; i < hw; ++i) {
                    for (int c = 0; c < 8; ++c) {
                        edgediff_pb16_put(y + c * hw + i,
                                          edgediff_pb16_dot(x + i, wf + c, b[c], c_in, hw, 8), act);
                    }
                }
                continue;
            }
#endif
            for (int c = 0; c < block; c += 4) {
                edgediff_pb16_quad(x, wf + c * c_in, b + c, y + c * hw, c_in, hw, act, tile);
            }
        }
    }
}
