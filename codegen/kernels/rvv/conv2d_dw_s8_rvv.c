/* int8 depthwise convolution for RVV 1.0 (VLEN=128): conv2d_s8 with groups == c_in and
 * c_out a multiple of it (TFLite's depth multiplier), dilation 1, any kernel, stride and
 * padding (overrides/rvv.py); the method of conv2d_dw_s8_mve: one input channel at a time
 * copied into scratch as a plane padded with the input zero point, then up to 16 output
 * pixels of a row per vector (int32 lanes, LMUL 4): per tap a strided byte load widened to
 * int32 and a multiply-add by the tap's weight, the input offset folded into the start
 * value (bias + offset * sum(w); the padding is the zero point, so x + offset = 0 there),
 * then the requantization of internal/gemm_s8_rvv.h with the channel's parameters as
 * scalars (vsmul and vssra with vxrm = rnu, the negative-tie fixup). Exact int32 sums: same
 * bytes as ref/conv2d_s8.c. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels_rvv.h"

/* Input channel `plane` into `dst`, (h_in + 2 pad_h) x (w_in + 2 pad_w), the border the
 * zero point. */
static void pad_plane(const conv2d_params_t *g, const int8_t *plane, int8_t zero_point,
                      int8_t *dst) {
    const int32_t wp = g->w_in + 2 * g->pad_w;
    const int32_t total = (g->h_in + 2 * g->pad_h) * wp;
    for (int32_t i = 0; i < total;) {
        const size_t vl = vsetvl_e8m4((size_t)(total - i));
        vse8_v_i8m4(dst + i, vmv_v_x_i8m4(zero_point, vl), vl);
        i += (int32_t)vl;
    }
    for (int32_t y = 0; y < g->h_in; ++y) {
        int8_t *row = dst + (y + g->pad_h) * wp + g->pad_w;
        for (int32_t x = 0; x < g->w_in;) {
            const size_t vl = vsetvl_e8m4((size_t)(g->w_in - x));
            vse8_v_i8m4(row + x, vle8_v_i8m4(plane + y * g->w_in + x, vl), vl);
            x += (int32_t)vl;
        }
    }
}

void edgediff_conv2d_dw_s8_rvv(const conv2d_s8_params_t *p, const int8_t *in,
                               const int8_t *weight, const int32_t *bias,
                               const int32_t *multiplier, const int32_t *shift, int8_t *out,
                               void *scratch) {
    const conv2d_params_t *g = &p->conv;
    const int32_t depth_multiplier = g->c_out / g->c_in;
    const int32_t taps = g->kernel_h * g->kernel_w;
    const int32_t wp = g->w_in + 2 * g->pad_w;
    const int32_t plane_in = g->h_in * g->w_in;
    const int8_t zero_point = (int8_t)(-p->q.input_offset);
    const quant_s8_params_t q = p->q;
    int8_t *padded = (int8_t *)scratch;
    __asm__ volatile("csrwi vxrm, 0"); /* vsmul and vssra: round to nearest, ties up */
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
            const int32_t base = (bias ? bias[co] : 0) + q.input_offset * sum;
            const int32_t s = shift[co], m = multiplier[co];
            const size_t left = (size_t)(s > 0 ? s : 0), right = (size_t)(s > 0 ? 0 : -s);
            int8_t *o = out + (n * g->c_out + co) * g->h_out * g->w_out;
            for (int32_t oy = 0; oy < g->h_out; ++oy) {
                const int8_t *rows = padded + oy * g->stride_h * wp;
                for (int32_t ox = 0; ox < g->w_out;) {
                    const size_t vl = vsetvl_e32m4((size_t)(g->w_out - ox));
                    const int8_t *at = rows + ox * g->stride_w;
                    vint32m4_t acc = vmv_v_x_i32m4(base, vl);
                    for (int32_t ky = 0; ky < g->kernel_h; ++ky) {
                        for (int32_t kx = 0; kx < g->kernel_w; ++kx) {
                            const vint8m1_t x = vlse8_v_i8m1(at + kx, g->stride_w, vl);
                            acc = vmacc_vx_i32m4(acc, w[ky * g->kernel_w + kx], vsext_vf4_i32m4(x, vl), vl);
                        }
                        at += wp;
                    }
                    acc = vsmul_vx_i32m4(vsll_vx_i32m4(acc, left, vl), m, vl);
                    if (right > 0) { /* -1 on the negatives, then ties up: ties away from 0 */
                        acc = vsadd_vv_i32m4(acc, vsra_vx_i32m4(acc, 31, vl), vl);
                        acc = vssra_vx_i32m4(acc, right, vl);
                    }
                    acc = vadd_vx_i32m4(acc, q.output_offset, vl);
                    acc = vmin_vx_i32m4(vmax_vx_i32m4(acc, q.act_min, vl), q.act_max, vl);
                    const vint8m1_t b = vncvt_x_x_w_i8m1(vncvt_x_x_w_i16m2(acc, vl), vl);
                    vse8_v_i8m1(o + oy * g->w_out + ox, b, vl);
                    ox += (int32_t)vl;
                }
            }
        }
    }
}
