"""TFLite's int8 LOGISTIC, TANH and HARD_SWISH as 256-entry tables, computed with the
fixed point TFLite Micro's reference kernels use (gemmlowp's exp / logistic / tanh for
integer_ops/logistic.h and tanh.h), so a table lookup (kernel lut_s8) gives its bytes.

An input q becomes (q - zero point) in Q4.27 via MultiplyByQuantizedMultiplier with the
multiplier scale * 2^27 (frexp; the significand of a float32 scale is exact in Q0.31), or
saturates outside the input radius; logistic's output is Q0.31 rounded to 1/256 steps with
zero point -128, tanh's to 1/128 steps with zero point 0 (the output scales TFLite requires).
HARD_SWISH is TFLite's int16 fixed-point form (reference_ops::HardSwish), any output scale.

Values are int64 numpy arrays of int32 raws; `FixedPoint<int32, I>` is a raw with 31 - I
fractional bits. Sums wrap to int32 as gemmlowp's scalar code does; products are gemmlowp's
SaturatingRoundingDoublingHighMul (the Q formats add their integer bits).
"""

from __future__ import annotations

import math

import numpy as np

from codegen.int8.fixedpoint import (INT32_MAX, INT32_MIN, multiply_by_quantized_multiplier,
                                     quantize_multiplier, rounding_divide_by_pot, wrap32)
from codegen.int8.fixedpoint import saturating_rounding_doubling_high_mul as _mul

INPUT_INTEGER_BITS = 4  # TFLite's int8 logistic and tanh work in Q4.27


def _add(a, b):
    return wrap32(np.asarray(a, np.int64) + b)


def _sub(a, b):
    return wrap32(np.asarray(a, np.int64) - b)


def _mul_by_pot(x, exponent: int):
    """SaturatingRoundingMultiplyByPOT: a saturating left shift, or a rounding right shift."""
    x = np.asarray(x, np.int64)
    if exponent == 0:
        return x
    if exponent < 0:
        return rounding_divide_by_pot(x, -exponent)
    threshold = (1 << (31 - exponent)) - 1
    return np.where(x > threshold, INT32_MAX,
                    np.where(x < -threshold, INT32_MIN, wrap32(x << exponent)))


def _rescale(x, src_integer_bits: int, dst_integer_bits: int):
    return _mul_by_pot(x, src_integer_bits - dst_integer_bits)


def _exp_on_interval_between_negative_one_quarter_and_0_excl(a):
    """exp(a) for a in [-1/4, 0), Q0.31: a 4th-order Taylor expansion around -1/8."""
    constant_term = 1895147668  # exp(-1/8)
    constant_1_over_3 = 715827883
    x = _add(a, 1 << 28)  # a + 1/8
    x2 = _mul(x, x)
    x3 = _mul(x2, x)
    x4 = _mul(x2, x2)
    x4_over_4 = _mul_by_pot(x4, -2)
    poly = _mul_by_pot(_add(_mul(_add(x4_over_4, x3), constant_1_over_3), x2), -1)
    return _add(constant_term, _mul(constant_term, _add(x, poly)))


# exp(-2^k) in Q0.31 for the barrel shifter, k = -2 .. 4
_EXP_BARREL = ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
               (2, 39332535), (3, 720401), (4, 242))


def _exp_on_negative_values(a, integer_bits: int):
    """exp(a) for a <= 0 given in Q(integer_bits), result Q0.31 (gemmlowp)."""
    fractional_bits = 31 - integer_bits
    one_quarter = 1 << (fractional_bits - 2)
    a = np.asarray(a, np.int64)
    a_mod_quarter_minus_one_quarter = _sub(a & (one_quarter - 1), one_quarter)
    result = _exp_on_interval_between_negative_one_quarter_and_0_excl(
        _rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0))
    remainder = _sub(a_mod_quarter_minus_one_quarter, a)
    for exponent, multiplier in _EXP_BARREL:
        if integer_bits > exponent:
            bit = (remainder & (1 << (fractional_bits + exponent))) != 0
            result = np.where(bit, _mul(result, multiplier), result)
    if integer_bits > 5:
        result = np.where(a < -(1 << (36 - integer_bits)), 0, result)
    return np.where(a == 0, INT32_MAX, result)


def _newton_reciprocal_q2(a):
    """x ~= 1 / ((1 + a) / 2) in Q2.29 for a in (0, 1) Q0.31: three Newton-Raphson steps
    from 48/17 - 32/17 * d, the part gemmlowp's one_over_one_plus_x and
    one_minus_x_over_one_plus_x share."""
    half_denominator = _rounding_half_sum(a, INT32_MAX)
    x = _add(1515870810, _mul(half_denominator, -1010580540))  # 48/17, -32/17 in Q2.29
    one_q2 = 1 << 29
    for _ in range(3):
        one_minus = _sub(one_q2, _mul(half_denominator, x))
        x = _add(x, _rescale(_mul(x, one_minus), 4, 2))
    return x


