"""The ConvNeXt-style LayerNorm2d (permute to NHWC, layer norm over the last dim, permute
back) becomes one layer norm over the channels (codegen/passes/fuse_channels_layer_norm.py):
the built graph has one layer_norm and no copies, and the compiled model matches torch in
FP32 and FP16; where an intermediate has another reader, or the permutes are not each
other's inverse around the channels, the graph keeps its copies and still matches."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from codegen.capture import capture
from codegen.interpret import run_graph
from codegen.passes import PrecisionPolicy, run_passes
from sdk.compile.build import layer_records
from sdk.compile.lower import generate_c
from sdk.models.spec import ModelSpec, gaussian_sampler
from sdk.verify.tolerance import output_tolerance
from tests.host_build import compile_model, run_model


class LayerNorm2d(nn.LayerNorm):
    """ConvNeXt's: nn.LayerNorm applied to the channels of an NCHW image through permutes."""

    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class Block(nn.Module):
    """conv -> LayerNorm2d -> SiLU (which then fuses into the norm)."""

    def __init__(self, channels=6):
        super().__init__()
        self.conv = nn.Conv2d(3, channels, 3, padding=1)
        self.norm = LayerNorm2d(channels, eps=1e-6)

    def forward(self, x):
        return F.silu(self.norm(self.conv(x)))


class SharedNhwc(nn.Module):
    """The NHWC intermediate has another reader: the permutes must stay."""

    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(5)

    def forward(self, x):
        t = x.permute(0, 2, 3, 1)
        return self.norm(t).permute(0, 3, 1, 2) * t.permute(0, 3, 1, 2)


class NormIsOutput(nn.Module):
    """The NHWC norm is a graph output too: the permutes must stay."""

    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(5)

    def forward(self, x):
        y = self.norm(x.permute(0, 2, 3, 1))
        return y.permute(0, 3, 1, 2), y


class NotInverse(nn.Module):
    """Normalises the last dim of an NHWC view but permutes back another way: no fusion."""

    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(5)

    def forward(self, x):
        return self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 2, 1)


def _randomised(model: nn.Module) -> nn.Module:
    gen = torch.Generator().manual_seed(4)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.rand(p.shape, generator=gen) - 0.5 + (1.0 if p.ndim == 1 else 0.0))
    return model.eval()


def _graph(model, shape):
    return run_passes(capture(model, (torch.randn(*shape),)))


@pytest.mark.unit
def test_layer_norm_2d_becomes_one_channels_layer_norm():
    graph = _graph(_randomised(Block()), (2, 3, 5, 7))
    assert [n.op for n in graph.nodes] == ["conv2d", "layer_norm"]
    norm = graph.nodes[1]
    assert (norm.attrs["outer"], norm.attrs["size"], norm.attrs["inner"]) == (2, 6, 35)
    assert norm.attrs["act"] == "silu"


@pytest.mark.unit
@pytest.mark.parametrize("model", [SharedNhwc(), NormIsOutput(), NotInverse()],
                         ids=["nhwc_read_twice", "norm_is_output", "not_inverse"])
def test_copies_stay_unless_the_pattern_is_exact(model):
    model = _randomised(model)
    x = torch.randn(2, 5, 3, 4)
    graph = run_passes(capture(model, (x,)))
    [norm] = [n for n in graph.nodes if n.op == "layer_norm"]
    assert norm.attrs["axis"] == 3 and norm.attrs["inner"] == 1  # still over NHWC's last dim
    assert [n.op for n in graph.nodes].count("strided_copy") >= 2
    want = model(x)
    for out, ref in zip(run_graph(graph, [x.numpy()]), want if isinstance(want, tuple) else [want]):
        np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.kernel
@pytest.mark.slow
@pytest.mark.parametrize("precision", ["fp32", "fp16"])
def test_fused_layer_norm_2d_matches_torch_on_host(precision, tmp_path):
    torch.manual_seed(0)
    example = (torch.randn(1, 3, 6, 9),)
    spec = ModelSpec("ln2d", _randomised(Block()), example, gaussian_sampler(example))
    generated = generate_c(spec, tmp_path / "gen", PrecisionPolicy(precision))
    assert [n.op for n in generated.graph.nodes if n.op != "cast"] == ["conv2d", "layer_norm"]
    lib = compile_model(generated, tmp_path)
    tolerance = output_tolerance(layer_records(generated.graph, generated.emitted.layers))
    for inputs in spec.sample_inputs(3, seed=5):
        ref = spec.reference(inputs).numpy()
        out = run_model(lib, generated, inputs)
        assert np.abs(out - ref).max() <= tolerance * np.abs(ref).max()
