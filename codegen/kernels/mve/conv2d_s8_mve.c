/* int8 2-D convolution for Arm MVE (Helium, Cortex-M55): groups 1, dilation 1, any kernel
 * (kernel_h <= EDGEDIFF_S8_CONV_MAX_KH), stride and padding (overrides/mve.py).
 *
 * The input rows an output row reads are copied into a ring of kernel_h rows in scratch,
 * channels innermost (HWC) and still int8, the padding columns and the rows outside the
 * image filled with the input zero point. The patch of one output pixel (kernel_h runs of
 * kernel_w * c_in bytes) is then gathered from the ring into one contiguous column, and the
 * weights, packed once per call in the same order (zero past the patch's end, so a patch
 * read as whole 16-byte vectors adds nothing past it), make its dot product VMLADAVA.S8:
 * 16 MACs per instruction, one loop over the whole patch. The input offset is not added
 * per tap: sum((x + offset) * w) = sum(x * w) + offset * sum(w) over every tap, the padding
 * included: there x is the zero point, x + offset = 0, as the reference skips it.
 * offset * sum(w) + bias is one int32 per channel, computed when the weights are packed.
 * Blocks of 4 output channels x 2 pixels (8 scalar sums; each input vector serves 4
 * channels, each weight vector 2 pixels); the 4 channels' sums of a pixel are then one
 * vector through the requantization (internal/requantize_s8_mve.h) and a byte scatter.
 * Exact int32 sums in another order: same bytes as ref/conv2d_s8.c. */
#include <arm_mve.h>

#include "edgediff/kernels_mve.h"
#include "edgediff/internal/gemm_s8_mve.h"
#include "edgediff/internal/requantize_s8_mve.h"

/* Input row iy (the zero point outside the image) as a padded HWC row. */
static void fill_row(const conv2d_params_t *g, const int8_t *image, int8_t zero_point, int32_t iy,
                     int8_t *row) {
    const int32_t c = g->c_in;
    const int32_t bytes = (g->w_in + 2 * g->pad_w) * c + 16;
    if (iy < 0 || iy >= g->h_in) {
        for (int32_t i = 0; i < bytes; i += 16) {
            vstrbq_p_s8(row + i, vdupq_n_s8(zero_point), vctp8q(bytes - i));
        }
        return;
    }
    const int32_t pad = g->pad_w * c;
    for (int32_t i = 0; i < pad; i += 16) {
        const mve_pred16_t m = vctp8q(pad - i);
        vstrbq_p_s8(row + i, vdupq_n_s8(zero_point), m);
        vstrbq_p_s8(row + pad + g->w_in * c + i, vdupq_n_s8(zero_point), m);
    }
    /* 8 pixels of a channel per step: a widening load, a byte scatter c apart */
    const uint16x8_t offsets = vmulq_n_u16(vidupq_n_u16(0, 1), (uint16_t)c);
    const int32_t plane = g->h_in * g->w_in;
    for (int32_t ci = 0; ci < c; ++ci) {
        const int8_t *src = image + ci * plane + iy * g->w_in;
        int8_t *dst = row + pad + ci;
        for (int32_t ix = 0; ix < g->w_in; ix += 8) {
            const mve_pred16_t m = vctp16q(g->w_in - ix);
            vstrbq_scatter_offset_p_s16(dst + ix * c, offsets, vldrbq_z_s16(src + ix, m), m);
        }
    }
}

/* The patches of two output pixels (first kernel rows at rows[ky] + at and + at + step),
 * each as one contiguous column: whole vectors, so a run's last one spills up to 15 bytes
 * into the next run's place (written next) or past the patch (the column's slack; their
 * weights are 0), and reads as far into the ring row's slack. `run`: kernel_w * c_in. */
static inline __attribute__((always_inline)) void gather2(const int8_t *const *rows,
                                                          int32_t kernel_h, int32_t run,
                                                          int32_t at, int32_t step,
                                                          int8_t *col0, int8_t *col1) {
    const int32_t vectors = (run + 15) >> 4;
    for (int32_t ky = 0; ky < kernel_h; ++ky) {
        const int8_t *s0 = rows[ky] + at;
        const int8_t *s1 = s0 + step;
        int8_t *d0 = col0 + ky * run;
        int8_t *d1 = col1 + ky * run;
        for (int32_t i = 0; i < vectors; ++i) {
            vstrbq_s8(d0, vldrbq_s8(s0));
            vstrbq_s8(d1, vldrbq_s8(s1));
            s0 += 16;
            s1 += 16;
            d0 += 16;
            d1 += 16;
        }
    }
}

