/*
 * Internal: gemmlowp's fixed-point exp and reciprocal (not API), as TFLite's int8 softmax
 * uses them; codegen/int8/lut.py is the numpy twin. A value in Q<I> is an int32 with 31 - I
 * fractional bits; sums wrap like gemmlowp's scalar code (done in uint32 here, where C
 * defines wrapping), products are edgediff_doubling_high_mul (Q<a> x Q<b> -> Q<a+b>).
 */
#ifndef EDGEDIFF_FIXEDPOINT_EXP_H
#define EDGEDIFF_FIXEDPOINT_EXP_H

#include <stdint.h>

#include "edgediff/internal/requantize_s8.h"

static inline int32_t edgediff_fx_add(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t edgediff_fx_sub(int32_t a, int32_t b) {
    return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* SaturatingRoundingMultiplyByPOT: x * 2^exponent, saturating when shifting left, rounding
 * (RoundingDivideByPOT) when shifting right. */
static inline int32_t edgediff_fx_mul_pot(int32_t x, int32_t exponent) {
    if (exponent > 0) {
        const int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1u);
        if (x > threshold) {
            return INT32_MAX;
        }
        if (x < -threshold) {
            return INT32_MIN;
        }
        return (int32_t)((uint32_t)x << exponent);
    }
    return exponent < 0 ? edgediff_rounding_shift_right(x, -exponent) : x;
}

/* exp(a) for a in [-1/4, 0), Q0.31: Taylor expansion around -1/8 to the 4th order. */
static inline int32_t edgediff_exp_quarter(int32_t a) {
    const int32_t constant_term = 1895147668; /* exp(-1/8) */
    const int32_t one_third = 715827883;
    const int32_t x = edgediff_fx_add(a, 1 << 28);
    const int32_t x2 = edgediff_doubling_high_mul(x, x);
    const int32_t x3 = edgediff_doubling_high_mul(x2, x);
    const int32_t x4 = edgediff_doubling_high_mul(x2, x2);
    const int32_t x4_over_4 = edgediff_rounding_shift_right(x4, 2);
    const int32_t poly = edgediff_rounding_shift_right(
        edgediff_fx_add(edgediff_doubling_high_mul(edgediff_fx_add(x4_over_4, x3), one_third), x2),
        1);
    return edgediff_fx_add(constant_term,
                           edgediff_doubling_high_mul(constant_term, edgediff_fx_add(x, poly)));
}

/* exp(a) for a <= 0 in Q<integer_bits> (1..6), Q0.31: exp of a mod 1/4 by the polynomial,
 * times exp(-2^k) for each bit k of the rest (the barrel shifter). */
static inline int32_t edgediff_exp_on_negative_values(int32_t a, int32_t integer_bits) {
    static const int32_t barrel[7] = {1672461947, 1302514674, 790015084, 290630308,
                                      39332535,   720401,     242}; /* exp(-2^k), k = -2..4 */
    const int32_t fractional_bits = 31 - integer_bits;
    const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
    const int32_t a_mod = edgediff_fx_sub(a & (one_quarter - 1), one_quarter);
    int32_t result = edgediff_exp_quarter(edgediff_fx_mul_pot(a_mod, integer_bits));
    const int32_t remainder = edgediff_fx_sub(a_mod, a);
    for (int32_t k = -2; k <= 4 && k < integer_bits; ++k) {
        if (remainder & ((int32_t)1 << (fractional_bits + k))) {
            result = edgediff_doubling_high_mul(result, barrel[k + 2]);
        }
    }
    if (integer_bits > 5 && a < -((int32_t)1 << (36 - integer_bits))) {
        result = 0;
    }
    return a == 0 ? INT32_MAX : result;
}

/* gemmlowp's RoundingHalfSum: (a + b) / 2, rounded half away from zero. */
static inline int32_t edgediff_rounding_half_sum(int32_t a, int32_t b) {
    const int64_t sum = (int64_t)a + (int64_t)b;
    return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* 1 / (1 + a) for a in (0, 1), Q0.31: three Newton-Raphson steps on half the denominator
 * from 48/17 - 32/17 d, in Q2.29. */
static inline int32_t edgediff_one_over_one_plus_x(int32_t a) {
    const int32_t half_denominator = edgediff_rounding_half_sum(a, INT32_MAX);
    int32_t x = edgediff_fx_add(1515870810, edgediff_doubling_high_mul(half_denominator,
                                                                        -1010580540));
    for (int32_t i = 0; i < 3; ++i) {
        const int32_t one_minus = edgediff_fx_sub((int32_t)1 << 29,
                                                  edgediff_doubling_high_mul(half_denominator, x));
        x = edgediff_fx_add(x, edgediff_fx_mul_pot(edgediff_doubling_high_mul(x, one_minus), 2));
    }
    return edgediff_fx_mul_pot(x, 1);
}

#endif /* EDGEDIFF_FIXEDPOINT_EXP_H */
