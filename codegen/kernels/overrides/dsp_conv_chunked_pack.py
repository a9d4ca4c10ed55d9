"""The build-time weight blob of conv2d_chunked_s8_dsp (codegen/kernels/dsp/conv2d_chunked_s8_dsp.c).

The kernel runs conv2d_s8_dsp's arithmetic over CHUNK input channels at a time, so it reads
the same int16 weight slots (dsp_conv_pack.py), ordered by chunk:

- one int32: 1 if the layer takes dsp_conv_pack's short requantization (`short_requant`: the
  weights and sums' starts are stored doubled), else 0;
- the 12-word header of every output channel pair, 6 per channel: the sums' start and the
  general requantization (multiplier, left shift, right shift - 1, the 64-bit rounding
  constant as two words), or in a short layer the short one (m, a, r) and two zeros (a
  missing second channel of an odd count is zeros);
- then for each chunk of input channels (CHUNK of them, the last one the rest), for every
  output channel pair in turn, that chunk's slots as dsp_conv_pack lays out a layer of those
  input channels (rounded up to whole steps of 9 with zeros).

So the kernel reads its weights front to back. Flash: 4 bytes, then 48 bytes per channel pair
plus 16 bytes per step of each chunk per pair (zoo unet's 64 -> 32 layer: 37,636 B, as
conv2d_s8_dsp's blob).
"""

from __future__ import annotations

import numpy as np

from codegen.kernels.overrides.dsp_conv_pack import (_bias, _general, _short, _slots, _wrap32,
                                                     layer_operands, short_requant, steps)

CHUNK = 16  # EDGEDIFF_CONV2D_CHUNKED_S8_DSP_CHUNK
HEAD_WORDS = 12


def _header(weight, bias, multiplier, shift, q: dict, short: bool) -> np.ndarray:
    """[c_out, 6] int64 holding the int32 header words of each channel: bias + input_offset *
    sum(weights) (wrapping like the int32 sums; doubled in a short layer), then dsp_conv_pack's
    general requantization, or its short one and two zeros."""
    start = _wrap32((2 if short else 1) * _bias(weight, bias, q["input_offset"]))[:, None]
    if short:
        scale = np.concatenate([_short(multiplier, shift, q["output_offset"]),
                                np.zeros((len(start), 2), np.int64)], axis=1)
    else:
        scale = _general(multiplier, shift)
    return np.concatenate([start, scale], axis=1)


def chunks(c_in: int) -> list[tuple[int, int]]:
    """(first input channel, channels) of each chunk."""
    return [(c0, min(CHUNK, c_in - c0)) for c0 in range(0, c_in, CHUNK)]


def scratch_bytes(c_in: int, c_out: int) -> int:
    """Unrounded: one chunk's column (16 B per step) and 4 int32 sums per output channel pair."""
    return 16 * steps(min(c_in, CHUNK)) + 16 * (-(-c_out // 2))


def _even(a: np.ndarray) -> np.ndarray:
    """Rows padded with a zero row to an even count (the missing second channel)."""
    return np.concatenate([a, np.zeros((1,) + a.shape[1:], a.dtype)]) if len(a) % 2 else a


def conv_chunked_pack(params: dict, operands: list) -> np.ndarray:
    """The blob (int8 bytes) that replaces the weight operand; operands: x, weight, bias,
    multiplier, shift as numpy arrays (None where not constant)."""
    c, q = params["conv"], params["q"]
    weight, bias, multiplier, shift = layer_operands(params, operands, "conv2d_chunked_s8_dsp")
    short = short_requant(weight, bias, multiplier, shift, q["input_offset"])
    pairs = -(-c["c_out"] // 2)
    head = _even(_header(weight, bias, multiplier, shift, q, short))
    parts = [np.asarray([int(short)], "<i4").view(np.int8),
             head.reshape(pairs * HEAD_WORDS).astype("<i4").view(np.int8)]
    for c0, ck in chunks(c["c_in"]):
        n_steps = steps(ck)
        slots = _even((2 if short else 1) * _slots(weight[:, c0:c0 + ck], n_steps))
        # [pair, slot, channel, half]: each slot holds the first channel's word, then the second's
        body = slots.reshape(pairs, 2, 2 * n_steps, 2).transpose(0, 2, 1, 3).astype("<i2")
        parts.append(body.reshape(-1).view(np.int8))
    return np.concatenate(parts).astype(np.int8)


def blob_bytes(c_in: int, c_out: int) -> int:
    """Flash of a layer's blob."""
    return 4 + -(-c_out // 2) * (4 * HEAD_WORDS + 16 * sum(steps(ck) for _, ck in chunks(c_in)))


def conv_chunked_prepack(params: dict, operands: list) -> dict:
    """Override.prepack: the blob in place of the weight (input 1); bias, multiplier and shift
    are in it, so the kernel gets NULL for them."""
    if operands[1] is None:
        raise ValueError("conv2d_chunked_s8_dsp packs its weights at build time: the layer's weight is not a constant")
    return {1: conv_chunked_pack(params, operands), 2: None, 3: None, 4: None}
