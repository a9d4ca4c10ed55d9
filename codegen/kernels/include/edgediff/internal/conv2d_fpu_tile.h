/* The FP32 register tile of the scalar-FPU 3x3 convolution (pad 1, stride 1 or 2), shared
 * by conv2d_f32_fpu.c (float input, weights and output where they lie); an FP16 output
 * (each sum rounded once on store) is kept for a kernel that widens its operands into
 * float scratch first. Template header (not API): the including .c defines EDGEDIFF_CF32_OUT_T,
 * the output element type (float, or edgediff_f16_t: each sum rounded once on store).
 *
 * A tile is 4 output channels x 4 consecutive output pixels of one row: 16 accumulators,
 * the 6 (stride 2: 9) input values of a kernel row and the 4 weights of a tap in FP
 * registers (26 or 29 of the 32); per input channel it costs 3 x (6 (9) + 12) loads, 144
 * FMAs and 7 pointer steps. The padding costs no test in the loop: a kernel row above or
 * below the input reads a row of zeros whose channel step is 0, and the first (last) tile
 * of a row is a variant that takes the padding column as the constant 0 (a right border
 * only ever hides the tile's last input column). ACCUMULATION: FP32 with fused
 * multiply-adds; the bias seeds the sum, the activation acts on the FP32 sum. */
#ifndef EDGEDIFF_CF32_OUT_T
#error "define EDGEDIFF_CF32_OUT_T before including conv2d_fpu_tile.h"
#endif
#include <math.h>
#include <stddef.h>

#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

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
    EDGEDIFF_CF32_OUT_T *out; /* (co0, y, x) */
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
        EDGEDIFF_CF32_OUT_T *o = t->out + (c) * t->plane;                              \
        o[0] = (EDGEDIFF_CF32_OUT_T)edgediff_cf32_act(a##c##0, act);                   \
        o[1] = (EDGEDIFF_CF32_OUT_T)edgediff_cf32_act(a##c##1, act);                   \
        o[2] = (EDGEDIFF_CF32_OUT_T)edgediff_cf32_act(a##c##2, act);                   \
        o[3] = (EDGEDIFF_CF32_OUT_T)edgediff_cf32_act(a##c##3, act);                   \
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

#undef EDGEDIFF_CF32_Q
#undef EDGEDIFF_CF32_TAP
#undef EDGEDIFF_CF32_V
#undef EDGEDIFF_CF32_ROW1
#undef EDGEDIFF_CF32_ROW2
#undef EDGEDIFF_CF32_SEED
#undef EDGEDIFF_CF32_STORE
#undef EDGEDIFF_CF32_OUT_T
