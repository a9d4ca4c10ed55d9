/* The scalar frame of the SIMD transposed convolutions (mve/ and rvv/ conv_transpose2d_*),
 * internal to codegen/kernels: it walks the outputs in spans the includer's vector code
 * computes, and computes the few outputs at the row ends itself.
 *
 * Output column x = px + stride_w * j (phase px) is reached by the taps kx = r + u * stride_w
 * from input column ix = j + q - u (r, q fixed per phase; transpose_taps.h). So along a
 * phase, consecutive outputs read consecutive inputs: for a row y and a phase, every tap
 * (ky, kx) of the span is one unit-stride vector load at a fixed offset, times one weight,
 * into per-output accumulators, for each input channel of the group: a gather (each output
 * sums its taps and is stored once), vectorised over j. The outputs whose taps all fall
 * inside the input row, j in [j_first, j_end), form the span; the rest (at most
 * ceil(kernel_w / stride_w) at each end of a row) are computed here in scalar code, in FP32,
 * so the vector code has no borders, masks or bounds checks.
 *
 * The includer defines EDGEDIFF_CT_ELEM (its element type), EDGEDIFF_CT_NAME (the kernel's
 * public name), EDGEDIFF_CT_BLOCK (output channels per span) and, after including this
 * header, `static void edgediff_ct_span(const edgediff_ct_span_t *s)`. The override
 * predicates (overrides/mve.py, rvv.py) check a phase has at most EDGEDIFF_CT_MAX_TAPS taps
 * (edgediff/limits.h). */
#ifndef EDGEDIFF_CONV_TRANSPOSE2D_SIMD_H
#define EDGEDIFF_CONV_TRANSPOSE2D_SIMD_H

#if !defined(EDGEDIFF_CT_ELEM) || !defined(EDGEDIFF_CT_NAME) || !defined(EDGEDIFF_CT_BLOCK)
#error "define EDGEDIFF_CT_ELEM, EDGEDIFF_CT_NAME and EDGEDIFF_CT_BLOCK before including this header"
#endif

#include "edgediff/internal/kernel_util.h"
#include "edgediff/internal/transpose_taps.h"
#include "edgediff/kernels.h"
#include "edgediff/limits.h"

/* One span: outputs j in [j_first, j_end) of one phase of one output row, for n_co output
 * channels. Output c, j is out[c * out_plane + j * out_step] = act(bias[c] + sum over input
 * channels i < c_in, taps k < taps of in[i * in_plane + j + in_off[k]] *
 * weight[i * w_channel + w_off[k] + w_co[c]]). w_co of the channels past n_co repeat the
 * last one (always valid weights; their sums are never stored). */
typedef struct {
    const EDGEDIFF_CT_ELEM *in;
    const EDGEDIFF_CT_ELEM *weight;
    EDGEDIFF_CT_ELEM *out;
    int32_t c_in, in_plane, w_channel;
    int32_t n_co, out_plane, out_step, act;
    int32_t j_first, j_end, taps;
    int32_t w_co[EDGEDIFF_CT_BLOCK];
    float bias[EDGEDIFF_CT_BLOCK];
    int32_t in_off[EDGEDIFF_CT_MAX_TAPS], w_off[EDGEDIFF_CT_MAX_TAPS];
    int32_t col[EDGEDIFF_CT_MAX_TAPS]; /* ix - j of each tap, for the scalar row ends */
} edgediff_ct_span_t;

static void edgediff_ct_span(const edgediff_ct_span_t *s);

/* Output j of every channel of the span, with the taps that fall inside the input row. */
static void edgediff_ct_scalar(const edgediff_ct_span_t *s, int32_t j, int32_t w_in) {
    for (int32_t c = 0; c < s->n_co; ++c) {
        float acc = s->bias[c];
        for (int32_t i = 0; i < s->c_in; ++i) {
            const EDGEDIFF_CT_ELEM *in = s->in + i * s->in_plane + j;
            const EDGEDIFF_CT_ELEM *w = s->weight + i * s->w_channel + s->w_co[c];
            for (int32_t k = 0; k < s->taps; ++k) {
                const int32_t ix = j + s->col[k];
                if (ix >= 0 && ix < w_in) {
                    acc += (float)in[s->in_off[k]] * (float)w[s->w_off[k]];
                }
            }
        }
        s->out[c * s->out_plane + j * s->out_step] = (EDGEDIFF_CT_ELEM)edgediff_apply_act(acc, s->act);
    }
}

