/* The scalar-FPU depthwise convolution (fpu/conv2d_dw_f32_fpu.c, _f16_fpu.c), written once
 * for both element types; internal to codegen/kernels. The includer defines EDGEDIFF_FPU_F16
 * for halves (else floats) and EDGEDIFF_DW_FPU_NAME.
 *
 * Shapes (overrides/fpu.py): groups == c_in == c_out (one filter per channel), any kernel,
 * stride, padding and dilation whose padded plane fits the scratch budget. Per channel, the
 * rows and columns its outputs read are copied into the scratch with the zero padding
 * around them (FP16 widened here, once per layer), and its kernel_h x kernel_w weights;
 * then each output row runs in tiles of EDGEDIFF_FPU_DW_PX (8) outputs, 8 FP32 accumulators
 * in FP registers. A 3x3 kernel (dilation_w 1) keeps its 9 weights in registers across an
 * output row and loads the (8 - 1) * stride + 3 inputs a kernel row's 24 multiply-adds
 * read once (the copies for strides 1 and 2 use constant offsets); any other kernel loads
 * a weight and 8 inputs per tap. No tails: rows are padded to whole tiles, a partial
 * tile's extra outputs are never stored. ACCUMULATION: FP32 fused multiply-adds
 * (EDGEDIFF_FMA) seeded with the bias, in the reference's tap order, activation on the FP32
 * sum, one rounding on store. */
#ifndef EDGEDIFF_DW_FPU_NAME
#error "define EDGEDIFF_DW_FPU_NAME before including this header"
#endif

#include <math.h>

#include "edgediff/internal/fpu_elem.h"
#include "edgediff/internal/gather_fpu.h"

#define EDGEDIFF_DW_PX EDGEDIFF_FPU_DW_PX
#define EDGEDIFF_DW_Q(q, S)                                                              \
    a##q = EDGEDIFF_FMA(r[(q) * (S)], w0, a##q);                                          \
    a##q = EDGEDIFF_FMA(r[(q) * (S) + 1], w1, a##q);                                      \
    a##q = EDGEDIFF_FMA(r[(q) * (S) + 2], w2, a##q)
/* output q from the loaded inputs i0, i1, i2 of the window */
#define EDGEDIFF_DW_O(q, i0, i1, i2)                                                     \
    a##q = EDGEDIFF_FMA(x##i0, w0, a##q);                                                 \
    a##q = EDGEDIFF_FMA(x##i1, w1, a##q);                                                 \
    a##q = EDGEDIFF_FMA(x##i2, w2, a##q)
#define EDGEDIFF_DW_L(i) const float x##i = r[i]
/* The tile's 8 sums to dst: a whole tile without activation straight from the registers,
 * else through gather_put (n_px outputs, the activation). */
#define EDGEDIFF_DW_PUT                                                                  \
    do {                                                                                 \
        if (n_px == EDGEDIFF_DW_PX && act == EDGEDIFF_ACT_NONE) {                        \
            EDGEDIFF_FPU_STORE(dst, a0), EDGEDIFF_FPU_STORE(dst + 1, a1);                \
            EDGEDIFF_FPU_STORE(dst + 2, a2), EDGEDIFF_FPU_STORE(dst + 3, a3);            \
            EDGEDIFF_FPU_STORE(dst + 4, a4), EDGEDIFF_FPU_STORE(dst + 5, a5);            \
            EDGEDIFF_FPU_STORE(dst + 6, a6), EDGEDIFF_FPU_STORE(dst + 7, a7);            \
        } else {                                                                         \
            const float acc[EDGEDIFF_DW_PX] = {a0, a1, a2, a3, a4, a5, a6, a7};          \
            edgediff_gather_put(dst, 1, acc, n_px, act);                                 \
        }                                                                                \
    } while (0)

/* One kernel row of a tile: the inputs at r, the weights w0, w1, w2. */
#define EDGEDIFF_DW_KROW(R, K0, K1, K2, BODY)                                            \
    do {                                                                                 \
        const float *r = (R);                                                            \
        const float w0 = (K0), w1 = (K1), w2 = (K2);                                     \
        BODY                                                                             \
    } while (0)

/* An output row of a 3x3 kernel (dilation_w 1; kernel rows `next` floats apart in the
 * plane x): its 9 weights held in registers across the row, tiles of 8 outputs `s` floats
 * apart. STRIDE 1 or 2: each tile loads the (8 - 1) * s + 3 inputs of a kernel row's
 * window once each into registers; else each multiply-add loads its input. */
