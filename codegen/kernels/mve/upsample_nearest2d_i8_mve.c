/* int8 nearest-neighbour 2x upsampling for Arm MVE (Helium): only exact factor 2 in both
 * dims (overrides/mve.py), where torch's float scale 0.5 makes the source index exactly
 * dst / 2. 16 bytes of an output row per step, one VLDRB gather with the byte offsets
 * {0,0,1,1,...,7,7} from 8 input bytes, stored to both output rows; whole vectors unpredicated, the tail predicated.
 * Plain byte moves: the reference's bytes. */
#include <arm_mve.h>

#include "edgediff/kernels_mve.h"

void edgediff_upsample_nearest2d_i8_mve(const upsample_nearest2d_params_t *p, const int8_t *in,
                                        int8_t *out) {
    const int32_t w_in = p->w_in, w_out = p->w_out, rows = p->n * p->channels * p->h_in;
    const uint8x16_t twice = vshrq_n_u8(vidupq_n_u8(0, 1), 1); /* 0,0,1,1,...,7,7 */
    const int8_t *src = in;
    int8_t *dst = out;
    for (int32_t r = 0; r < rows; ++r, src += w_in, dst += 2 * w_out) {
        int32_t x = 0;
        for (; x + 16 <= w_out; x += 16) {
            const int8x16_t v = vldrbq_gather_offset_s8(src + x / 2, twice);
            vstrbq_s8(dst + x, v);
            vstrbq_s8(dst + w_out + x, v);
        }
        if (x < w_out) {
            const mve_pred16_t m = vctp8q((uint32_t)(w_out - x));
            const int8x16_t v = vldrbq_gather_offset_z_s8(src + x / 2, twice, m);
            vstrbq_p_s8(dst + x, v, m);
            vstrbq_p_s8(dst + w_out + x, v, m);
        }
    }
}
