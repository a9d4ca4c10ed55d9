"""The build-time weights of conv2d_1x1_s8_dsp (codegen/kernels/dsp/conv2d_1x1_s8_dsp.c).

The kernel multiplies int16 pairs with SMLAD; widening torch's int8 weights to int16 at run
time took a scratch buffer as large as the layer's weights twice over, plus an input row
(zoo unet's 64 -> 32 layer at 8 x 8: 5,120 B of arena). Packed here once instead, they live
in flash and the scratch is just the two pixels' widened input columns
(edgediff_s8_dsp_columns_bytes). Per pair of output
channels (a missing second channel of an odd count is zeros), per group of 4 input channels
(c_in rounded up to 4 with zeros): the 4 int16 weights of the first channel, then the 4 of the
second, the order in which the kernel's step reads them (two LDRDs).

Flash: 4 * c4 bytes per channel pair (c4 = c_in rounded up to 4), where torch's int8 weights
were c_in bytes per channel (the 64 -> 32 layer: 4,096 B for 2,048); bias, multiplier and
shift stay torch's.
"""

from __future__ import annotations

import numpy as np


def blob_bytes(c_in: int, c_out: int) -> int:
    """Flash of a layer's packed weights."""
    return -(-c_out // 2) * 2 * 2 * (-(-c_in // 4) * 4)


def pointwise_pack(params: dict, operands: list) -> np.ndarray:
    """The packed weights (int8 bytes of little-endian int16) of a layer whose operands are
    x, weight, bias, multiplier, shift as numpy arrays (None where not constant)."""
    c = params["conv"]
    c_in, c_out = c["c_in"], c["c_out"]
    pairs, c4 = -(-c_out // 2), -(-c_in // 4) * 4
    w = np.zeros((2 * pairs, c4), np.int64)
    w[:c_out, :c_in] = np.asarray(operands[1], np.int64).reshape(c_out, c_in)
    # [pair, channel, group, tap] -> [pair, group, channel, tap]
    body = w.reshape(pairs, 2, c4 // 4, 4).transpose(0, 2, 1, 3).astype("<i2")
    return np.ascontiguousarray(body).reshape(-1).view(np.int8).copy()


def pointwise_prepack(params: dict, operands: list) -> dict:
    """Override.prepack: the packed weights in place of the weight (input 1)."""
    if operands[1] is None:
        raise ValueError("conv2d_1x1_s8_dsp packs its weights at build time: "
                         "the layer's weight is not a constant")
    return {1: pointwise_pack(params, operands)}
