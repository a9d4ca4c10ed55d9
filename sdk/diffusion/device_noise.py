"""The board's noise generator, bit for bit in numpy (its C twin: firmware/noise.c).

A sampler that draws its own noise on the device needs a host twin, or the host cannot
check the samples. Integer arithmetic makes the twin exact: the seed is hashed (murmur3's
finalizer) into an xorshift32 state, and each value is the Irwin–Hall sum of twelve 16-bit
uniforms, centred and scaled by 2^-16 — mean 0, variance 1 − 2^-32, tails cut at ±6. Every
step is an integer operation or an exact float conversion (the sum needs 20 bits, a float
has 24), so C and numpy produce the same float32 bits on every target.
"""

from __future__ import annotations

import numpy as np

UNIFORMS_PER_VALUE = 12
CENTRE = UNIFORMS_PER_VALUE * 65535 // 2  # 12 · 32767.5
MASK = 0xFFFFFFFF


def _mix(seed: int) -> int:
    z = seed & MASK
    z = ((z ^ (z >> 16)) * 0x85EBCA6B) & MASK
    z = ((z ^ (z >> 13)) * 0xC2B2AE35) & MASK
    z ^= z >> 16
    return z or 0x9E3779B9  # xorshift's one forbidden state


def gaussian(seed: int, count: int) -> np.ndarray:
    """`count` float32 values, as noise_fill_gaussian(seed, out, count) writes them."""
    state, sums = _mix(seed), np.empty(count, dtype=np.int64)
    for i in range(count):
        total = 0
        for _ in range(UNIFORMS_PER_VALUE):
            state ^= (state << 13) & MASK
            state ^= state >> 17
            state ^= (state << 5) & MASK
            total += state >> 16
        sums[i] = total
    return ((sums - CENTRE).astype(np.float32) * np.float32(1 / 65536)).astype(np.float32)
