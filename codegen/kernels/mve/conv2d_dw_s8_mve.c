/* int8 depthwise convolution for Arm MVE (Helium, Cortex-M55): conv2d_s8 with groups ==
 * c_in and c_out a multiple of it (TFLite's depth multiplier; output channel co reads input
 * channel co / (c_out / c_in)), dilation 1, any kernel, stride and padding
 * (overrides/mve.py). One input channel at a time is copied into scratch as a plane padded
 * with the input zero point; then 4 output pixels of a row per vector (int32 lanes, a
 * gather of bytes stride_w apart): per tap a widening gather and a multiply-add by the
 * tap's weight. The input offset is folded into the start value as in conv2d_s8_mve:
 * bias + offset * sum(w), the padding being the zero point (x + offset = 0 there, as the
 * reference skips it). The requantization is internal/requantize_s8_mve.h with the
 * channel's parameters in every lane. Exact int32 sums: same bytes as ref/conv2d_s8.c. */
#include <arm_mve.h>

#include "edgediff/kernels_mve.h"
#include "edgediff/internal/requantize_s8_mve.h"

/* Input channel `plane` (h_in x w_in) into `dst`, (h_in + 2 pad_h) x (w_in + 2 pad_w), the
 * border the zero point. */
static void pad_plane(const conv2d_params_t *g, const int8_t *plane, int8_t zero_point,
                      int8_t *dst) {
    const int32_t wp = g->w_in + 2 * g->pad_w;
    const int32_t total = (g->h_in + 2 * g->pad_h) * wp;
    for (int32_t i = 0; i < total; i += 16) {
        vstrbq_p_s8(dst + i, vdupq_n_s8(zero_point), vctp8q(total - i));
    }
    for (int32_t y = 0; y < g->h_in; ++y) {
        int8_t *row = dst + (y + g->pad_h) * wp + g->pad_w;
        for (int32_t x = 0; x < g->w_in; x += 16) {
            const mve_pred16_t m = vctp8q(g->w_in - x);
            vstrbq_p_s8(row + x, vldrbq_z_s8(plane + y * g->w_in + x, m), m);
        }
    }
}

void edgediff_conv2d_dw_s8_mve(const conv2d_s8_params_t *p, const int8_t *in,
                               const int8_t *weight, const int32_t *bias,
                               const int32_t *multiplier, const int32_t *shift, int8_t *out,
                               void *scratch) {
    const conv2d_params_t *g = &p->conv;
    const int32_t depth_multiplier = g->c_out / g->c_in;
    const int32_t taps = g->kernel_h * g->kernel_w;
    const int32_t wp = g->w_in + 2 * g->pad_w;
    const int32_t plane_in = g->h_in * g->w_in;
    const int8_t zero_point = (int8_t)(-p->q.input_offset);
    const uint32x4_t lanes = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)g->stride_w);
    const int32x4_t lo = vdupq_n_s32(p->q.act_min), hi = vdupq_n_s32(p->q.act_max);
    int8_t *padded = (int8_t *)scratch;
    for (int32_t n = 0; n < g->n; ++n) {
        for (int32_t co = 0; co < g->c_out; ++co) {
            const int32_t ci = co / depth_multiplier;
            if (co % depth_multiplier == 0) {
                pad_plane(g, in + (n * g->c_in + ci) * plane_in, zero_point, padded);
            }
            const int8_t *w = weight + co * taps;
            int32_t sum = 0;
            for (int32_t t = 0; t < taps; ++t) {
                sum += w[t];
            }
            const int32x4_t base = vdupq_n_s32((bias ? bias[co] : 0) + p->q.input_offset * sum);
            const int32_t s = shift[co];
            const int32x4_t mult = vdupq_n_s32(multiplier[co]);
            const int32x4_t left = vdupq_n_s32(s > 0 ? s : 0);
            const int32x4_t neg_right = vdupq_n_s32(s > 0 ? 0 : s);
            int8_t *o = out + (n * g->c_out + co) * g->h_out * g->w_out;
            for (int32_t oy = 0; oy < g->h_out; ++oy) {
                const int8_t *rows = padded + oy * g->stride_h * wp;
                for (int32_t ox = 0; ox < g->w_out; ox += 4) {
                    const mve_pred16_t m = vctp32q(g->w_out - ox);
                    const int8_t *at = rows + ox * g->stride_w;
                    int32x4_t acc = base;
                    for (int32_t ky = 0; ky < g->kernel_h; ++ky) {
                        for (int32_t kx = 0; kx < g->kernel_w; ++kx) {
                            const int32x4_t x = vldrbq_gather_offset_z_s32(at + kx, lanes, m);
                            acc = vmlaq_n_s32(acc, x, w[ky * g->kernel_w + kx]);
                        }
                        at += wp;
                    }
                    acc = edgediff_mve_requantize(acc, mult, left, neg_right);
                    acc = vminq_s32(vmaxq_s32(vaddq_n_s32(acc, p->q.output_offset), lo), hi);
                    vstrbq_p_s32(o + oy * g->w_out + ox, acc, m);
                }
            }
        }
    }
}
