"""Random int8 op cases shared by the TFLite Micro and the C-kernel tests: shapes, scales,
zero points, weights and biases drawn from one seeded generator, wide enough to reach the
edges (zero points at -128 and 127, multipliers from 2^-17 to above 1 so the shift is
sometimes positive, biases big enough to clamp whole channels)."""

from __future__ import annotations

import numpy as np

ACTS = ("NONE", "RELU", "RELU6")


def log_uniform(rng: np.random.Generator, lo: float, hi: float, size=None) -> np.ndarray:
    return np.exp(rng.uniform(np.log(lo), np.log(hi), size)).astype(np.float32)


def zero_point(rng: np.random.Generator) -> int:
    """Mostly anywhere in int8; one case in five at an end of the range or 0."""
    if rng.random() < 0.2:
        return int(rng.choice([-128, 127, 0]))
    return int(rng.integers(-128, 128))


def int8(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.integers(-128, 128, shape).astype(np.int8)


def weights(rng: np.random.Generator, shape) -> np.ndarray:
    """Symmetric int8 weights: -127..127 (TFLite never stores -128 in a symmetric tensor)."""
    return rng.integers(-127, 128, shape).astype(np.int8)


def scales(rng: np.random.Generator, channels: int, taps: int):
    """(input scale, per-channel weight scales, output scale). With inputs and weights
    uniform over int8, an accumulator's spread is about 74 * 74 * sqrt(taps) steps of
    s_in * s_w; the output scale puts that at about 40 output steps times a random factor:
    mostly 0.3..4 (outputs spread over the int8 range), sometimes 0.002..0.3 (multipliers
    up to above 1, a positive shift, most outputs clamped)."""
    s_in = log_uniform(rng, 1e-3, 0.1)
    s_w = log_uniform(rng, 1e-3, 0.05, channels)
    spread = float(s_in) * float(np.median(s_w)) * 74 * 74 * np.sqrt(taps) / 40
    factor = log_uniform(rng, 0.3, 4.0) if rng.random() < 0.85 else log_uniform(rng, 2e-3, 0.3)
    return s_in, s_w, np.float32(spread * float(factor))


def bias(rng: np.random.Generator, channels: int, taps: int) -> np.ndarray:
    spread = int(74 * 74 * np.sqrt(taps))  # about one accumulator spread
    b = rng.integers(-spread, spread + 1, channels)
    b[rng.random(channels) < 0.05] *= 64  # a few channels pushed into the clamp
    return b.astype(np.int32)
