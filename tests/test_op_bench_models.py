"""The single-op models of the op-kernel benchmarks (sdk/models/op_bench.py): each is a zoo
model, captures to the one layer the table counts, runs a SIMD override on the targets it is
benched on (else the table would set the reference against itself), and its host build
matches torch."""

from __future__ import annotations

import pytest

from codegen.kernels.catalog import OVERRIDES
from codegen.passes import PrecisionPolicy
from sdk.compile.lower import lower
from sdk.models import load_model
from sdk.models.op_bench import OP_BENCH_TARGETS, OP_BENCHES
from sdk.target import load_target
from tests.test_layer_forms_host import _check_against_torch

SIMD = {o.function for overrides in OVERRIDES.values() for o in overrides if o.feature in ("mve", "rvv")}
benches = pytest.mark.parametrize("op", OP_BENCHES, ids=[b.name for b in OP_BENCHES])


@pytest.mark.unit
@pytest.mark.slow
@benches
@pytest.mark.parametrize("precision", ["fp32", "fp16"])
def test_the_op_is_one_layer_and_runs_a_simd_override(op, precision):
    spec = load_model(op.name)
    for target in OP_BENCH_TARGETS:
        graph, plan = lower(spec, PrecisionPolicy(precision), load_target(target).isa_features)
        layers = [n for n in graph.nodes if n.op in op.layer_ops]
        assert len(layers) == 1, [n.op for n in graph.nodes]
        assert plan.kernels[layers[0].name] in SIMD, (target, plan.kernels[layers[0].name])
        assert {n.op for n in graph.nodes} <= {*op.layer_ops, "cast"}  # nothing else to count
    graph, plan = lower(spec, PrecisionPolicy(precision))
    assert all(plan.kernels[n.name] not in SIMD for n in graph.nodes)  # the reference build


@pytest.mark.kernel
@pytest.mark.slow
@benches
def test_the_host_build_matches_torch(op, tmp_path):
    _check_against_torch(load_model(op.name), "fp32", tmp_path)


@pytest.mark.unit
def test_the_matrix_benches_the_op_models_after_the_example_models(monkeypatch, tmp_path):
    """Each op model on cortex-m55 and rv32v only, FP32 and FP16, reference and SIMD kernels;
    the example models' runs are those of matrix_configs, first."""
    import sdk.report.bench as bench_module

    calls = []
    monkeypatch.setattr(bench_module, "bench", lambda model, target, root, precision, reference:
                        calls.append((model, target, precision.default, reference)) or calls[-1])
    monkeypatch.setattr(bench_module, "_bench_auto", lambda root, model, target:
                        calls.append((model, target, "auto", False)) or calls[-1])
    monkeypatch.setattr(bench_module, "_bench_auto_instructions", lambda root, model, target, results: None)
    targets = [load_target(t) for t in ("rv32", "rv32v", "cortex-m55")]
    bench_module.bench_matrix(tmp_path, targets)
    models = [c for c in calls if c[0] in bench_module.MATRIX_MODELS]
    assert calls[:len(models)] == models
    assert len(models) == sum(len(bench_module.matrix_configs(t.isa_features, m))
                              for t in targets for m in bench_module.MATRIX_MODELS) + 2  # auto: rv32 unet, dncnn
    assert ("dncnn", "rv32v", "int8", False) in calls and ("unet_w1a1", "rv32", "int8", False) not in calls
    assert [c for c in calls if c[2] == "auto"] == [("unet", "rv32", "auto", False), ("dncnn", "rv32", "auto", False)]
    assert sorted(calls[len(models):]) == sorted(
        (op.name, target, precision, reference) for op in OP_BENCHES for target in ("rv32v", "cortex-m55")
        for precision in ("fp32", "fp16") for reference in (True, False))


@pytest.mark.unit
def test_the_instruction_budget_row_is_halfway_to_the_fastest_precision_where_one_beats_fp32(monkeypatch, tmp_path):
    import types

    import sdk.report.bench as bench_module

    budgets = []
    monkeypatch.setattr(bench_module, "bench", lambda model, target, root, budget: budgets.append(budget)
                        or types.SimpleNamespace(precision=None))
    def runs(**counts):
        return [types.SimpleNamespace(model="dncnn", target="t", kernels="target", precision=p, instructions=n)
                for p, n in counts.items()] + [types.SimpleNamespace(model="dncnn", target="t", kernels="reference",
                                                                     precision="fp32", instructions=1)]
    assert bench_module._bench_auto_instructions(tmp_path, "dncnn", "t", runs(fp32=100, fp16=110, int8=130)) is None
    row = bench_module._bench_auto_instructions(tmp_path, "dncnn", "t", runs(fp32=100, fp16=110, int8=60))
    assert budgets[-1].instructions == 80 and row.precision == "auto instructions=80"