void edgediff_conv2d_s8_mve(const conv2d_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch) {
    const conv2d_params_t *g = &p->conv;
    const int32_t vectors = edgediff_conv2d_s8_mve_patch_vectors(p);
    const int32_t row_bytes = edgediff_conv2d_s8_mve_row_bytes(p);
    const int32_t step = g->stride_w * g->c_in; /* bytes from one output pixel to the next */
    const int32_t plane_out = g->h_out * g->w_out;
    const int8_t zero_point = (int8_t)(-p->q.input_offset);
    int8_t *packed = (int8_t *)scratch;
    int32_t *params = (int32_t *)((char *)scratch + edgediff_conv2d_s8_mve_weight_bytes(p));
    int8_t *ring = (int8_t *)params + edgediff_conv2d_s8_mve_param_bytes(p);
    int8_t *col0 = ring + edgediff_conv2d_s8_mve_ring_bytes(p);
    int8_t *col1 = col0 + vectors * 16 + 16;
    edgediff_s8_mve_pack(weight, g->c_out, g->c_in, g->kernel_h * g->kernel_w, vectors,
                         p->q.input_offset, bias, multiplier, shift, packed, params,
                         (uint16_t *)col0); /* the columns' space is free until then */
    const int32_t out_offset = p->q.output_offset;
    const int32x4_t lo = vdupq_n_s32(p->q.act_min), hi = vdupq_n_s32(p->q.act_max);
    const int32_t c_out = g->c_out, w_out = g->w_out, kernel_h = g->kernel_h;
    const int32_t run = g->kernel_w * g->c_in, block_bytes = vectors * 64;
    const int32_t channel_step = 4 * plane_out;
    const uint32x4_t channel_offsets = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)plane_out);
    for (int32_t n = 0; n < g->n; ++n) {
        const int8_t *image = in + n * g->c_in * g->h_in * g->w_in;
        int8_t *dst = out + n * g->c_out * plane_out;
        /* input row iy lives in ring slot (iy + pad_h) % kernel_h: consecutive output rows
         * fill only the rows they add */
        int32_t held[EDGEDIFF_S8_CONV_MAX_KH];
        const int8_t *rows[EDGEDIFF_S8_CONV_MAX_KH];
        for (int32_t k = 0; k < g->kernel_h; ++k) {
            held[k] = INT32_MIN;
        }
        for (int32_t oy = 0; oy < g->h_out; ++oy) {
            for (int32_t ky = 0; ky < g->kernel_h; ++ky) {
                const int32_t iy = oy * g->stride_h - g->pad_h + ky;
                const int32_t slot = (iy + g->pad_h) % g->kernel_h;
                int8_t *row = ring + slot * row_bytes;
                if (held[slot] != iy) {
                    fill_row(g, image, zero_point, iy, row);
                    held[slot] = iy;
                }
                rows[ky] = row;
            }
            for (int32_t ox = 0; ox < w_out; ox += 2) {
                const int two = ox + 1 < w_out;
                /* one pixel: its patch twice (the second result is not stored) */
                gather2(rows, kernel_h, run, ox * step, two ? step : 0, col0, col1);
                int8_t *o = dst + oy * w_out + ox;
                const int8_t *w = packed;
                const int32_t *c = params;
                for (int32_t co = 0; co < c_out; co += 4) {
                    int32x4_t sa, sb;
                    edgediff_s8_mve_dot_4x2(w, col0, col1, vectors, &sa, &sb);
                    w += block_bytes;
                    const int32x4_t base = vldrwq_s32(c);
                    const int32x4_t mult = vldrwq_s32(c + 4);
                    const int32x4_t left = vldrwq_s32(c + 8);
                    const int32x4_t neg_right = vldrwq_s32(c + 12);
                    c += 16;
                    sa = edgediff_mve_requantize(vaddq_s32(sa, base), mult, left, neg_right);
                    sa = vminq_s32(vmaxq_s32(vaddq_n_s32(sa, out_offset), lo), hi);
                    sb = edgediff_mve_requantize(vaddq_s32(sb, base), mult, left, neg_right);
                    sb = vminq_s32(vmaxq_s32(vaddq_n_s32(sb, out_offset), lo), hi);
                    if (co + 4 <= c_out && two) {
                        vstrbq_scatter_offset_s32(o, channel_offsets, sa);
                        vstrbq_scatter_offset_s32(o + 1, channel_offsets, sb);
                    } else {
                        const mve_pred16_t live = vctp32q(c_out - co);
                        vstrbq_scatter_offset_p_s32(o, channel_offsets, sa, live);
                        vstrbq_scatter_offset_p_s32(o + 1, channel_offsets, sb,
                                                    two ? live : 0);
                    }
                    o += channel_step;
                }
            }
        }
    }
}
