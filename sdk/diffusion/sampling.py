"""A sampler as data: the model's time input and the update coefficients of every step.

The same SamplerPlan drives the host sampler below and the C sampler the code generator
emits for the board (codegen/emit_sampler.py), so both run the same float32 arithmetic in
the same order and their samples can be compared pixel by pixel.

- "ddim" (ε- or v-prediction, η = 0): x̂0 = a·x − s·v (or (x − s·ε)/a), clipped to
  [−1, 1]; ε̂ = s·x + a·v (or the output); x ← a'·x̂0 + s'·ε̂. Coefficients (a, s, a', s').
- "euler" (flow models, x_s = (1−s)·x0 + s·z, output v = z − x0): x ← x + (s' − s)·v.
  Coefficients (s' − s, 0, 0, 0).
- "tabulated" (a diffusers scheduler, sdk/diffusion/scheduler_plan.py): the model sees
  s_in·x; x̂0 = clip(cx·x + co·o) where the scheduler clips; x ← A·x + B·x̂0 + D·o plus, for
  a multistep solver, P_j·x and Q_j·o of the `history` previous steps. A row per step:
  ROW_FIELDS, then (P_1, Q_1, …, P_h, Q_h). The initial noise is scaled by init_sigma.
These samples end clipped to [−1, 1] (clip_final); a scheduler's end as it ends.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch

from sdk.diffusion import ddim
from sdk.diffusion.schedule import CosineSchedule

FLOW_TIME_SCALE = 999.0  # a flow model sees s·999, the teacher's time units (noise at the top)
# A "tabulated" step's coefficients, before the history's (P_j, Q_j) pairs.
ROW_FIELDS = ("s_in", "cx", "co", "clip", "a", "b", "d")


@dataclass(frozen=True)
class SamplerPlan:
    """kind "ddim" | "euler" | "tabulated"; prediction "eps" | "v" | "flow" (or a diffusers
    prediction_type); times: the model's time input at each step; coefficients: one row per
    step. history, init_sigma, clip_final, scheduler: see the module doc ("tabulated");
    source: the diffusers scheduler a tabulated plan was read off (not saved)."""

    kind: str
    prediction: str
    times: tuple[float, ...]
    coefficients: tuple[tuple[float, ...], ...]
    history: int = 0
    init_sigma: float = 1.0
    clip_final: bool = True
    scheduler: str = ""
    source: object = field(default=None, compare=False, repr=False)
    # the num_inference_steps `source` was set to: a scheduler that calls the model more than
    # once a step (HeunDiscreteScheduler: 2·n − 1 calls) has more rows than inference steps
    inference_steps: int = field(default=0, compare=False, repr=False)

    @property
    def steps(self) -> int:
        return len(self.times)

    def to_dict(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k not in ("source", "inference_steps")}
        return {**d, "steps": self.steps}


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


def model_input(plan: SamplerPlan, step: int, x: torch.Tensor) -> torch.Tensor:
    """What the model sees at `step`: the state, scaled where a scheduler scales it."""
    if plan.kind != "tabulated" or plan.coefficients[step][0] == 1.0:
        return x
    return plan.coefficients[step][0] * x


def tabulated_update(plan: SamplerPlan, step: int, xs: list[torch.Tensor],
                     outputs: list[torch.Tensor]) -> torch.Tensor:
    """One "tabulated" step; xs and outputs hold this step's state and output first, then
    the previous steps' (as many as plan.history)."""
    row = plan.coefficients[step]
    s_in, cx, co, clip, a, b, d = row[:len(ROW_FIELDS)]
    x, o = xs[0], outputs[0]
    nxt = a * x + d * o
    if b:
        x0 = cx * x + co * o
        nxt = nxt + b * (x0.clamp(-clip, clip) if clip else x0)
    past = row[len(ROW_FIELDS):]
    for j in range(1, plan.history + 1):
        if j < len(xs) and (past[2 * j - 2] or past[2 * j - 1]):
            nxt = nxt + past[2 * j - 2] * xs[j] + past[2 * j - 1] * outputs[j]
    return nxt


def run_plan(plan: SamplerPlan, model, x: torch.Tensor, scales: list | None = None) -> torch.Tensor:
    """The whole plan from the state x (noise), any kind; `scales` collects each step's
    max |model output|. A tabulated plan scales the noise by init_sigma first."""
    if plan.kind != "tabulated":
        for k, t in enumerate(plan.times):
            output = model(x, torch.full((x.shape[0],), float(t)))
            if scales is not None:
                scales.append(float(output.abs().max()))
            x = update(plan, k, x, output)
        return x.clamp(-1, 1)
    x = x * plan.init_sigma if plan.init_sigma != 1.0 else x
    xs, outputs = [], []
    for k, t in enumerate(plan.times):
        output = model(model_input(plan, k, x), torch.full((x.shape[0],), float(t), dtype=x.dtype))
        if scales is not None:
            scales.append(float(output.abs().max()))
        xs, outputs = [x, *xs][:plan.history + 1], [output, *outputs][:plan.history + 1]
        x = tabulated_update(plan, k, xs, outputs)
    return x.clamp(-1, 1) if plan.clip_final else x


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
    return run_plan(plan, model, noise.float())
