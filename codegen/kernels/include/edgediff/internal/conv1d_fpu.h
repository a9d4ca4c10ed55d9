/* The scalar-FPU 1xK convolution (fpu/conv1d_f32_fpu.c, _f16_fpu.c: nn.Conv1d, captured as a
 * conv2d of height 1, and any conv2d with a 1xK kernel), written once for both element
 * types; internal to codegen/kernels. The includer defines EDGEDIFF_FPU_F16 for halves (else
 * floats) and EDGEDIFF_CONV1D_FPU_NAME.
 *
 * Shapes (overrides/fpu.py): kernel_h 1, pad_h 0, groups 1; any kernel_w up to
 * EDGEDIFF_FPU_MAX_TAPS, stride, padding and dilation along the row; the rows are
 * independent (output row y reads input row y * stride_h). Per output row: the input row of
 * every channel is copied into the scratch with pad_w zeros in front and zeros behind
 * (FP16 widened here, once per row), then per block of 4 output channels their weights are
 * packed [c_in][kernel_w][4] (FP32) and the row runs in tiles of 4 channels x 4 outputs
 * (gather_fpu.h: per tap and input channel 8 loads and 16 fused multiply-adds).
 * ACCUMULATION: FP32 fmaf seeded with the bias, activation on the FP32 sum, one rounding
 * on store. */
#ifndef EDGEDIFF_CONV1D_FPU_NAME
#error "define EDGEDIFF_CONV1D_FPU_NAME before including this header"
#endif

#include "edgediff/internal/fpu_elem.h"
#include "edgediff/internal/gather_fpu.h"

void EDGEDIFF_CONV1D_FPU_NAME(const conv2d_params_t *p, const elem_t *in, const elem_t *weight,
                              const elem_t *bias, elem_t *out, void *scratch) {
    const int32_t c_in = p->c_in, c_out = p->c_out, w_in = p->w_in, w_out = p->w_out;
    const int32_t kw = p->kernel_w, sw = p->stride_w, row = edgediff_conv1d_fpu_row(p);
    const int32_t in_plane = p->h_in * w_in, out_plane = p->h_out * w_out;
    float *x = (float *)scratch;
    float *w = (float *)((char *)scratch + edgediff_conv1d_fpu_weights(p));
    int32_t x_off[EDGEDIFF_FPU_MAX_TAPS], w_off[EDGEDIFF_FPU_MAX_TAPS];
    for (int32_t k = 0; k < kw; ++k) {
        x_off[k] = k * p->dilation_w;
        w_off[k] = k * EDGEDIFF_GATHER_CO;
    }
    const edgediff_gather_t g = {w, kw * EDGEDIFF_GATHER_CO, row, c_in, kw, x_off, w_off};
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t y = 0; y < p->h_out; ++y) {
            const elem_t *src = in + n * c_in * in_plane + y * p->stride_h * w_in;
            for (int32_t i = 0; i < c_in; ++i) {
                edgediff_gather_row(x + i * row, src + i * in_plane, p->pad_w, w_in, row);
            }
            for (int32_t co = 0; co < c_out; co += EDGEDIFF_GATHER_CO) {
                const int32_t n_co = c_out - co < EDGEDIFF_GATHER_CO ? c_out - co
                                                                      : EDGEDIFF_GATHER_CO;
                float b[EDGEDIFF_GATHER_CO];
                edgediff_gather_pack(w, weight + co * c_in * kw, c_in * kw, 1, c_in * kw, n_co);
                for (int32_t c = 0; c < EDGEDIFF_GATHER_CO; ++c) {
                    b[c] = bias && c < n_co ? EDGEDIFF_FPU_LOAD(bias + co + c) : 0.0f;
                }
                elem_t *dst = out + (n * c_out + co) * out_plane + y * w_out;
                for (int32_t x0 = 0; x0 < w_out; x0 += EDGEDIFF_GATHER_PX) {
                    float acc[EDGEDIFF_GATHER_CO * EDGEDIFF_GATHER_PX];
                    for (int32_t c = 0; c < EDGEDIFF_GATHER_CO; ++c) {
                        for (int32_t q = 0; q < EDGEDIFF_GATHER_PX; ++q) {
                            acc[c * EDGEDIFF_GATHER_PX + q] = b[c];
                        }
                    }
                    edgediff_gather_tile(&g, x + x0 * sw, acc, sw);
                    const int32_t n_px = w_out - x0 < EDGEDIFF_GATHER_PX ? w_out - x0
                                                                          : EDGEDIFF_GATHER_PX;
                    for (int32_t c = 0; c < n_co; ++c) {
                        edgediff_gather_put(dst + c * out_plane + x0, 1,
                                            acc + c * EDGEDIFF_GATHER_PX, n_px, p->act);
                    }
                }
            }
        }
    }
}

#undef EDGEDIFF_CONV1D_FPU_NAME
