/* The scalar frame of the SIMD 1xK convolutions (mve/ and rvv/ conv1d_*: nn.Conv1d, captured
 * as a conv2d of height 1, and any conv2d with a 1xK kernel), internal to codegen/kernels: it
 * walks the output rows in spans the includer's vector code computes, and computes the few
 * outputs at the row ends itself.
 *
 * Output column x of a row reads the input columns x * stride_w - pad_w + k, k < kernel_w:
 * for each tap k and input channel, consecutive outputs read inputs stride_w apart, so the
 * vector code does one (strided) vector load per tap and channel, times one scalar weight
 * per output channel, into per-output FP32 accumulators seeded with the bias; each output is
 * stored once. The outputs whose taps all fall inside the input row, x in [x_first, x_end),
 * form the span; the rest (about pad_w / stride_w at each end) are computed here in
 * scalar code, in FP32, so the vector code has no borders, masks or bounds checks. The rows
 * of a 2-D input are independent (kernel_h 1, pad_h 0): output row y reads input row
 * y * stride_h.
 *
 * The includer defines EDGEDIFF_C1_ELEM (its element type), EDGEDIFF_C1_NAME (the kernel's
 * public name), EDGEDIFF_C1_BLOCK (output channels per span) and, after including this
 * header, `static void edgediff_c1_span(const edgediff_c1_span_t *s)`. The override
 * predicates (overrides/mve.py, rvv.py) check kernel_h 1, pad_h 0, dilation 1, groups 1. */
#ifndef EDGEDIFF_CONV1D_SIMD_H
#define EDGEDIFF_CONV1D_SIMD_H

#if !defined(EDGEDIFF_C1_ELEM) || !defined(EDGEDIFF_C1_NAME) || !defined(EDGEDIFF_C1_BLOCK)
#error "define EDGEDIFF_C1_ELEM, EDGEDIFF_C1_NAME and EDGEDIFF_C1_BLOCK before including this header"
#endif

#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

/* One span: outputs x in [x_first, x_end) of one row, for n_co output channels. Output c, x
 * is out[c * out_plane + x] = act(bias[c] + sum over input channels i < c_in, taps k < taps
 * of in[i * in_plane + x * stride - pad + k] * weight[w_co[c] + i * taps + k]), `in` at the
 * row's first column. The channels past n_co repeat the last channel's weights (valid
 * weights whose sums are never stored). */
typedef struct {
    const EDGEDIFF_C1_ELEM *in;
    const EDGEDIFF_C1_ELEM *weight;
    EDGEDIFF_C1_ELEM *out;
    int32_t c_in, in_plane, taps, stride, pad;
    int32_t n_co, out_plane, act;
    int32_t x_first, x_end;
    int32_t w_co[EDGEDIFF_C1_BLOCK];
    float bias[EDGEDIFF_C1_BLOCK];
} edgediff_c1_span_t;

static void edgediff_c1_span(const edgediff_c1_span_t *s);

/* Output x of every channel of the span, with the taps that fall inside the input row of
 * w_in columns. */
static void edgediff_c1_scalar(const edgediff_c1_span_t *s, int32_t x, int32_t w_in) {
    const int32_t ix0 = x * s->stride - s->pad;
    int32_t k_first, k_end;
    edgediff_clip_taps(ix0, 1, s->taps, w_in, &k_first, &k_end);
    for (int32_t c = 0; c < s->n_co; ++c) {
        float acc = s->bias[c];
        const EDGEDIFF_C1_ELEM *w = s->weight + s->w_co[c];
        for (int32_t i = 0; i < s->c_in; ++i) {
            for (int32_t k = k_first; k < k_end; ++k) {
                acc += (float)s->in[i * s->in_plane + ix0 + k] * (float)w[i * s->taps + k];
            }
        }
        s->out[c * s->out_plane + x] = (EDGEDIFF_C1_ELEM)edgediff_apply_act(acc, s->act);
    }
}

void EDGEDIFF_C1_NAME(const conv2d_params_t *p, const EDGEDIFF_C1_ELEM *in,
                      const EDGEDIFF_C1_ELEM *weight, const EDGEDIFF_C1_ELEM *bias,
                      EDGEDIFF_C1_ELEM *out) {
    const int32_t w_in = p->w_in, w_out = p->w_out, kw = p->kernel_w, sw = p->stride_w;
    const int32_t pad = p->pad_w;
    /* every tap inside the row: x * sw - pad >= 0 and x * sw - pad + kw - 1 < w_in */
    int32_t x_first = (pad + sw - 1) / sw;
    int32_t x_end = w_in - kw + pad >= 0 ? (w_in - kw + pad) / sw + 1 : 0;
    x_first = x_first < w_out ? x_first : w_out;
    x_end = x_end < w_out ? x_end : w_out;
    x_end = x_end > x_first ? x_end : x_first;
    edgediff_c1_span_t s;
    s.c_in = p->c_in;
    s.in_plane = p->h_in * w_in;
    s.taps = kw;
    s.stride = sw;
    s.pad = pad;
    s.out_plane = p->h_out * w_out;
    s.act = p->act;
    s.x_first = x_first;
    s.x_end = x_end;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t co = 0; co < p->c_out; co += s.n_co) {
            s.n_co = p->c_out - co < EDGEDIFF_C1_BLOCK ? p->c_out - co : EDGEDIFF_C1_BLOCK;
            for (int32_t c = 0; c < EDGEDIFF_C1_BLOCK; ++c) {
                const int32_t cc = c < s.n_co ? c : s.n_co - 1;
                s.w_co[c] = cc * p->c_in * kw;
                s.bias[c] = bias ? (float)bias[co + cc] : 0.0f;
            }
            s.weight = weight + co * p->c_in * kw;
            for (int32_t y = 0; y < p->h_out; ++y) {
                s.in = in + n * p->c_in * s.in_plane + y * p->stride_h * w_in;
                s.out = out + (n * p->c_out + co) * s.out_plane + y * w_out;
                for (int32_t x = 0; x < x_first; ++x) {
                    edgediff_c1_scalar(&s, x, w_in);
                }
                for (int32_t x = x_end; x < w_out; ++x) {
                    edgediff_c1_scalar(&s, x, w_in);
                }
                if (x_end > x_first) {
                    edgediff_c1_span(&s);
                }
            }
        }
    }
}

#endif /* EDGEDIFF_CONV1D_SIMD_H */