#define EDGEDIFF_DW_ROW3(NAME, STRIDE, BODY)                                             \
    static void NAME(const float *x, const float *wk, int32_t next, float b, elem_t *out,\
                     int32_t w_out, int32_t act, int32_t s) {                            \
        (void)s;                                                                         \
        const float k0 = wk[0], k1 = wk[1], k2 = wk[2], k3 = wk[3], k4 = wk[4];          \
        const float k5 = wk[5], k6 = wk[6], k7 = wk[7], k8 = wk[8];                      \
        for (int32_t x0 = 0; x0 < w_out; x0 += EDGEDIFF_DW_PX) {                         \
            const float *r0 = x + x0 * (STRIDE);                                         \
            float a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b;        \
            EDGEDIFF_DW_KROW(r0, k0, k1, k2, BODY);                                      \
            EDGEDIFF_DW_KROW(r0 + next, k3, k4, k5, BODY);                               \
            EDGEDIFF_DW_KROW(r0 + 2 * next, k6, k7, k8, BODY);                           \
            elem_t *dst = out + x0;                                                      \
            const int32_t n_px = w_out - x0 < EDGEDIFF_DW_PX ? w_out - x0 : EDGEDIFF_DW_PX;\
            EDGEDIFF_DW_PUT;                                                             \
        }                                                                                \
    }

EDGEDIFF_DW_ROW3(edgediff_dw_row3_s1, 1,
                 EDGEDIFF_DW_L(0); EDGEDIFF_DW_L(1); EDGEDIFF_DW_L(2); EDGEDIFF_DW_L(3);
                 EDGEDIFF_DW_L(4); EDGEDIFF_DW_L(5); EDGEDIFF_DW_L(6); EDGEDIFF_DW_L(7);
                 EDGEDIFF_DW_L(8); EDGEDIFF_DW_L(9);
                 EDGEDIFF_DW_O(0, 0, 1, 2); EDGEDIFF_DW_O(1, 1, 2, 3);
                 EDGEDIFF_DW_O(2, 2, 3, 4); EDGEDIFF_DW_O(3, 3, 4, 5);
                 EDGEDIFF_DW_O(4, 4, 5, 6); EDGEDIFF_DW_O(5, 5, 6, 7);
                 EDGEDIFF_DW_O(6, 6, 7, 8); EDGEDIFF_DW_O(7, 7, 8, 9);)
EDGEDIFF_DW_ROW3(edgediff_dw_row3_s2, 2,
                 EDGEDIFF_DW_L(0); EDGEDIFF_DW_L(1); EDGEDIFF_DW_L(2); EDGEDIFF_DW_L(3);
                 EDGEDIFF_DW_L(4); EDGEDIFF_DW_L(5); EDGEDIFF_DW_L(6); EDGEDIFF_DW_L(7);
                 EDGEDIFF_DW_L(8); EDGEDIFF_DW_L(9); EDGEDIFF_DW_L(10); EDGEDIFF_DW_L(11);
                 EDGEDIFF_DW_L(12); EDGEDIFF_DW_L(13); EDGEDIFF_DW_L(14); EDGEDIFF_DW_L(15);
                 EDGEDIFF_DW_L(16);
                 EDGEDIFF_DW_O(0, 0, 1, 2); EDGEDIFF_DW_O(1, 2, 3, 4);
                 EDGEDIFF_DW_O(2, 4, 5, 6); EDGEDIFF_DW_O(3, 6, 7, 8);
                 EDGEDIFF_DW_O(4, 8, 9, 10); EDGEDIFF_DW_O(5, 10, 11, 12);
                 EDGEDIFF_DW_O(6, 12, 13, 14); EDGEDIFF_DW_O(7, 14, 15, 16);)
EDGEDIFF_DW_ROW3(edgediff_dw_row3_sn, s,
                 EDGEDIFF_DW_Q(0, s); EDGEDIFF_DW_Q(1, s); EDGEDIFF_DW_Q(2, s);
                 EDGEDIFF_DW_Q(3, s); EDGEDIFF_DW_Q(4, s); EDGEDIFF_DW_Q(5, s);
                 EDGEDIFF_DW_Q(6, s); EDGEDIFF_DW_Q(7, s);)

