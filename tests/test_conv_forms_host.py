"""nn.Conv1d, nn.ConvTranspose1d and nn.ConvTranspose2d captured from torch, compiled for the
host and compared with torch, in FP32 and FP16, within the tolerance `sdk validate` derives
for the build: conv1d runs as a height-1 conv2d, the transposed ones as conv_transpose2d
(padding, output_padding, stride, groups, bias, a fused activation). Forms EDGEDIFF cannot
lower are refused at capture with a one-line reason."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from codegen.capture import UnsupportedOpError, capture
from codegen.passes import PrecisionPolicy, run_passes
from sdk.compile.build import layer_records
from sdk.compile.lower import generate_c
from sdk.models.spec import ModelSpec, gaussian_sampler
from sdk.verify.tolerance import output_tolerance
from tests.host_build import compile_model, run_model

pytestmark = [pytest.mark.kernel, pytest.mark.slow]


class Stack(nn.Module):
    """The layers in order, so a model is one line of the parameter table."""

    def __init__(self, *layers):
        super().__init__()
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


class Unet1dBlock(nn.Module):
    """The shape of diffusers' 1-D blocks: conv, norm, SiLU, a strided conv down, a transposed
    conv back up, and a skip."""

    def __init__(self):
        super().__init__()
        self.conv_in = nn.Conv1d(2, 8, 5, padding=2)
        self.norm = nn.GroupNorm(4, 8)
        self.down = nn.Conv1d(8, 8, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose1d(8, 8, 4, stride=2, padding=1)
        self.conv_out = nn.Conv1d(8, 2, 3, padding="same")

    def forward(self, x):
        h = torch.nn.functional.silu(self.norm(self.conv_in(x)))
        return self.conv_out(self.up(torch.relu(self.down(h))) + h)


MODELS = {
    "conv1d": (Stack(nn.Conv1d(3, 6, 3, padding=1)), (2, 3, 17)),
    "conv1d_same_dilated": (Stack(nn.Conv1d(4, 5, 5, padding="same", dilation=2)), (1, 4, 16)),
    "conv1d_valid_s2": (Stack(nn.Conv1d(4, 6, 4, stride=2, padding="valid"), nn.SiLU()), (1, 4, 19)),
    "conv1d_depthwise_bn": (Stack(nn.Conv1d(6, 6, 7, padding=3, groups=6), nn.BatchNorm1d(6),
                                  nn.ReLU()), (1, 6, 20)),
    "conv_t2d_s2_op1": (Stack(nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1)),
                        (1, 4, 5, 7)),
    "conv_t2d_k4_s2_relu": (Stack(nn.ConvTranspose2d(8, 4, 4, stride=2, padding=1), nn.ReLU()),
                            (2, 8, 4, 4)),
    "conv_t2d_k2_s2_nobias": (Stack(nn.ConvTranspose2d(3, 5, 2, stride=2, bias=False)), (1, 3, 6, 5)),
    "conv_t2d_depthwise_silu": (Stack(nn.ConvTranspose2d(6, 6, 4, stride=2, padding=1, groups=6),
                                      nn.SiLU()), (1, 6, 5, 5)),
    "conv_t2d_grouped_s1": (Stack(nn.ConvTranspose2d(4, 6, 3, padding=1, groups=2)), (1, 4, 6, 6)),
    "conv_t2d_asym": (Stack(nn.ConvTranspose2d(3, 4, (3, 5), stride=(1, 3), padding=(1, 2),
                                               output_padding=(0, 2))), (1, 3, 4, 6)),
    "conv_t1d_k4_s2": (Stack(nn.ConvTranspose1d(4, 3, 4, stride=2, padding=1)), (2, 4, 9)),
    "conv_t1d_k5_s3_op2": (Stack(nn.ConvTranspose1d(3, 4, 5, stride=3, padding=2, output_padding=2)),
                           (1, 3, 7)),
    "unet1d_block": (Unet1dBlock(), (1, 2, 16)),
}


def _spec(name: str) -> ModelSpec:
    model, shape = MODELS[name]
    torch.manual_seed(0)
    with torch.no_grad():  # trained-looking statistics, so a fold that drops them shows
        for bn in model.modules():
            if isinstance(bn, nn.BatchNorm1d):
                bn.running_mean.uniform_(-1, 1)
                bn.running_var.uniform_(0.5, 2.0)
    example = (torch.randn(*shape),)
    return ModelSpec(name, model.eval(), example, gaussian_sampler(example))


@pytest.mark.parametrize("precision", ["fp32", "fp16"])
@pytest.mark.parametrize("name", list(MODELS))
def test_conv_forms_match_torch(name, precision, tmp_path):
    spec = _spec(name)
    generated = generate_c(spec, tmp_path / "gen", PrecisionPolicy(precision))
    lib = compile_model(generated, tmp_path)
    tolerance = output_tolerance(layer_records(generated.graph, generated.emitted.layers))
    for inputs in spec.sample_inputs(3, seed=5):
        ref = spec.reference(inputs).numpy()
        out = run_model(lib, generated, inputs)
        assert np.abs(out - ref).max() <= tolerance * np.abs(ref).max(), name


def test_one_d_convolutions_are_the_two_d_ops_and_fold_like_them():
    """conv1d is a height-1 conv2d (its BatchNorm and ReLU fold into it); the transposed
    convolutions are one conv_transpose2d each, with the activation fused."""
    ops = {}
    for name in ("conv1d_depthwise_bn", "conv_t2d_k4_s2_relu", "conv_t1d_k4_s2"):
        spec = _spec(name)
        graph = run_passes(capture(spec.module, spec.example_inputs))
        ops[name] = [(n.op, n.attrs["act"]) for n in graph.nodes]
    assert ops == {"conv1d_depthwise_bn": [("conv2d", "relu")],
                   "conv_t2d_k4_s2_relu": [("conv_transpose2d", "relu")],
                   "conv_t1d_k4_s2": [("conv_transpose2d", "none")]}


@pytest.mark.unit
@pytest.mark.parametrize("layer, shape, says", [
    (nn.ConvTranspose2d(2, 2, 3, dilation=2), (1, 2, 5, 5), "dilation"),
    (nn.ConvTranspose1d(2, 2, 3, dilation=3), (1, 2, 5), "dilation"),
    (nn.Conv1d(2, 2, 4, padding="same"), (1, 2, 9), "padding='same'"),
])
def test_forms_that_do_not_lower_say_why(layer, shape, says):
    with pytest.raises(UnsupportedOpError, match=says):
        capture(Stack(layer).eval(), (torch.randn(*shape),))
