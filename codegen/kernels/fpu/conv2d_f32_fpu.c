/* FP32 3x3 convolution for cores with a scalar FPU (rv32 F, Cortex-M4/M7/M33): pad 1,
 * stride 1 or 2, groups 1. No scratch: the tiles read the input tensor and the weights
 * (torch's [co][ci][3][3]) where they lie. ACCUMULATION: FP32 with fused multiply-adds
 * (fmaf: one rounding per multiply-add where the reference rounds twice, so Higham's
 * gamma_K bound of the reference's error analysis still bounds it); the bias seeds the
 * sum, the activation acts on the FP32 sum.
 *
 * A tile is 4 output channels x 4 consecutive output pixels of one row: 16 accumulators,
 * the 6 (stride 2: 9) input values of a kernel row and the 4 weights of a tap in FP
 * registers (26 or 29 of the 32); per input channel it costs 3 x (6 (9) + 12) loads, 144
 * FMAs and 7 pointer steps. The padding costs no test in the loop: a kernel row above or
 * below the input reads a row of zeros whose channel step is 0, and the first (last) tile
 * of a row is a variant that takes the padding column as the constant 0 (a right border
 * only ever hides the tile's last input column). Fewer than 4 channels left: tiles of 1
 * channel x 4 pixels; fewer than 4 pixels left at the end of a row: one pixel at a time,
 * with bounds tests. A row window (conv2d_params_t rows > 0, tiled execution) runs the same
 * tiles on output rows [row0, row0 + rows) only, reading and writing band buffers whose first
 * rows and plane heights it gives: the padding rows are still the image's, so each output
 * is the same sum as in the whole call. */
#include <math.h>
#include <stddef.h>

#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"
#include "edgediff/kernels_fpu.h"

#define EDGEDIFF_CF32_INLINE static inline __attribute__((always_inline))

/* A padding row: 9 values (a stride-2 tile's widest row), read with channel step 0. */
static const float edgediff_cf32_zeros[9];

/* One tile's operands. r[k]: kernel row k's input row at the tile's first input column
 * (column x * S - 1, or x * S for a tile on the left border, which skips that column) in
 * the first input channel; step[k]: its channel step (0 for a padding row). */
typedef struct {
    const float *r[3];
    int32_t step[3];
    const float *w;    /* the first output channel's weights, first input channel */
    int32_t wstep;     /* c_in * 9: one output channel to the next */
    int32_t c_in;
    const float *bias; /* CO values */
    float *out;        /* (co0, y, x) */
    int32_t plane;     /* h_out * w_out */
    int32_t act;
} edgediff_cf32_tile_t;

EDGEDIFF_CF32_INLINE float edgediff_cf32_act(float v, int32_t act) {
    if (act == EDGEDIFF_ACT_NONE) {
        return v;
    }
    return act == EDGEDIFF_ACT_RELU ? edgediff_relu(v) : edgediff_apply_act(v, act);
}

#define EDGEDIFF_CF32_Q(c, wv, x0, x1, x2, x3)                                           \
    a##c##0 = fmaf(x0, wv, a##c##0);                                                   \
    a##c##1 = fmaf(x1, wv, a##c##1);                                                   \
    a##c##2 = fmaf(x2, wv, a##c##2);                                                   \
    a##c##3 = fmaf(x3, wv, a##c##3)
/* Tap k of a CO-channel tile: its weights times 4 input values. */
#define EDGEDIFF_CF32_TAP(k, x0, x1, x2, x3)                                             \
    do {                                                                               \
        const float wa = w0[k];                                                        \
        EDGEDIFF_CF32_Q(0, wa, x0, x1, x2, x3);                                        \
        if (CO == 4) {                                                                 \
            const float wb = w1[k], wc = w2[k], wd = w3[k];                            \
            EDGEDIFF_CF32_Q(1, wb, x0, x1, x2, x3);                                    \
            EDGEDIFF_CF32_Q(2, wc, x0, x1, x2, x3);                                    \
            EDGEDIFF_CF32_Q(3, wd, x0, x1, x2, x3);                                    \
        }                                                                              \
    } while (0)
