"""A diffusion checkpoint as a model `sdk build` compiles: the denoiser plus its sampler.

`--model student_4steps.pt` builds the network with its time path tabulated for the
checkpoint's own sampling steps (a teacher without them: trajectories.DEFAULT_STEPS) and
the C sampler for its plan. Validation inputs are states on the sampler's own trajectories — what the
board will see — at every step of the plan in turn.
"""

from __future__ import annotations

from pathlib import Path

import torch

from sdk.diffusion import sampling
from sdk.diffusion.trajectories import checkpoint_plan
from sdk.models.spec import ModelSpec


def trajectory_states(model: torch.nn.Module, plan: sampling.SamplerPlan, noise: torch.Tensor,
                      step: int) -> torch.Tensor:
    """The sampler's state when it reaches `step`, starting from `noise`."""
    x = noise.float()
    with torch.no_grad():
        for k in range(step):
            x = sampling.update(plan, k, x, model(x, torch.full((x.shape[0],), plan.times[k])))
    return x


def checkpoint_spec(path: Path) -> ModelSpec:
    path = Path(path)
    _, config, model, plan = checkpoint_plan(path)
    shape = (1, *config.sample_shape)

    def sample_inputs(n: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
        gen = torch.Generator().manual_seed(seed)
        out = []
        for i in range(n):
            step = i % plan.steps
            x = trajectory_states(model, plan, torch.randn(shape, generator=gen), step)
            out.append((x, torch.tensor([float(step)])))
        return out

    example = (torch.zeros(shape), torch.tensor([plan.times[0]], dtype=torch.float32))
    return ModelSpec(path.stem, model, example, sample_inputs, sampler=plan)
