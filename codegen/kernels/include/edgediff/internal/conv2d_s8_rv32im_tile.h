/*
 * Internal template (not API): one tile of conv2d_s8_rv32im, 4 output channels x 4 output
 * pixels of a row in 16 accumulators, with the kernel width, the stride and the padding
 * columns of the tile known at compile time. For each kernel row inside the image and each
 * input channel it reads, per kernel column, the 4 pixels' input bytes (a padding column:
 * the input zero point) and the 4 channels' weights (codegen/kernels/rv32im/
 * conv2d_s8_rv32im.c's packed block, [kernel_h][c_in][kernel_w][4]), then 16 mul + add; the
 * input offset is in the accumulators' start (offset * sum of w). Exact sums, wrapping in
 * uint32: the reference's int32 sums, in another order.
 *
 * The including .c defines, then includes this header once per variant:
 *   EDGEDIFF_TILE_NAME  the static function to define
 *   EDGEDIFF_TILE_KW    kernel width
 *   EDGEDIFF_TILE_S     stride along the row
 *   EDGEDIFF_TILE_ZL    leading columns of the span (3 * S + KW columns) left of the image
 *   EDGEDIFF_TILE_ZR    trailing columns of the span right of the image
 * and the type edgediff_rv32im_conv_t (c_in, plane, w_in, offset, row_bytes). The function's
 * arguments: row0, the first kernel row's input row at the span's first column inside the
 * image (column ix0 + ZL); w0, that kernel row's packed weights; rows, the kernel rows
 * inside the image; acc_io, the accumulators (in: their start, out: the sums).
 */
#define EDGEDIFF_TILE_SPAN (3 * EDGEDIFF_TILE_S + EDGEDIFF_TILE_KW)

static __attribute__((noinline)) void EDGEDIFF_TILE_NAME(const edgediff_rv32im_conv_t *t,
                                                         const int8_t *row0, const int8_t *w0,
                                                         int32_t rows, uint32_t acc_io[4][4]) {
    uint32_t acc[4][4];
    _Pragma("GCC unroll 4") for (int c = 0; c < 4; ++c) {
        _Pragma("GCC unroll 4") for (int q = 0; q < 4; ++q) {
            acc[c][q] = acc_io[c][q];
        }
    }
    const int32_t plane = t->plane, row_bytes = t->row_bytes;
    const uint32_t zp = (uint32_t)-t->offset;
    (void)zp;
    for (int32_t r = 0; r < rows; ++r, row0 += t->w_in, w0 += row_bytes) {
        const int8_t *rp = row0;
        const int8_t *wp = w0;
        for (const int8_t *const wp_end = w0 + row_bytes; wp != wp_end;
             wp += 4 * EDGEDIFF_TILE_KW, rp += plane) {
            _Pragma("GCC unroll 8") for (int kx = 0; kx < EDGEDIFF_TILE_KW; ++kx) {
                uint32_t x[4];
                _Pragma("GCC unroll 4") for (int q = 0; q < 4; ++q) {
                    const int j = q * EDGEDIFF_TILE_S + kx;
                    x[q] = (j < EDGEDIFF_TILE_ZL || j >= EDGEDIFF_TILE_SPAN - EDGEDIFF_TILE_ZR)
                               ? zp : (uint32_t)(int32_t)rp[j - EDGEDIFF_TILE_ZL];
                }
                _Pragma("GCC unroll 4") for (int c = 0; c < 4; ++c) {
                    const uint32_t w = (uint32_t)(int32_t)wp[kx * 4 + c];
                    _Pragma("GCC unroll 4") for (int q = 0; q < 4; ++q) {
                        acc[c][q] += x[q] * w;
                    }
                }
            }
        }
    }
    _Pragma("GCC unroll 4") for (int c = 0; c < 4; ++c) {
        _Pragma("GCC unroll 4") for (int q = 0; q < 4; ++q) {
            acc_io[c][q] = acc[c][q];
        }
    }
}

#undef EDGEDIFF_TILE_SPAN
#undef EDGEDIFF_TILE_NAME
#undef EDGEDIFF_TILE_KW
#undef EDGEDIFF_TILE_S
#undef EDGEDIFF_TILE_ZL
#undef EDGEDIFF_TILE_ZR
