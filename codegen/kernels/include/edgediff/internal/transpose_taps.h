/* Which kernel taps reach one output coordinate of a transposed convolution, along one axis;
 * internal to the conv_transpose2d kernels (reference and ISA overrides), not API.
 *
 * Output o is reached by tap k from input i when o + pad - k = i * stride. The taps that
 * do, with i inside the input, are k = first_k + t * stride and i = first_i - t for
 * t = 0 .. count - 1 (k ascending, i descending). */
#ifndef EDGEDIFF_TRANSPOSE_TAPS_H
#define EDGEDIFF_TRANSPOSE_TAPS_H

#include <stdint.h>

/* Returns count; *first_k and *first_i are set only when count > 0. o + pad >= 0. */
static inline int32_t edgediff_transpose_taps(int32_t o, int32_t pad, int32_t stride,
                                              int32_t taps, int32_t size, int32_t *first_k,
                                              int32_t *first_i) {
    const int32_t v = o + pad;
    int32_t k = v % stride, i = v / stride;
    if (i >= size) { /* the first taps land past the input's end: skip them */
        k += (i - size + 1) * stride;
        i = size - 1;
    }
    if (k >= taps || i < 0) {
        return 0;
    }
    const int32_t by_taps = (taps - k + stride - 1) / stride, by_input = i + 1;
    *first_k = k;
    *first_i = i;
    return by_taps < by_input ? by_taps : by_input;
}

#endif /* EDGEDIFF_TRANSPOSE_TAPS_H */
