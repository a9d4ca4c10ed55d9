/* FP16 nearest-neighbour 2x upsampling for Arm MVE (Helium): only exact factor 2 in both
 * dims (the predicate checks h_out == 2*h_in, w_out == 2*w_in), where torch's float scale
 * 0.5 makes the source index exactly dst/2. Each output row is built by a gather load with
 * offsets {0,0,1,1,2,2,3,3} (8 outputs per instruction) and stored to both output rows; bit-exact
 * moves, tail-predicated. */
#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

void edgediff_upsample_nearest2d_f16_mve(const upsample_nearest2d_params_t *p,
                                         const edgediff_f16_t *in, edgediff_f16_t *out) {
    const int32_t w_in = p->w_in, w_out = p->w_out, rows = p->n * p->channels * p->h_in;
    const uint16x8_t twice = vshrq_n_u16(vidupq_n_u16(0, 1), 1); /* 0,0,1,1,2,2,3,3 */
    const uint16_t *src = (const uint16_t *)(const void *)in;
    uint16_t *dst = (uint16_t *)(void *)out;
    for (int32_t r = 0; r < rows; ++r, src += w_in, dst += 2 * w_out) {
        for (int32_t x = 0; x < w_out; x += 8) {
            const mve_pred16_t m = vctp16q((uint32_t)(w_out - x));
            const uint16x8_t v = vldrhq_gather_shifted_offset_z_u16(src + x / 2, twice, m);
            vstrhq_p_u16(dst + x, v, m);
            vstrhq_p_u16(dst + w_out + x, v, m);
        }
    }
}
