"""An int8 op's integer parameters from its tensors' float scales, as TFLite Micro's Prepare
computes them (kernel_util PopulateConvolutionQuantizationParams, add_common, mul_common,
quantize_common, CalculateActivationRangeQuantized). Scales are the float32 values stored in
the .tflite; every product and quotient below is in double, in TFLite's order, so the
multipliers are the same integers TFLite Micro derives."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from codegen.int8.fixedpoint import quantize_multiplier, quantize_multiplier_smaller_than_one

INT8_MIN, INT8_MAX = -128, 127
# ADD scales both inputs up by 2^20 before rescaling them to a common scale, so the two
# roundings lose < 2^-20 of an input step (TFLite: 20 for int8, 15 for int16).
ADD_LEFT_SHIFT = 20


def _round_half_away(x: np.float32) -> int:
    """TfLiteRound on a float (std::round: half away from zero); |x| + 0.5 is exact in
    double for any float32 below 2^29."""
    x = float(x)
    return int(np.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def activation_range(act: str, scale: float, zero_point: int) -> tuple[int, int]:
    """CalculateActivationRangeQuantized: a fused NONE/RELU/RELU6/RELU_N1_TO_1 as an int8
    clamp; the bound is zero_point + round(bound / scale), the quotient in float."""
    def q(f: float) -> int:
        return zero_point + _round_half_away(np.float32(f) / np.float32(scale))
    if act == "NONE":
        return INT8_MIN, INT8_MAX
    if act == "RELU":
        return max(INT8_MIN, q(0.0)), INT8_MAX
    if act == "RELU6":
        return max(INT8_MIN, q(0.0)), min(INT8_MAX, q(6.0))
    if act == "RELU_N1_TO_1":
        return max(INT8_MIN, q(-1.0)), min(INT8_MAX, q(1.0))
    raise ValueError(f"no int8 fused activation {act!r}")


def per_channel_multipliers(input_scale: float, weight_scales, output_scale: float
                            ) -> tuple[np.ndarray, np.ndarray]:
    """Conv, depthwise conv and fully connected: input_scale * weight_scale[c] / output_scale
    per output channel (one weight scale: per tensor), each through QuantizeMultiplier."""
    pairs = [quantize_multiplier(float(input_scale) * float(ws) / float(output_scale))
             for ws in np.atleast_1d(np.asarray(weight_scales, dtype=np.float32))]
    mult, shift = zip(*pairs)
    return np.array(mult, dtype=np.int64), np.array(shift, dtype=np.int64)


@dataclass(frozen=True)
class AddParams:
    """ADD's integer parameters (add_common CalculateOpDataAdd)."""

    input1_offset: int
    input2_offset: int
    output_offset: int
    left_shift: int
    input1_multiplier: int
    input1_shift: int
    input2_multiplier: int
    input2_shift: int
    output_multiplier: int
    output_shift: int
    act_min: int
    act_max: int


def add_params(s1: float, z1: int, s2: float, z2: int, so: float, zo: int,
               act: str = "NONE") -> AddParams:
    """Both inputs are rescaled to twice the larger input scale, then the sum to the output:
    real_in_k = s_k / (2 max(s1, s2)), real_out = 2 max(s1, s2) / (2^20 so)."""
    twice_max = 2.0 * float(max(np.float32(s1), np.float32(s2)))
    m1, sh1 = quantize_multiplier_smaller_than_one(float(s1) / twice_max)
    m2, sh2 = quantize_multiplier_smaller_than_one(float(s2) / twice_max)
    mo, sho = quantize_multiplier_smaller_than_one(
        twice_max / (float(1 << ADD_LEFT_SHIFT) * float(so)))
    lo, hi = activation_range(act, so, zo)
    return AddParams(-z1, -z2, zo, ADD_LEFT_SHIFT, m1, sh1, m2, sh2, mo, sho, lo, hi)


@dataclass(frozen=True)
class MulParams:
    """MUL's integer parameters (mul_common CalculateOpDataMul)."""

    input1_offset: int
    input2_offset: int
    output_offset: int
    output_multiplier: int
    output_shift: int
    act_min: int
    act_max: int


def mul_params(s1: float, z1: int, s2: float, z2: int, so: float, zo: int,
               act: str = "NONE") -> MulParams:
    """real = s1 * s2 / so through QuantizeMultiplier."""
    m, sh = quantize_multiplier(float(s1) * float(s2) / float(so))
    lo, hi = activation_range(act, so, zo)
    return MulParams(-z1, -z2, zo, m, sh, lo, hi)


def requantize_multiplier(input_scale: float, output_scale: float) -> tuple[int, int]:
    """QUANTIZE int8 -> int8 (quantize_common): real = input_scale / output_scale."""
    return quantize_multiplier(float(input_scale) / float(output_scale))
