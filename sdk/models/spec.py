"""What the SDK needs to know about a model: the module, an example input, input samples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np
import torch

InputSampler = Callable[[int, int], list]
INPUT_CHUNK = 256  # validation inputs made and held at a time


@dataclass
class ModelSpec:
    """sampler: for a diffusion model built with its on-device sampler, the SamplerPlan
    (sdk/diffusion/sampling.py); the module's second input, the timestep, then becomes a
    step index into sampler.times on the device and in sample_inputs."""

    name: str
    module: torch.nn.Module
    example_inputs: tuple[torch.Tensor, ...]
    sample_inputs: InputSampler
    sampler: Any = None
    # a denoiser whose second input, the timestep, only takes the integer values
    # 0..time_steps-1 (the zoo unet: 1000): an int8 build tabulates its time path then
    # (codegen/passes/int8_time_tables.py)
    time_steps: int | None = None

    def reference(self, inputs: tuple[torch.Tensor, ...]) -> torch.Tensor:
        """The golden output: the PyTorch module in FP32 on the host."""
        if self.sampler is not None:
            x, step = inputs
            inputs = (x, torch.tensor([self.sampler.times[int(step.reshape(-1)[0])]]))
        with torch.no_grad():
            return self.module(*inputs)

    def input_chunks(self, n: int, seed: int) -> Iterator[list[tuple[torch.Tensor, ...]]]:
        """n validation inputs in lists of at most INPUT_CHUNK, so a long run holds one list
        at a time. Up to INPUT_CHUNK inputs this is sample_inputs(n, seed) itself; chunk
        k ≥ 1 is sample_inputs(size, chunk_seed(seed, k)). It cannot be sample_inputs(n, seed)
        cut in pieces: a sampler's draws depend on n (the zoo draws all n indices, then all
        timesteps, then all noise), and a user's returns a list."""
        for k, start in enumerate(range(0, n, INPUT_CHUNK)):
            yield self.sample_inputs(min(INPUT_CHUNK, n - start), chunk_seed(seed, k))


def chunk_seed(seed: int, k: int) -> int:
    """The seed of validation input chunk k: seed itself for the first, then a 32-bit hash
    of (seed, k) — 32 bits because torch seeds its generator with the low 32 bits only."""
    return seed if k == 0 else int(np.random.SeedSequence([seed % 2 ** 32, k]).generate_state(1)[0])


def gaussian_sampler(example_inputs: tuple[torch.Tensor, ...], highs: dict[int, int] | None = None,
                     time_steps: int | None = None) -> InputSampler:
    """Inputs for a model that brings no sampler: Gaussian noise with each example's mean
    and spread, so values stay in the range the model was built for. An integer input (a
    diffusers timestep) gets whole numbers of its dtype, uniform from 0 to twice the example's
    largest value (a timestep of 500 gives 0..1000), at least 0..1, and at most highs[i]
    (the last row of the embedding it indexes: sdk/models/integer_inputs.py). time_steps: the
    model declares its float timestep (input 1) takes the whole values 0..time_steps-1, so it
    is drawn from them."""
    highs = dict(highs or {})
    if time_steps:
        highs[1] = min(highs.get(1, time_steps - 1), time_steps - 1)

    def sample(n: int, seed: int) -> list[tuple[torch.Tensor, ...]]:
        gen = torch.Generator().manual_seed(seed)
        out = []
        for _ in range(n):
            sample_i = []
            for i, ex in enumerate(example_inputs):
                if i == 1 and time_steps and ex.is_floating_point():
                    sample_i.append(torch.randint(0, time_steps, ex.shape, generator=gen).to(ex.dtype))
                    continue  # whole values of a float timestep
                if not ex.is_floating_point():
                    high = min(max(2 * int(ex.max()) if ex.numel() else 0, 1), highs.get(i, 2 ** 31 - 1))
                    sample_i.append(torch.randint(0, high + 1, ex.shape, generator=gen, dtype=ex.dtype))
                    continue
                spread = ex.float().std() if ex.numel() > 1 else ex.float().abs().mean()
                spread = float(spread) if float(spread) > 0 else 1.0
                sample_i.append(ex.float().mean() + spread * torch.randn(ex.shape, generator=gen))
            out.append(tuple(sample_i))
        return out

    return sample
