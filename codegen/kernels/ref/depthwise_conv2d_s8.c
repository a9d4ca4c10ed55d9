/* Reference int8 depthwise convolution, TFLite's DepthwiseConvPerChannel on NCHW tensors:
 * conv2d_s8 with groups == c_in, output channel co reading input channel
 * co / (c_out / c_in) (TFLite's depth multiplier) through its one KH x KW filter
 * (weight [c_out][1][kernel_h][kernel_w]). Same requantization and output step. */
#include "edgediff/kernels.h"
#include "edgediff/internal/requantize_s8.h"

void edgediff_depthwise_conv2d_s8(const conv2d_s8_params_t *p, const int8_t *in,
                                  const int8_t *weight, const int32_t *bias,
                                  const int32_t *multiplier, const int32_t *shift, int8_t *out) {
    const conv2d_params_t *g = &p->conv;
    const int32_t depth_multiplier = g->c_out / g->c_in;
    const int32_t plane_in = g->h_in * g->w_in;
    for (int32_t n = 0; n < g->n; ++n) {
        for (int32_t co = 0; co < g->c_out; ++co) {
            const int8_t *plane = in + (n * g->c_in + co / depth_multiplier) * plane_in;
            const int8_t *w_co = weight + co * g->kernel_h * g->kernel_w;
            for (int32_t oy = 0; oy < g->h_out; ++oy) {
                for (int32_t ox = 0; ox < g->w_out; ++ox) {
                    int32_t acc = 0;
                    for (int32_t ky = 0; ky < g->kernel_h; ++ky) {
                        const int32_t iy = oy * g->stride_h - g->pad_h + ky * g->dilation_h;
                        if (iy < 0 || iy >= g->h_in) {
                            continue;
                        }
                        for (int32_t kx = 0; kx < g->kernel_w; ++kx) {
                            const int32_t ix = ox * g->stride_w - g->pad_w + kx * g->dilation_w;
                            if (ix < 0 || ix >= g->w_in) {
                                continue;
                            }
                            acc += ((int32_t)plane[iy * g->w_in + ix] + p->q.input_offset)
                                   * (int32_t)w_co[ky * g->kernel_w + kx];
                        }
                    }
                    if (bias) {
                        acc += bias[co];
                    }
                    const int32_t scaled = edgediff_requantize(acc, multiplier[co], shift[co]);
                    *out++ = edgediff_output_s8(scaled, p->q.output_offset, p->q.act_min,
                                                p->q.act_max);
                }
            }
        }
    }
}
