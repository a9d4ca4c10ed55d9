"""Per-op int8 references, NCHW like the rest of EdgeDiff (TFLite is NHWC; the arithmetic
per output element is the same, only the memory order differs).

Each op is TFLite Micro's reference kernel written over whole arrays: exact int64 sums of
(input - zero point) * weight, plus the int32 bias, through the per-channel
multiply_by_quantized_multiplier, plus the output zero point, clamped to the fused
activation's range. Padding contributes nothing (TFLite skips taps outside the image, the
same as padding with the input zero point)."""

from __future__ import annotations

import numpy as np

from codegen.int8.fixedpoint import (multiply_by_quantized_multiplier,
                                     multiply_by_quantized_multiplier_smaller_than_one, wrap32)
from codegen.int8.params import INT8_MAX, INT8_MIN, AddParams, MulParams


def _output(acc, multiplier, shift, output_offset: int, act_min: int, act_max: int) -> np.ndarray:
    scaled = multiply_by_quantized_multiplier(wrap32(acc), multiplier, shift) + output_offset
    return np.clip(scaled, act_min, act_max).astype(np.int8)


def conv2d(x: np.ndarray, weight: np.ndarray, bias, multiplier, shift, *, input_offset: int,
           output_offset: int, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups: int = 1,
           act_min: int = INT8_MIN, act_max: int = INT8_MAX) -> np.ndarray:
    """int8 x [N, C_in, H, W], int8 weight [C_out, C_in/groups, KH, KW], int32 bias [C_out] or
    None, per-output-channel multiplier/shift [C_out]. Depthwise is groups == C_in (channel
    multiplier C_out / C_in). Returns int8 [N, C_out, H_out, W_out]."""
    n, c_in, h, w = x.shape
    c_out, cpg, kh, kw = weight.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    # Pad with the input zero point: (zero point + input_offset) = 0, TFLite's skipped tap.
    xs = np.pad(x.astype(np.int64) + input_offset, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    h_out = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    # taps[n, c, ky, kx, y, x] = padded input under kernel tap (ky, kx) of output (y, x)
    taps = np.stack([np.stack([xs[:, :, ky * dh: ky * dh + sh * (h_out - 1) + 1: sh,
                                  kx * dw: kx * dw + sw * (w_out - 1) + 1: sw]
                               for kx in range(kw)], axis=2) for ky in range(kh)], axis=2)
    opg = c_out // groups
    acc = np.empty((n, c_out, h_out, w_out), dtype=np.int64)
    wt = weight.astype(np.int64)
    for g in range(groups):
        acc[:, g * opg:(g + 1) * opg] = np.einsum(
            "ncyxhw,ocyx->nohw", taps[:, g * cpg:(g + 1) * cpg], wt[g * opg:(g + 1) * opg])
    if bias is not None:
        acc += np.asarray(bias, dtype=np.int64)[None, :, None, None]
    per_channel = (slice(None), None, None)
    return _output(acc, np.asarray(multiplier)[per_channel], np.asarray(shift)[per_channel],
                   output_offset, act_min, act_max)


def linear(x: np.ndarray, weight: np.ndarray, bias, multiplier, shift, *, input_offset: int,
           output_offset: int, act_min: int = INT8_MIN, act_max: int = INT8_MAX) -> np.ndarray:
    """Fully connected: int8 x [rows, in], int8 weight [out, in] (symmetric), int32 bias [out]
    or None, multiplier/shift [out] (per channel; repeat one value for per tensor)."""
    acc = (x.astype(np.int64) + input_offset) @ weight.astype(np.int64).T
    if bias is not None:
        acc = acc + np.asarray(bias, dtype=np.int64)
    return _output(acc, multiplier, shift, output_offset, act_min, act_max)


def add(a: np.ndarray, b: np.ndarray, p: AddParams) -> np.ndarray:
    """TFLite's int8 ADD (numpy broadcasting): both inputs shifted left by p.left_shift and
    rescaled to a common scale, summed, rescaled to the output (three roundings)."""
    def scaled(v, offset, m, s):
        shifted = (v.astype(np.int64) + offset) * (1 << p.left_shift)
        return multiply_by_quantized_multiplier_smaller_than_one(shifted, m, s)
    raw = wrap32(scaled(a, p.input1_offset, p.input1_multiplier, p.input1_shift)
                 + scaled(b, p.input2_offset, p.input2_multiplier, p.input2_shift))
    out = multiply_by_quantized_multiplier_smaller_than_one(raw, p.output_multiplier,
                                                            p.output_shift) + p.output_offset
    return np.clip(out, p.act_min, p.act_max).astype(np.int8)


def mul(a: np.ndarray, b: np.ndarray, p: MulParams) -> np.ndarray:
    """TFLite's int8 MUL (numpy broadcasting): (a - za) * (b - zb), one rescaling."""
    prod = (a.astype(np.int64) + p.input1_offset) * (b.astype(np.int64) + p.input2_offset)
    return _output(prod, p.output_multiplier, p.output_shift, p.output_offset, p.act_min,
                   p.act_max)


def quantize(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """QUANTIZE float32 -> int8 (AffineQuantize): round(x / scale) with the quotient in
    float32 and ties away from zero, plus the zero point, clamped."""
    q = np.asarray(x, dtype=np.float32) / np.float32(scale)
    q = np.clip(q, -256.0, 256.0).astype(np.float64)  # beyond +-256 the clamp decides anyway
    rounded = np.sign(q) * np.floor(np.abs(q) + 0.5)
    return np.clip(rounded.astype(np.int64) + zero_point, INT8_MIN, INT8_MAX).astype(np.int8)


def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """DEQUANTIZE int8 -> float32: scale * (q - zero point), one rounding to float32 (TFLite
    multiplies in double; the product of a float and a 9-bit integer is exact there, so a
    float32 multiply gives the same value)."""
    return (np.float32(scale) * (q.astype(np.int64) - zero_point).astype(np.float32)).astype(
        np.float32)


def requantize(q: np.ndarray, multiplier: int, shift: int, input_zero_point: int,
               output_zero_point: int) -> np.ndarray:
    """QUANTIZE int8 -> int8 (Requantize): (q - zi) rescaled by input/output scale, + zo."""
    return _output(q.astype(np.int64) - input_zero_point, multiplier, shift, output_zero_point,
                   INT8_MIN, INT8_MAX)
