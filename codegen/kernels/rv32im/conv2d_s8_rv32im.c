/* int8 2-D convolution for scalar RV32IM cores (no F, V or P extension needed): groups 1,
 * dilation 1, any kernel, stride and padding (overrides/rv32im.py). Same bytes as
 * ref/conv2d_s8.c: exact int32 sums of (x + input_offset) * w over the taps inside the image,
 * in another order, then the reference's requantization (internal/requantize_s8.h).
 *
 * Register-blocked: tiles of 4 output channels x 4 output pixels of a row keep 16 int32
 * accumulators (internal/conv2d_s8_rv32im_tile.h). The weights of a block of 4 output
 * channels are packed once per block into the scratch as [kernel_h][c_in][kernel_w][4], so
 * one pointer with constant offsets reaches the 4 channels' weights of a tap and the inner
 * loop (over input channels, for one kernel row) steps it by a constant. The input offset is
 * not added per tap: sum((x + offset) * w) = sum(x * w) + offset * sum(w), the sum of w over
 * the kernel rows inside the image (per row sums packed beside the weights), with a padding
 * column read as the input zero point (x + offset = 0: the reference skips those taps). No
 * input is copied: a kernel row outside the image is skipped, and the padding columns of the
 * first and last tiles of a row are compile-time variants. The sums wrap in uint32 (the same
 * int32 value as the reference's whenever that does not overflow). 3x3 stride 1 or 2 and 1x1 stride 1 have such tiles (3x3 stride 1:
 * 6 input and 12 weight byte loads and 48 mul + add per 48 MACs); any other kernel,
 * stride or a row narrower than a tile runs a tile that tests each column. A row's last tile
 * overlaps the one before it when w_out is not a multiple of 4 (its pixels already stored
 * are not stored again); output channels past c_out have zero weights and are not stored. */
#include "edgediff/kernels_rv32im.h"
#include "edgediff/internal/requantize_s8.h"

typedef struct {
    const int8_t *image;  /* the input channels of one batch element */
    int32_t c_in, plane, w_in, offset;  /* offset: input_offset (a padding column: -offset) */
    int32_t row_bytes;  /* packed bytes of one kernel row: c_in * kernel_w * 4 */
    int32_t kernel_w, stride;
} edgediff_rv32im_conv_t;

#define EDGEDIFF_TILE_NAME tile_k3s1
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s1_left
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s1_right
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_left
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_right
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k1s1
#define EDGEDIFF_TILE_KW 1
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"

/* Any kernel width and stride: each column tested (outside the image: the zero point). row0 is the first
 * kernel row's input row at column 0, ix0 the span's first column. */
static __attribute__((noinline)) void tile_checked(const edgediff_rv32im_conv_t *t,
                                                   const int8_t *row0, const int8_t *w0,
                                                   int32_t rows, int32_t ix0,
                                                   uint32_t acc[4][4]) {
    const uint32_t w_in = (uint32_t)t->w_in;
    const uint32_t zp = (uint32_t)-t->offset;
    for (int32_t r = 0; r < rows; ++r, row0 += t->w_in, w0 += t->row_bytes) {
        const int8_t *rp = row0;
        const int8_t *wp = w0;
        for (int32_t ci = 0; ci < t->c_in; ++ci, rp += t->plane, wp += 4 * t->kernel_w) {
            for (int32_t kx = 0; kx < t->kernel_w; ++kx) {
                uint32_t x[4];
                for (int q = 0; q < 4; ++q) {
                    const int32_t ix = ix0 + q * t->stride + kx;
                    x[q] = (uint32_t)ix < w_in ? (uint32_t)(int32_t)rp[ix] : zp;
                }
                for (int c = 0; c < 4; ++c) {
                    const uint32_t w = (uint32_t)(int32_t)wp[kx * 4 + c];
                    for (int q = 0; q < 4; ++q) {
                        acc[c][q] += x[q] * w;
                    }
                }
            }
        }
    }
}

/* The 4 x 4 tile whose span starts at column ix0: a compile-time variant where one fits. */
static void run_tile(const edgediff_rv32im_conv_t *t, const int8_t *row, const int8_t *w0,
                     int32_t rows, int32_t ix0, uint32_t acc[4][4]) {
    const int32_t span = 3 * t->stride + t->kernel_w;
    const int32_t zl = ix0 < 0 ? -ix0 : 0;
    const int32_t zr = ix0 + span > t->w_in ? ix0 + span - t->w_in : 0;
    if (zl + zr <= 1 && t->kernel_w == 3 && (t->stride == 1 || t->stride == 2)) {
        if (t->stride == 1) {
            (zl ? tile_k3s1_left : zr ? tile_k3s1_right : tile_k3s1)(t, row + ix0 + zl, w0, rows, acc);
        } else {
            (zl ? tile_k3s2_left : zr ? tile_k3s2_right : tile_k3s2)(t, row + ix0 + zl, w0, rows, acc);
        }
    } else if (zl + zr == 0 && t->kernel_w == 1 && t->stride == 1) {
        tile_k1s1(t, row + ix0, w0, rows, acc);
    } else {
        tile_checked(t, row, w0, rows, ix0, acc);
    }
}

