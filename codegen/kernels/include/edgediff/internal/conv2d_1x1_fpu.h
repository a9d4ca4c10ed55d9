/* The scalar-FPU pointwise (1x1) convolution (fpu/conv2d_1x1_f32_fpu.c, _f16_fpu.c), written
 * once for both element types; internal to codegen/kernels. The includer defines
 * EDGEDIFF_PW_FPU_ELEM (float or edgediff_f16_t) and EDGEDIFF_PW_FPU_NAME.
 *
 * Shapes: 1x1, stride 1, pad 0, groups 1 (overrides/fpu.py): a GEMM out[co][p] = bias[co] +
 * sum_ci weight[co][ci] * in[ci][p] over the contiguous pixels p of a plane. ACCUMULATION:
 * FP32 with fused multiply-adds (fmaf; one rounding per multiply-add, so the reference's
 * gamma_K bound still holds), activation on the FP32 sum, one rounding on store.
 *
 * A tile is 4 output channels x 4 pixels: 16 accumulators in FP registers; per input channel
 * 4 input loads (one row of the plane), 4 weight loads (a column of the weight block, one
 * pointer per channel) and 16 FMAs, two input channels per iteration. Channels past the last
 * block of 4 run one at a time; pixels past the last tile of 4 one at a time. No scratch:
 * FP16 elements are widened as they are loaded (each input value serves the 4 channels of a
 * tile, each weight its 4 pixels); on Arm (fpu_math.h EDGEDIFF_FPU_PAIRS), when the input
 * and weight rows are 4-byte aligned (aligned tensors, even h * w and c_in), two halves per
 * 32-bit load: the 4 pixels of an input row in 2, the weights of 2 input channels of an
 * output channel in 1, so a step of 2 input channels costs 8 loads and 16 conversions for
 * 32 FMAs instead of 16 loads of 3 instructions each. The includer defines
 * EDGEDIFF_PW_FPU_HALF for halves. */
#if !defined(EDGEDIFF_PW_FPU_ELEM) || !defined(EDGEDIFF_PW_FPU_NAME)
#error "define EDGEDIFF_PW_FPU_ELEM and EDGEDIFF_PW_FPU_NAME before including this header"
#endif

#include <math.h>

#include "edgediff/internal/fpu_math.h"
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

#if defined(EDGEDIFF_PW_FPU_HALF) && EDGEDIFF_FPU_PAIRS
#define EDGEDIFF_PW_PAIRS 1
#else
#define EDGEDIFF_PW_PAIRS 0
#endif

typedef EDGEDIFF_PW_FPU_ELEM edgediff_pw_elem_t;

#define EDGEDIFF_PW_L(p, i) ((float)(p)[i])
#define EDGEDIFF_PW_Q(c, wv, x0, x1, x2, x3)                                             \
    a##c##0 = fmaf(x0, wv, a##c##0);                                                     \
    a##c##1 = fmaf(x1, wv, a##c##1);                                                     \
    a##c##2 = fmaf(x2, wv, a##c##2);                                                     \
    a##c##3 = fmaf(x3, wv, a##c##3)
/* One input channel of a 4 x 4 tile: input row x, weights at w0..w3 + k. */
#define EDGEDIFF_PW_STEP(x, k)                                                           \
    do {                                                                                 \
        const float x0 = EDGEDIFF_PW_L(x, 0), x1 = EDGEDIFF_PW_L(x, 1);                  \
        const float x2 = EDGEDIFF_PW_L(x, 2), x3 = EDGEDIFF_PW_L(x, 3);                  \
        const float v0 = EDGEDIFF_PW_L(w0, k), v1 = EDGEDIFF_PW_L(w1, k);                \
        const float v2 = EDGEDIFF_PW_L(w2, k), v3 = EDGEDIFF_PW_L(w3, k);                \
        EDGEDIFF_PW_Q(0, v0, x0, x1, x2, x3);                                            \
        EDGEDIFF_PW_Q(1, v1, x0, x1, x2, x3);                                            \
        EDGEDIFF_PW_Q(2, v2, x0, x1, x2, x3);                                            \
        EDGEDIFF_PW_Q(3, v3, x0, x1, x2, x3);                                            \
    } while (0)