/* Input value j of a kernel row (column x * S - 1 + j): the padding column is 0. */
#define EDGEDIFF_CF32_V(r, j, last) (L && (j) == 0 ? 0.0f : R && (j) == (last) ? 0.0f : (r)[(j) - L])
/* Kernel row ky: 6 input values, stride 1. */
#define EDGEDIFF_CF32_ROW1(r, ky)                                                        \
    do {                                                                               \
        const float v0 = EDGEDIFF_CF32_V(r, 0, 5), v1 = EDGEDIFF_CF32_V(r, 1, 5);        \
        const float v2 = EDGEDIFF_CF32_V(r, 2, 5), v3 = EDGEDIFF_CF32_V(r, 3, 5);        \
        const float v4 = EDGEDIFF_CF32_V(r, 4, 5), v5 = EDGEDIFF_CF32_V(r, 5, 5);        \
        EDGEDIFF_CF32_TAP((ky) * 3, v0, v1, v2, v3);                                     \
        EDGEDIFF_CF32_TAP((ky) * 3 + 1, v1, v2, v3, v4);                                 \
        EDGEDIFF_CF32_TAP((ky) * 3 + 2, v2, v3, v4, v5);                                 \
    } while (0)
/* Kernel row ky: 9 input values, stride 2. */
#define EDGEDIFF_CF32_ROW2(r, ky)                                                        \
    do {                                                                               \
        const float v0 = EDGEDIFF_CF32_V(r, 0, 8), v1 = EDGEDIFF_CF32_V(r, 1, 8);        \
        const float v2 = EDGEDIFF_CF32_V(r, 2, 8), v3 = EDGEDIFF_CF32_V(r, 3, 8);        \
        const float v4 = EDGEDIFF_CF32_V(r, 4, 8), v5 = EDGEDIFF_CF32_V(r, 5, 8);        \
        const float v6 = EDGEDIFF_CF32_V(r, 6, 8), v7 = EDGEDIFF_CF32_V(r, 7, 8);        \
        const float v8 = EDGEDIFF_CF32_V(r, 8, 8);                                       \
        EDGEDIFF_CF32_TAP((ky) * 3, v0, v2, v4, v6);                                     \
        EDGEDIFF_CF32_TAP((ky) * 3 + 1, v1, v3, v5, v7);                                 \
        EDGEDIFF_CF32_TAP((ky) * 3 + 2, v2, v4, v6, v8);                                 \
    } while (0)
#define EDGEDIFF_CF32_SEED(c)                                                            \
    float a##c##0 = t->bias[c], a##c##1 = a##c##0, a##c##2 = a##c##0, a##c##3 = a##c##0
