"""The elementwise ops (#13) as a user writes them in torch, captured, compiled for the host
and compared with torch in FP32 and FP16 within the tolerance `sdk validate` allows the build:
div (by a tensor with broadcasting, by a number, in place), clamp/hardtanh/ReLU6, neg, abs,
exp, log, sqrt, rsqrt, pow by a constant, tanh, sigmoid, GELU (both forms), LeakyReLU, ELU,
hardswish, Mish; and which IR op each form captures to (div by a power of two is a mul,
x / 1.0 and x ** 1 are views, pow(x, 2) is square), and the forms refused with a reason."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from codegen.capture import UnsupportedOpError, capture
from codegen.passes import PrecisionPolicy
from sdk.compile.build import layer_records
from sdk.compile.lower import generate_c
from sdk.models.spec import ModelSpec, gaussian_sampler
from sdk.verify.tolerance import output_tolerance
from tests.host_build import compile_model, run_model



class Fn(nn.Module):
    """forward(x) = fn(conv(x)): the op after a layer, as in a model (a 1x1 conv, so the
    op's input is computed on the device, not a graph input)."""

    def __init__(self, fn, channels: int = 3):
        super().__init__()
        self.fn = fn
        self.conv = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        return self.fn(self.conv(x))


def positive(x):
    """Inputs in the domain of log, sqrt, rsqrt and fractional powers."""
    return x.abs() + 0.1


class DivByTensor(nn.Module):
    """a / b with b broadcast per channel, b kept away from 0."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 1)
        self.scale = nn.Parameter(torch.tensor([0.5, -1.7, 3.1]).view(1, 3, 1, 1))

    def forward(self, x):
        y = self.conv(x)
        return y / (y.abs() + 1.0) + y / self.scale


FORMS = {
    "div_tensor": DivByTensor(),
    "div_scalar": lambda x: x / 3.0,
    "div_pow2": lambda x: torch.div(x, 4.0),
    "div_one": lambda x: (x / 1.0) * 2.5,
    "div_inplace": lambda x: (x * 1.5).div_(7.0),
    "div_scalar_by_tensor": lambda x: 2.0 / (x.abs() + 0.5),
    "clamp": lambda x: x.clamp(-0.5, 0.7),
    "clamp_min": lambda x: x.clamp(min=-0.2),
    "clamp_max": lambda x: torch.clamp(x, max=0.3),
    "clamp_min_fn": lambda x: torch.clamp_min(x, 0.1),
    "clamp_inplace": lambda x: (x * 1.5).clamp_(-1, 1),
    "hardtanh": nn.Hardtanh(-0.4, 0.9),
    "relu6": nn.ReLU6(inplace=True),
    "neg": lambda x: -x,
    "abs": torch.abs,
    "exp": torch.exp,
    "log": lambda x: torch.log(positive(x)),
    "sqrt": lambda x: torch.sqrt(positive(x)),
    "rsqrt": lambda x: torch.rsqrt(positive(x)),
    "pow2": lambda x: x ** 2,
    "pow3": lambda x: torch.pow(x, 3),
    "pow_half": lambda x: positive(x) ** 0.5,
    "pow_1_7": lambda x: positive(x) ** 1.7,
    "pow_minus_half": lambda x: positive(x) ** -0.5,
    "square": torch.square,
    "tanh": nn.Tanh(),
    "sigmoid": nn.Sigmoid(),
    "sigmoid_inplace": lambda x: (x * 2).sigmoid_(),
    "gelu": nn.GELU(),
    "gelu_tanh": nn.GELU(approximate="tanh"),
    "leaky_relu": nn.LeakyReLU(0.2),
    "leaky_relu_inplace": nn.LeakyReLU(inplace=True),
    "elu": nn.ELU(0.7),
    "elu_inplace": nn.ELU(inplace=True),
    "hardswish": nn.Hardswish(),
    "mish": nn.Mish(),
    "silu_gate": lambda x: x * torch.sigmoid(x) + torch.tanh(x),
}


def _module(form) -> nn.Module:
    return form if isinstance(form, DivByTensor) else Fn(form)


def _spec(model: nn.Module) -> ModelSpec:
    torch.manual_seed(0)
    example = (torch.randn(2, 3, 5, 6),)
    return ModelSpec("form", model.eval(), example, gaussian_sampler(example))


@pytest.mark.kernel
@pytest.mark.slow
@pytest.mark.parametrize("precision", ["fp32", "fp16"])
@pytest.mark.parametrize("name", sorted(FORMS))
def test_form_matches_torch(name, precision, tmp_path):
    torch.manual_seed(1)
    spec = _spec(_module(FORMS[name]))
    generated = generate_c(spec, tmp_path / "gen", PrecisionPolicy(precision))
    lib = compile_model(generated, tmp_path)
    tolerance = output_tolerance(layer_records(generated.graph, generated.emitted.layers))
    for inputs in spec.sample_inputs(3, seed=5):
        ref = spec.reference(inputs).numpy()
        out = run_model(lib, generated, inputs)
        assert np.all(np.isfinite(out))
        assert np.abs(out - ref).max() <= tolerance * np.abs(ref).max(), name


class After(nn.Module):
    """fn of a computed value (x * 3.0, captured as a first mul node), not of a graph input."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x * 3.0)


def _nodes(fn):
    graph = capture(After(fn), (torch.randn(2, 3, 4),))
    assert graph.nodes[0].op == "mul"
    return graph.nodes[1:]


@pytest.mark.unit
@pytest.mark.parametrize("fn, ops, attrs", [
    (lambda x: x / 3.0, ["div"], {}),
    (lambda x: x / 0.1, ["div"], {}),
    (lambda x: x / 4.0, ["mul"], {}),  # 2^2: x * 0.25 is exact
    (lambda x: x / -0.5, ["mul"], {}),
    (lambda x: x / 1.0, [], {}),  # an identity, no node (codegen/capture_artefacts.py)
    (lambda x: x / 2.0 ** 127, ["div"], {}),  # 2^-127 is subnormal: not exact
    (lambda x: x / (x + 2.0), ["add", "div"], {}),
    (lambda x: x ** 2, ["square"], {}),
    (lambda x: x ** 0.5, ["sqrt"], {}),
    (lambda x: x ** -0.5, ["rsqrt"], {}),
    (lambda x: x ** -1, ["reciprocal"], {}),
    (lambda x: x ** 1, ["reshape"], {}),
    (lambda x: x ** 3, ["pow"], {"exponent": 3.0}),
    (lambda x: x.clamp(min=0.5), ["clamp"], {"min": 0.5, "max": None}),
    (lambda x: F.hardtanh(x), ["clamp"], {"min": -1.0, "max": 1.0}),
    (lambda x: F.relu6(x), ["clamp"], {"min": 0.0, "max": 6.0}),
    (lambda x: F.leaky_relu(x), ["leaky_relu"], {"negative_slope": 0.01}),
    (lambda x: F.elu(x, 0.3), ["elu"], {"alpha": 0.3}),
    (lambda x: F.gelu(x, approximate="tanh"), ["gelu_tanh"], {}),
])
def test_capture(fn, ops, attrs):
    nodes = _nodes(fn)
    assert [n.op for n in nodes] == ops
    assert {k: nodes[-1].attrs[k] for k in attrs} == attrs


@pytest.mark.unit
@pytest.mark.parametrize("fn, message", [
    (lambda x: torch.div(x, 2.0, rounding_mode="floor"), "rounding_mode='floor'"),
    (lambda x: x.clamp(torch.tensor(-1.0), torch.tensor(1.0)), "tensor bounds"),
    (lambda x: torch.ops.aten.elu(x, 1.0, 2.0), "scale=2.0"),
])
def test_refused_forms_say_why(fn, message):
    with pytest.raises(UnsupportedOpError, match=message):
        capture(After(fn), (torch.randn(2, 3),))
