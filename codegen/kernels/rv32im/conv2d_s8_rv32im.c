/* int8 2-D convolution for scalar RV32IM cores (no F, V or P extension needed): dilation 1,
 * any kernel, stride, padding and groups, depthwise included (overrides/rv32im.py). Same
 * bytes as ref/conv2d_s8.c: exact sums of (x + input_offset) * w over the taps inside the
 * image, in another order, then the reference's requantization (internal/requantize_s8.h).
 *
 * No scratch (an integer-only board's 16 KiB hold the zoo dncnn's activations with 16 B to
 * spare), so weights and inputs are read in place, one pointer per operand, which leaves
 * room in RISC-V's registers for tiles of one output channel x 16 pixels of a row (then 8,
 * then 4, the last tile of a row overlapping the one before; its pixels already stored are
 * not stored again): 16 int32 sums, the 3 weights of a kernel row and a sliding window of
 * input bytes (internal/conv2d_s8_rv32im_tile.h; 3x3 stride 1, per kernel row and input
 * channel: 18 input and 3 weight loads and 48 mul + add for 48 MACs). The input offset is
 * folded into the sums' start: sum((x + offset) * w) = sum(x * w) + offset * sum(w), the sum
 * over the kernel rows inside the image (each output channel's weight sums per kernel row,
 * taken once), with a padding column read as the input zero point, whose x + offset is 0 as
 * the reference skips it. A kernel row outside the image is skipped; the padding columns of
 * a row's first and last tiles (or both sides of one tile) are compile-time variants. 3x3
 * stride 1 or 2 and 1x1 stride 1 have such tiles; any other kernel or stride, a row narrower
 * than 4 pixels or more than one padding column on a side runs a tile that tests each column
 * and adds the offset per byte. The sums wrap in uint32 (the reference's int32 whenever that
 * does not overflow). */
#include "edgediff/kernels_rv32im.h"
#include "edgediff/internal/requantize_s8.h"

typedef struct {
    int32_t c_in, plane, w_in, offset;
    int32_t kernel_h, kernel_w, stride;
} edgediff_rv32im_conv_t;

#define EDGEDIFF_TILE_NAME tile_k3s1_16
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 16
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s1_16_left
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 16
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s1_16_right
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 16
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s1_16_both
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 16
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s1_4
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 4
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s1_4_left
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 4
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s1_4_right
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 4
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s1_4_both
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 4
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_16
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_NP 16
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_16_left
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_NP 16
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_16_right
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_NP 16
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_16_both
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_NP 16
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_4
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_NP 4
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_4_left
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_NP 4
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_4_right
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_NP 4
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_4_both
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_NP 4
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s1_8
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 8
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s1_8_left
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 8
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s1_8_right
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 8
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s1_8_both
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 8
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_8
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_NP 8
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_8_left
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_NP 8
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_8_right
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_NP 8
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k3s2_8_both
#define EDGEDIFF_TILE_KH 3
#define EDGEDIFF_TILE_KW 3
#define EDGEDIFF_TILE_S 2
#define EDGEDIFF_TILE_NP 8
#define EDGEDIFF_TILE_ZL 1
#define EDGEDIFF_TILE_ZR 1
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k1s1_8
#define EDGEDIFF_TILE_KH 1
#define EDGEDIFF_TILE_KW 1
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 8
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k1s1_16
#define EDGEDIFF_TILE_KH 1
#define EDGEDIFF_TILE_KW 1
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 16
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"
#define EDGEDIFF_TILE_NAME tile_k1s1_4
#define EDGEDIFF_TILE_KH 1
#define EDGEDIFF_TILE_KW 1
#define EDGEDIFF_TILE_S 1
#define EDGEDIFF_TILE_NP 4
#define EDGEDIFF_TILE_ZL 0
#define EDGEDIFF_TILE_ZR 0
#include "edgediff/internal/conv2d_s8_rv32im_tile.h"

/* Any kernel and stride, 4 pixels: each column tested (outside the image: no term), the
 * offset added per byte. row0 is the first kernel row inside the image's input row at
 * column 0, ix0 the span's first column, w that kernel row's weights; acc starts at the bias. */
