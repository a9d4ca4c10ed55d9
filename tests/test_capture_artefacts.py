"""Integer timestep inputs and the export artefacts capture turns into identities
(codegen/capture.py, codegen/capture_artefacts.py, codegen/ops/cast.py).

Each model is captured, run through the passes and interpreted in numpy (codegen/interpret.py),
and compared with torch. FP32 tolerance: the graphs here are a few float32 ops on values of
order 1-100 (a timestep up to 1000 times a frequency ≤ 1, then sin/cos), so the interpreter
(float64 inside, float32 between ops) and torch (float32) differ by a few float32 roundings of
the largest intermediate: 8 ulp of 1000 ≈ 5e-4 absolute on the sin/cos argument, which sin/cos
carry through with slope ≤ 1. The identity tests compare graphs whose every op is exact or one
rounding: 1e-6 relative.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from codegen.capture import UnsupportedOpError, capture
from codegen.interpret import run_graph
from codegen.passes import PrecisionPolicy, run_passes

pytestmark = [pytest.mark.unit]

ARGUMENT_ULPS = 8 * np.spacing(np.float32(1000.0))


class TimestepNet(nn.Module):
    """A denoiser's time path as diffusers writes it: t[None] * ones(batch), t.float() * freqs,
    sin/cos, and the model's own same-dtype `to`."""

    def __init__(self):
        super().__init__()
        self.register_buffer("freqs", torch.exp(-torch.arange(4, dtype=torch.float32)))
        self.conv = nn.Conv2d(1, 8, 3, padding=1)

    def forward(self, x, t):
        if t.dim() == 0:
            t = t[None]
        t = t * torch.ones(x.shape[0], dtype=t.dtype)
        arg = t[:, None].float() * self.freqs[None, :]
        emb = torch.cat([torch.sin(arg), torch.cos(arg)], dim=-1).to(x.dtype)
        return self.conv(x) + emb[:, :, None, None]


def lowered(model, example, precision="fp32"):
    graph = capture(model, example)
    return graph, run_passes(graph, PrecisionPolicy(precision))


@pytest.mark.parametrize("t_dtype", [torch.int64, torch.int32])
@pytest.mark.parametrize("t_shape", [(1,), ()])
def test_an_integer_timestep_is_an_int32_input_cast_where_the_model_converts(t_dtype, t_shape):
    torch.manual_seed(0)
    model = TimestepNet().eval()
    x = torch.randn(1, 1, 6, 6)
    graph, final = lowered(model, (x, torch.full(t_shape, 500, dtype=t_dtype)))
    assert [final.tensors[name].dtype for name in final.inputs] == ["f32", "i32"]
    assert final.tensors[final.inputs[1]].shape == t_shape
    casts = [n for n in final.nodes if n.op == "cast"]
    assert len(casts) == 1 and final.tensors[casts[0].inputs[0]].dtype == "i32"
    for step in (0, 1, 999, 500):
        t = torch.full(t_shape, step, dtype=t_dtype)
        with torch.no_grad():
            want = model(x, t).numpy()
        got = run_graph(final, [x.numpy(), t.numpy()])[0]
        np.testing.assert_allclose(got, want, rtol=0, atol=ARGUMENT_ULPS * 2)


def test_an_fp16_build_keeps_the_integer_input_and_its_cast_in_fp32():
    torch.manual_seed(0)
    _, final = lowered(TimestepNet().eval(), (torch.randn(1, 1, 6, 6), torch.tensor([7])), "fp16")
    cast = next(n for n in final.nodes if n.op == "cast" and final.tensors[n.inputs[0]].dtype == "i32")
    assert final.tensors[final.inputs[1]].dtype == "i32"
    assert final.tensors[cast.outputs[0]].dtype == "f32"


class Promoted(nn.Module):
    """An integer operand of a float op: torch promotes it; capture inserts the cast."""

    def forward(self, x, t):
        return x * t


def test_type_promotion_of_an_integer_operand_becomes_a_cast():
    x = torch.randn(1, 3)
    _, final = lowered(Promoted(), (x, torch.tensor([3])))
    assert [n.op for n in final.nodes] == ["cast", "mul"]
    t = torch.tensor([-41])
    np.testing.assert_array_equal(run_graph(final, [x.numpy(), t.numpy()])[0], (x * t).numpy())


class IntegerMath(nn.Module):
    def forward(self, x, t):
        return x + (t * 2).float()


class ToDouble(nn.Module):
    def forward(self, x):
        return (x.double() * 2).float()


@pytest.mark.parametrize("model, example, says", [
    (IntegerMath(), (torch.randn(1, 3), torch.tensor([3])), "integer arithmetic"),
    (ToDouble(), (torch.randn(1, 3),), "from torch.float32 to torch.float64"),
])
def test_integer_arithmetic_and_other_dtype_changes_are_refused_with_the_reason(model, example, says):
    with pytest.raises(UnsupportedOpError) as err:
        capture(model, example)
    assert says in str(err.value)


class Artefacts(nn.Module):
    """Every artefact capture passes through, around two real ops (conv, add)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 3, padding=1)
        self.drop = nn.Dropout(0.5, inplace=True)
        self.scale = 1.0

    def forward(self, x):
        y = self.conv(x.contiguous().clone().detach())
        y = self.drop(y).to(torch.float32) / self.scale
        y = (y * 1 + 0)[:, :, :, :]
        y = y.broadcast_to(y.shape).expand(1, 2, 5, 5)
        halves = torch.cat([y, x], dim=1)
        swapped = torch.cat([halves[:, 2:], halves[:, :2]], dim=1)  # back to (x, y)
        return swapped[:, :2] + swapped[:, 2:]


def test_export_artefacts_compute_nothing():
    torch.manual_seed(0)
    model = Artefacts().eval()
    x = torch.randn(1, 2, 5, 5)
    graph, final = lowered(model, (x,))
    assert sorted(n.op for n in final.nodes) == ["add", "conv2d"]
    with torch.no_grad():
        want = model(x).numpy()
    np.testing.assert_allclose(run_graph(final, [x.numpy()])[0], want, rtol=1e-6, atol=1e-6)


class BuiltWeight(nn.Module):
    """A weight made from the activation's shape and indexed writes (diffusers' Downsample1d):
    new_zeros and index_put_ are constants, folded at build time."""

    def __init__(self):
        super().__init__()
        self.register_buffer("kernel", torch.tensor([0.5, -2.0, 3.0, 0.25]))

    def forward(self, x):
        weight = x.new_zeros([4, 4])
        indices = torch.arange(4)
        weight[indices, indices] = self.kernel
        return x * weight + x[:, 0:1, :, :][:, 0]


def test_a_weight_built_from_the_input_shape_is_a_constant():
    model = BuiltWeight().eval()
    x = torch.randn(1, 1, 4, 4)
    _, final = lowered(model, (x,))
    assert sorted(n.op for n in final.nodes if n.op != "reshape") == ["add", "mul"]
    with torch.no_grad():
        want = model(x).numpy()
    np.testing.assert_allclose(run_graph(final, [x.numpy()])[0], want, rtol=1e-6, atol=1e-6)
