"""The build-time weight blob of conv2d_s8_dsp (codegen/kernels/dsp/conv2d_s8_dsp.c).

The kernel reads its weights as int16 pairs in the order of the columns it gathers, and its
bias and requantization constants next to them, so nothing is widened or copied at run time
and its scratch is just the two pixels' column. The blob:

- one int32: 1 if the layer takes the short requantization (`short_requant`: the weights and
  biases are stored doubled), else 0;
- per pair of output channels (a missing second channel of an odd count is zeros):
  - a head of 4 int32, the sums' start: bias + input_offset * sum(weights) of the first
    channel twice, then of the second twice (the kernel does not add the input offset per
    tap, the padding holds the zero point; doubled in a short layer);
  - step after step (edgediff_conv2d_s8_dsp_steps), 2 tap pairs x 2 channels of int16
    pairs: for each kernel row ky and each pair of input channels (A, B) the slots
    (w[A,ky,0], w[A,ky,2]), (w[B,ky,0], w[B,ky,2]), (w[A,ky,1], w[B,ky,1]), each as the first
    channel's word then the second's; input channels rounded up to 2 and the slots to whole
    steps with zeros (doubled in a short layer);
  - in a short layer, a tail of 6 int32, the short requantization of both channels: per
    channel the multiplier m, a = 2^(r-1) + output_offset * 2^r and the right shift r;
- in any other layer, then per pair of output channels 10 int32, the general
  requantization: per channel the multiplier, the left shift, the right shift - 1 (-1: none)
  and the 64-bit constant 2^30 + 2^(30 + right) as two words (low first).

The short requantization: with the sum doubled (X = 2x) and a right shift r >= 1, TFLite's
output x -> RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, m), r) + output_offset
is SMMLAR(X, m, a - [x < 0]) >> r, see the kernel's scale_short(). It needs every channel to
shift right by 1..22 with no left shift and the doubled sum to fit: |bias'| + 128 sum|w| <
2^30 (the int8 input, offset removed, is in [-128, 127]).

Flash: 4 + (40 + 16 * steps) bytes per channel pair in a short layer, 4 + (56 + 16 * steps)
in another, where torch's int8 weights, bias, multiplier and shift were 9 * c_in + 12 bytes
per channel (zoo dncnn's 16 -> 16 layer, short: 4,932 B for 2,496).
"""

from __future__ import annotations

import numpy as np

HEAD_WORDS = 4
TAIL_WORDS = 6
GENERAL_WORDS = 10
MAX_RIGHT = 22  # a's output_offset * 2^r and the 64-bit sum in SMMLAR stay in range


