/* int8 table lookup for Arm MVE (Helium): ref/lut_s8.c 16 bytes per step. The table index
 * in + 128 is the byte's bits with the top one flipped (VEOR 0x80, unsigned), and one
 * VLDRB gather with those byte offsets reads the 16 table entries: no arithmetic, so the
 * reference's bytes. The tail is predicated. out may equal in (each vector is read before
 * it is written). Whole vectors unpredicated, then one predicated tail: gcc's code for a
 * predicate in every step takes three times the instructions. */
#include <arm_mve.h>

#include "edgediff/kernels_mve.h"

void edgediff_lut_s8_mve(const int8_t *table, const int8_t *in, int8_t *out, int32_t count) {
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