/* 8 outputs at x of any kernel: per tap one weight, 8 inputs s floats apart. */
static void edgediff_dw_tile(const float *x, const float *wk, int32_t kh, int32_t kw,
                             int32_t next, int32_t dil_w, float b, elem_t *dst, int32_t n_px,
                             int32_t act, int32_t s) {
    float a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b;
    for (int32_t ky = 0; ky < kh; ++ky) {
        for (int32_t kx = 0; kx < kw; ++kx) {
            const float *r = x + ky * next + kx * dil_w;
            const float v = *wk++;
            a0 = EDGEDIFF_FMA(r[0], v, a0);
            a1 = EDGEDIFF_FMA(r[s], v, a1);
            a2 = EDGEDIFF_FMA(r[2 * s], v, a2);
            a3 = EDGEDIFF_FMA(r[3 * s], v, a3);
            a4 = EDGEDIFF_FMA(r[4 * s], v, a4);
            a5 = EDGEDIFF_FMA(r[5 * s], v, a5);
            a6 = EDGEDIFF_FMA(r[6 * s], v, a6);
            a7 = EDGEDIFF_FMA(r[7 * s], v, a7);
        }
    }
    EDGEDIFF_DW_PUT;
}

void EDGEDIFF_DW_FPU_NAME(const conv2d_params_t *p, const elem_t *in, const elem_t *weight,
                          const elem_t *bias, elem_t *out, void *scratch) {
    const int32_t h_in = p->h_in, w_in = p->w_in, h_out = p->h_out, w_out = p->w_out;
    const int32_t kh = p->kernel_h, kw = p->kernel_w, sh = p->stride_h, sw = p->stride_w;
    const int32_t row = edgediff_conv2d_dw_fpu_row(p), rows = edgediff_conv2d_dw_fpu_rows(p);
    const int32_t next = p->dilation_h * row, kk = kh * kw, act = p->act;
    const int32_t three = kh == 3 && kw == 3 && p->dilation_w == 1;
    float *x = (float *)scratch;
    float *wk = (float *)((char *)scratch + edgediff_conv2d_dw_fpu_weights(p));
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t c = 0; c < p->c_out; ++c) {
            const elem_t *src = in + (n * p->c_in + c) * h_in * w_in;
            for (int32_t r = 0; r < rows; ++r) {
                const int32_t iy = r - p->pad_h;
                const int32_t valid = iy >= 0 && iy < h_in;
                edgediff_gather_row(x + r * row, src + (valid ? iy : 0) * w_in, p->pad_w,
                                    valid ? w_in : 0, row);
            }
            for (int32_t k = 0; k < kk; ++k) {
                wk[k] = EDGEDIFF_FPU_LOAD(weight + c * kk + k);
            }
            const float b = bias ? EDGEDIFF_FPU_LOAD(bias + c) : 0.0f;
            elem_t *dst = out + (n * p->c_out + c) * h_out * w_out;
            for (int32_t y = 0; y < h_out; ++y) {
                const float *xr = x + y * sh * row;
                elem_t *d = dst + y * w_out;
                if (three && sw == 1) {
                    edgediff_dw_row3_s1(xr, wk, next, b, d, w_out, act, 1);
                } else if (three && sw == 2) {
                    edgediff_dw_row3_s2(xr, wk, next, b, d, w_out, act, 2);
                } else if (three) {
                    edgediff_dw_row3_sn(xr, wk, next, b, d, w_out, act, sw);
                } else {
                    for (int32_t x0 = 0; x0 < w_out; x0 += EDGEDIFF_DW_PX) {
                        const int32_t n_px = w_out - x0 < EDGEDIFF_DW_PX ? w_out - x0
                                                                          : EDGEDIFF_DW_PX;
                        edgediff_dw_tile(xr + x0 * sw, wk, kh, kw, next, p->dilation_w, b,
                                         d + x0, n_px, act, sw);
                    }
                }
            }
        }
    }
}

#undef EDGEDIFF_DW_PX
#undef EDGEDIFF_DW_Q
#undef EDGEDIFF_DW_ROW3
#undef EDGEDIFF_DW_KROW
#undef EDGEDIFF_DW_O
#undef EDGEDIFF_DW_L
#undef EDGEDIFF_DW_PUT
#undef EDGEDIFF_DW_FPU_NAME
