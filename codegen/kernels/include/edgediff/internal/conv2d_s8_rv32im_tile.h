/*
 * Internal template (not API): one tile of conv2d_s8_rv32im, NP output pixels of a row of one
 * output channel in NP accumulators, with the kernel size, the stride and the padding
 * columns of the tile known at compile time. For each kernel row inside the image and each
 * input channel it loads the kernel row's KW weights (in place: torch's [c_out][c_in][kh][kw])
 * and the (NP - 1) * S + KW input bytes the pixels read, then NP * KW mul + add. The input
 * offset is not added per byte: the caller starts the sums at bias + input_offset * (the
 * channel's weights of the kernel rows inside the image), and a padding column reads as the
 * input zero point (x + offset = 0: the reference skips those taps). Exact sums, wrapping in
 * uint32: the reference's int32 sums, in another order.
 *
 * The including .c defines, then includes this header once per variant:
 *   EDGEDIFF_TILE_NAME  the static function to define
 *   EDGEDIFF_TILE_KH, EDGEDIFF_TILE_KW  the kernel (KH * KW: the step between input channels)
 *   EDGEDIFF_TILE_S     stride along the row
 *   EDGEDIFF_TILE_NP    output pixels
 *   EDGEDIFF_TILE_ZL    leading columns of the span left of the image (0 or 1)
 *   EDGEDIFF_TILE_ZR    trailing columns of the span right of the image (0 or 1)
 * and the type edgediff_rv32im_conv_t (c_in, plane, w_in, offset). The function's arguments:
 * row0, the input row (channel 0) of the first kernel row inside the image, at the span's
 * first column inside the image (column ix0 + ZL); w, the output channel's weights of that
 * kernel row for input channel 0; rows, the kernel rows inside the image; acc_io, the sums
 * (in: their start, out: the sums).
 */
#define EDGEDIFF_TILE_SPAN ((EDGEDIFF_TILE_NP - 1) * EDGEDIFF_TILE_S + EDGEDIFF_TILE_KW)
#define EDGEDIFF_TILE_TAPS (EDGEDIFF_TILE_KH * EDGEDIFF_TILE_KW)

static __attribute__((noinline)) void EDGEDIFF_TILE_NAME(const edgediff_rv32im_conv_t *t,
                                                         const int8_t *row0, const int8_t *w,
                                                         int32_t rows,
                                                         uint32_t acc_io[EDGEDIFF_TILE_NP]) {
    uint32_t acc[EDGEDIFF_TILE_NP];
    _Pragma("GCC unroll 16") for (int q = 0; q < EDGEDIFF_TILE_NP; ++q) {
        acc[q] = acc_io[q];
    }
    const int32_t plane = t->plane;
    const uint32_t zp = (uint32_t)-t->offset;
    (void)zp;
    for (int32_t r = 0; r < rows; ++r) {
        const int8_t *rp = row0 + r * t->w_in;
        const int8_t *p = w + r * EDGEDIFF_TILE_KW;
        for (const int8_t *const end = p + t->c_in * EDGEDIFF_TILE_TAPS; p != end;
             p += EDGEDIFF_TILE_TAPS, rp += plane) {
            uint32_t wk[EDGEDIFF_TILE_KW];
            _Pragma("GCC unroll 8") for (int kx = 0; kx < EDGEDIFF_TILE_KW; ++kx) {
                wk[kx] = (uint32_t)(int32_t)p[kx];
            }
            _Pragma("GCC unroll 16") for (int q = 0; q < EDGEDIFF_TILE_NP; ++q) {
                _Pragma("GCC unroll 8") for (int kx = 0; kx < EDGEDIFF_TILE_KW; ++kx) {
                    const int j = q * EDGEDIFF_TILE_S + kx;
                    const uint32_t x =
                        (j < EDGEDIFF_TILE_ZL || j >= EDGEDIFF_TILE_SPAN - EDGEDIFF_TILE_ZR)
                            ? zp : (uint32_t)(int32_t)rp[j - EDGEDIFF_TILE_ZL];
                    acc[q] += x * wk[kx];
                }
            }
        }
    }
    _Pragma("GCC unroll 16") for (int q = 0; q < EDGEDIFF_TILE_NP; ++q) {
        acc_io[q] = acc[q];
    }
}

#undef EDGEDIFF_TILE_SPAN
#undef EDGEDIFF_TILE_TAPS
#undef EDGEDIFF_TILE_NAME
#undef EDGEDIFF_TILE_KH
#undef EDGEDIFF_TILE_KW
#undef EDGEDIFF_TILE_S
#undef EDGEDIFF_TILE_NP
#undef EDGEDIFF_TILE_ZL
#undef EDGEDIFF_TILE_ZR
