"""`sdk validate --layers` without a board: the per-layer limits, the host reference and where
each tensor lives, one layer's verdict, the table and the plot (sdk/verify/layers.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from rich.console import Console

from codegen.capture import capture
from codegen.emit_c import emit_c
from codegen.interpret import run_graph
from codegen.passes import PrecisionPolicy, run_passes
from codegen.plan import plan_memory
from sdk.cli.layers import layer_table
from sdk.report.layer_plot import save_layer_plot
from sdk.verify.layer_reference import reference_values, tensor_locations
from sdk.verify.layers import LayerReport, describe_failure, first_failure, layer_row
from sdk.verify.tolerance import FP32_TOLERANCE_REL, HALF_UNIT_ROUNDOFF, layer_tolerances, output_tolerance

pytestmark = pytest.mark.unit


def _layer(dtype: str, accumulation: int = 1, acc_dtype: str = "f32", op: str = "conv2d") -> dict:
    return {"name": f"{op}", "op": op, "dtype": dtype, "accumulation": accumulation,
            "accumulation_dtype": acc_dtype, "input_dtype": dtype}


def test_fp32_layers_each_get_the_fp32_limit():
    assert layer_tolerances([_layer("f32")] * 5) == [FP32_TOLERANCE_REL] * 5


def test_fp16_limits_count_the_roundings_that_reached_each_layer():
    layers = [_layer("f32"), _layer("f16"), _layer("f16", 9, "f16"), _layer("f16")]
    # roundings so far: 0, 1, 1 + (1 + 9), 11 + 1 → 5σ with σ = u/√3·√n
    expected = [FP32_TOLERANCE_REL] + [5 * HALF_UNIT_ROUNDOFF / math.sqrt(3) * math.sqrt(n) for n in (1, 11, 12)]
    np.testing.assert_allclose(layer_tolerances(layers), expected, rtol=1e-12)
    assert layer_tolerances(layers)[-1] == output_tolerance(layers)
    assert [output_tolerance(layers[:i + 1]) for i in range(4)] == layer_tolerances(layers)


def test_a_layer_is_judged_against_its_inputs_scale_too():
    """x − y with x ≈ y: the inputs' roundings are large next to the small output; relative to
    the inputs' scale (the larger) they are small, and an equal error on the output is not."""
    x = np.full(8, 100.0)
    reference = np.full(8, 0.01)
    device = reference + 1e-3
    row = layer_row(3, _layer("f32", op="sub"), device, reference, [x, x - 0.01], 1e-4, False, "arena+0", "m.py:3")
    assert row.scale == 100.0 and row.error_rel == pytest.approx(1e-5) and row.passed
    alone = layer_row(3, _layer("f32", op="sub"), device, reference, [], 1e-4, False, "arena+0", "m.py:3")
    assert alone.error_rel == pytest.approx(0.1) and not alone.passed


def test_a_nan_on_one_side_fails_the_layer_and_integers_must_match():
    reference = np.ones(4)
    device = np.array([1.0, np.nan, 1.0, 1.0])
    row = layer_row(0, _layer("f32"), device, reference, [], 1.0, False, "arena+0", "")
    assert not row.passed and row.nonfinite_elements == 1 and row.source.startswith("no source line")
    signs = np.array([1, 2, 3], np.uint32)
    assert not layer_row(0, _layer("u32", op="sign_pack"), signs + [0, 0, 1], signs, [], 0, False, "", "").passed
    flip = layer_row(0, _layer("u32", op="sign_pack"), signs + [0, 0, 1], signs, [], 0, True, "", "")
    assert flip.passed and not flip.judged and flip.max_abs_error == 1


class _Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.norm = torch.nn.GroupNorm(2, 4)
        self.out = torch.nn.Conv2d(4, 1, 1)

    def forward(self, x):
        return self.out(torch.nn.functional.silu(self.norm(self.conv(x)))).reshape(1, 64)


def _lowered(precision: str):
    graph = capture(_Net().eval(), (torch.randn(1, 1, 8, 8),))
    return run_passes(graph, PrecisionPolicy(default=precision))


def test_fp32_reference_is_the_graph_run_in_numpy():
    graph = _lowered("fp32")
    x = np.random.default_rng(1).standard_normal((1, 1, 8, 8)).astype(np.float32)
    values = reference_values(graph, [x])
    np.testing.assert_allclose(values[graph.outputs[0]], run_graph(graph, [x])[0], rtol=1e-6, atol=1e-6)
    with torch.no_grad():
        torch_out = _Net().eval()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(values[graph.outputs[0]], torch_out, rtol=0, atol=1e-5)


