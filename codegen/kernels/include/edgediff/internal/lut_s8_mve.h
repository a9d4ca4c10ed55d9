/* The int8 table lookup on Helium, shared by lut_s8_mve and requantize_s8_mve (which builds
 * its table of the 256 rescaled bytes first): VEOR 0x80 makes each byte its unsigned index,
 * one VLDRB gather looks 16 up. Whole vectors unpredicated, then one predicated tail (gcc's
 * code for a predicate in every step takes three times the instructions). out may alias in:
 * each vector is read before it is written. */
#ifndef EDGEDIFF_INTERNAL_LUT_S8_MVE_H
#define EDGEDIFF_INTERNAL_LUT_S8_MVE_H

#include <arm_mve.h>
#include <stdint.h>

static inline void edgediff_lut_s8_mve_apply(const int8_t *table, const int8_t *in, int8_t *out,
                                             int32_t count) {
    const uint8x16_t flip = vdupq_n_u8(0x80);
    const uint8_t *src = (const uint8_t *)in;
    for (int32_t n = count >> 4; n > 0; --n, src += 16, out += 16) {
        vstrbq_s8(out, vldrbq_gather_offset_s8(table, veorq_u8(vldrbq_u8(src), flip)));
    }
    if (count & 15) {
        const mve_pred16_t m = vctp8q((uint32_t)(count & 15));
        const uint8x16_t index = veorq_u8(vldrbq_z_u8(src, m), flip);
        vstrbq_p_s8(out, vldrbq_gather_offset_z_s8(table, index, m), m);
    }
}

#endif
