"""A model file that brings its own diffusers scheduler: the denoiser plus that scheduler's
sampler, as a model `sdk build` compiles (the way device_model.py does for EdgeDiff's own
checkpoints).

The model file defines `scheduler` (a diffusers scheduler object) and `num_inference_steps`
next to `model` and `example_input` (sample, timestep). The scheduler is tabulated
(scheduler_plan.py); the build turns the model's timestep input into a step index and
emits the on-board sampler. Validation inputs are states on diffusers' own sampling loop
from fresh noise, at every step in turn; whole samples are checked against that loop
(sdk/verify/host_sample.py).
"""

from __future__ import annotations

import torch

from sdk.diffusion.sampling import model_input
from sdk.diffusion.scheduler_plan import fresh_scheduler, tabulate_scheduler
from sdk.errors import UserError
from sdk.models.spec import ModelSpec


@torch.no_grad()
def loop_state(model, scheduler, steps: int, noise: torch.Tensor, step: int) -> torch.Tensor:
    """diffusers' state when its loop reaches `step` from `noise` (times init_noise_sigma)."""
    s = fresh_scheduler(scheduler, steps)
    x = noise * s.init_noise_sigma
    for t in s.timesteps[:step]:
        o = model(s.scale_model_input(x, t), t.reshape(1).expand(x.shape[0]))
        x = s.step(o, t, x).prev_sample
    return x


def scheduler_spec(name: str, model: torch.nn.Module, example: tuple[torch.Tensor, ...], scheduler,
                   steps) -> ModelSpec:
    if len(example) != 2:
        raise UserError(f"a model with a scheduler takes (sample, timestep); its example_input has "
                        f"{len(example)} tensor(s)")
    plan = tabulate_scheduler(scheduler, steps)
    shape = tuple(example[0].shape)

    def sample_inputs(n: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
        gen = torch.Generator().manual_seed(seed)
        out = []
        for i in range(n):
            step = i % plan.steps
            x = loop_state(model, scheduler, steps, torch.randn(shape, generator=gen), step)
            out.append((model_input(plan, step, x), torch.full(example[1].shape or (1,), float(step))))
        return out

    return ModelSpec(name, model, example, sample_inputs, sampler=plan)
