/* int8 table lookup for Arm MVE (Helium): ref/lut_s8.c 16 bytes per step. The table index
 * in + 128 is the byte's bits with the top one flipped (VEOR 0x80, unsigned), and one
 * VLDRB gather with those byte offsets reads the 16 table entries: no arithmetic, so the
 * reference's bytes. The tail is predicated. out may equal in (each vector is read before
 * it is written). Whole vectors unpredicated, then one predicated tail: gcc's code for a
 * predicate in every step takes three times the instructions. */
#include <arm_mve.h>

#include "edgediff/internal/lut_s8_mve.h"
#include "edgediff/kernels_mve.h"

void edgediff_lut_s8_mve(const int8_t *table, const int8_t *in, int8_t *out, int32_t count) {
    edgediff_lut_s8_mve_apply(table, in, out, count);
}
