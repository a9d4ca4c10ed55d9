"""IR: capture matches torch, serialization round-trips exactly, passes keep semantics."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from codegen.capture import UnsupportedOpError, capture
from codegen.interpret import run_graph
from codegen.ir import Graph
from codegen.passes import run_passes
from sdk.models import load_model

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module", params=["unet", "dncnn"])
def spec(request):
    return load_model(request.param)


def _max_rel_error(graph, spec):
    errors = []
    for inputs in spec.sample_inputs(3, seed=3):
        ref = spec.reference(inputs).numpy()
        out = run_graph(graph, [x.numpy() for x in inputs])[0]
        errors.append(np.abs(out - ref).max() / np.abs(ref).max())
    return max(errors)


def test_captured_graph_matches_torch(spec):
    # The numpy interpreter computes in float64 and rounds once per op: it differs from
    # torch's float32 only by float32 rounding, far below 1e-5 of the output scale.
    assert _max_rel_error(capture(spec.module, spec.example_inputs), spec) < 1e-5


def test_capture_leaves_no_node_on_constants_only(spec):
    """Capture evaluates such nodes with torch; that is why no pass folds constants."""
    graph = capture(spec.module, spec.example_inputs)
    assert not [n.name for n in graph.nodes
                if all(graph.is_constant(t) for t in n.inputs if t)]


def test_passes_preserve_semantics_and_simplify(spec):
    raw = capture(spec.module, spec.example_inputs)
    lowered = run_passes(capture(spec.module, spec.example_inputs))
    assert _max_rel_error(lowered, spec) < 1e-5
    assert len(lowered.nodes) < len(raw.nodes)
    ops = {n.op for n in lowered.nodes}
    assert "batch_norm" not in ops and "relu" not in ops  # folded and fused
    assert all(t.layout for t in lowered.tensors.values())


def test_ir_round_trips_through_json(spec, tmp_path):
    graph = run_passes(capture(spec.module, spec.example_inputs))
    graph.save(tmp_path / "graph.json")
    loaded = Graph.load(tmp_path / "graph.json")
    assert loaded.to_json() == graph.to_json()
    assert loaded.content_hash() == graph.content_hash()
    for name, value in graph.constants.items():
        assert loaded.constants[name].dtype == value.dtype
        np.testing.assert_array_equal(loaded.constants[name], value)
    assert [(n.op, n.inputs, n.outputs, n.attrs) for n in loaded.nodes] == \
           [(n.op, n.inputs, n.outputs, n.attrs) for n in graph.nodes]


def test_content_hash_changes_with_weights():
    spec = load_model("dncnn")
    before = capture(spec.module, spec.example_inputs).content_hash()
    with torch.no_grad():
        spec.module.body[0].weight[0, 0, 0, 0] += 1.0
    assert capture(spec.module, spec.example_inputs).content_hash() != before


class _UsesCumsum(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3, padding=1)

    def forward(self, x):
        return torch.cumsum(self.conv(x), dim=1)


def test_unsupported_op_names_op_node_and_source_line():
    with pytest.raises(UnsupportedOpError) as err:
        capture(_UsesCumsum(), (torch.randn(1, 1, 4, 4),))
    message = str(err.value)
    assert "torch.cumsum (aten.cumsum.default): 1 node ('cumsum')" in message
    assert "test_ir.py" in message and "torch.cumsum(self.conv(x), dim=1)" in message
    assert "`sdk ops` lists what is supported" in message
