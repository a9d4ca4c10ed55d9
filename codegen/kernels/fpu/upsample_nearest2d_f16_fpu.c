/* Scalar-FPU nearest-neighbour 2x upsampling, FP16 storage: only an exact factor 2 in both
 * dims (as upsample_nearest2d_f32_fpu). Halves are copied as halves, never through float:
 * each input half is loaded once, doubled into one 32-bit word (its two output columns)
 * and stored to both output rows; an output not 4-byte aligned takes half stores. */
#include <stdint.h>

#include "edgediff/kernels.h"

void edgediff_upsample_nearest2d_f16_fpu(const upsample_nearest2d_params_t *p,
                                         const edgediff_f16_t *in, edgediff_f16_t *out) {
    const int32_t w_in = p->w_in, w_out = p->w_out, rows = p->n * p->channels * p->h_in;
    const uint16_t *src = (const uint16_t *)(const void *)in;
    if (((uintptr_t)out & 3u) == 0) { /* w_out is even: every output row is aligned too */
        uint32_t *row0 = (uint32_t *)(void *)out;
        for (int32_t r = 0; r < rows; ++r, row0 += w_in) {
            uint32_t *row1 = row0 + w_in;
            for (const uint16_t *end = src + w_in; src != end; ++src, ++row0, ++row1) {
                const uint32_t v = *src * 0x10001u;
                *row0 = v;
                *row1 = v;
            }
        }
        return;
    }
    uint16_t *row0 = (uint16_t *)(void *)out;
    for (int32_t r = 0; r < rows; ++r, row0 += w_out) {
        uint16_t *row1 = row0 + w_out;
        for (const uint16_t *end = src + w_in; src != end; ++src, row0 += 2, row1 += 2) {
            const uint16_t v = *src;
            row0[0] = v;
            row0[1] = v;
            row1[0] = v;
            row1[1] = v;
        }
    }
}
