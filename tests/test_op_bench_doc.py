"""docs/BENCHMARKS.md's op-kernel section (sdk/report/op_bench_doc.py) from fabricated
results: the ratio counts the op's own layers (not the casts around them), the kernel
columns name the functions that ran, the goal is text ("met"/"missed") on the rows it names
only, and the op models stay out of the example models' sections."""

from __future__ import annotations

import pytest

from sdk.report.bench import BenchResult
from sdk.report.bench_doc import render
from sdk.report.op_bench_doc import TITLE, goal_text

pytestmark = pytest.mark.unit


def result(model: str, target: str, precision: str, kernels: str, layers: list[tuple[str, str, int]],
           error: float = 0.0) -> BenchResult:
    """layers: (op, function, instructions); the total adds 1,000 for the I/O."""
    return BenchResult(model=model, model_name=model, model_hash="0", build_id="0", target=target,
                       precision=precision, kernels=kernels,
                       instructions=sum(n for *_, n in layers) + 1000, macs=1000, arena_bytes=0,
                       arena_lower_bound_bytes=0, flash_bytes=0, ram_bytes=0, max_rel_error=error,
                       layers=[{"name": f"l{i}", "op": op, "function": f, "macs": 0, "instructions": n,
                                "macs_per_instruction": 0.0} for i, (op, f, n) in enumerate(layers)])


def attention(target: str, precision: str, ref: int, simd: int, isa: str) -> list[BenchResult]:
    dt = precision.replace("fp", "f")
    cast = ("cast", f"cast_f32_to_{dt}", 50_000)
    return [result("op_attention_2x64x16", target, precision, "reference",
                   [cast, ("attention", f"attention_{dt}", ref), cast]),
            result("op_attention_2x64x16", target, precision, "target",
                   [cast, ("attention", f"attention_{dt}_{isa}", simd), cast], error=6.4e-4)]


def op_rows(doc: str) -> list[list[str]]:
    section = doc.split(f"## {TITLE}")[1]
    return [[cell.strip() for cell in line[1:-1].split("|")] for line in section.splitlines()
            if line.startswith("| ") and not line.startswith("| op |") and not line.startswith("| ---")]


def test_ratio_counts_the_ops_layers_and_names_both_kernels():
    rows = op_rows(render(attention("rv32v", "fp32", 3_000_000, 400_000, "rvv")))
    assert rows == [["attention", "B=1, 2 heads × 64 tokens × D=16", "rv32v", "fp32",
                     "3,000,000", "`attention_f32`", "400,000", "`attention_f32_rvv`",
                     "7.50×", "6.4e-04", ""]]


def test_goal_is_met_or_missed_text_on_the_rows_it_names():
    doc = render(attention("cortex-m55", "fp16", 3_000_000, 500_000, "mve")
                 + attention("rv32v", "fp16", 3_000_000, 1_000_000, "rvv")
                 + attention("rv32v", "fp32", 3_000_000, 1_000_000, "rvv"))
    goals = {(row[2], row[3]): (row[8], row[10]) for row in op_rows(doc)}
    assert goals == {("cortex-m55", "fp16"): ("6.00×", "≥ 4×: goal met"),
                     ("rv32v", "fp16"): ("3.00×", "≥ 4×: goal missed"),
                     ("rv32v", "fp32"): ("3.00×", "")}
    assert "attention ≥ 4× on cortex-m55 fp16, attention ≥ 4× on rv32v fp16" in doc


def test_a_missing_build_shows_dashes_and_no_verdict():
    doc = render(attention("rv32v", "fp16", 3_000_000, 500_000, "rvv")[:1])
    assert op_rows(doc) == [["attention", "B=1, 2 heads × 64 tokens × D=16", "rv32v", "fp16",
                             "3,000,000", "`attention_f16`", "—", "—", "—", "—", "≥ 4×: not measured"]]
    assert goal_text("gelu", "rv32v", "fp16", 1.0) == ""


def test_op_models_stay_out_of_the_other_sections_and_the_section_needs_them():
    model = result("unet", "rv32v", "fp32", "target", [("conv2d", "conv2d_f32_rvv", 9000)])
    alone = render([model])
    assert TITLE not in alone
    both = render([model, *attention("rv32v", "fp32", 3_000_000, 400_000, "rvv")])
    assert both.split(f"\n\n## {TITLE}")[0] + "\n" == alone