static __attribute__((noinline)) void tile_checked(const edgediff_rv32im_conv_t *t,
                                                   const int8_t *row0, const int8_t *w,
                                                   int32_t rows, int32_t ix0, uint32_t acc[4]) {
    const uint32_t w_in = (uint32_t)t->w_in;
    const int32_t taps = t->kernel_h * t->kernel_w;
    for (int32_t r = 0; r < rows; ++r) {
        const int8_t *rp = row0 + r * t->w_in;
        const int8_t *p = w + r * t->kernel_w;
        for (int32_t ci = 0; ci < t->c_in; ++ci, rp += t->plane, p += taps) {
            for (int32_t kx = 0; kx < t->kernel_w; ++kx) {
                const uint32_t wk = (uint32_t)(int32_t)p[kx];
                for (int q = 0; q < 4; ++q) {
                    const int32_t ix = ix0 + q * t->stride + kx;
                    if ((uint32_t)ix < w_in) {
                        acc[q] += (uint32_t)((int32_t)rp[ix] + t->offset) * wk;
                    }
                }
            }
        }
    }
}

/* A compile-time tile of np (16, 8 or 4) pixels whose span starts at column ix0, where one
 * fits (at most one padding column on either side); 0 where none does. */
static int run_tile(const edgediff_rv32im_conv_t *t, int32_t np, const int8_t *row,
                    const int8_t *w, int32_t rows, int32_t ix0, uint32_t *acc) {
    const int32_t k = t->kernel_w, s = t->stride;
    const int32_t span = (np - 1) * s + k;
    const int32_t zl = ix0 < 0 ? -ix0 : 0;
    const int32_t zr = ix0 + span > t->w_in ? ix0 + span - t->w_in : 0;
    if (zl > 1 || zr > 1) {
        return 0;
    }
    const int8_t *at = row + ix0 + zl;
#define PICK(tile) (zl ? (zr ? tile##_both : tile##_left) : zr ? tile##_right : tile)
#define BY_WIDTH(tile) (np == 16 ? PICK(tile##_16) : np == 8 ? PICK(tile##_8) : PICK(tile##_4))
    if (k == 3 && t->kernel_h == 3 && s == 1) {
        BY_WIDTH(tile_k3s1)(t, at, w, rows, acc);
    } else if (k == 3 && t->kernel_h == 3 && s == 2) {
        BY_WIDTH(tile_k3s2)(t, at, w, rows, acc);
    } else if (k == 1 && t->kernel_h == 1 && s == 1 && zl + zr == 0) {
        (np == 16 ? tile_k1s1_16 : np == 8 ? tile_k1s1_8 : tile_k1s1_4)(t, at, w, rows, acc);
    } else {
        return 0;
    }
#undef BY_WIDTH
#undef PICK
    return 1;
}

/* The output channel's requantization, in locals (a store through int8_t * may alias any
 * memory, so the compiler would reload them from the kernel's arguments for every byte). */
typedef struct {
    int32_t multiplier, shift, output_offset, act_min, act_max;
} edgediff_rv32im_requant_t;

/* count sums requantized by the reference's helpers and stored at dst. The usual case (a
 * multiplier below 1: shift <= 0, and a multiplier that is not INT32_MIN, as none is) is a
 * loop of its own, where the compiler drops the helpers' branches for the other cases. */
static void store(const uint32_t *acc, int32_t count, const edgediff_rv32im_requant_t *rq,
                  int8_t *dst) {
    const int32_t m = rq->multiplier, sh = rq->shift;
    const int32_t zp = rq->output_offset, lo = rq->act_min, hi = rq->act_max;
    if (sh <= 0 && m >= 0) {
        for (int32_t q = 0; q < count; ++q) {
            dst[q] = edgediff_output_s8(edgediff_requantize((int32_t)acc[q], m, sh), zp, lo, hi);
        }
    } else {
        for (int32_t q = 0; q < count; ++q) {
            dst[q] = edgediff_output_s8(edgediff_requantize((int32_t)acc[q], m, sh), zp, lo, hi);
        }
    }
}

