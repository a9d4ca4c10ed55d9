"""TFLite's int8 SOFTMAX (reference_ops::Softmax, int8 in, int8 out at scale 1/256 and zero
point -128) over the last axis, in gemmlowp fixed point.

Per row: the differences to the row maximum, scaled by beta * input_scale into Q5.26
(PreprocessSoftmaxScaling: the multiplier is beta * scale * 2^26, capped, through
QuantizeMultiplier; differences below -radius are dropped as exp(-16-ish) ~ 0);
exp_on_negative_values of each, summed in Q12.19; the reciprocal of the sum by
GetReciprocal (normalised to [1, 2), one_over_one_plus_x); each output the product of its
exp and that reciprocal, shifted to 1/256 steps, minus 128.
"""

from __future__ import annotations

import math

import numpy as np

from codegen.int8.fixedpoint import (multiply_by_quantized_multiplier,
                                     quantize_multiplier, rounding_divide_by_pot,
                                     saturating_rounding_doubling_high_mul, wrap32)
from codegen.int8.lut import exp_on_negative_values, one_over_one_plus_x_for_x_in_0_1

SCALED_DIFF_INTEGER_BITS = 5
ACCUMULATION_INTEGER_BITS = 12


def softmax_params(input_scale: float, beta: float = 1.0) -> tuple[int, int, int]:
    """(input multiplier, input left shift, diff_min) as TFLite Micro's SoftmaxPrepare."""
    real = min(float(beta) * float(input_scale) * float(1 << (31 - SCALED_DIFF_INTEGER_BITS)),
               float((1 << 31) - 1))
    multiplier, shift = quantize_multiplier(real)
    if shift < 0:
        raise ValueError(f"softmax input scale {input_scale} * beta {beta} is below TFLite's "
                         "range (the scaled multiplier must exceed 1)")
    radius = math.floor(((1 << SCALED_DIFF_INTEGER_BITS) - 1)
                        * float(1 << (31 - SCALED_DIFF_INTEGER_BITS)) / float(1 << shift))
    return multiplier, shift, -radius


def _count_leading_zeros(x: np.ndarray) -> np.ndarray:
    """CountLeadingZeros of x as uint32: 32 - bit length (frexp is exact below 2^53)."""
    x = np.asarray(x, np.int64) & 0xFFFFFFFF
    return np.where(x == 0, 32, 32 - np.frexp(x.astype(np.float64))[1].astype(np.int64))


def softmax(x: np.ndarray, input_scale: float, beta: float = 1.0) -> np.ndarray:
    """int8 softmax over the last axis of x (any leading shape)."""
    multiplier, shift, diff_min = softmax_params(input_scale, beta)
    diff = x.astype(np.int64) - x.astype(np.int64).max(axis=-1, keepdims=True)
    kept = diff >= diff_min
    scaled = multiply_by_quantized_multiplier(diff, multiplier, shift)  # shift >= 0
    exps = exp_on_negative_values(scaled, SCALED_DIFF_INTEGER_BITS)
    summed = wrap32(np.where(kept, rounding_divide_by_pot(exps, ACCUMULATION_INTEGER_BITS), 0)
                    .sum(axis=-1, keepdims=True))
    # GetReciprocal: normalise the Q12.19 sum to [1, 2) and take 1 / (1 + (s - 1))
    headroom_plus_one = _count_leading_zeros(summed)
    bits_over_unit = ACCUMULATION_INTEGER_BITS - headroom_plus_one
    shifted_minus_one = wrap32(((summed << headroom_plus_one) & 0xFFFFFFFF) - (1 << 31))
    scale = one_over_one_plus_x_for_x_in_0_1(shifted_minus_one)
    exponent = bits_over_unit + 31 - 8
    out = rounding_divide_by_pot(saturating_rounding_doubling_high_mul(scale, exps), exponent)
    out = np.clip(out - 128, -128, 127)
    return np.where(kept, out, -128).astype(np.int8)

