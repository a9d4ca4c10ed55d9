/* FP32 nearest-neighbour 2x upsampling for Arm MVE (Helium): only exact factor 2 in both
 * dims (the predicate checks h_out == 2*h_in, w_out == 2*w_in), where torch's float scale
 * 0.5 makes the source index exactly dst/2. Each output row is built by a gather load with
 * offsets {0,0,1,1} (4 outputs per instruction) and stored to both output rows; bit-exact
 * moves, tail-predicated. */
#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

void edgediff_upsample_nearest2d_f32_mve(const upsample_nearest2d_params_t *p, const float *in,
                                         float *out) {
    const int32_t w_in = p->w_in, w_out = p->w_out, rows = p->n * p->channels * p->h_in;
    const uint32x4_t twice = vshrq_n_u32(vidupq_n_u32(0, 1), 1); /* 0,0,1,1 */
    const uint32_t *src = (const uint32_t *)(const void *)in;
    uint32_t *dst = (uint32_t *)(void *)out;
    for (int32_t r = 0; r < rows; ++r, src += w_in, dst += 2 * w_out) {
        for (int32_t x = 0; x < w_out; x += 4) {
            const mve_pred16_t m = vctp32q((uint32_t)(w_out - x));
            const uint32x4_t v = vldrwq_gather_shifted_offset_z_u32(src + x / 2, twice, m);
            vstrwq_p_u32(dst + x, v, m);
            vstrwq_p_u32(dst + w_out + x, v, m);
        }
    }
}
