"""The DDIM timestep grid (Song et al. 2021, η = 0).

With η = 0 the sampler is a deterministic map from the initial noise to a sample, which is
what progressive distillation needs (a student learns two teacher steps in one) and what
makes device samples comparable with host samples given the same noise. The step itself
lives in sdk/diffusion/sampling.py, shared with the C sampler.
"""

from __future__ import annotations

from sdk.diffusion.schedule import CosineSchedule


def timesteps(schedule: CosineSchedule, count: int) -> list[float]:
    """count timesteps from T-1 down, evenly spaced; the step after the last is t = -1 (ᾱ=1)."""
    if count < 1 or count > schedule.steps:
        raise ValueError(f"a {schedule.steps}-step schedule cannot be sampled in {count} steps "
                         f"(use 1..{schedule.steps})")
    return [schedule.steps - 1 - i * schedule.steps / count for i in range(count)]
