"""Samples made on the board by its own sampler (SAMPLE), and the host's twin of each.

The board draws its noise from the generator firmware/noise.c; the host regenerates the
same noise with sdk/diffusion/device_noise.py and runs the same plan in torch FP32, so the
two samples differ only by the device's arithmetic. Sample i uses seed + i.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from rich.progress import Progress

from sdk.diffusion import device_noise, sampling
from sdk.runner.client import DeviceClient


@dataclass
class BoardSample:
    seed: int
    sample: np.ndarray  # made on the board
    instructions: int  # the whole sampler, all steps


@dataclass
class HostSample:
    sample: np.ndarray
    output_scales: list[float]  # max |model output| at each step


def board_samples(client: DeviceClient, steps: int, n: int, seed: int) -> list[BoardSample]:
    samples = []
    with Progress(transient=True) as progress:
        task = progress.add_task(f"sampling on {client.port_name}", total=n)
        for i in range(n):
            instructions = client.sample(seed + i, device_noise=True, steps=steps)
            samples.append(BoardSample(seed + i, client.read_output(0), instructions))
            progress.advance(task)
    return samples


@torch.no_grad()
def host_sample(model: torch.nn.Module, plan: sampling.SamplerPlan, seed: int,
                shape: tuple[int, ...]) -> HostSample:
    """The host sampler from the board's noise for `seed`."""
    noise = device_noise.gaussian(seed, int(np.prod(shape))).reshape(shape)
    return sample_from(model, plan, torch.from_numpy(noise))


@torch.no_grad()
def sample_from(model: torch.nn.Module, plan: sampling.SamplerPlan, x: torch.Tensor) -> HostSample:
    """The host sampler (torch FP32) from the noise x, with each step's output scale."""
    scales = []
    for k, t in enumerate(plan.times):
        output = model(x, torch.full((x.shape[0],), float(t)))
        scales.append(float(output.abs().max()))
        x = sampling.update(plan, k, x, output)
    return HostSample(x.clamp(-1, 1).numpy(), scales)
