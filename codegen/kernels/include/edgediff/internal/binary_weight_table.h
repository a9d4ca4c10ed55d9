/* The +-1 weight table the SIMD W1A16 kernels (mve/, rvv/ binary_weight_conv2d) run their
 * float conv loops on: a block of output channels' packed sign bits expanded to elements,
 * at the start of the kernel's scratch (its size: edgediff_bw_block_channels() in
 * edgediff/scratch.h, at most EDGEDIFF_BW_TABLE_BYTES of edgediff/limits.h unless one
 * channel needs more). The includer defines elem_t. */
#ifndef EDGEDIFF_BINARY_WEIGHT_TABLE_H
#define EDGEDIFF_BINARY_WEIGHT_TABLE_H

#include "edgediff/internal/binary_util.h"
#include "edgediff/scratch.h"

/* dst[j][c][t] = +-1 for output channels co0 .. co0 + cb - 1, input channel c, tap t. */
static void bw_expand_signs(elem_t *dst, const uint32_t *weight, int32_t co0, int32_t cb,
                            int32_t c_in, int32_t taps, int32_t words) {
    const elem_t plus = (elem_t)1.0f, minus = (elem_t)-1.0f;
    for (int32_t j = 0; j < cb; ++j) {
        elem_t *d = dst + j * c_in * taps;
        for (int32_t t = 0; t < taps; ++t) {
            const uint32_t *w = weight + ((co0 + j) * taps + t) * words;
            for (int32_t c = 0; c < c_in; ++c) {
                const uint32_t bit = (w[c / EDGEDIFF_WORD_BITS] >> (c % EDGEDIFF_WORD_BITS)) & 1u;
                d[c * taps + t] = bit ? minus : plus;
            }
        }
    }
}

/* Output channels per table fill (edgediff/scratch.h). */
static int32_t bw_block_channels(int32_t c_out, int32_t per, int32_t tile) {
    return edgediff_bw_block_channels(c_out, per, tile, (int32_t)sizeof(elem_t));
}

/* The float conv's parameters for one batch item of the layer; c_out is set per fill. */
static conv2d_params_t bw_conv_params(const binary_conv2d_params_t *p) {
    const conv2d_params_t q = {.n = 1, .c_in = p->c_in, .h_in = p->h_in, .w_in = p->w_in,
                               .c_out = 0, .h_out = p->h_out, .w_out = p->w_out,
                               .kernel_h = p->kernel_h, .kernel_w = p->kernel_w,
                               .stride_h = p->stride_h, .stride_w = p->stride_w,
                               .pad_h = p->pad_h, .pad_w = p->pad_w, .dilation_h = 1,
                               .dilation_w = 1, .groups = 1, .act = EDGEDIFF_ACT_NONE};
    return q;
}

#endif