#if EDGEDIFF_PW_PAIRS
#define EDGEDIFF_PW_P2(p, a, b)                                                          \
    const float a##b##_ = edgediff_fpu_pair_load(p);                                     \
    const float a = edgediff_fpu_pair_lo(a##b##_), b = edgediff_fpu_pair_hi(a##b##_)
/* Two input channels of a 4 x 4 tile from pair loads: input rows x and x + hw, the weights
 * of input channels k, k + 1 at w0..w3. */
#define EDGEDIFF_PW_STEP2(x, hw)                                                         \
    do {                                                                                 \
        EDGEDIFF_PW_P2(x, x0, x1);                                                       \
        EDGEDIFF_PW_P2((x) + 2, x2, x3);                                                 \
        EDGEDIFF_PW_P2((x) + (hw), y0, y1);                                              \
        EDGEDIFF_PW_P2((x) + (hw) + 2, y2, y3);                                          \
        EDGEDIFF_PW_P2(w0, v0, u0);                                                      \
        EDGEDIFF_PW_P2(w1, v1, u1);                                                      \
        EDGEDIFF_PW_P2(w2, v2, u2);                                                      \
        EDGEDIFF_PW_P2(w3, v3, u3);                                                      \
        EDGEDIFF_PW_Q(0, v0, x0, x1, x2, x3);                                            \
        EDGEDIFF_PW_Q(1, v1, x0, x1, x2, x3);                                            \
        EDGEDIFF_PW_Q(2, v2, x0, x1, x2, x3);                                            \
        EDGEDIFF_PW_Q(3, v3, x0, x1, x2, x3);                                            \
        EDGEDIFF_PW_Q(0, u0, y0, y1, y2, y3);                                            \
        EDGEDIFF_PW_Q(1, u1, y0, y1, y2, y3);                                            \
        EDGEDIFF_PW_Q(2, u2, y0, y1, y2, y3);                                            \
        EDGEDIFF_PW_Q(3, u3, y0, y1, y2, y3);                                            \
    } while (0)
#endif

static inline void edgediff_pw_put(edgediff_pw_elem_t *out, float v, int32_t act) {
    *out = (edgediff_pw_elem_t)(act == EDGEDIFF_ACT_RELU ? edgediff_relu(v)
                                                          : edgediff_apply_act(v, act));
}

/* 4 output channels x 4 pixels at x (plane offset) of sample plane in/out; A: pair loads
 * (rows aligned). */
static inline __attribute__((always_inline)) void edgediff_pw_tile_body(
    const edgediff_pw_elem_t *in, const edgediff_pw_elem_t *w, const float *b,
    edgediff_pw_elem_t *out, int32_t c_in, int32_t hw, int32_t act, const int A) {
    const edgediff_pw_elem_t *w0 = w, *w1 = w + c_in, *w2 = w + 2 * c_in, *w3 = w + 3 * c_in;
    float a00 = b[0], a01 = b[0], a02 = b[0], a03 = b[0];
    float a10 = b[1], a11 = b[1], a12 = b[1], a13 = b[1];
    float a20 = b[2], a21 = b[2], a22 = b[2], a23 = b[2];
    float a30 = b[3], a31 = b[3], a32 = b[3], a33 = b[3];
    int32_t ci = 0;
    for (; ci + 2 <= c_in; ci += 2) {
#if EDGEDIFF_PW_PAIRS
        if (A) {
            EDGEDIFF_PW_STEP2(in, hw);
        } else
#endif
        {
            (void)A;
            EDGEDIFF_PW_STEP(in, 0);
            EDGEDIFF_PW_STEP(in + hw, 1);
        }
        in += 2 * hw;
        w0 += 2, w1 += 2, w2 += 2, w3 += 2;
    }
    if (ci < c_in) {
        EDGEDIFF_PW_STEP(in, 0);
    }
    const float acc[16] = {a00, a01, a02, a03, a10, a11, a12, a13,
                           a20, a21, a22, a23, a30, a31, a32, a33};
    for (int c = 0; c < 4; ++c) {
        for (int j = 0; j < 4; ++j) {
            edgediff_pw_put(out + c * hw + j, acc[c * 4 + j], act);
        }
    }
}

static void edgediff_pw_tile(const edgediff_pw_elem_t *in, const edgediff_pw_elem_t *w,
                             const float *b, edgediff_pw_elem_t *out, int32_t c_in, int32_t hw,
                             int32_t act) {
    edgediff_pw_tile_body(in, w, b, out, c_in, hw, act, 0);
}
#if EDGEDIFF_PW_PAIRS
static void edgediff_pw_tile_pairs(const edgediff_pw_elem_t *in, const edgediff_pw_elem_t *w,
                                   const float *b, edgediff_pw_elem_t *out, int32_t c_in,
                                   int32_t hw, int32_t act) {
    edgediff_pw_tile_body(in, w, b, out, c_in, hw, act, 1);
}
#endif

/* One output channel (weights w) at one pixel: the tails. */
static float edgediff_pw_dot(const edgediff_pw_elem_t *in, const edgediff_pw_elem_t *w, float b,
                             int32_t c_in, int32_t hw) {
    float acc = b;
    for (int32_t ci = 0; ci < c_in; ++ci) {
        acc = fmaf((float)in[ci * hw], (float)w[ci], acc);
    }
    return acc;
}

void EDGEDIFF_PW_FPU_NAME(const conv2d_params_t *p, const edgediff_pw_elem_t *in,
                          const edgediff_pw_elem_t *weight, const edgediff_pw_elem_t *bias,
                          edgediff_pw_elem_t *out) {
    const int32_t c_in = p->c_in, c_out = p->c_out, hw = p->h_out * p->w_out, act = p->act;
    const int32_t hw4 = hw - hw % 4;
    void (*tile)(const edgediff_pw_elem_t *, const edgediff_pw_elem_t *, const float *,
                 edgediff_pw_elem_t *, int32_t, int32_t, int32_t) = edgediff_pw_tile;
#if EDGEDIFF_PW_PAIRS
    /* every input row and every output channel's weights start 4-byte aligned */
    if (((uintptr_t)in & 3) == 0 && ((uintptr_t)weight & 3) == 0 && hw % 2 == 0 && c_in % 2 == 0) {
        tile = edgediff_pw_tile_pairs;
    }
#endif
    for (int32_t n = 0; n < p->n; ++n) {
        const edgediff_pw_elem_t *x = in + n * c_in * hw;
        edgediff_pw_elem_t *y = out + n * c_out * hw;
        int32_t co = 0;
        for (; co + 4 <= c_out; co += 4) {
            float b[4];
            for (int c = 0; c < 4; ++c) {
                b[c] = bias ? (float)bias[co + c] : 0.0f;
            }
            for (int32_t i = 0; i < hw4; i += 4) {
                tile(x + i, weight + co * c_in, b, y + co * hw + i, c_in, hw, act);
            }
            for (int32_t i = hw4; i < hw; ++i) {
                for (int c = 0; c < 4; ++c) {
                    edgediff_pw_put(y + (co + c) * hw + i,
                                    edgediff_pw_dot(x + i, weight + (co + c) * c_in, b[c], c_in, hw),
                                    act);
                }
            }
        }
        for (; co < c_out; ++co) {
            const float b = bias ? (float)bias[co] : 0.0f;
            for (int32_t i = 0; i < hw; ++i) {
                edgediff_pw_put(y + co * hw + i, edgediff_pw_dot(x + i, weight + co * c_in, b, c_in, hw),
                                act);
            }
        }
    }
}

#undef EDGEDIFF_PW_L
#undef EDGEDIFF_PW_Q
#undef EDGEDIFF_PW_STEP
#undef EDGEDIFF_PW_STEP2
#undef EDGEDIFF_PW_P2
#undef EDGEDIFF_PW_PAIRS
#undef EDGEDIFF_PW_FPU_HALF
#undef EDGEDIFF_PW_FPU_ELEM
#undef EDGEDIFF_PW_FPU_NAME