def steps(c_in: int) -> int:
    """edgediff_conv2d_s8_dsp_steps: steps of 2 tap pairs, a multiple of 9."""
    slots = 9 * ((c_in + 1) // 2)
    return -(-((slots + 1) // 2) // 9) * 9


def _wrap32(values: np.ndarray) -> np.ndarray:
    return ((values.astype(np.int64) + (1 << 31)) % (1 << 32) - (1 << 31)).astype(np.int64)


def _bias(weight, bias, input_offset: int) -> np.ndarray:
    """bias + input_offset * sum(weights) per channel, exact (int64)."""
    c_out = weight.shape[0]
    b = np.zeros(c_out, np.int64) if bias is None else np.asarray(bias, np.int64)
    return b + input_offset * weight.reshape(c_out, -1).sum(axis=1)


def short_requant(weight, bias, multiplier, shift, input_offset: int) -> bool:
    """Whether the layer's sums may be doubled and requantized by SMMLAR (see above)."""
    c_out = weight.shape[0]
    shift = np.asarray(shift, np.int64)
    taps = np.abs(weight).reshape(c_out, -1).sum(axis=1)
    bound = np.abs(_bias(weight, bias, input_offset)) + 128 * taps
    return bool(np.all(shift <= -1) and np.all(shift >= -MAX_RIGHT)
                and np.all(np.asarray(multiplier, np.int64) >= 0) and np.all(bound < (1 << 30)))


def _general(multiplier, shift) -> np.ndarray:
    """[c_out, 5] int64: multiplier, left, right - 1, K low, K high."""
    shift = np.asarray(shift, np.int64)
    right = np.where(shift > 0, 0, -shift)
    k = np.where(right > 0, (1 << 30) + np.left_shift(np.int64(1), 30 + right), 1 << 30)
    return np.stack([np.asarray(multiplier, np.int64), np.where(shift > 0, shift, 0), right - 1,
                     _wrap32(k & 0xFFFFFFFF), _wrap32(k >> 32)], axis=1)


def _short(multiplier, shift, output_offset: int) -> np.ndarray:
    """[c_out, 3] int64: m, 2^(r-1) + output_offset * 2^r, r."""
    right = -np.asarray(shift, np.int64)
    a = np.left_shift(np.int64(1), right - 1) + output_offset * np.left_shift(np.int64(1), right)
    return np.stack([np.asarray(multiplier, np.int64), a, right], axis=1)


def _slots(weight: np.ndarray, n_steps: int) -> np.ndarray:
    """[c_out, 2 * n_steps, 2] int16 pairs (low, high) in the column's slot order."""
    c_out, c_in = weight.shape[:2]
    w = np.zeros((c_out, c_in + (c_in & 1), 3, 3), np.int64)
    w[:, :c_in] = weight
    out = np.zeros((c_out, 2 * n_steps, 2), np.int64)
    j = 0
    for ky in range(3):
        for a in range(0, w.shape[1], 2):
            b = a + 1
            for lo, hi in (((a, 0), (a, 2)), ((b, 0), (b, 2)), ((a, 1), (b, 1))):
                out[:, j, 0], out[:, j, 1] = w[:, lo[0], ky, lo[1]], w[:, hi[0], ky, hi[1]]
                j += 1
    return out


def _pad_channel(array: np.ndarray, c_out: int) -> np.ndarray:
    """The missing second channel of an odd count: zeros."""
    if c_out % 2:
        return np.concatenate([array, np.zeros((1,) + array.shape[1:], array.dtype)])
    return array


def layer_operands(params: dict, operands: list, kernel: str) -> tuple:
    """weight ([c_out, c_in, 3, 3] int64), bias, multiplier and shift of a layer for `kernel`'s
    blob (this one's and conv2d_chunked_s8_dsp's): a negative multiplier is an error."""
    c = params["conv"]
    weight = np.asarray(operands[1], np.int64).reshape(c["c_out"], c["c_in"], 3, 3)
    if np.any(np.asarray(operands[3]) < 0):
        raise ValueError(f"{kernel}: a negative requantization multiplier")
    return weight, operands[2], operands[3], operands[4]


def conv_pack(params: dict, operands: list) -> np.ndarray:
    """The blob (int8 bytes) that replaces the weight operand: operands are the layer's
    inputs as numpy arrays (None where not constant): x, weight, bias, multiplier, shift."""
    c, q = params["conv"], params["q"]
    weight, bias, multiplier, shift = layer_operands(params, operands, "conv2d_s8_dsp")
    short = short_requant(weight, bias, multiplier, shift, q["input_offset"])
    scale = 2 if short else 1
    n_steps = steps(c["c_in"])
    pairs = -(-c["c_out"] // 2)
    b = _pad_channel(_wrap32(scale * _bias(weight, bias, q["input_offset"])), c["c_out"])
    head = np.repeat(b, 2).reshape(pairs, HEAD_WORDS)
    slots = _pad_channel(scale * _slots(weight, n_steps), c["c_out"])
    # [pair, slot, channel, half]: each slot holds the first channel's word, then the second's
    body = slots.reshape(pairs, 2, 2 * n_steps, 2).transpose(0, 2, 1, 3).astype("<i2")
    tail = general = None
    if short:
        tail = _short(multiplier, shift, q["output_offset"])
        tail = _pad_channel(tail, c["c_out"]).reshape(pairs, TAIL_WORDS)
    else:
        general = _pad_channel(_general(multiplier, shift), c["c_out"])
        general = general.reshape(pairs, GENERAL_WORDS)
    words = lambda a: np.asarray(a).astype("<i4").view(np.int8)  # noqa: E731
    blob = [words([int(short)])]
    for i in range(pairs):
        blob += [words(head[i]), body[i].reshape(-1).view(np.int8)]
        blob += [words(tail[i])] if short else []
    blob += [] if short else [words(general.reshape(-1))]
    return np.concatenate(blob).astype(np.int8)


def blob_bytes(c_in: int, c_out: int, short: bool) -> int:
    """Flash of a layer's blob."""
    words = HEAD_WORDS + (TAIL_WORDS if short else GENERAL_WORDS)
    return 4 + -(-c_out // 2) * (4 * words + 16 * steps(c_in))


def conv_prepack(params: dict, operands: list) -> dict:
    """Override.prepack: the blob in place of the weight (input 1); bias, multiplier and shift
    are in it, so the kernel gets NULL for them and they are not written to flash twice."""
    if operands[1] is None:
        raise ValueError("conv2d_s8_dsp packs its weights at build time: the layer's weight is not a constant")
    return {1: conv_pack(params, operands), 2: None, 3: None, 4: None}