void edgediff_conv2d_s8_rv32im(const conv2d_s8_params_t *p, const int8_t *in,
                               const int8_t *weight, const int32_t *bias,
                               const int32_t *multiplier, const int32_t *shift, int8_t *out) {
    const conv2d_params_t *g = &p->conv;
    const int32_t plane_out = g->h_out * g->w_out;
    const int32_t taps = g->kernel_h * g->kernel_w;
    const int32_t cpg = g->c_in / g->groups, opg = g->c_out / g->groups;
    const edgediff_rv32im_conv_t t = {cpg, g->h_in * g->w_in, g->w_in, p->q.input_offset,
                                      g->kernel_h, g->kernel_w, g->stride_w};
    const uint32_t offset = (uint32_t)p->q.input_offset;
    /* the compile-time tiles' kernels (at most 3 rows: their weight sums per row) */
    const int tiled = (taps == 9 && g->kernel_w == 3) || taps == 1;
    for (int32_t n = 0; n < g->n; ++n) {
        for (int32_t co = 0; co < g->c_out; ++co) {
            /* the input channels of the output channel's group */
            const int8_t *image = in + (n * g->c_in + co / opg * cpg) * t.plane;
            const int8_t *w_co = weight + co * cpg * taps;
            const uint32_t b = bias ? (uint32_t)bias[co] : 0;
            uint32_t row_sum[3] = {0, 0, 0};
            for (int32_t ci = 0; tiled && ci < cpg; ++ci) {
                for (int32_t i = 0; i < taps; ++i) {
                    row_sum[i / g->kernel_w] += (uint32_t)(int32_t)w_co[ci * taps + i];
                }
            }
            const edgediff_rv32im_requant_t rq = {multiplier[co], shift[co], p->q.output_offset,
                                                  p->q.act_min, p->q.act_max};
            int8_t *dst = out + (n * g->c_out + co) * plane_out;
            for (int32_t oy = 0; oy < g->h_out; ++oy, dst += g->w_out) {
                const int32_t iy0 = oy * g->stride_h - g->pad_h;
                const int32_t ky0 = iy0 < 0 ? -iy0 : 0;
                const int32_t ky1 = g->h_in - iy0 < g->kernel_h ? g->h_in - iy0 : g->kernel_h;
                const int32_t rows = ky1 > ky0 ? ky1 - ky0 : 0;
                const int8_t *row = rows ? image + (iy0 + ky0) * g->w_in : image;
                const int8_t *w = w_co + ky0 * g->kernel_w;
                uint32_t folded = b;
                for (int32_t ky = ky0; tiled && ky < ky0 + rows; ++ky) {
                    folded += offset * row_sum[ky];
                }
                for (int32_t ox = 0; ox < g->w_out;) {
                    /* 16 pixels while they fit, then 8, then 4 (the last ending at w_out) */
                    uint32_t acc[16];
                    int32_t np = g->w_out - ox >= 16 ? 16 : g->w_out - ox >= 8 ? 8 : 4, x0 = ox;
                    for (int q = 0; q < 16; ++q) {
                        acc[q] = folded;
                    }
                    if (np == 4 || !(tiled && run_tile(&t, np, row, w, rows,
                                                       ox * g->stride_w - g->pad_w, acc))) {
                        np = 4;
                        x0 = ox + 4 > g->w_out && g->w_out >= 4 ? g->w_out - 4 : ox;
                        const int32_t ix0 = x0 * g->stride_w - g->pad_w;
                        if (!(tiled && g->w_out >= 4 && run_tile(&t, 4, row, w, rows, ix0, acc))) {
                            for (int q = 0; q < 4; ++q) {
                                acc[q] = b;
                            }
                            tile_checked(&t, row, w, rows, ix0, acc);
                        }
                    }
                    const int32_t q_end = g->w_out - x0 < np ? g->w_out - x0 : np;
                    store(acc + (ox - x0), q_end - (ox - x0), &rq, dst + ox);
                    ox = x0 + q_end;
                }
            }
        }
    }
}
