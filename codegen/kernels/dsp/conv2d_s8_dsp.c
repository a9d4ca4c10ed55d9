/* int8 2-D convolution for DSP cores (Cortex-M4/M7/M33): 3x3 pad 1 stride 1 or 2, and 1x1
 * stride 1 pad 0, groups 1 (overrides/dsp.py). Two output pixels at a time: their patches are
 * widened into two int16 columns in scratch with the input offset added (the padding stores
 * 0), then every output channel, two at a time, is one SMLAD dot product per pair of taps
 * (internal/gemm_s8_dsp.h). Same bytes as ref/conv2d_s8.c. */
#include "edgediff/kernels_dsp.h"
#include "edgediff/internal/gemm_s8_dsp.h"

/* The patch of output pixel (oy, ox), widened and offset, in column order. */
static void fill_column(const conv2d_params_t *g, const int8_t *in, int32_t offset, int32_t oy,
                        int32_t ox, int16_t *col) {
    const int32_t plane = g->h_in * g->w_in;
    const int32_t y0 = oy * g->stride_h - g->pad_h, x0 = ox * g->stride_w - g->pad_w;
    int32_t k = 0;
    for (int32_t ci = 0; ci < g->c_in; ++ci) {
        const int8_t *src = in + ci * plane;
        for (int32_t ky = 0; ky < g->kernel_h; ++ky) {
            const int32_t iy = y0 + ky;
            const int row_in = iy >= 0 && iy < g->h_in;
            for (int32_t kx = 0; kx < g->kernel_w; ++kx, ++k) {
                const int32_t ix = x0 + kx;
                const int inside = row_in && ix >= 0 && ix < g->w_in;
                col[edgediff_s8_dsp_slot(k)] =
                    (int16_t)(inside ? (int32_t)src[iy * g->w_in + ix] + offset : 0);
            }
        }
    }
    for (; k < edgediff_s8_dsp_depth(k); ++k) {
        col[edgediff_s8_dsp_slot(k)] = 0;
    }
}

void edgediff_conv2d_s8_dsp(const conv2d_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch) {
    const conv2d_params_t *g = &p->conv;
    const int32_t depth = g->c_in * g->kernel_h * g->kernel_w;
    const int32_t plane_out = g->h_out * g->w_out;
    int16_t *col0 = (int16_t *)scratch;
    int16_t *col1 = col0 + edgediff_s8_dsp_depth(depth);
    for (int32_t n = 0; n < g->n; ++n) {
        const int8_t *image = in + n * g->c_in * g->h_in * g->w_in;
        int8_t *dst = out + n * g->c_out * plane_out;
        for (int32_t px = 0; px < plane_out; px += 2) {
            const int32_t pixels = px + 1 < plane_out ? 2 : 1;
            fill_column(g, image, p->q.input_offset, px / g->w_out, px % g->w_out, col0);
            if (pixels == 2) {
                fill_column(g, image, p->q.input_offset, (px + 1) / g->w_out,
                            (px + 1) % g->w_out, col1);
            }
            edgediff_gemm_s8_dsp(col0, pixels == 2 ? col1 : col0, pixels, depth, weight, g->c_out,
                                 bias, multiplier, shift, &p->q, dst + px, plane_out, 1);
        }
    }
}
