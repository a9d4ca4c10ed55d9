/* Scalar-FPU nearest-neighbour 2x upsampling, FP32: only an exact factor 2 in both dims
 * (the predicate checks h_out == 2 h_in, w_out == 2 w_in), where torch's float scale 0.5
 * makes the source index exactly dst / 2. Each input element is loaded once, as bits, and
 * stored four times (both columns of both output rows); no float arithmetic. */
#include <stdint.h>

#include "edgediff/kernels.h"

void edgediff_upsample_nearest2d_f32_fpu(const upsample_nearest2d_params_t *p, const float *in,
                                         float *out) {
    const int32_t w_in = p->w_in, w_out = p->w_out, rows = p->n * p->channels * p->h_in;
    const uint32_t *src = (const uint32_t *)(const void *)in;
    uint32_t *row0 = (uint32_t *)(void *)out;
    for (int32_t r = 0; r < rows; ++r, row0 += w_out) {
        uint32_t *row1 = row0 + w_out;
        for (const uint32_t *end = src + w_in; src != end; ++src, row0 += 2, row1 += 2) {
            const uint32_t v = *src;
            row0[0] = v;
            row0[1] = v;
            row1[0] = v;
            row1[1] = v;
        }
    }
}
