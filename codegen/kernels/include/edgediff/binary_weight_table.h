/* The +-1 weight table the SIMD W1A16 kernels (mve/, rvv/ binary_weight_conv2d) run their
 * float conv loops on: a block of output channels' packed sign bits expanded to elements.
 * The includer defines elem_t. The size must match BINARY_WEIGHT_TABLE_BYTES in
 * codegen/binary.py: the +-1 weights of at least one output channel (c_in * kernel_h *
 * kernel_w elements) must fit. */
#ifndef EDGEDIFF_BINARY_WEIGHT_TABLE_H
#define EDGEDIFF_BINARY_WEIGHT_TABLE_H

#include "edgediff/binary_util.h"

#define BW_TABLE_BYTES 16384
#define BW_TABLE_ELEMS ((int32_t)(BW_TABLE_BYTES / sizeof(elem_t)))

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

#endif