def _rounding_half_sum(a, b):
    s = np.asarray(a, np.int64) + b
    sign = np.where(s >= 0, 1, -1)
    q = s + sign
    return np.where(q >= 0, q // 2, -((-q) // 2))  # division truncating toward zero


def exp_on_negative_values(a, integer_bits: int):
    """gemmlowp's exp_on_negative_values: exp of a <= 0 in Q(integer_bits), Q0.31 result."""
    return _exp_on_negative_values(a, integer_bits)


def one_over_one_plus_x_for_x_in_0_1(a):
    """gemmlowp's one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a), a and result Q0.31."""
    return _rescale(_newton_reciprocal_q2(a), 1, 0)


def _logistic_q31(a):
    """gemmlowp::logistic of a Q4.27 raw, result Q0.31."""
    a = np.asarray(a, np.int64)
    positive = a > 0
    abs_input = np.where(positive, a, wrap32(-a))
    # one_over_one_plus_x(exp(-|a|)): Rescale<0>(ExactMulByPot<-1>(x)) = a saturating << 1
    if_positive = one_over_one_plus_x_for_x_in_0_1(
        _exp_on_negative_values(wrap32(-abs_input), INPUT_INTEGER_BITS))
    if_negative = _sub(INT32_MAX, if_positive)
    return np.where(a == 0, 1 << 30, np.where(positive, if_positive, if_negative))


def _tanh_q31(a):
    """gemmlowp::tanh of a Q4.27 raw, result Q0.31."""
    a = np.asarray(a, np.int64)
    negative = a < 0
    n = np.where(negative, a, wrap32(-a))
    # neg_tanh_on_negative_values: (1 - e) / (1 + e), e = exp(2n) (ExactMulByPot<1>: Q5.26)
    x = _newton_reciprocal_q2(_exp_on_negative_values(n, INPUT_INTEGER_BITS + 1))
    t = _rescale(_sub(x, 1 << 29), 2, 0)
    return np.where(a == 0, 0, np.where(negative, wrap32(-t), t))


def input_params(scale: float) -> tuple[int, int, int]:
    """(multiplier, left shift, input radius) of TFLite's int8 logistic/tanh Prepare."""
    q, shift = math.frexp(float(scale) * float(1 << (31 - INPUT_INTEGER_BITS)))
    multiplier = int(math.floor(q * float(1 << 31) + 0.5))
    radius = math.floor(((1 << INPUT_INTEGER_BITS) - 1) * float(1 << (31 - INPUT_INTEGER_BITS))
                        / float(1 << shift))
    return multiplier, shift, radius


def _table(scale: float, zero_point: int, fn, output_shift: int, output_zero_point: int
           ) -> np.ndarray:
    multiplier, shift, radius = input_params(scale)
    x = np.arange(-128, 128, dtype=np.int64) - zero_point
    q4 = multiply_by_quantized_multiplier(np.clip(x, -radius, radius), multiplier, shift)
    out = rounding_divide_by_pot(fn(q4), output_shift) + output_zero_point
    out = np.where(x <= -radius, -128, np.where(x >= radius, 127, out))
    return np.clip(out, -128, 127).astype(np.int8)


def logistic_table(scale: float, zero_point: int) -> np.ndarray:
    """table[q + 128] = TFLite's int8 LOGISTIC of q (output scale 1/256, zero point -128)."""
    return _table(scale, zero_point, _logistic_q31, 31 - 8, -128)


def tanh_table(scale: float, zero_point: int) -> np.ndarray:
    """table[q + 128] = TFLite's int8 TANH of q (output scale 1/128, zero point 0)."""
    return _table(scale, zero_point, _tanh_q31, 31 - 7, 0)


# ---- HARD_SWISH (reference_ops::HardSwish on int8; int16 fixed point) ------------------------


def _wrap16(x):
    x = np.asarray(x, np.int64)
    return ((x + (1 << 15)) & 0xFFFF) - (1 << 15)


def _high_mul16(a, b, rounding: bool):
    """gemmlowp's int16 SaturatingRoundingDoublingHighMul (rounding) or TFLite's
    SaturatingDoublingHighMul (truncating toward zero, like SQDMULH)."""
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    ab = a * b
    if rounding:
        ab = ab + np.where(ab >= 0, 1 << 14, 1 - (1 << 14))
    high = np.where(ab >= 0, ab >> 15, -((-ab) >> 15))
    return np.where((a == b) & (a == -(1 << 15)), (1 << 15) - 1, _wrap16(high))


def _saturating_left_shift16(x, amount: int):
    return np.clip(np.asarray(x, np.int64) * (1 << amount), -(1 << 15), (1 << 15) - 1)


def _int16_multiplier(real: float) -> tuple[int, int]:
    """QuantizeMultiplier, then DownScaleInt32ToInt16Multiplier (round to 16 bits)."""
    m32, exponent = quantize_multiplier(real)
    if m32 >= INT32_MAX - (1 << 15):
        return (1 << 15) - 1, exponent
    return (m32 + (1 << 15)) >> 16, exponent


def hard_swish_table(input_scale: float, input_zero_point: int, output_scale: float,
                     output_zero_point: int) -> np.ndarray:
    """table[q + 128] = TFLite's int8 HARD_SWISH of q. Prepare computes its scales in float
    (hires = input_scale / 128, reluish scale 3 / 32768) and the multipliers from their float
    quotients; the kernel works in int16 with a truncating final high multiply."""
    f32 = np.float32
    hires = f32(1.0 / 128.0) * f32(input_scale)
    out_m, out_e = _int16_multiplier(float(f32(hires / f32(output_scale))))
    relu_m, relu_e = _int16_multiplier(float(f32(hires / f32(3.0 / 32768.0))))
    x = np.arange(-128, 128, dtype=np.int64) - input_zero_point
    hires_x = x * (1 << 7)
    preshift = _high_mul16(hires_x, out_m, rounding=True)
    reluish = hires_x
    if relu_e > 0:
        reluish = _saturating_left_shift16(reluish, relu_e - 1)
    reluish = _high_mul16(reluish, relu_m, rounding=True)
    if relu_e > 0:
        reluish = _saturating_left_shift16(reluish, 1)
    if relu_e < 0:
        reluish = rounding_divide_by_pot(reluish, -relu_e)
    reluish = (reluish + (1 << 15)) >> 1
    out = rounding_divide_by_pot(_high_mul16(reluish, preshift, rounding=False), -out_e)
    return np.clip(out + output_zero_point, -128, 127).astype(np.int8)
