"""The precision pass and its policy: where FP16 goes, where casts go, what it saves."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from codegen.capture import capture
from codegen.interpret import run_graph
from codegen.passes import PrecisionPolicy, run_passes
from codegen.plan import plan_memory
from sdk.compile.lower import lower
from sdk.compile.precision import load_policy
from sdk.errors import UserError
from sdk.models import load_model
from sdk.verify.tolerance import FP32_TOLERANCE_REL, output_tolerance

pytestmark = pytest.mark.unit


def _lowered(name: str, policy: PrecisionPolicy):
    spec = load_model(name)
    return spec, run_passes(capture(spec.module, spec.example_inputs), policy)


def test_fp16_puts_feature_maps_in_half_and_keeps_the_api_fp32():
    _, graph = _lowered("unet", PrecisionPolicy("fp16"))
    dtypes = {n.op: set() for n in graph.nodes}
    for node in graph.nodes:
        dtypes[node.op].add(graph.tensors[node.outputs[0]].dtype)
    assert dtypes["conv2d"] == {"f16"} and dtypes["group_norm"] == {"f16"}
    assert dtypes["sin"] == dtypes["cos"] == {"f32"}  # pinned, with their argument
    assert all(graph.tensors[t].dtype == "f32" for t in graph.inputs + graph.outputs)
    assert all(graph.tensors[c].dtype == "f16" for n in graph.nodes if n.op == "conv2d"
               for c in n.inputs[1:] if c)  # weights stored as halves
    # every op reads operands of its own precision (casts were inserted where needed)
    for node in graph.nodes:
        if node.op not in ("cast", "reshape"):
            want = graph.tensors[node.outputs[0]].dtype
            assert all(graph.tensors[t].dtype == want for t in node.inputs if t), node.name


def test_fp16_arena_is_at_most_055_of_fp32():
    for name in ("unet", "dncnn"):
        _, g16 = _lowered(name, PrecisionPolicy("fp16"))
        _, g32 = _lowered(name, PrecisionPolicy("fp32"))
        ratio = plan_memory(g16).arena_bytes / plan_memory(g32).arena_bytes
        assert ratio <= 0.55, (name, ratio)


def test_per_layer_overrides_by_name_and_glob():
    _, graph = _lowered("unet", PrecisionPolicy("fp16", {"conv2d_15": "fp32", "group_norm*": "fp32"}))
    by_name = {n.name: graph.tensors[n.outputs[0]].dtype for n in graph.nodes}
    assert by_name["conv2d_15"] == "f32"
    assert all(d == "f32" for n, d in by_name.items() if n.startswith("group_norm"))
    assert by_name["conv2d_1"] == "f16"


def test_fp16_semantics_stay_within_the_derived_tolerance():
    """The IR interpreter rounds every FP16 tensor as the device stores it; that alone must
    stay inside the tolerance validate() derives for the reference FP16 kernels."""
    spec, graph = _lowered("unet", PrecisionPolicy("fp16"))
    layers = [{"dtype": graph.tensors[n.outputs[0]].dtype, "function": f"{n.op}_f16",
               "accumulation": 1, "accumulation_dtype": "f32"} for n in graph.nodes if n.op != "reshape"]
    limit = output_tolerance(layers)
    assert FP32_TOLERANCE_REL < limit < 0.05
    for inputs in spec.sample_inputs(3, seed=2):
        ref = spec.reference(inputs).numpy()
        out = run_graph(graph, [x.numpy() for x in inputs])[0]
        assert np.abs(out - ref).max() / np.abs(ref).max() <= limit


def test_policy_config_file(tmp_path):
    config = tmp_path / "precision.toml"
    config.write_text('default = "fp16"\n[layers]\n"conv2d_15" = "fp32"\n')
    policy = load_policy(None, config)
    assert policy.default == "fp16" and policy.layers == {"conv2d_15": "fp32"}
    assert load_policy("fp32", config).default == "fp32"  # the flag wins over the file
    config.write_text('default = "int3"\n')
    with pytest.raises(UserError, match="int3"):
        load_policy(None, config)
    config.write_text('defualt = "fp16"\n')
    with pytest.raises(UserError, match="defualt"):
        load_policy(None, config)


def test_override_naming_no_layer_is_an_error():
    spec = load_model("dncnn")
    graph, _ = lower(spec, PrecisionPolicy("fp16", {"conv2d_99": "fp32"}))
    assert PrecisionPolicy("fp16", {"conv2d_99": "fp32"}).unmatched_patterns(graph) == ["conv2d_99"]


class FourierFeatures(torch.nn.Module):
    """diffusers' GaussianFourierProjection in front of a convolution: the phase is
    t * W * 2 * π in three multiplications (|t·W| up to thousands), then sin and cos."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(8) * 4)
        self.conv = torch.nn.Conv1d(16 + 1, 4, 3, padding=1)

    def forward(self, x, t):
        phase = t[:, None] * self.weight[None, :] * 2 * np.pi
        features = torch.cat([torch.cos(phase), torch.sin(phase)], dim=-1)
        return self.conv(torch.cat([x, features[..., None].expand(-1, -1, x.shape[2])], dim=1))


def test_the_whole_elementwise_chain_of_a_sin_argument_stays_fp32():
    """An FP16 t * W would put sin/cos off by radians; pinning only the last multiplication
    is not enough. The convolution after the features is FP16 as the policy says, and the
    FP16 graph stays within the tolerance derived from its FP16 roundings."""
    torch.manual_seed(0)
    model, x = FourierFeatures().eval(), torch.randn(1, 1, 8)
    graph = run_passes(capture(model, (x, torch.tensor([900]))), PrecisionPolicy("fp16"))
    dtypes = {n.name: (n.op, graph.tensors[n.outputs[0]].dtype) for n in graph.nodes}
    assert [d for op, d in dtypes.values() if op in ("mul", "sin", "cos")] == ["f32"] * 5
    assert {d for op, d in dtypes.values() if op == "conv2d"} == {"f16"}
    layers = [{"dtype": d, "accumulation": 1, "accumulation_dtype": "f32"} for _, d in dtypes.values()]
    for step in (1, 500, 999):
        t = torch.tensor([step])
        with torch.no_grad():
            want = model(x, t).numpy()
        got = run_graph(graph, [x.numpy(), t.numpy()])[0]
        assert np.abs(got - want).max() / np.abs(want).max() <= output_tolerance(layers)
