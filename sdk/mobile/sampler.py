"""The app's sampling loop, in numpy: what a developer ports to Kotlin or Swift.

It reads nothing but the model card's "sampler" entry and calls a step function
`step_fn(x, step) -> output` (onnxruntime, LiteRT, or torch: the loop does not care).
The arithmetic mirrors sdk/diffusion/sampling.py `update` in float32 and in the same
order, so with the torch model as step function it reproduces sampling.sample.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

StepFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def update(sampler: dict, step: int, x: np.ndarray, out: np.ndarray) -> np.ndarray:
    c0, c1, c2, c3 = (np.float32(c) for c in sampler["coefficients"][step])
    if sampler["kind"] == "euler":
        return x + c0 * out
    if sampler["prediction"] == "v":
        x0, eps = c0 * x - c1 * out, c1 * x + c0 * out
    else:
        x0, eps = (x - c1 * out) / c0, out
    return c2 * np.clip(x0, -1, 1) + c3 * eps


def sample(card: dict, step_fn: StepFn, noise: np.ndarray) -> np.ndarray:
    """One image from `noise` (shaped like the card's first input): steps model calls, each
    with the loop counter as the int32 step index, then the final clip to [-1, 1]."""
    sampler = card["sampler"]
    x = noise.astype(np.float32)
    for step in range(sampler["steps"]):
        x = update(sampler, step, x, step_fn(x, np.array([step], dtype=np.int32)))
    return np.clip(x, -1, 1)
