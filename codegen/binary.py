"""1-bit tensors and their integer arithmetic, in numpy: the reference the C kernels must
equal bit for bit.

A sign tensor stores ±1 as bits, 1 for −1 and 0 for +1, packed along channels: for each
pixel (n, y, x) channel c is bit c % 32 of word c // 32, giving [N, H, W, words] uint32
with words = ceil(C / 32) and unused high bits 0. Packing along channels puts a pixel's
whole receptive-field column in consecutive words, so a binary convolution is XOR and
popcount over words: for ±1 vectors a, w of length n, a·w = n − 2·popcount(a XOR w).

Zero padding is neither +1 nor −1: a tap outside the input contributes 0. The kernels
therefore skip those taps and count only the channels of valid taps — the same result as
a float convolution of the ±1 tensor with zero padding.
"""

from __future__ import annotations

import numpy as np

WORD_BITS = 32


def words_for(channels: int) -> int:
    return -(-channels // WORD_BITS)


def pack_signs(negative: np.ndarray) -> np.ndarray:
    """[N, C, H, W] booleans (True = −1) → [N, H, W, words] uint32."""
    n, c, h, w = negative.shape
    words = words_for(c)
    bits = np.zeros((n, h, w, words * WORD_BITS), dtype=np.uint64)
    bits[..., :c] = np.moveaxis(negative, 1, -1)
    weights = np.left_shift(np.uint64(1), np.arange(WORD_BITS, dtype=np.uint64))
    packed = (bits.reshape(n, h, w, words, WORD_BITS) * weights).sum(axis=-1)
    return packed.astype(np.uint32)


def unpack_signs(packed: np.ndarray, channels: int) -> np.ndarray:
    """[N, H, W, words] uint32 → [N, C, H, W] int32 of ±1."""
    shifts = np.arange(WORD_BITS, dtype=np.uint32)
    bits = (packed[..., None] >> shifts) & 1  # [N, H, W, words, 32]
    bits = bits.reshape(*packed.shape[:3], -1)[..., :channels]
    return np.moveaxis(1 - 2 * bits.astype(np.int32), -1, 1)


def pack_weights(weight: np.ndarray) -> np.ndarray:
    """A conv weight [C_out, C_in, kh, kw] of ±alpha → its signs packed [C_out, kh, kw, words]."""
    return pack_signs(weight < 0)  # [C_out, C_in, kh, kw] read as [N, C, H, W]


def sign_pack(x: np.ndarray, threshold: np.ndarray | None) -> np.ndarray:
    """sign(x − threshold[c]) packed: bit 1 where x < threshold (compared in float32)."""
    x = x.astype(np.float32)
    t = np.zeros(x.shape[1], np.float32) if threshold is None else threshold.astype(np.float32)
    return pack_signs(x < t.reshape(1, -1, 1, 1))


def binary_dot(packed: np.ndarray, packed_weight: np.ndarray, channels: int, stride, padding,
               out_hw) -> np.ndarray:
    """The integer ±1 convolution [N, C_out, H_out, W_out] (int64), zero padding counting 0."""
    a = unpack_signs(packed, channels).astype(np.int64)  # [N, C, H, W]
    w = unpack_signs(packed_weight, channels).astype(np.int64)  # [C_out, C, kh, kw]
    c_out, _, kh, kw = w.shape
    n, _, h, wd = a.shape
    (sh, sw), (ph, pw), (ho, wo) = stride, padding, out_hw
    padded = np.zeros((n, channels, h + 2 * ph + kh, wd + 2 * pw + kw), dtype=np.int64)
    padded[:, :, ph:ph + h, pw:pw + wd] = a
    out = np.zeros((n, c_out, ho, wo), dtype=np.int64)
    for ky in range(kh):
        for kx in range(kw):
            patch = padded[:, :, ky:ky + sh * ho:sh, kx:kx + sw * wo:sw]  # [N, C, Ho, Wo]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, ky, kx])
    return out


def scale_output(dot: np.ndarray, scale: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """float32(dot) · scale[c] + bias[c], rounded to float32 after each operation (the C
    kernels forbid contracting it into an FMA, so every target computes these bits)."""
    y = dot.astype(np.float32) * scale.astype(np.float32).reshape(1, -1, 1, 1)
    if bias is not None:
        y = y + bias.astype(np.float32).reshape(1, -1, 1, 1)
    return y.astype(np.float32)


def post_output(y: np.ndarray, shift_in=None, slope=None, shift_out=None, res_scale=None,
                residual=None) -> np.ndarray:
    """The steps codegen/passes/fold_binary_output.py folds into a binary conv's output
    step, on y [N, C, H, W] float32, each rounded to float32 as the unfused FP32 ops round
    them (None skips a step): y − shift_in[c]; y if y > 0 else slope[c] · y; y + shift_out[c];
    y + res_scale[c] · residual (res_scale None: y + residual)."""
    def channel(v):
        return v.astype(np.float32).reshape(1, -1, 1, 1)

    y = y.astype(np.float32)
    if shift_in is not None:
        y = y - channel(shift_in)
    if slope is not None:
        y = np.where(y > 0, y, channel(slope) * y)
    if shift_out is not None:
        y = y + channel(shift_out)
    if residual is not None:
        r = residual.astype(np.float32)
        y = y + (r if res_scale is None else channel(res_scale) * r)
    return y.astype(np.float32)
