"""The host's twin of a board sample: the board draws its noise from the generator
firmware/noise.c; the host regenerates the same noise with sdk/diffusion/device_noise.py and
runs the same plan in torch FP32, so the two samples differ only by the device's arithmetic."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from sdk.diffusion import device_noise, sampling
from sdk.diffusion.scheduler_plan import scheduler_loop


@dataclass
class HostSample:
    sample: np.ndarray
    output_scales: list[float]  # max |model output| at each step



@torch.no_grad()
def host_sample(model: torch.nn.Module, plan: sampling.SamplerPlan, seed: int,
                shape: tuple[int, ...]) -> HostSample:
    """The host sampler from the board's noise for `seed`."""
    noise = device_noise.gaussian(seed, int(np.prod(shape))).reshape(shape)
    return sample_from(model, plan, torch.from_numpy(noise))


@torch.no_grad()
def sample_from(model: torch.nn.Module, plan: sampling.SamplerPlan, x: torch.Tensor) -> HostSample:
    """The host sampler (torch FP32) from the noise x, with each step's output scale. A plan
    tabulated from a diffusers scheduler is checked against that scheduler's own loop
    (scale_model_input, model, scheduler.step), not against our tabulation of it."""
    scales: list[float] = []
    if plan.kind == "tabulated" and plan.source is not None:
        x, scales = scheduler_loop(plan.source, plan.steps, model, x * plan.init_sigma)
        return HostSample(x.numpy(), scales)
    x = sampling.run_plan(plan, model, x, scales)
    return HostSample(x.numpy(), scales)
