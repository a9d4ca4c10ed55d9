"""Whole int8 networks (codegen/passes/quantize_int8.py): the generated C, compiled for the
host, gives the same bytes as the lowered graph in numpy (codegen/int8, bit-exact with TFLite
Micro). dncnn is int8 from its first quantize to its last dequantize, so equality is exact by
construction. The unet keeps float layers that feed int8 ones (group norm, and the time path,
which stays float): a float rounding that differs between C and numpy moves quantized bytes
there, so float_islands() names them and `sdk build` refuses such an int8 build."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from codegen.interpret import run_graph
from codegen.passes import PrecisionPolicy
from sdk.compile.lower import generate_c
from sdk.models import load_model
from tests.host_build import compile_model, run_model

pytestmark = pytest.mark.kernel


@pytest.mark.slow
@pytest.mark.parametrize("name, int8_ops", [("dncnn", {"conv2d_s8": 5, "add_s8": 1})])
def test_int8_model_in_c_equals_numpy_byte_for_byte(name, int8_ops, tmp_path):
    spec = load_model(name)
    generated = generate_c(spec, tmp_path / "gen", PrecisionPolicy("int8"))
    ops = Counter(node.op for node in generated.graph.nodes)
    assert all(ops[op] >= count for op, count in int8_ops.items()), ops
    lib = compile_model(generated, tmp_path)
    for inputs in spec.sample_inputs(4, seed=5):
        reference = run_graph(generated.graph, [t.numpy() for t in inputs])[0]
        out = run_model(lib, generated, inputs)
        assert np.array_equal(out.reshape(reference.shape), reference)


@pytest.mark.slow
def test_float_layers_feeding_int8_ones_are_named():
    from codegen.passes.quantize_int8 import float_islands
    from sdk.compile.lower import lower

    graph, _ = lower(load_model("unet"), PrecisionPolicy("int8"))
    islands = float_islands(graph)
    assert {"sin", "cos", "linear", "group_norm", "group_norm_10"} <= set(islands)
    assert not {n.name for n in graph.nodes if n.op in ("conv2d_s8", "add_s8")} & set(islands)
    graph, _ = lower(load_model("dncnn"), PrecisionPolicy("int8"))
    assert float_islands(graph) == []