void EDGEDIFF_CT_NAME(const conv_transpose2d_params_t *p, const EDGEDIFF_CT_ELEM *in,
                      const EDGEDIFF_CT_ELEM *weight, const EDGEDIFF_CT_ELEM *bias,
                      EDGEDIFF_CT_ELEM *out) {
    const int32_t h_in = p->h_in, w_in = p->w_in, h_out = p->h_out, w_out = p->w_out;
    const int32_t kh = p->kernel_h, kw = p->kernel_w, sh = p->stride_h, sw = p->stride_w;
    const int32_t cin_g = p->c_in / p->groups, cout_g = p->c_out / p->groups;
    const int32_t phases = sw < w_out ? sw : w_out;
    edgediff_ct_span_t s;
    s.c_in = cin_g;
    s.in_plane = h_in * w_in;
    s.w_channel = cout_g * kh * kw;
    s.out_plane = h_out * w_out;
    s.out_step = sw;
    s.act = p->act;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t co = 0; co < p->c_out; co += s.n_co) {
            const int32_t g = co / cout_g, group_end = (g + 1) * cout_g;
            s.n_co = group_end - co < EDGEDIFF_CT_BLOCK ? group_end - co : EDGEDIFF_CT_BLOCK;
            for (int32_t c = 0; c < EDGEDIFF_CT_BLOCK; ++c) {
                const int32_t cc = c < s.n_co ? c : s.n_co - 1;
                s.w_co[c] = cc * kh * kw;
                s.bias[c] = bias ? (float)bias[co + cc] : 0.0f;
            }
            s.in = in + (n * p->c_in + g * cin_g) * s.in_plane;
            s.weight = weight + g * cin_g * s.w_channel + (co - g * cout_g) * kh * kw;
            EDGEDIFF_CT_ELEM *out_co = out + (n * p->c_out + co) * s.out_plane;
            for (int32_t y = 0; y < h_out; ++y) {
                int32_t ky0 = 0, iy0 = 0;
                const int32_t n_ky = edgediff_transpose_taps(y, p->pad_h, sh, kh, h_in, &ky0, &iy0);
                for (int32_t px = 0; px < phases; ++px) {
                    const int32_t r = (px + p->pad_w) % sw, q = (px + p->pad_w) / sw;
                    const int32_t n_kx = r < kw ? (kw - r + sw - 1) / sw : 0;
                    const int32_t nj = (w_out - px + sw - 1) / sw;
                    s.taps = 0;
                    for (int32_t t = 0; t < n_ky; ++t) {
                        for (int32_t u = 0; u < n_kx; ++u, ++s.taps) {
                            s.col[s.taps] = q - u;
                            s.in_off[s.taps] = (iy0 - t) * w_in + q - u;
                            s.w_off[s.taps] = (ky0 + t * sh) * kw + r + u * sw;
                        }
                    }
                    /* every tap inside the row: j + q - (n_kx - 1) >= 0 and j + q < w_in */
                    int32_t j_first = n_kx - 1 - q > 0 ? n_kx - 1 - q : 0;
                    int32_t j_end = w_in - q < nj ? w_in - q : nj;
                    if (s.taps == 0) {
                        j_first = 0, j_end = nj;
                    }
                    j_first = j_first < nj ? j_first : nj;
                    j_end = j_end > j_first ? j_end : j_first;
                    s.out = out_co + y * w_out + px;
                    for (int32_t j = 0; j < j_first; ++j) {
                        edgediff_ct_scalar(&s, j, w_in);
                    }
                    for (int32_t j = j_end; j < nj; ++j) {
                        edgediff_ct_scalar(&s, j, w_in);
                    }
                    s.j_first = j_first;
                    s.j_end = j_end;
                    if (j_end > j_first) {
                        edgediff_ct_span(&s);
                    }
                }
            }
        }
    }
}

#endif /* EDGEDIFF_CONV_TRANSPOSE2D_SIMD_H */
