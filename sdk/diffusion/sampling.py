"""A sampler as data: the model's time input and the update coefficients of every step.

The same SamplerPlan drives the host sampler below and the C sampler the code generator
emits for the board (codegen/emit_sampler.py), so both run the same float32 arithmetic in
the same order and their samples can be compared pixel by pixel.

- "ddim" (ε- or v-prediction, η = 0): x̂0 = a·x − s·v (or (x − s·ε)/a), clipped to
  [−1, 1]; ε̂ = s·x + a·v (or the output); x ← a'·x̂0 + s'·ε̂. Coefficients (a, s, a', s').
- "euler" (flow models, x_s = (1−s)·x0 + s·z, output v = z − x0): x ← x + (s' − s)·v.
  Coefficients (s' − s, 0, 0, 0).
Every sample ends clipped to [−1, 1].
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch

from sdk.diffusion import ddim
from sdk.diffusion.schedule import CosineSchedule

FLOW_TIME_SCALE = 999.0  # a flow model sees s·999, the teacher's time units (noise at the top)


@dataclass(frozen=True)
class SamplerPlan:
    kind: str  # "ddim" | "euler"
    prediction: str  # "eps" | "v" | "flow"
    times: tuple[float, ...]  # the model's time input at each step
    coefficients: tuple[tuple[float, float, float, float], ...]

    @property
    def steps(self) -> int:
        return len(self.times)

    def to_dict(self) -> dict:
        return {**asdict(self), "steps": self.steps}


def ddim_plan(prediction: str, steps: int, schedule: CosineSchedule = CosineSchedule()) -> SamplerPlan:
    grid = ddim.timesteps(schedule, steps)

    def alpha_sigma(t: float) -> tuple[float, float]:
        ab = float(schedule.alpha_bar(torch.tensor(t))) if t >= 0 else 1.0
        return math.sqrt(ab), math.sqrt(1.0 - ab)

    coefficients = []
    for i, t in enumerate(grid):
        t_next = grid[i + 1] if i + 1 < len(grid) else -1.0
        coefficients.append(alpha_sigma(t) + alpha_sigma(t_next))
    return SamplerPlan("ddim", prediction, tuple(grid), tuple(coefficients))


def euler_plan(steps: int) -> SamplerPlan:
    if steps < 1:
        raise ValueError(f"a flow model cannot be sampled in {steps} steps (use 1 or more)")
    grid = [1.0 - i / steps for i in range(steps + 1)]
    return SamplerPlan("euler", "flow", tuple(s * FLOW_TIME_SCALE for s in grid[:-1]),
                       tuple((grid[i + 1] - grid[i], 0.0, 0.0, 0.0) for i in range(steps)))


def plan_for(prediction: str, steps: int) -> SamplerPlan:
    """The sampler a checkpoint's parametrisation calls for."""
    return euler_plan(steps) if prediction == "flow" else ddim_plan(prediction, steps)


def update(plan: SamplerPlan, step: int, x: torch.Tensor, output: torch.Tensor) -> torch.Tensor:
    """One sampler step in float32, in the order the C sampler computes it."""
    c0, c1, c2, c3 = (torch.tensor(c, dtype=torch.float32) for c in plan.coefficients[step])
    if plan.kind == "euler":
        return x + c0 * output
    if plan.prediction == "v":
        x0, eps = c0 * x - c1 * output, c1 * x + c0 * output
    else:
        x0, eps = (x - c1 * output) / c0, output
    return c2 * x0.clamp(-1, 1) + c3 * eps


@torch.no_grad()
def sample(model: torch.nn.Module, plan: SamplerPlan, noise: torch.Tensor) -> torch.Tensor:
    """Run the plan from `noise` (float32); returns samples in [−1, 1]."""
    x = noise.float()
    for step, t in enumerate(plan.times):
        x = update(plan, step, x, model(x, torch.full((x.shape[0],), float(t))))
    return x.clamp(-1, 1)