/* Packs output channels co0..co0+3 (zero past c_out) as [kernel_h][c_in][kernel_w][4], and
 * each channel's weight sum per kernel row, row_sums[kernel_h][4]. */
static void pack_block(const conv2d_params_t *g, const int8_t *weight, int32_t co0,
                       int8_t *packed, int32_t *row_sums) {
    const int32_t kh = g->kernel_h, kw = g->kernel_w;
    for (int c = 0; c < 4; ++c) {
        const int live = co0 + c < g->c_out;
        for (int32_t ky = 0; ky < kh; ++ky) {
            int32_t sum = 0;
            for (int32_t ci = 0; ci < g->c_in; ++ci) {
                const int8_t *src = weight + (((co0 + c) * g->c_in + ci) * kh + ky) * kw;
                int8_t *dst = packed + ((ky * g->c_in + ci) * kw) * 4 + c;
                for (int32_t kx = 0; kx < kw; ++kx) {
                    const int8_t w = live ? src[kx] : 0;
                    dst[kx * 4] = w;
                    sum += w;
                }
            }
            row_sums[ky * 4 + c] = sum;
        }
    }
}

void edgediff_conv2d_s8_rv32im(const conv2d_s8_params_t *p, const int8_t *in,
                               const int8_t *weight, const int32_t *bias,
                               const int32_t *multiplier, const int32_t *shift, int8_t *out,
                               void *scratch) {
    const conv2d_params_t *g = &p->conv;
    const int32_t plane_out = g->h_out * g->w_out;
    int8_t *packed = (int8_t *)scratch;
    int32_t *row_sums = (int32_t *)(packed + edgediff_conv2d_s8_rv32im_packed_bytes(p));
    edgediff_rv32im_conv_t t = {in, g->c_in, g->h_in * g->w_in, g->w_in, p->q.input_offset,
                                g->c_in * g->kernel_w * 4, g->kernel_w, g->stride_w};
    for (int32_t n = 0; n < g->n; ++n) {
        t.image = in + n * g->c_in * t.plane;
        for (int32_t co0 = 0; co0 < g->c_out; co0 += 4) {
            const int32_t live = g->c_out - co0 < 4 ? g->c_out - co0 : 4;
            pack_block(g, weight, co0, packed, row_sums);
            int8_t *out_block = out + (n * g->c_out + co0) * plane_out;
            for (int32_t oy = 0; oy < g->h_out; ++oy) {
                const int32_t iy0 = oy * g->stride_h - g->pad_h;
                const int32_t ky0 = iy0 < 0 ? -iy0 : 0;
                const int32_t ky1 = g->h_in - iy0 < g->kernel_h ? g->h_in - iy0 : g->kernel_h;
                const int32_t rows = ky1 > ky0 ? ky1 - ky0 : 0;
                const int8_t *row = rows ? t.image + (iy0 + ky0) * g->w_in : t.image;
                const int8_t *w0 = packed + ky0 * t.row_bytes;
                /* bias + input_offset * (the weights of the rows inside the image) */
                uint32_t start[4];
                for (int c = 0; c < 4; ++c) {
                    uint32_t sum = 0;
                    for (int32_t ky = ky0; ky < ky0 + rows; ++ky) {
                        sum += (uint32_t)row_sums[ky * 4 + c];
                    }
                    start[c] = (uint32_t)(bias && c < live ? bias[co0 + c] : 0)
                               + (uint32_t)p->q.input_offset * sum;
                }
                for (int32_t ox = 0; ox < g->w_out; ox += 4) {
                    /* the last tile ends at w_out (overlapping the one before) */
                    const int32_t x0 = ox + 4 > g->w_out && g->w_out >= 4 ? g->w_out - 4 : ox;
                    uint32_t acc[4][4];
                    for (int c = 0; c < 4; ++c) {
                        for (int q = 0; q < 4; ++q) {
                            acc[c][q] = start[c];
                        }
                    }
                    run_tile(&t, row, w0, rows, x0 * g->stride_w - g->pad_w, acc);
                    const int32_t q_end = g->w_out - x0 < 4 ? g->w_out - x0 : 4;
                    for (int c = 0; c < live; ++c) {
                        int8_t *dst = out_block + c * plane_out + oy * g->w_out + x0;
                        for (int32_t q = ox - x0; q < q_end; ++q) {
                            const int32_t scaled = edgediff_requantize(
                                (int32_t)acc[c][q], multiplier[co0 + c], shift[co0 + c]);
                            dst[q] = edgediff_output_s8(scaled, p->q.output_offset,
                                                        p->q.act_min, p->q.act_max);
                        }
                    }
                }
            }
        }
    }
}
