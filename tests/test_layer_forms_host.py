"""Layer forms the zoo models do not use, captured from torch, compiled for the host and
compared with torch: nn.PReLU with one shared slope and with one per channel, and
BatchNorm where it cannot fold into a conv (after a ReLU, after an add, on [N, C] after a
linear), in FP32 and FP16; a BatchNorm after a conv or a linear still folds away."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from codegen.capture import capture
from codegen.passes import PrecisionPolicy, run_passes
from sdk.compile.build import layer_records
from sdk.compile.lower import generate_c
from sdk.models.spec import ModelSpec, gaussian_sampler
from sdk.verify.tolerance import output_tolerance
from tests.host_build import compile_model, run_model

pytestmark = pytest.mark.kernel


def _trained_looking(model: nn.Module) -> nn.Module:
    """Running statistics and affine parameters away from the identity a fresh BatchNorm has."""
    gen = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for bn in model.modules():
            if isinstance(bn, nn.modules.batchnorm._BatchNorm):
                c = bn.num_features
                bn.running_mean.copy_(torch.rand(c, generator=gen) * 2 - 1)
                bn.running_var.copy_(torch.rand(c, generator=gen) * 1.5 + 0.5)
                bn.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                bn.bias.copy_(torch.rand(c, generator=gen) - 0.5)
    return model.eval()


class PreluNet(nn.Module):
    def __init__(self, slopes: int):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.act = nn.PReLU(slopes, init=0.1)
        self.conv2 = nn.Conv2d(4, 1, 3, padding=1)
        with torch.no_grad():  # distinct slopes, so a kernel reading the wrong one shows
            self.act.weight.copy_(torch.linspace(-0.5, 0.8, slopes))

    def forward(self, x):
        return self.conv2(self.act(self.conv1(x)))


class NormAfterRelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.out = nn.Conv2d(4, 1, 3, padding=1)

    def forward(self, x):
        return self.out(self.bn(torch.relu(self.conv(x))))


class NormAfterAdd(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 2, 3, padding=1)
        self.bn = nn.BatchNorm2d(2)

    def forward(self, x):
        return torch.relu(self.bn(self.conv1(x) + x))


class NormAfterLinear(nn.Module):
    """BatchNorm1d right after a linear (folds) and after its ReLU (a scale and shift)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(12, 8)
        self.bn1 = nn.BatchNorm1d(8)
        self.bn2 = nn.BatchNorm1d(8)

    def forward(self, x):
        return self.bn2(torch.relu(self.bn1(self.fc(x))))


def _spec(model: nn.Module, shape) -> ModelSpec:
    torch.manual_seed(0)
    example = (torch.randn(*shape),)
    return ModelSpec(type(model).__name__, _trained_looking(model), example, gaussian_sampler(example))


def _check_against_torch(spec: ModelSpec, precision: str, tmp_path) -> None:
    generated = generate_c(spec, tmp_path / "gen", PrecisionPolicy(precision))
    lib = compile_model(generated, tmp_path)
    layers = layer_records(generated.graph, generated.emitted.layers)  # as the manifest records them
    tolerance = output_tolerance(layers)  # what `sdk validate` allows this build
    for inputs in spec.sample_inputs(4, seed=5):
        ref = spec.reference(inputs).numpy()
        out = run_model(lib, generated, inputs)
        assert np.abs(out - ref).max() <= tolerance * np.abs(ref).max()


@pytest.mark.parametrize("slopes", [1, 4], ids=["shared", "per_channel"])
def test_prelu_matches_torch(slopes, tmp_path):
    _check_against_torch(_spec(PreluNet(slopes), (2, 1, 6, 6)), "fp32", tmp_path)


@pytest.mark.parametrize("precision", ["fp32", "fp16"])
@pytest.mark.parametrize("model, shape", [(NormAfterRelu(), (1, 1, 6, 6)), (NormAfterAdd(), (2, 2, 5, 5)),
                                          (NormAfterLinear(), (3, 12))],
                         ids=["after_relu", "after_add", "after_linear"])
def test_batch_norm_not_after_a_conv_matches_torch(model, shape, precision, tmp_path):
    _check_against_torch(_spec(model, shape), precision, tmp_path)


def test_batch_norm_after_a_conv_or_linear_folds_away():
    class ConvNorm(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 3, 3, padding=1)
            self.bn = nn.BatchNorm2d(3)

        def forward(self, x):
            return self.bn(self.conv(x))

    class LinearNorm(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(5, 4)
            self.bn = nn.BatchNorm1d(4)

        def forward(self, x):
            return self.bn(self.fc(x))

    for model, shape, op in ((ConvNorm(), (1, 1, 4, 4), "conv2d"), (LinearNorm(), (2, 5), "linear")):
        spec = _spec(model, shape)
        graph = run_passes(capture(spec.module, spec.example_inputs))
        assert [n.op for n in graph.nodes] == [op]
