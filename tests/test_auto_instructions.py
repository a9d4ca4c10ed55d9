"""`--precision auto --budget instructions=N`: each layer's precision chosen so one model call
fits an instruction count measured on the emulated board (sdk/compile/instruction_costs.py)."""

from __future__ import annotations

import pytest

from sdk.compile.auto_precision import Budget, Move, assignment, moves, within_instructions
from sdk.compile.instruction_costs import InstructionCosts
from sdk.compile.manifest import load_manifest
from sdk.errors import UserError
from sdk.models import load_model
from tests.helpers.cli import sdk
from tests.test_auto_precision import _Graph, _sens


@pytest.mark.unit
@pytest.mark.parametrize("text, budget", [
    ("instructions=2.5M", Budget(instructions=2_500_000)), ("instructions=20k", Budget(instructions=20_000)),
    ("ram=96K,instructions=1G", Budget(ram=96 * 1024, instructions=10 ** 9)),
])
def test_budget_counts_instructions_in_thousands_not_kibibytes(text, budget):
    assert Budget.parse(text) == budget
    assert Budget.parse(str(budget)) == budget  # as precision.toml records it


@pytest.mark.unit
@pytest.mark.parametrize("text", ["instructions=2MiB", "instructions=3KB", "instructions=", "cycles=1M"])
def test_budget_refuses_instruction_counts_it_cannot_read(text):
    with pytest.raises(UserError, match="instructions=COUNT"):
        Budget.parse(text)


COSTS = InstructionCosts(1000, {"a": {"fp32": 100, "fp16": 120, "int8": 60},
                                "b": {"fp32": 100, "fp16": 50, "int8": 90},
                                "c": {"fp32": 100, "fp16": 130}})


@pytest.mark.unit
def test_by_instructions_a_step_that_saves_none_is_not_taken():
    """a: FP16 costs instructions, int8 saves 40: straight to int8. b: FP16 saves 50, int8
    would give back 40 of them: FP16 only. c: FP16 costs instructions: no step."""
    sens = _sens(a=(1.0, 2.0), b=(1.0, 0.5), c=(0.1, 0.0))
    steps = moves(sens, _Graph("a", "b", "c"), int8={"a", "b"}, saved=lambda n, f, t: -COSTS.delta(n, f, t))
    assert [(m.layer, m.precision) for m in steps] == [("b", "fp16"), ("a", "int8")]
    assert [m.cost for m in steps] == [pytest.approx(1.0 / 50), pytest.approx(2.0 / 40)]
    assert COSTS.estimate(assignment(steps, 2)) == 1000 - 50 - 40


@pytest.mark.unit
def test_steps_that_would_go_over_the_instructions_are_left_out():
    """Steps in the memory order (any order): each that would take the estimate over the limit
    is left out, and while it is over only saving steps are taken, so once the estimate is
    within it stays within and the fitting prefixes form one range."""
    steps = [Move("c", "fp16", 0.1), Move("a", "fp16", 0.2), Move("b", "fp16", 0.3), Move("a", "int8", 0.4)]
    taken = within_instructions(steps, COSTS, 930)
    # c +30 (1030 > 930: out), a to FP16 +20 (out), b −50 (950: over, but it saves), a to int8 −40 (910)
    assert [(m.layer, m.precision) for m in taken] == [("b", "fp16"), ("a", "int8")]
    assert [COSTS.estimate(assignment(taken, k)) for k in range(len(taken) + 1)] == [1000, 950, 910]
    roomy = within_instructions(steps, COSTS, 1100)  # every step fits: none is left out
    assert roomy == steps
    assert COSTS.estimate(assignment(roomy, 4)) == 1000 + 30 - 40 - 50


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_an_instruction_budget_on_a_dsp_core_takes_int8_layers_and_the_board_runs_within_it(capsys, tmp_path):
    """zoo dncnn on cortex-m4, where int8 (SMLAD) is faster than FP32: a budget halfway between
    the FP32 and the int8 builds' counts (measured here) is met by putting some layers in int8,
    and the built image, run on the emulated board, takes no more than the budget."""
    from codegen.passes import PrecisionPolicy
    from sdk.report.bench import bench

    counts = {p: bench("dncnn", "cortex-m4", tmp_path / p, PrecisionPolicy(p)).instructions for p in ("fp32", "int8")}
    assert counts["int8"] < counts["fp32"]
    limit = (counts["fp32"] + counts["int8"]) // 2
    code, out = sdk(capsys, "--build-dir", tmp_path / "auto", "build", "--target", "cortex-m4", "--model", "dncnn",
                    "--precision", "auto", "--budget", f"instructions={limit}")
    assert code == 0, out
    m = load_manifest("cortex-m4", tmp_path / "auto")
    assert m.auto_precision["int8_layers"] and m.auto_precision["instructions"] <= limit
    assert "instructions per model call" in out
    again = bench("dncnn", "cortex-m4", tmp_path / "again", PrecisionPolicy("fp32", {
        n: "int8" for n in m.auto_precision["int8_layers"]} | {n: "fp16" for n in m.auto_precision["fp16_layers"]}))
    assert again.instructions == m.auto_precision["instructions"] <= limit  # counted as sdk bench counts


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_an_instruction_budget_below_the_fastest_build_says_what_would_fit(capsys, tmp_path):
    """On rv32 (an FPU, no integer SIMD) FP32 is the fastest precision: a budget below it is
    refused with the count the fastest assignment takes, and nothing is written."""
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", "rv32", "--model", "dncnn",
                    "--precision", "auto", "--budget", "instructions=1M")
    assert code == 2 and "Traceback" not in out
    assert "with every layer at its fastest precision a model call takes" in " ".join(out.split())
    assert "raise the budget to at least instructions=" in " ".join(out.split())
    assert not (tmp_path / "rv32").exists()
