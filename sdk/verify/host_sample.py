"""The host's twin of a board sample: the board draws its noise from the generator
firmware/noise.c; the host regenerates the same noise with sdk/diffusion/device_noise.py and
runs the same plan in torch FP32, so the two samples differ only by the device's arithmetic."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch

from sdk.diffusion import device_noise, sampling
from sdk.diffusion.scheduler_plan import scheduler_loop


@dataclass
class HostSample:
    sample: np.ndarray
    output_scales: list[float]  # max |model output| at each step
    # a diffusers scheduler's loop: max |state| before each step, and how far its float32
    # sample is from the same loop in float64 (model included): its own rounding
    state_scales: list[float] = field(default_factory=list)
    float32_error: float = 0.0



@torch.no_grad()
def host_sample(model: torch.nn.Module, plan: sampling.SamplerPlan, seed: int,
                shape: tuple[int, ...]) -> HostSample:
    """The host sampler from the board's noise for `seed`."""
    noise = device_noise.gaussian(seed, int(np.prod(shape))).reshape(shape)
    return sample_from(model, plan, torch.from_numpy(noise))


def _float32_error(model: torch.nn.Module, plan: sampling.SamplerPlan, x0: torch.Tensor,
                   sample: torch.Tensor) -> float:
    """max |sample − the same loop in float64|; 0 for a model that cannot run in float64 (a
    torch.export graph with float32 constants): the board's own bound then stands alone."""
    try:
        exact, _ = scheduler_loop(plan.source, plan.inference_steps or plan.steps, copy.deepcopy(model).double(), x0.double())
    except RuntimeError:
        return 0.0
    return float((sample.double() - exact).abs().max())


@torch.no_grad()
def sample_from(model: torch.nn.Module, plan: sampling.SamplerPlan, x: torch.Tensor) -> HostSample:
    """The host sampler (torch FP32) from the noise x, with each step's output scale. A plan
    tabulated from a diffusers scheduler is checked against that scheduler's own loop
    (scale_model_input, model, scheduler.step), not against our tabulation of it; that loop
    also runs in float64, to know its own float32 rounding (sdk/verify/tolerance.py)."""
    scales: list[float] = []
    if plan.kind == "tabulated" and plan.source is not None:
        states: list[float] = []
        x0 = x * plan.init_sigma
        x, scales = scheduler_loop(plan.source, plan.inference_steps or plan.steps, model, x0, states)
        return HostSample(x.numpy(), scales, states, _float32_error(model, plan, x0, x))
    x = sampling.run_plan(plan, model, x, scales)
    return HostSample(x.numpy(), scales)
