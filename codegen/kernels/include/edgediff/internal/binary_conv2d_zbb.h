/* Internal to binary_conv2d_f32_zbb.c and binary_conv2d_f16_zbb.c; not part of the API.
 * The loop both output types share, written once with the load/store helpers of
 * kernel_util.h (the kernel files pass constant functions, so it compiles to typed code).
 *
 * Work: BLOCK output channels at a time. For each output pixel the valid taps of each
 * kernel row are one contiguous run of words, both in the input ([h][w][words]) and in the
 * weights ([c_out][kh][kw][words]), so the dot product is a flat loop over runs: each
 * activation word is loaded once and XORed with the BLOCK channels' weight words (one cpop
 * each), which shares its load among the channels. A tap in the zero padding is simply not
 * in a run, so border pixels take the same loop with shorter runs or fewer rows. */
#ifndef EDGEDIFF_ZBB_BINARY_CONV2D_ZBB_H
#define EDGEDIFF_ZBB_BINARY_CONV2D_ZBB_H

#include "edgediff/internal/binary_util.h"

#if !defined(__riscv_zbb)
#error "the zbb kernels need Zbb (cpop): build with -march=..._zbb"
#endif

#define EDGEDIFF_BLOCK 4

/* Bits set in x: one cpop with Zbb. */
static inline int32_t popcount(uint32_t x) {
    return __builtin_popcount(x);
}

static inline void binary_conv2d_zbb(const binary_conv2d_params_t *p, const uint32_t *in,
                                     const uint32_t *weight, const void *scale,
                                     const void *bias, const edgediff_binary_post_t *post,
                                     void *out, edgediff_load_t load, edgediff_store_t store) {
    const int32_t words = p->words, kh = p->kernel_h, kw = p->kernel_w;
    const int32_t h_in = p->h_in, w_in = p->w_in, h_out = p->h_out, w_out = p->w_out;
    const int32_t per_channel = kh * kw * words; /* weight words of one output channel */
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t co = 0; co < p->c_out; co += EDGEDIFF_BLOCK) {
            const int32_t block = p->c_out - co < EDGEDIFF_BLOCK ? p->c_out - co : EDGEDIFF_BLOCK;
            /* channels past the block repeat its last one: never read out of bounds */
            const uint32_t *w0 = weight + co * per_channel;
            const uint32_t *w1 = block > 1 ? w0 + per_channel : w0;
            const uint32_t *w2 = block > 2 ? w1 + per_channel : w1;
            const uint32_t *w3 = block > 3 ? w2 + per_channel : w2;
            for (int32_t y = 0; y < h_out; ++y) {
                const int32_t iy0 = y * p->stride_h - p->pad_h;
                int32_t ky_first, ky_end;
                edgediff_clip_taps(iy0, 1, kh, h_in, &ky_first, &ky_end);
                for (int32_t x = 0; x < w_out; ++x) {
                    const int32_t ix0 = x * p->stride_w - p->pad_w;
                    int32_t kx_first, kx_end;
                    edgediff_clip_taps(ix0, 1, kw, w_in, &kx_first, &kx_end);
                    const int32_t run = (kx_end - kx_first) * words;
                    int32_t d0 = 0, d1 = 0, d2 = 0, d3 = 0; /* differing bits per channel */
                    for (int32_t ky = ky_first; ky < ky_end; ++ky) {
                        const int32_t pixel = (n * h_in + iy0 + ky) * w_in + ix0 + kx_first;
                        const uint32_t *a = in + pixel * words;
                        const int32_t tap = (ky * kw + kx_first) * words;
                        for (int32_t i = 0; i < run; ++i) {
                            const uint32_t v = a[i];
                            d0 += popcount(v ^ w0[tap + i]);
                            d1 += popcount(v ^ w1[tap + i]);
                            d2 += popcount(v ^ w2[tap + i]);
                            d3 += popcount(v ^ w3[tap + i]);
                        }
                    }
                    /* each valid tap adds c_in - 2 * (differing bits) */
                    const int32_t agree = (ky_end - ky_first) * (kx_end - kx_first) * p->c_in;
                    const int32_t differ[EDGEDIFF_BLOCK] = {d0, d1, d2, d3};
                    for (int32_t j = 0; j < block; ++j) {
                        const int32_t i = ((n * p->c_out + co + j) * h_out + y) * w_out + x;
                        const float v = edgediff_binary_output(
                            agree - 2 * differ[j], load(scale, co + j), bias, co + j, load);
                        store(out, i, edgediff_binary_post(v, co + j, i, post, load));
                    }
                }
            }
        }
    }
}

/* This header's own macros end here (the includer's code does not use them). */
#undef EDGEDIFF_BLOCK

#endif /* EDGEDIFF_ZBB_BINARY_CONV2D_ZBB_H */
