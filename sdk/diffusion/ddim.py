"""The DDIM timestep grid (Song et al. 2021, η = 0).

With η = 0 the sampler is a deterministic map from the initial noise to a sample, which is
what progressive distillation needs (a student learns two teacher steps in one) and what
makes device samples comparable with host samples given the same noise. The step itself
lives in sdk/diffusion/sampling.py, shared with the C sampler.
"""

from __future__ import annotations

import numpy as np

from sdk.diffusion.schedule import CosineSchedule


def timesteps(schedule: CosineSchedule, count: int) -> list[float]:
    """count integer timesteps from T-1 down, evenly spaced and rounded as diffusers'
    "trailing" spacing rounds them (round(T - i·T/count) - 1, ties to even); the step after
    the last is t = -1 (ᾱ = 1, diffusers' set_alpha_to_one)."""
    if count < 1 or count > schedule.steps:
        raise ValueError(f"a {schedule.steps}-step schedule cannot be sampled in {count} steps "
                         f"(use 1..{schedule.steps})")
    grid = np.round(np.arange(schedule.steps, 0, -schedule.steps / count)) - 1
    return [float(t) for t in grid[:count]]
