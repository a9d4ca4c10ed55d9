/* The scalar-FPU transposed convolution (fpu/conv_transpose2d_f32_fpu.c, _f16_fpu.c;
 * nn.ConvTranspose2d, and nn.ConvTranspose1d captured with height 1), written once for both
 * element types; internal to codegen/kernels. The includer defines EDGEDIFF_FPU_F16 for
 * halves (else floats) and EDGEDIFF_CT_FPU_NAME.
 *
 * Gather form, as the reference (kernels.h) and the SIMD frame (conv_transpose2d_simd.h):
 * output column x = px + stride_w * j (phase px) is reached by the taps kx = r + u * stride_w
 * from input column j + q - u, so along a phase consecutive outputs read consecutive inputs.
 * Per block of 4 output channels of a group, its weights are packed once
 * [c_in / groups][kernel_h * kernel_w][4] (FP32, zero past the group's last channel); per
 * output row, the input rows that reach it (transpose_taps.h) of every input channel of the
 * group are in the scratch (a ring of ceil(kernel_h / stride_h) slots: each input row is
 * copied once per block), copied with ceil(kernel_w / stride_w) - 1 zero columns in
 * front and zeros behind (FP16 widened here), so every output of a phase, at the row ends
 * too, sums the same table of taps (at most EDGEDIFF_FPU_MAX_TAPS, overrides/fpu.py) with no
 * bounds tests; the phase runs in tiles of 4 channels x 4 outputs (gather_fpu.h).
 * ACCUMULATION: FP32 fmaf seeded with the bias; the taps outside the input add exact zeros
 * (0 * w), so the sum is the reference's terms. One rounding on store. */
#ifndef EDGEDIFF_CT_FPU_NAME
#error "define EDGEDIFF_CT_FPU_NAME before including this header"
#endif

#include "edgediff/internal/fpu_elem.h"
#include "edgediff/internal/gather_fpu.h"
#include "edgediff/internal/transpose_taps.h"

void EDGEDIFF_CT_FPU_NAME(const conv_transpose2d_params_t *p, const elem_t *in,
                          const elem_t *weight, const elem_t *bias, elem_t *out, void *scratch) {
    const int32_t h_in = p->h_in, w_in = p->w_in, h_out = p->h_out, w_out = p->w_out;
    const int32_t kh = p->kernel_h, kw = p->kernel_w, sh = p->stride_h, sw = p->stride_w;
    const int32_t cin_g = p->c_in / p->groups, cout_g = p->c_out / p->groups, kk = kh * kw;
    const int32_t row = edgediff_conv_transpose2d_fpu_row(p);
    const int32_t left = edgediff_conv_transpose2d_fpu_left(p);
    const int32_t rows = (kh + sh - 1) / sh, in_plane = h_in * w_in, out_plane = h_out * w_out;
    const int32_t phases = sw < w_out ? sw : w_out;
    float *x = (float *)scratch;
    float *w = (float *)((char *)scratch + edgediff_conv_transpose2d_fpu_weights(p));
    int32_t x_off[EDGEDIFF_FPU_MAX_TAPS], w_off[EDGEDIFF_FPU_MAX_TAPS];
    int32_t held[EDGEDIFF_FPU_MAX_TAPS]; /* the input row in each slot, -1: none */
    edgediff_gather_t g = {w, kk * EDGEDIFF_GATHER_CO, rows * row, cin_g, 0, x_off, w_off};
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t co = 0; co < p->c_out; co += EDGEDIFF_GATHER_CO) {
            const int32_t grp = co / cout_g, group_end = (grp + 1) * cout_g;
            const int32_t n_co = group_end - co < EDGEDIFF_GATHER_CO ? group_end - co
                                                                      : EDGEDIFF_GATHER_CO;
            float b[EDGEDIFF_GATHER_CO];
            for (int32_t i = 0; i < cin_g; ++i) {
                edgediff_gather_pack(w + i * kk * EDGEDIFF_GATHER_CO,
                                     weight + ((grp * cin_g + i) * cout_g + co % cout_g) * kk,
                                     kk, 1, kk, n_co);
            }
            for (int32_t c = 0; c < EDGEDIFF_GATHER_CO; ++c) {
                b[c] = bias && c < n_co ? EDGEDIFF_FPU_LOAD(bias + co + c) : 0.0f;
            }
            const elem_t *src = in + (n * p->c_in + grp * cin_g) * in_plane;
            elem_t *dst = out + (n * p->c_out + co) * out_plane;
            for (int32_t t = 0; t < rows; ++t) {
                held[t] = -1;
            }
            for (int32_t y = 0; y < h_out; ++y) {
                int32_t ky0 = 0, iy0 = 0;
                const int32_t n_ky =
                    edgediff_transpose_taps(y, p->pad_h, sh, kh, h_in, &ky0, &iy0);
                /* the n_ky consecutive rows iy0 - t sit in slots (iy0 - t) % rows (distinct):
                 * copy those not already there, so each input row is copied once per block
                 * of output channels */
                for (int32_t t = 0; t < n_ky; ++t) {
                    const int32_t iy = iy0 - t, slot = iy % rows;
                    if (held[slot] != iy) {
                        held[slot] = iy;
                        for (int32_t i = 0; i < cin_g; ++i) {
                            edgediff_gather_row(x + (i * rows + slot) * row,
                                                src + i * in_plane + iy * w_in, left, w_in, row);
                        }
                    }
                }
                for (int32_t px = 0; px < phases; ++px) {
                    const int32_t r = (px + p->pad_w) % sw, q = (px + p->pad_w) / sw;
                    const int32_t n_kx = r < kw ? (kw - r + sw - 1) / sw : 0;
                    const int32_t nj = (w_out - px + sw - 1) / sw;
                    g.taps = 0;
                    for (int32_t t = 0; t < n_ky; ++t) {
                        for (int32_t u = 0; u < n_kx; ++u, ++g.taps) {
                            x_off[g.taps] = ((iy0 - t) % rows) * row + left + q - u;
                            w_off[g.taps] = ((ky0 + t * sh) * kw + r + u * sw) * EDGEDIFF_GATHER_CO;
                        }
                    }
                    for (int32_t j0 = 0; j0 < nj; j0 += EDGEDIFF_GATHER_PX) {
                        float acc[EDGEDIFF_GATHER_CO * EDGEDIFF_GATHER_PX];
                        for (int32_t c = 0; c < EDGEDIFF_GATHER_CO; ++c) {
                            for (int32_t v = 0; v < EDGEDIFF_GATHER_PX; ++v) {
                                acc[c * EDGEDIFF_GATHER_PX + v] = b[c];
                            }
                        }
                        edgediff_gather_tile(&g, x + j0, acc, 1);
                        const int32_t n_px = nj - j0 < EDGEDIFF_GATHER_PX ? nj - j0
                                                                           : EDGEDIFF_GATHER_PX;
                        for (int32_t c = 0; c < n_co; ++c) {
                            edgediff_gather_put(dst + c * out_plane + y * w_out + px + j0 * sw, sw,
                                                acc + c * EDGEDIFF_GATHER_PX, n_px, p->act);
                        }
                    }
                }
            }
            if (n_co < EDGEDIFF_GATHER_CO) { /* the group's last block: the next starts a group */
                co -= EDGEDIFF_GATHER_CO - n_co;
            }
        }
    }
}

#undef EDGEDIFF_CT_FPU_NAME
