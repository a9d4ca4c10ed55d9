"""Single-op models for the op-kernel benchmarks: one layer each, at the shapes of small
diffusers denoisers, so `sdk bench --matrix` can set the SIMD override of an op against its
portable reference kernel (docs/BENCHMARKS.md, "Op kernels: SIMD against reference").

Each entry names the IR ops whose layers are the op's own (`layer_ops`): the table counts
those layers' instructions, not the model's input and output casts around them. They are
zoo models too (`sdk bench --model op_attention_2x64x16 ...`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from sdk.models.spec import ModelSpec, gaussian_sampler

# The targets every op model is benched on, in both precisions, reference and SIMD kernels.
OP_BENCH_TARGETS = ("cortex-m55", "rv32v")


class Attention(nn.Module):
    """F.scaled_dot_product_attention of three inputs: the fused attention kernel."""

    def forward(self, q, k, v):
        return F.scaled_dot_product_attention(q, k, v)


class LayerNorm2d(nn.Module):
    """LayerNorm over the channels of an NCHW image, as ConvNeXt-style blocks write it:
    permute to NHWC, normalise the last dim, permute back. The fuse_channels_layer_norm pass
    makes it one layer norm over the channels, without the two copies."""

    def __init__(self, channels: int):
        super().__init__()
        self.norm = nn.LayerNorm(channels)

    def forward(self, x):
        return self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


def _randomise_affine(module: nn.Module) -> nn.Module:
    """Non-trivial LayerNorm weights and biases, so the kernels apply them for real."""
    gen = torch.Generator().manual_seed(1)
    for m in module.modules():
        if isinstance(m, nn.LayerNorm):
            m.weight.data.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(m.bias.shape, generator=gen) * 0.1)
    return module


@dataclass(frozen=True)
class OpBench:
    name: str  # the zoo name
    op: str  # what the table calls the op (and what a goal names)
    shape: str  # the shape, as the table shows it
    layer_ops: tuple[str, ...]  # IR ops of the op's own layers
    make: Callable[[], tuple[nn.Module, tuple[torch.Tensor, ...]]]

    def spec(self) -> ModelSpec:
        torch.manual_seed(0)
        module, example = self.make()
        return ModelSpec(self.name, module.eval(), example, gaussian_sampler(example))


def _randn(*shape: int) -> torch.Tensor:
    return torch.randn(*shape)


def _qkv(*shape: int) -> tuple[torch.Tensor, ...]:
    return _randn(*shape), _randn(*shape), _randn(*shape)


OP_BENCHES: list[OpBench] = [
    OpBench("op_attention_2x64x16", "attention", "B=1, 2 heads × 64 tokens × D=16", ("attention",),
            lambda: (Attention(), _qkv(1, 2, 64, 16))),
    OpBench("op_attention_1x256x32", "attention", "B=1, 1 head × 256 tokens × D=32", ("attention",),
            lambda: (Attention(), _qkv(1, 1, 256, 32))),
    OpBench("op_conv1d", "conv1d", "32→32, k=3, p=1, L=128", ("conv2d",),
            lambda: (nn.Conv1d(32, 32, 3, padding=1), (_randn(1, 32, 128),))),
    OpBench("op_conv_transpose2d", "conv_transpose2d", "32→16, k=4, s=2, p=1, 16×16",
            ("conv_transpose2d",),
            lambda: (nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), (_randn(1, 32, 16, 16),))),
    OpBench("op_conv_transpose1d", "conv_transpose1d", "32→32, k=4, s=2, p=1, L=64",
            ("conv_transpose2d",),
            lambda: (nn.ConvTranspose1d(32, 32, 4, stride=2, padding=1), (_randn(1, 32, 64),))),
    OpBench("op_layer_norm", "layer_norm", "LayerNorm(64) over [1, 256, 64]", ("layer_norm",),
            lambda: (_randomise_affine(nn.LayerNorm(64)), (_randn(1, 256, 64),))),
    OpBench("op_layer_norm2d", "layer_norm (channels)", "LayerNorm2d(32) over [1, 32, 16, 16]",
            ("layer_norm",),
            lambda: (_randomise_affine(LayerNorm2d(32)), (_randn(1, 32, 16, 16),))),
    OpBench("op_gelu", "gelu", "erf form over [1, 32, 32, 32]", ("gelu",),
            lambda: (nn.GELU(), (_randn(1, 32, 32, 32),))),
    OpBench("op_gelu_tanh", "gelu_tanh", "tanh form over [1, 32, 32, 32]", ("gelu_tanh",),
            lambda: (nn.GELU(approximate="tanh"), (_randn(1, 32, 32, 32),))),
]

BY_NAME: dict[str, OpBench] = {b.name: b for b in OP_BENCHES}

# Goals the page checks (text only, no assertion): (op, target, precision) -> the least
# reference / SIMD instruction ratio of the op's layers. Issue 13: the SIMD attention must
# cost at least 4x fewer instructions than its reference on the FP16 vector targets.
GOALS: dict[tuple[str, str, str], float] = {("attention", "cortex-m55", "fp16"): 4.0,
                                            ("attention", "rv32v", "fp16"): 4.0}