#define EDGEDIFF_CF32_STORE(c)                                                           \
    do {                                                                               \
        float *o = t->out + (c) * t->plane;                                            \
        o[0] = edgediff_cf32_act(a##c##0, act), o[1] = edgediff_cf32_act(a##c##1, act); \
        o[2] = edgediff_cf32_act(a##c##2, act), o[3] = edgediff_cf32_act(a##c##3, act); \
    } while (0)

/* One tile of CO (4 or 1) channels x 4 pixels, stride S, left/right border L/R. */
EDGEDIFF_CF32_INLINE void edgediff_cf32_tile(const edgediff_cf32_tile_t *t, const int CO,
                                             const int S, const int L, const int R) {
    const float *r0 = t->r[0], *r1 = t->r[1], *r2 = t->r[2];
    const int32_t s0 = t->step[0], s1 = t->step[1], s2 = t->step[2];
    const float *w0 = t->w, *w1 = w0 + t->wstep, *w2 = w1 + t->wstep, *w3 = w2 + t->wstep;
    const int32_t act = t->act;
    EDGEDIFF_CF32_SEED(0);
    EDGEDIFF_CF32_SEED(1);
    EDGEDIFF_CF32_SEED(2);
    EDGEDIFF_CF32_SEED(3);
    (void)w1, (void)w2, (void)w3;
    for (int32_t ci = 0; ci < t->c_in; ++ci) {
        if (S == 1) {
            EDGEDIFF_CF32_ROW1(r0, 0);
            EDGEDIFF_CF32_ROW1(r1, 1);
            EDGEDIFF_CF32_ROW1(r2, 2);
        } else {
            EDGEDIFF_CF32_ROW2(r0, 0);
            EDGEDIFF_CF32_ROW2(r1, 1);
            EDGEDIFF_CF32_ROW2(r2, 2);
        }
        r0 += s0, r1 += s1, r2 += s2;
        w0 += 9;
        if (CO == 4) {
            w1 += 9, w2 += 9, w3 += 9;
        }
    }
    EDGEDIFF_CF32_STORE(0);
    if (CO == 4) {
        EDGEDIFF_CF32_STORE(1);
        EDGEDIFF_CF32_STORE(2);
        EDGEDIFF_CF32_STORE(3);
    }
}

/* Output pixel (y, x) of channel co, bounds tested: the pixels past the last full tile. */
static float edgediff_cf32_pixel(const conv2d_params_t *p, const float *in, const float *w,
                                 float sum, int32_t y, int32_t x);

/* The row window (conv2d_params_t): output rows [*first, *end), the image row of the input
 * and output buffers' first rows and their channel plane sizes in elements. */
EDGEDIFF_CF32_INLINE void edgediff_cf32_window(const conv2d_params_t *p, int32_t *first, int32_t *end,
                                               int32_t *in_first, int32_t *in_plane,
                                               int32_t *out_first, int32_t *out_plane) {
    const int32_t tiled = p->rows > 0;
    *first = tiled ? p->row0 : 0;
    *end = tiled ? p->row0 + p->rows : p->h_out;
    *in_first = tiled ? p->in_row0 : 0;
    *in_plane = (tiled ? p->in_rows : p->h_in) * p->w_in;
    *out_first = tiled ? p->out_row0 : 0;
    *out_plane = (tiled ? p->out_rows : p->h_out) * p->w_out;
}

/* Every output row of one block of CO channels, stride S: the tiles of a row (the border
 * variants inlined next to the inner one, so one call serves the block), then the pixels
 * past the last full tile. */
EDGEDIFF_CF32_INLINE void edgediff_cf32_block(edgediff_cf32_tile_t *t, const conv2d_params_t *p,
                                              const float *in_n, float *out_c, const int CO,
                                              const int S) {
    const int32_t h_in = p->h_in, w_in = p->w_in, w_out = p->w_out;
    const int32_t full = w_out & ~3;
    int32_t first, end, in_first, plane_in, out_first, plane_out;
    edgediff_cf32_window(p, &first, &end, &in_first, &plane_in, &out_first, &plane_out);
    (void)plane_out;
    for (int32_t y = first; y < end; ++y) {
        const float *rows[3];
        for (int32_t k = 0; k < 3; ++k) {
            const int32_t iy = y * S - 1 + k;
            const int32_t inside = iy >= 0 && iy < h_in;
            rows[k] = inside ? in_n + (iy - in_first) * w_in : NULL;
            t->step[k] = inside ? plane_in : 0;
        }
        for (int32_t x = 0; x < full; x += 4) {
            const int32_t left = x == 0, right = (x + 3) * S + 1 >= w_in;
            for (int32_t k = 0; k < 3; ++k) {
                t->r[k] = rows[k] ? rows[k] + x * S - 1 + left : edgediff_cf32_zeros;
            }
            t->out = out_c + (y - out_first) * w_out + x;
            if (!left && !right) {
                edgediff_cf32_tile(t, CO, S, 0, 0);
            } else if (!right) {
                edgediff_cf32_tile(t, CO, S, 1, 0);
            } else if (!left) {
                edgediff_cf32_tile(t, CO, S, 0, 1);
            } else {
                edgediff_cf32_tile(t, CO, S, 1, 1);
            }
        }
        for (int32_t x = full; x < w_out; ++x) {
            for (int32_t c = 0; c < CO; ++c) {
                const float v = edgediff_cf32_pixel(p, in_n, t->w + c * t->wstep, t->bias[c], y, x);
                out_c[c * t->plane + (y - out_first) * w_out + x] = edgediff_cf32_act(v, p->act);
            }
        }
    }
}

#define EDGEDIFF_CF32_BLOCK(name, CO, S)                                                 \
    static __attribute__((noinline)) void name(edgediff_cf32_tile_t *t,                \
                                               const conv2d_params_t *p,               \
                                               const float *in_n, float *out_c) {      \
        edgediff_cf32_block(t, p, in_n, out_c, CO, S);                                 \
    }
EDGEDIFF_CF32_BLOCK(edgediff_cf32_block4s1, 4, 1)
EDGEDIFF_CF32_BLOCK(edgediff_cf32_block4s2, 4, 2)
EDGEDIFF_CF32_BLOCK(edgediff_cf32_block1s1, 1, 1)
EDGEDIFF_CF32_BLOCK(edgediff_cf32_block1s2, 1, 2)

/* Output pixel (y, x) of channel co, bounds tested: the pixels past the last full tile. */
static float edgediff_cf32_pixel(const conv2d_params_t *p, const float *in, const float *w,
                                 float sum, int32_t y, int32_t x) {
    const int32_t s = p->stride_h;
    int32_t first, end, in_first, plane_in, out_first, plane_out;
    edgediff_cf32_window(p, &first, &end, &in_first, &plane_in, &out_first, &plane_out);
    for (int32_t ci = 0; ci < p->c_in; ++ci) {
        for (int32_t ky = 0; ky < 3; ++ky) {
            const int32_t iy = y * s - 1 + ky;
            for (int32_t kx = 0; kx < 3; ++kx) {
                const int32_t ix = x * s - 1 + kx;
                if (iy >= 0 && iy < p->h_in && ix >= 0 && ix < p->w_in) {
                    sum = fmaf(in[ci * plane_in + (iy - in_first) * p->w_in + ix], w[(ci * 3 + ky) * 3 + kx], sum);
                }
            }
        }
    }
    return sum;
}

void edgediff_conv2d_f32_fpu(const conv2d_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out) {
    const int32_t s = p->stride_h;
    int32_t first, end, in_first, plane_in, out_first, plane;
    edgediff_cf32_window(p, &first, &end, &in_first, &plane_in, &out_first, &plane);
    edgediff_cf32_tile_t t;
    t.wstep = p->c_in * 9;
    t.c_in = p->c_in;
    t.plane = plane;
    t.act = p->act;
    for (int32_t n = 0; n < p->n; ++n) {
        const float *in_n = in + n * p->c_in * plane_in;
        for (int32_t co0 = 0, co = 4; co0 < p->c_out; co0 += co) {
            co = p->c_out - co0 >= 4 ? 4 : 1;
            float b[4];
            for (int32_t c = 0; c < co; ++c) {
                b[c] = bias ? bias[co0 + c] : 0.0f;
            }
            t.bias = b;
            t.w = weight + co0 * t.wstep;
            float *out_c = out + (n * p->c_out + co0) * plane;
            if (co == 4) {
                (s == 1 ? edgediff_cf32_block4s1 : edgediff_cf32_block4s2)(&t, p, in_n, out_c);
            } else {
                (s == 1 ? edgediff_cf32_block1s1 : edgediff_cf32_block1s2)(&t, p, in_n, out_c);
            }
        }
    }
}