def test_fp16_reference_keeps_what_the_device_rounds_at_full_precision():
    graph = _lowered("fp16")
    x = np.random.default_rng(2).standard_normal((1, 1, 8, 8)).astype(np.float32)
    values = reference_values(graph, [x])
    halves = [n.outputs[0] for n in graph.nodes if graph.tensors[n.outputs[0]].dtype == "f16"]
    assert halves and all(values[t].dtype == np.float64 for t in halves)
    # at least one tensor is not representable in FP16: nothing was rounded to storage
    assert any(not np.array_equal(values[t], values[t].astype(np.float16)) for t in halves)


def test_locations_are_the_plans_and_a_view_of_the_output_is_the_output():
    graph = _lowered("fp32")
    plan = plan_memory(graph)
    buffers = [{"offset": b.offset, "members": b.members} for b in plan.buffers]
    locations = tensor_locations(graph, buffers)
    for name, (kind, where) in plan.locations.items():
        if kind != "input" and not graph.is_constant(name):
            assert (locations[name].kind, locations[name].where) == (kind, where), name
    reshape = next(n for n in graph.nodes if n.outputs[0] == graph.outputs[0])
    assert locations[reshape.inputs[0]].kind == "output"  # the conv writes the output's bytes


def test_emitted_model_can_stop_after_any_layer():
    graph = _lowered("fp32")
    source = emit_c(graph, plan_memory(graph), "h").source
    layers = [n for n in graph.nodes if n.op != "reshape"]
    assert [f"if (last_layer < {i}) return;" in source for i in range(len(layers))] == [False] + [True] * (len(layers) - 1)
    assert "void model_run_until(const float *const *inputs, float *const *outputs, int32_t last_layer)" in source
    assert "return model_arena;" in source


def _report(rows: list[dict]) -> LayerReport:
    failure = first_failure([_Row(**r) for r in rows])
    return LayerReport(target="rv32", model="m.py", model_name="m", model_hash="h", precision="fp16",
                       build_id="b", port="/dev/pts/1", seed=0, rows=rows,
                       lowering={"max_rel_error": 1e-5, "limit": 1e-4, "passed": True},
                       first_failure=vars(failure) if failure else None, passed=failure is None)


class _Row:
    def __init__(self, **fields):
        self.__dict__.update(fields)


def _rows() -> list[dict]:
    base = {"dtype": "f16", "location": "arena+0", "scale": 1.0, "nonfinite_elements": 0, "judged": True}
    return [{**base, "index": 0, "name": "conv2d", "op": "conv2d", "shape": [1, 4, 8, 8], "max_abs_error": 1e-4,
             "error_rel": 1e-4, "limit": 1e-3, "passed": True, "source": "m.py:9: self.conv(x)"},
            {**base, "index": 1, "name": "group_norm", "op": "group_norm", "shape": [1, 4, 8, 8],
             "max_abs_error": 0.5, "error_rel": 0.5, "limit": 2e-3, "passed": False, "source": "m.py:10: norm"},
            {**base, "index": 2, "name": "conv2d_1", "op": "conv2d", "shape": [1, 1, 8, 8], "max_abs_error": 0.4,
             "error_rel": 0.4, "limit": 3e-3, "passed": False, "source": "m.py:11: out"}]


def test_table_lists_every_layer_and_marks_the_first_failing():
    report = _report(_rows())
    console = Console(record=True, width=200)
    console.print(layer_table(report))
    text = console.export_text()
    lines = [line for line in text.splitlines() if "│" in line]
    assert [line.split("│")[2].strip() for line in lines[:3]] == ["conv2d", "group_norm", "conv2d_1"]
    assert ["yes", "NO", "NO"] == [line.split("│")[7].strip() for line in lines[:3]]
    assert "1×4×8×8" in lines[0] and "5.00e-01" in lines[1] and "2.0e-03" in lines[1]
    assert "graph vs torch" in text
    assert describe_failure(report.first_failure).startswith(
        "first layer out of tolerance: group_norm (group_norm) at m.py:10: norm")
    assert describe_failure(None) == "every layer within its tolerance"
    nan_row = {**_rows()[1], "nonfinite_elements": 3, "error_rel": float("nan")}
    assert describe_failure(nan_row).endswith("— 3 elements NaN/inf on one side only (board vs graph)")


def test_plot_is_written(tmp_path):
    path = save_layer_plot(_rows(), tmp_path / "layers.png", "m on rv32")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
