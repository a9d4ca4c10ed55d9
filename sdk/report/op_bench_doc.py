"""The op-kernel section of docs/BENCHMARKS.md: each single-op model (sdk/models/op_bench.py)
with its SIMD override against its portable reference, same target and precision, same run.

A row counts the instructions of the op's own layers (BenchResult.layers whose op the entry
names), so the model's input and output casts do not dilute the ratio. Goals (GOALS) are
checked as text, "met" or "missed", never asserted: the page shows what was measured.
"""

from __future__ import annotations

from sdk.models.op_bench import BY_NAME, GOALS, OP_BENCHES, OpBench
from sdk.report.bench import BenchResult

TITLE = "Op kernels: SIMD against reference"
PRECISIONS = ("fp32", "fp16")


def is_op_bench(result: BenchResult) -> bool:
    return result.model_name in BY_NAME


def op_layers(op: OpBench, result: BenchResult) -> list[dict]:
    return [layer for layer in result.layers if layer["op"] in op.layer_ops]


def op_instructions(op: OpBench, result: BenchResult) -> int:
    """Instructions of the op's own layers in one build."""
    return sum(layer["instructions"] for layer in op_layers(op, result))


def op_kernels(op: OpBench, result: BenchResult) -> str:
    """The kernel function(s) that ran the op's layers, as the page shows them."""
    return ", ".join(f"`{f}`" for f in dict.fromkeys(layer["function"] for layer in op_layers(op, result)))


def goal_text(op: str, target: str, precision: str, ratio: float | None) -> str:
    goal = GOALS.get((op, target, precision))
    if goal is None:
        return ""
    if ratio is None:
        return f"≥ {goal:g}×: not measured"
    return f"≥ {goal:g}×: goal {'met' if ratio >= goal else 'missed'}"


def _row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _goal_sentence() -> str:
    goals = ", ".join(f"{op} ≥ {ratio:g}× on {target} {precision}"
                      for (op, target, precision), ratio in GOALS.items())
    return f"Goals checked here (the **goal** column): {goals}."


def op_section(results: list[BenchResult]) -> list[str]:
    """The section's lines; none when the run benched no op model."""
    ops = [r for r in results if is_op_bench(r)]
    if not ops:
        return []
    lines = ["", f"## {TITLE}", "",
             "Single-op models at the shapes of small diffusers denoisers "
             "(`sdk/models/op_bench.py`), each built with the portable reference kernels "
             "(`--reference-kernels`) and with the target's SIMD overrides, same run. "
             "**instr** counts the op's own layer(s) only (the model's input and output casts "
             "are left out); **kernel** is the function that ran it; **fewer** = reference "
             "instructions / SIMD instructions; **error** = the SIMD build's output against "
             "torch FP32 (max |device - torch| / max |torch|).", "",
             _goal_sentence(), "",
             _row(["op", "shape", "target", "precision", "instr reference", "kernel reference",
                   "instr SIMD", "kernel SIMD", "fewer", "error", "goal"]),
             _row(["---"] * 11)]
    targets = list(dict.fromkeys(r.target for r in ops))
    for op in OP_BENCHES:
        for target in targets:
            for precision in PRECISIONS:
                ref, simd = (next((r for r in ops if r.model_name == op.name and r.target == target
                                   and r.precision == precision and r.kernels == kernels), None)
                             for kernels in ("reference", "target"))
                if ref is None and simd is None:
                    continue
                ratio = (op_instructions(op, ref) / op_instructions(op, simd)
                         if ref and simd and op_instructions(op, simd) else None)
                lines.append(_row([
                    op.op, op.shape, target, precision,
                    f"{op_instructions(op, ref):,}" if ref else "—", op_kernels(op, ref) if ref else "—",
                    f"{op_instructions(op, simd):,}" if simd else "—", op_kernels(op, simd) if simd else "—",
                    f"{ratio:.2f}×" if ratio is not None else "—",
                    f"{simd.max_rel_error:.1e}" if simd else "—",
                    goal_text(op.op, target, precision, ratio)]))
    return lines
