"""The int8 time path as int8 tables (codegen/passes/int8_time_tables.py): a timestep that only
takes the values 0..T-1 makes every quantize of a time-only tensor a table of its bytes, so no
float layer feeds an int8 one and the board can equal numpy bit for bit; without that
knowledge the float islands are still named (and `sdk build` refuses them). The sampler's
update is compiled without fused multiply-adds, which its numpy twin could not repeat."""

from __future__ import annotations

import copy
import subprocess

import numpy as np
import pytest

from codegen.capture import capture
from codegen.int8 import ops as q8
from codegen.interpret import run_graph
from codegen.passes import CompileOptions, PrecisionPolicy, run_passes
from codegen.passes.int8_time_tables import TIME_TABLE_SUFFIX, time_values
from codegen.passes.tabulate_time import time_only
from codegen.passes.quantize_int8 import float_islands
from sdk.compile.int8_summary import float_layers, time_table_bytes
from sdk.models import load_model

pytestmark = [pytest.mark.kernel, pytest.mark.slow]

STEPS = 1000  # the zoo unet's timesteps
EMBEDDING, PROJECTIONS = 32, 16 + 32 + 32 + 32 + 16  # values per timestep at each cut


@pytest.fixture(scope="module")
def unet_int8():
    """The zoo unet lowered to int8 three ways, on 32 calibration inputs (exactness does not
    depend on the ranges): time path float up to tables of the blocks' projections, time MLP
    in int8 after a table of the embedding, and without integer timesteps (no tables)."""
    spec = load_model("unet")
    calibration = [tuple(t.numpy() for t in inputs) for inputs in spec.sample_inputs(32, 11)]
    captured = capture(spec.module, spec.example_inputs)  # once: capture is the slow part

    def lowered(time_steps, int8_time_path):
        return run_passes(copy.deepcopy(captured), CompileOptions(PrecisionPolicy("int8"), calibration=calibration,
                                                time_steps=time_steps, int8_time_path=int8_time_path))
    return {"float": lowered(STEPS, False), "int8": lowered(STEPS, True), "none": lowered(None, False)}


@pytest.mark.parametrize("cut, per_step", [("float", PROJECTIONS), ("int8", EMBEDDING)])
def test_the_time_path_becomes_int8_tables(unet_int8, cut, per_step):
    graph = unet_int8[cut]
    assert float_islands(graph) == [] and float_layers(graph) == []
    assert not [n for n in graph.nodes if n.op in ("sin", "cos")]
    lookups = [n for n in graph.nodes if n.op == "table_row"]
    assert lookups and all(graph.tensors[n.outputs[0]].dtype == "i8" for n in lookups)
    assert time_table_bytes(graph) == STEPS * per_step
    assert (cut == "int8") == any(n.op == "linear_s8" for n in graph.nodes)


def test_without_integer_timesteps_the_float_islands_are_named(unet_int8):
    graph = unet_int8["none"]
    assert {"sin", "cos", "linear"} <= set(float_islands(graph))
    assert time_table_bytes(graph) == 0


@pytest.mark.parametrize("cut", ["float", "int8"])
def test_each_table_row_is_the_quantized_float_time_path_at_that_timestep(unet_int8, cut):
    """Row t of each table is the quantize (the lookup's parameters) of the untabulated graph's
    float time path at t, in numpy, for every t: exact, and never clipped (the range is the
    envelope over all T timesteps, so each byte is within half a step of its value)."""
    graph, plain = unet_int8[cut], unet_int8["none"]
    values = time_values(plain, plain.inputs[1], STEPS, time_only(plain, plain.inputs[1]))
    for node in [n for n in graph.nodes if n.op == "table_row"]:
        table = graph.constants[node.inputs[0]]
        assert node.inputs[0].endswith(TIME_TABLE_SUFFIX) and table.shape[0] == STEPS
        scale, zero_point = node.attrs["scale"], node.attrs["zero_point"]
        real = values[node.outputs[0].removesuffix("_q")]
        assert np.array_equal(q8.quantize(real, scale, zero_point), table)
        error = np.abs(scale * (table.astype(np.float64) - zero_point) - real.astype(np.float64))
        assert error.max() <= scale * (0.5 + 1e-5)


def test_the_tabulated_graph_follows_the_timestep_input(unet_int8):
    """The table lookup reads the float timestep input: two timesteps give two outputs, and a
    timestep's output does not depend on the other (no state)."""
    graph = unet_int8["float"]
    x = load_model("unet").sample_inputs(1, 3)[0][0].numpy()
    a = run_graph(graph, [x, np.array([10.0], np.float32)])[0]
    b = run_graph(graph, [x, np.array([900.0], np.float32)])[0]
    assert not np.array_equal(a, b)
    assert np.array_equal(a, run_graph(graph, [x, np.array([10.0], np.float32)])[0])


@pytest.mark.unit
def test_the_sampler_update_has_no_fused_multiply_add_on_clang(tmp_path):
    """clang contracts a*b+c into fmadd.s on rv32 by default; the sampler's pragma forbids it.
    The same source without the pragma does contract (the check can fail)."""
    from codegen.emit_sampler import emit_sampler
    from codegen.emit_sampler_tabulated import NO_CONTRACTION
    from codegen.ir import Graph, Node, Tensor
    from sdk.diffusion.sampling import ddim_plan
    from sdk.target import load_target

    graph = Graph({"x": Tensor("x", (1, 1, 4, 4), "f32"), "step": Tensor("step", (1,), "f32"),
                   "y": Tensor("y", (1, 1, 4, 4), "f32")}, [Node("neg", "neg", ["x"], ["y"], {})],
                  ["x", "step"], ["y"])
    source = emit_sampler(graph, ddim_plan("v", 4)).source
    (tmp_path / "model.h").write_text("void model_run_v(const float *const *in, float *const *out);\n")
    (tmp_path / "sampler.h").write_text(emit_sampler(graph, None).header.replace(
        "#define MODEL_SAMPLER_STEPS 0", "#define MODEL_SAMPLER_STEPS 4").replace(
        "VALUES 0u", "VALUES 16u") + "void model_sample(float *x, float *out);\n")
    target = load_target("rv32")
    fused = {}
    for name, text in (("with", source), ("without", source.replace(NO_CONTRACTION, ""))):
        (tmp_path / f"{name}.c").write_text(text)
        subprocess.run([target.cc, *target.cflags, "-Wno-error", "-I", str(tmp_path), "-c",
                        str(tmp_path / f"{name}.c"), "-o", str(tmp_path / f"{name}.o")], check=True)
        listing = subprocess.run(["llvm-objdump", "-d", str(tmp_path / f"{name}.o")], check=True,
                                 capture_output=True, text=True).stdout
        fused[name] = sum(op in listing for op in ("fmadd.s", "fmsub.s", "fnmadd.s", "fnmsub.s"))
    assert fused == {"with": 0, "without": fused["without"]} and fused["without"] > 0


@pytest.mark.unit
def test_a_model_file_declares_its_integer_timesteps(tmp_path):
    from sdk.errors import UserError
    from tests.helpers.cli import write_net
    path = write_net(tmp_path)
    source = path.read_text()
    path.write_text(source + "\ntime_steps = 10\n")
    assert load_model(str(path)).time_steps == 10
    path.write_text(source + "\ntime_steps = 0\n")
    with pytest.raises(UserError, match="time_steps` must be a positive int"):
        load_model(str(path))
