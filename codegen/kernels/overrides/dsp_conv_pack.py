"""The build-time weight blob of conv2d_s8_dsp (codegen/kernels/dsp/conv2d_s8_dsp.c).

The kernel reads its weights as int16 pairs in the order of the columns it gathers, and its
bias and requantization constants next to them, so nothing is widened or copied at run time
and its scratch is just the two pixels' column. Per pair of output channels (a missing
second channel of an odd count is zeros):

- a header of 12 int32, 6 per channel: bias + input_offset * sum(weights) (wrapping like the
  int32 sums; the kernel does not add the input offset per tap, the padding holds the zero
  point), the multiplier, the left shift, the right shift - 1 (-1: none), and the 64-bit
  constant 2^30 + 2^(30 + right) as two words (low first);
- then, step after step (edgediff_conv2d_s8_dsp_steps), 2 tap pairs x 2 channels of int16
  pairs: for each kernel row ky and each pair of input channels (A, B) the slots
  (w[A,ky,0], w[A,ky,2]), (w[B,ky,0], w[B,ky,2]), (w[A,ky,1], w[B,ky,1]), each as the first
  channel's word then the second's; input channels rounded up to 2 and the slots to whole
  steps with zeros.

Flash: (48 + 16 * steps) bytes per channel pair, where torch's int8 weights, bias,
multiplier and shift were 9 * c_in + 12 bytes per channel (zoo dncnn's 16 -> 16 layer:
4,992 B for 2,496).
"""

from __future__ import annotations

import numpy as np

HEAD_WORDS = 12


def steps(c_in: int) -> int:
    """edgediff_conv2d_s8_dsp_steps: steps of 2 tap pairs, a multiple of 9."""
    slots = 9 * ((c_in + 1) // 2)
    return -(-((slots + 1) // 2) // 9) * 9


def _wrap32(values: np.ndarray) -> np.ndarray:
    return ((values.astype(np.int64) + (1 << 31)) % (1 << 32) - (1 << 31)).astype(np.int64)


def _header(weight, bias, multiplier, shift, input_offset: int) -> np.ndarray:
    """[c_out, 6] int64 holding the int32 header words of each channel."""
    c_out = weight.shape[0]
    if np.any(np.asarray(multiplier) < 0):
        raise ValueError("conv2d_s8_dsp: a negative requantization multiplier")
    b = np.zeros(c_out, np.int64) if bias is None else np.asarray(bias, np.int64)
    total = weight.reshape(c_out, -1).sum(axis=1)
    shift = np.asarray(shift, np.int64)
    right = np.where(shift > 0, 0, -shift)
    k = np.where(right > 0, (1 << 30) + np.left_shift(np.int64(1), 30 + right), 1 << 30)
    return np.stack([_wrap32(b + input_offset * total), np.asarray(multiplier, np.int64),
                     np.where(shift > 0, shift, 0), right - 1,
                     _wrap32(k & 0xFFFFFFFF), _wrap32(k >> 32)], axis=1)


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


def conv_pack(params: dict, operands: list) -> np.ndarray:
    """The blob (int8 bytes) that replaces the weight operand: operands are the layer's
    inputs as numpy arrays (None where not constant): x, weight, bias, multiplier, shift."""
    c, q = params["conv"], params["q"]
    weight = np.asarray(operands[1], np.int64).reshape(c["c_out"], c["c_in"], 3, 3)
    n_steps = steps(c["c_in"])
    head = _header(weight, operands[2], operands[3], operands[4], q["input_offset"])
    slots = _slots(weight, n_steps)
    pairs = -(-c["c_out"] // 2)
    if c["c_out"] % 2:  # the missing second channel: zeros
        head = np.concatenate([head, np.zeros((1, 6), np.int64)])
        slots = np.concatenate([slots, np.zeros((1,) + slots.shape[1:], np.int64)])
    head = head.reshape(pairs, HEAD_WORDS).astype("<i4")
    # [pair, slot, channel, half]: each slot holds the first channel's word, then the second's
    body = slots.reshape(pairs, 2, 2 * n_steps, 2).transpose(0, 2, 1, 3).astype("<i2")
    blob = [np.concatenate([head[i].view(np.int8), body[i].reshape(-1).view(np.int8)])
            for i in range(pairs)]
    return np.concatenate(blob).astype(np.int8)


def blob_bytes(c_in: int, c_out: int) -> int:
    """Flash of a layer's blob."""
    return -(-c_out // 2) * (4 * HEAD_WORDS + 16 * steps(c_in))


def conv_prepack(params: dict, operands: list) -> dict:
    """Override.prepack: the blob in place of the weight (input 1); bias, multiplier and shift
    are in it, so the kernel gets NULL for them and they are not written to flash twice."""
    if operands[1] is None:
        raise ValueError("conv2d_s8_dsp packs its weights at build time: the layer's weight is not a constant")
    return {1: conv_pack(params, operands), 2: None, 3: None, 4: None}
