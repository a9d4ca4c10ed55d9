/*
 * Internal: TFLite's int8 requantization on 4 int32 lanes for Arm MVE (Helium), not API.
 * The same function as edgediff_requantize (requantize_s8.h), lane by lane, so an MVE int8
 * kernel gives the reference's bytes:
 *  - the left shift wraps in 32 bits (VSHL by a non-negative count), as the reference's
 *    uint32 shift does;
 *  - VQRDMULH is gemmlowp's SaturatingRoundingDoublingHighMul: both are
 *    floor((a * b + 2^30) / 2^31), saturating INT32_MIN * INT32_MIN to INT32_MAX (gemmlowp's
 *    nudge toward zero then truncation equals that floor for negative products too);
 *  - VRSHL by -e rounds ties up (toward +inf), RoundingDivideByPOT rounds them away from
 *    zero: a negative value is first lowered by one when e > 0 (VQADD; only INT32_MIN
 *    saturates, and its quotient is exact either way), which turns "ties up" into "ties
 *    down" for the negatives and leaves every non-tie where it was.
 * tests/test_int8_simd_kernels.py runs the kernels that use it on the emulated board against
 * codegen/int8 (whole networks: calibrated multipliers, not the extreme ones argued above).
 */
#ifndef EDGEDIFF_REQUANTIZE_S8_MVE_H
#define EDGEDIFF_REQUANTIZE_S8_MVE_H

#include <arm_mve.h>
#include <stdint.h>

/* One lane's parameters per vector: multiplier, left shift (>= 0), minus the right shift
 * (<= 0). */
static inline __attribute__((always_inline)) int32x4_t edgediff_mve_requantize(
    int32x4_t x, int32x4_t multiplier, int32x4_t left, int32x4_t neg_right) {
    const int32x4_t shifted = vshlq_s32(x, left);
    const int32x4_t high = vqrdmulhq_s32(shifted, multiplier);
    /* -1 where high < 0 and the right shift is not 0 (neg_right's sign bit set) */
    const int32x4_t fixup = vshrq_n_s32(vandq_s32(high, neg_right), 31);
    return vrshlq_s32(vqaddq_s32(high, fixup), neg_right);
}

/* The same with scalar parameters (VSHL/VRSHL by a register, VQRDMULH by a scalar): no
 * vector register held per parameter, so a loop keeps its values out of the stack. The fixup
 * is high's sign bit (a logical shift by 31), or nothing (by 32) when there is no right
 * shift, subtracted saturating. */
static inline __attribute__((always_inline)) int32x4_t edgediff_mve_requantize_n(
    int32x4_t x, int32_t multiplier, int32_t left, int32_t neg_right) {
    /* a left shift known to be 0 (ADD's scalings) costs nothing */
    const int32x4_t shifted = __builtin_constant_p(left) && left == 0 ? x : vshlq_r_s32(x, left);
    const int32x4_t high = vqrdmulhq_n_s32(shifted, multiplier);
    const uint32x4_t sign = vshlq_r_u32(vreinterpretq_u32_s32(high), neg_right != 0 ? -31 : -32);
    return vrshlq_n_s32(vqsubq_s32(high, vreinterpretq_s32_u32(sign)), neg_right);
}

/* The output step: plus the zero point, clamped to [lo, hi] (still int32 lanes). */
static inline __attribute__((always_inline)) int32x4_t edgediff_mve_output_s8(
    int32x4_t scaled, int32_t offset, int32_t lo, int32_t hi) {
    return vminq_s32(vmaxq_s32(vaddq_n_s32(scaled, offset), vdupq_n_s32(lo)), vdupq_n_s32(hi));
}

#endif /* EDGEDIFF_REQUANTIZE_S8_MVE_H */
