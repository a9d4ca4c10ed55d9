"""Deterministic DDIM sampling (Song et al. 2021, η = 0) on a fixed grid of timesteps.

With η = 0 the sampler is a deterministic map from the initial noise to a sample, which is
what progressive distillation needs (a student learns two teacher steps in one) and what
makes device samples comparable bit for bit with host samples given the same noise.
"""

from __future__ import annotations

import torch

from sdk.diffusion.schedule import CosineSchedule


def timesteps(schedule: CosineSchedule, count: int) -> list[float]:
    """count timesteps from T-1 down, evenly spaced; the step after the last is t = -1 (ᾱ=1)."""
    if count < 1 or count > schedule.steps:
        raise ValueError(f"a {schedule.steps}-step schedule cannot be sampled in {count} steps "
                         f"(use 1..{schedule.steps})")
    return [schedule.steps - 1 - i * schedule.steps / count for i in range(count)]


def ddim_step(schedule: CosineSchedule, prediction: str, output: torch.Tensor, x_t: torch.Tensor,
              t: float, t_next: float, clip: bool = True) -> torch.Tensor:
    n = x_t.shape[0]
    x0, eps = schedule.to_x0_eps(prediction, output, x_t, torch.full((n,), t))
    if clip:
        x0 = x0.clamp(-1, 1)
    ab_next = schedule.alpha_bar(torch.tensor(t_next)) if t_next >= 0 else torch.tensor(1.0)
    return ab_next.sqrt() * x0 + (1 - ab_next).sqrt() * eps


@torch.no_grad()
def sample(model: torch.nn.Module, schedule: CosineSchedule, prediction: str, noise: torch.Tensor,
           steps: int) -> torch.Tensor:
    """Run the model `steps` times from `noise`; returns samples in [-1, 1]."""
    grid = timesteps(schedule, steps)
    x = noise
    for i, t in enumerate(grid):
        t_next = grid[i + 1] if i + 1 < len(grid) else -1.0
        output = model(x, torch.full((x.shape[0],), float(t)))
        x = ddim_step(schedule, prediction, output, x, t, t_next)
    return x.clamp(-1, 1)
