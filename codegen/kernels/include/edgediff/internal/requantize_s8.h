/*
 * Internal: TFLite's int8 requantization primitives (not API), shared by the *_s8 kernels.
 * codegen/int8/fixedpoint.py is the numpy twin; both follow TFLite's default
 * (double-rounding) MultiplyByQuantizedMultiplier, the one TFLite Micro's reference kernels
 * run, so an int8 layer gives the same bytes here, in numpy and in TFLite Micro.
 *
 * A real multiplier is an int32 significand m in [2^30, 2^31) and an exponent `shift`:
 * M = m * 2^(shift - 31). Integer only; the one 64-bit product per output is a single
 * SMULL on Cortex-M and MUL + MULH on RV32IM.
 */
#ifndef EDGEDIFF_REQUANTIZE_S8_H
#define EDGEDIFF_REQUANTIZE_S8_H

#include <stdint.h>

#include "edgediff/kernels.h"

/* gemmlowp's SaturatingRoundingDoublingHighMul: high 32 bits of 2*a*b, ties away from zero
 * (a nudge of +-2^30, then a division by 2^31 that truncates toward zero as C's does);
 * INT32_MIN * INT32_MIN, the one product that overflows, saturates to INT32_MAX. */
static inline int32_t edgediff_doubling_high_mul(int32_t a, int32_t b) {
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    const int64_t ab = (int64_t)a * (int64_t)b;
    const int64_t nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* gemmlowp's RoundingDivideByPOT: x / 2^exponent, 0 <= exponent <= 31, rounded to nearest
 * with ties away from zero (arithmetic shift, then one up when the remainder is past half). */
static inline int32_t edgediff_rounding_shift_right(int32_t x, int32_t exponent) {
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* TFLite's MultiplyByQuantizedMultiplier: x * 2^max(shift, 0) (wrapping in 32 bits, as
 * TFLite's int32 product does), the doubling high multiply, a rounding shift right by
 * max(-shift, 0). */
static inline int32_t edgediff_requantize(int32_t x, int32_t multiplier, int32_t shift) {
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    const int32_t shifted = (int32_t)((uint32_t)x << left);
    return edgediff_rounding_shift_right(edgediff_doubling_high_mul(shifted, multiplier), right);
}

/* MultiplyByQuantizedMultiplierSmallerThanOneExp (shift <= 0), ADD's three scalings. */
static inline int32_t edgediff_requantize_below_one(int32_t x, int32_t multiplier,
                                                    int32_t shift) {
    return edgediff_rounding_shift_right(edgediff_doubling_high_mul(x, multiplier), -shift);
}

/* The output step of every int8 op: add the output zero point, clamp to the fused
 * activation's [act_min, act_max] (a sub-range of int8), narrow. */
static inline int8_t edgediff_output_s8(int32_t scaled, int32_t output_offset, int32_t act_min,
                                        int32_t act_max) {
    int32_t v = scaled + output_offset;
    v = v < act_min ? act_min : v;
    v = v > act_max ? act_max : v;
    return (int8_t)v;
}

#endif /* EDGEDIFF_REQUANTIZE_S8_H */
