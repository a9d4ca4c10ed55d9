"""Named example models: what `--model unet` or `--model dncnn` builds.

Each entry gives the module (deterministically initialised), an example input and a
sampler of realistic inputs (noisy digits) for validation.
"""

from __future__ import annotations

import math
from typing import Callable

import torch

from sdk.data.digits import load_digits_images
from sdk.models.dncnn import DnCNN
from sdk.models.spec import ModelSpec
from sdk.models.unet import TinyUNet

DIFFUSION_STEPS = 1000


def _cosine_alpha_bar(t: torch.Tensor) -> torch.Tensor:
    """Cosine noise schedule (Nichol & Dhariwal 2021) at integer timesteps t."""
    s = 0.008
    f = torch.cos((t / DIFFUSION_STEPS + s) / (1 + s) * math.pi / 2) ** 2
    return f / math.cos(s / (1 + s) * math.pi / 2) ** 2


def _noisy_digits(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    images, _ = load_digits_images(16)
    x0 = images[torch.randint(len(images), (n,), generator=gen)]
    t = torch.randint(0, DIFFUSION_STEPS, (n,), generator=gen).float()
    alpha_bar = _cosine_alpha_bar(t)[:, None, None, None]
    noise = torch.randn(x0.shape, generator=gen)
    return alpha_bar.sqrt() * x0 + (1 - alpha_bar).sqrt() * noise, t


def _randomise_norm_stats(module: torch.nn.Module, gen: torch.Generator) -> None:
    """Give BatchNorm non-trivial running statistics so folding them is really tested."""
    for m in module.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


def unet() -> ModelSpec:
    torch.manual_seed(0)
    model = TinyUNet(in_channels=1, width=16, mults=(1, 2), emb_dim=32, groups=4).eval()

    def sample_inputs(n: int, seed: int) -> list[tuple[torch.Tensor, ...]]:
        x, t = _noisy_digits(n, seed)
        return [(x[i:i + 1], t[i:i + 1]) for i in range(n)]

    return ModelSpec("unet", model, sample_inputs(1, 0)[0], sample_inputs, time_steps=DIFFUSION_STEPS)


def unet_binary(mode: str) -> Callable[[], ModelSpec]:
    """The zoo UNet with its ResBlock and downsample convs binarized (`sdk binarize`'s
    default layers), untrained: for benchmarks of the 1-bit kernels next to FP32 and FP16."""

    def make() -> ModelSpec:
        from sdk.compress.binary_layers import binarize_model

        spec = unet()
        binarize_model(spec.module, mode)
        spec.module.eval()
        spec.name = f"unet_{mode}"
        return spec

    return make


def dncnn() -> ModelSpec:
    torch.manual_seed(0)
    model = DnCNN(channels=1, features=16, depth=5)
    _randomise_norm_stats(model, torch.Generator().manual_seed(1))
    model.eval()

    def sample_inputs(n: int, seed: int) -> list[tuple[torch.Tensor, ...]]:
        x, _ = _noisy_digits(n, seed)
        return [(x[i:i + 1],) for i in range(n)]

    return ModelSpec("dncnn", model, sample_inputs(1, 0)[0], sample_inputs)


ZOO: dict[str, Callable[[], ModelSpec]] = {"unet": unet, "dncnn": dncnn,
                                           "unet_w1a1": unet_binary("w1a1"),
                                           "unet_w1a16": unet_binary("w1a16")}

# Single-op models for the op-kernel table of docs/BENCHMARKS.md (sdk/models/op_bench.py).
from sdk.models.op_bench import OP_BENCHES  # noqa: E402

ZOO.update({b.name: b.spec for b in OP_BENCHES})
