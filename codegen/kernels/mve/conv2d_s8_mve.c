/* int8 2-D convolution for Arm MVE (Helium, Cortex-M55): groups 1, dilation 1, any kernel
 * (kernel_h <= EDGEDIFF_S8_CONV_MAX_KH), stride and padding (overrides/mve.py).
 *
 * The kernel_h input rows an output row reads are copied into scratch column by column:
 * column x holds row 0's c_in channels, then row 1's, ..., still int8, the padding columns
 * and the rows outside the image the input zero point. The patch of an output pixel
 * (kernel_w columns from x * stride_w) is then one contiguous run of kernel_w * kernel_h *
 * c_in bytes, read in place as whole 16-byte vectors. The weights come packed from flash in
 * the same tap order (kx, ky, channel; overrides/mve.py conv_s8_pack, at build time), in
 * blocks of 4 output channels, zero past the patch, so the up to 15 bytes a patch's last
 * vector reads past it (the next column, or the scratch's slack of as many bytes) add nothing: the dot product
 * is VMLADAVA.S8, 16 MACs per instruction, one loop over the patch. The input offset is not
 * added per tap: sum((x + offset) * w) = sum(x * w) + offset * sum(w) over every tap, the
 * padding included: there x is the zero point, x + offset = 0, as the reference skips it.
 * offset * sum(w) + bias is one int32 per channel, packed with the requantization's
 * parameters at build time (the `multiplier` argument; `bias` and `shift` are NULL).
 * Blocks of 4 output channels x 2 pixels (8 scalar sums; each input vector serves 4
 * channels, each weight vector 2 pixels); the 4 channels' sums of a pixel are then one
 * vector through the requantization (internal/requantize_s8_mve.h) and a byte scatter.
 * Exact int32 sums in another order: same bytes as ref/conv2d_s8.c. */
#include <arm_mve.h>

#include "edgediff/kernels_mve.h"
#include "edgediff/internal/gemm_s8_mve.h"
#include "edgediff/internal/requantize_s8_mve.h"

/* n bytes of the zero point from dst on, every `pitch` bytes, `count` times */
static void fill_zero_point(int8_t *dst, int32_t n, int32_t pitch, int32_t count, int8_t zp) {
    const int8x16_t v = vdupq_n_s8(zp);
    for (int32_t k = 0; k < count; ++k, dst += pitch) {
        for (int32_t i = 0; i < n; i += 16) {
            vstrbq_p_s8(dst + i, v, vctp8q((uint32_t)(n - i)));
        }
    }
}

/* Input row iy as row ky of the columns (the zero point outside the image); the padding
 * columns already hold the zero point. */
static void fill_row(const conv2d_params_t *g, const int8_t *image, int8_t zero_point,
                     int32_t iy, int32_t ky, int8_t *ring) {
    const int32_t c = g->c_in, column = g->kernel_h * c;
    int8_t *body = ring + g->pad_w * column + ky * c;
    if (iy < 0 || iy >= g->h_in) {
        fill_zero_point(body, c, column, g->w_in, zero_point);
        return;
    }
    /* 8 pixels of a channel per step: a widening load, a byte scatter a column apart */
    const uint16x8_t offsets = vmulq_n_u16(vidupq_n_u16(0, 1), (uint16_t)column);
    const int32_t plane = g->h_in * g->w_in, w_in = g->w_in, whole = w_in & ~7;
    const int8_t *src = image + iy * w_in;
    for (int32_t ci = 0; ci < c; ++ci, src += plane) {
        int8_t *dst = body + ci;
        int32_t ix = 0;
        for (; ix < whole; ix += 8, dst += 8 * column) {
            vstrbq_scatter_offset_s16(dst, offsets, vldrbq_s16(src + ix));
        }
        if (ix < w_in) {
            const mve_pred16_t m = vctp16q((uint32_t)(w_in - ix));
            vstrbq_scatter_offset_p_s16(dst, offsets, vldrbq_z_s16(src + ix, m), m);
        }
    }
}

void edgediff_conv2d_s8_mve(const conv2d_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch) {
    (void)bias;
    (void)shift;
    const conv2d_params_t *g = &p->conv;
    const int32_t vectors = edgediff_conv2d_s8_mve_patch_vectors(p);
    const int32_t column = g->kernel_h * g->c_in;
    const int32_t step = g->stride_w * column; /* bytes from one output pixel's patch to the next */
    const int32_t plane_out = g->h_out * g->w_out;
    const int8_t zero_point = (int8_t)(-p->q.input_offset);
    int8_t *ring = (int8_t *)scratch;
    const int32_t columns = g->w_in + 2 * g->pad_w;
    /* the padding columns (and the slack) hold the zero point for the whole call */
    fill_zero_point(ring, columns * column + vectors * 16 - g->kernel_w * column, 0, 1,
                    zero_point);
    const int32_t out_offset = p->q.output_offset;
    const int32x4_t lo = vdupq_n_s32(p->q.act_min), hi = vdupq_n_s32(p->q.act_max);
    const int32_t c_out = g->c_out, w_out = g->w_out, block_bytes = vectors * 64;
    const int32_t channel_step = 4 * plane_out;
    const uint32x4_t channel_offsets = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)plane_out);
    for (int32_t n = 0; n < g->n; ++n) {
        const int8_t *image = in + n * g->c_in * g->h_in * g->w_in;
        int8_t *dst = out + n * g->c_out * plane_out;
        for (int32_t oy = 0; oy < g->h_out; ++oy) {
            for (int32_t ky = 0; ky < g->kernel_h; ++ky) {
                fill_row(g, image, zero_point, oy * g->stride_h - g->pad_h + ky, ky, ring);
            }
            for (int32_t ox = 0; ox < w_out; ox += 2) {
                const int two = ox + 1 < w_out;
                /* one pixel: its patch twice (the second result is not stored) */
                const int8_t *a = ring + ox * step;
                const int8_t *b = two ? a + step : a;
                int8_t *o = dst + oy * w_out + ox;
                const int8_t *w = weight;
                const int32_t *c = multiplier;
                for (int32_t co = 0; co < c_out; co += 4) {
                    int32x4_t sa, sb;
                    edgediff_s8_mve_dot_4x2(w, a, b, vectors, &sa, &sb);
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
                        const mve_pred16_t live = vctp32q((uint32_t)(c_out - co));
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
