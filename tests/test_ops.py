"""The op registry (codegen/ops/) and the pass pipeline (codegen/passes/): each op is one
consistent entry, and every pass runs from PIPELINE with one signature."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from codegen.interpret import run_graph
from codegen.ir import Graph, Node, Tensor
from codegen.ops import CAPTURERS, OPS, evaluate
from codegen.passes import PIPELINE, CompileOptions, run_passes

pytestmark = pytest.mark.unit


def test_every_op_is_registered_once_under_its_own_name():
    assert all(name == spec.name for name, spec in OPS.items())
    assert sum(len(spec.captures) for spec in OPS.values()) == len(CAPTURERS)


@pytest.mark.parametrize("target, args, op", [
    ("aten.add.Tensor", ("a", "b"), "add"), ("aten.relu_.default", ("a",), "relu"),
    ("aten.flatten.using_ints", ("a", 1), "reshape"), ("edgediff.sign.default", ("a",), "sign")])
def test_a_capturer_produces_the_op_whose_entry_lists_it(target, args, op):
    captured, inputs, _ = CAPTURERS[target](args, {}, (1, 4))
    assert captured == op and target in OPS[op].captures and inputs[0] == "a"


def test_only_batch_norm_has_no_kernel_call_and_passes_lower_it():
    """An op without `call` must never reach the emitter (a reshape is an alias the emitter
    skips); the batch-norm passes remove batch_norm."""
    assert [name for name, spec in OPS.items() if spec.call is None and not spec.alias] == ["batch_norm"]
    g = Graph({"x": Tensor("x", (1, 3, 2, 2)), "y": Tensor("y", (1, 3, 2, 2))}, [], ["x"], ["y"])
    stats = [g.add_constant(n, np.full(3, v, np.float32)) for n, v in
             (("mean", 0.5), ("var", 2.0), ("gamma", 1.5), ("beta", -1.0))]
    g.nodes = [Node("bn", "batch_norm", ["x", *stats], ["y"], {"eps": 1e-5})]
    x = np.random.default_rng(0).standard_normal((1, 3, 2, 2)).astype(np.float32)
    want = run_graph(g, [x])[0]
    lowered = run_passes(g)
    assert {n.op for n in lowered.nodes} == {"mul", "add"}
    np.testing.assert_allclose(run_graph(lowered, [x])[0], want, rtol=1e-6, atol=1e-6)


def test_each_pass_has_the_one_pipeline_signature():
    for p in PIPELINE:
        assert list(inspect.signature(p.run).parameters)[:2] == ["graph", "options"], p.__name__
    # assign_precision's casts are not fused into: after it only quantize_int8 (which lowers
    # int8 layers from the FP32 form it gave them) and the reordering pass run
    assert [p.__name__.rsplit(".", 1)[-1] for p in PIPELINE[-3:]] == ["assign_precision", "quantize_int8",
                                                                      "schedule_in_place"]


def test_evaluate_widens_half_operands_like_the_reference_kernels():
    x = np.array([[-1.5, 0.25]], np.float16)
    assert evaluate("relu", [x], {}).tolist() == [[0.0, 0.25]]
    assert evaluate("add", [x, x], {"act": "none"}).dtype == np.float32


def test_options_without_a_schedule_leave_the_time_path_computed():
    g = Graph({"x": Tensor("x", (1,)), "y": Tensor("y", (1,))},
              [Node("s", "sin", ["x"], ["y"])], ["x"], ["y"])
    assert [n.op for n in run_passes(g, CompileOptions()).nodes] == ["sin"]
