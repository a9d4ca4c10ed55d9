"""TFLite's fixed-point requantization primitives, vectorized over int64 arrays of int32 values.

A real multiplier M > 0 is stored as an int32 significand m in [2^30, 2^31) (Q0.31) and a
power-of-two exponent `shift`, M ~= m * 2^(shift - 31) (quantize_multiplier). Scaling an int32
accumulator x by M is TFLite's MultiplyByQuantizedMultiplier in its default (double-rounding)
build, the one TFLite Micro's reference kernels and the tflite-micro wheel use: shift left by
max(shift, 0) (wrapping in int32), the doubling high multiply (rounds once), then a rounding
right shift by max(-shift, 0) (rounds again, half away from zero).
"""

from __future__ import annotations

import math

import numpy as np

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


def wrap32(x) -> np.ndarray:
    """x reduced to int32 two's complement (what a C int32 computation that overflows gives
    on every target we build for), kept in int64."""
    x = np.asarray(x, dtype=np.int64)
    return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def quantize_multiplier(real: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplier: real (a double) -> (significand, shift) with
    real ~= significand * 2^(shift - 31), significand in [2^30, 2^31). frexp, then
    round-half-away-from-zero of q * 2^31 (TfLiteRound = std::round); a significand that
    rounds up to 2^31 is halved and the shift raised; below 2^-31 the multiplier is 0."""
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    scaled = q * float(1 << 31)  # exact: a power-of-two scaling of a double
    fixed = math.floor(abs(scaled) + 0.5) * (1 if scaled > 0 else -1)
    if fixed == 1 << 31:
        fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return int(fixed), int(shift)


def quantize_multiplier_smaller_than_one(real: float) -> tuple[int, int]:
    """QuantizeMultiplierSmallerThanOneExp: the same decomposition, for 0 < real < 1 (its
    shift is <= 0); TFLite uses it for ADD's input and output scalings."""
    if not 0.0 < real < 1.0:
        raise ValueError(f"multiplier {real} is not in (0, 1)")
    return quantize_multiplier(real)


def saturating_rounding_doubling_high_mul(a, b) -> np.ndarray:
    """gemmlowp's SaturatingRoundingDoublingHighMul: the high 32 bits of 2*a*b, rounded to
    nearest with ties away from zero via a nudge of +-2^30 and a division by 2^31 that
    truncates toward zero (C semantics); INT32_MIN * INT32_MIN saturates to INT32_MAX."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    overflow = (a == b) & (a == INT32_MIN)
    ab = a * b
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    s = ab + nudge
    high = np.where(s >= 0, s >> 31, -((-s) >> 31))  # s / 2^31 truncated toward zero
    return np.where(overflow, INT32_MAX, high).astype(np.int64)


def rounding_divide_by_pot(x, exponent) -> np.ndarray:
    """gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from
    zero, for 0 <= exponent <= 31 (arithmetic shift plus a remainder test)."""
    x = np.asarray(x, dtype=np.int64)
    exponent = np.asarray(exponent, dtype=np.int64)
    mask = (np.int64(1) << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> exponent) + (remainder > threshold)


def multiply_by_quantized_multiplier(x, multiplier, shift) -> np.ndarray:
    """TFLite's MultiplyByQuantizedMultiplier (double rounding): x * 2^max(shift,0) in
    int32 (wrapping as C does), the doubling high multiply by `multiplier`, then a rounding
    shift right by max(-shift, 0). multiplier and shift broadcast against x (per channel)."""
    shift = np.asarray(shift, dtype=np.int64)
    left = np.maximum(shift, 0)
    right = np.maximum(-shift, 0)
    shifted = wrap32(np.asarray(x, dtype=np.int64) << left)
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, multiplier), right)


def multiply_by_quantized_multiplier_smaller_than_one(x, multiplier, shift) -> np.ndarray:
    """MultiplyByQuantizedMultiplierSmallerThanOneExp: shift <= 0, no left shift."""
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x, multiplier),
                                  -np.asarray(shift, dtype=np.int64))
