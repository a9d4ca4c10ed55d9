"""docs/BENCHMARKS.md rendering: binary models are set against their float model's build of
the same target, precision and kernels, and nothing else."""

from __future__ import annotations

import pytest

from sdk.report.bench import BenchResult
from sdk.report.bench_doc import float_model, render

pytestmark = pytest.mark.unit


def result(model: str, precision: str, instructions: int, flash: int, target: str = "rv32") -> BenchResult:
    return BenchResult(model=model, model_name=model, model_hash="0", build_id="0", target=target,
                       precision=precision, kernels="target",
                       instructions=instructions, macs=1000, arena_bytes=0, arena_lower_bound_bytes=0,
                       flash_bytes=flash, ram_bytes=0, max_rel_error=0.0, layers=[])


def test_binary_rows_compare_with_the_same_targets_float_build():
    doc = render([result("unet", "fp16", 4000, 300), result("unet", "fp32", 8000, 600),
                  result("unet_w1a1", "fp16", 1000, 100), result("unet_w1a16", "fp16", 5000, 150),
                  result("unet_w1a1", "fp32", 3000, 200, target="cortex-m55")])
    table = doc.split("## Binary models against their float model")[1].split("## Per layer")[0]
    rows = [line for line in table.splitlines() if line.startswith("| unet_")]
    assert rows == ["| unet_w1a1 | rv32 | fp16 | target | 1,000 | 4,000 | 4.00× | 100 | 300 | 3.00× |",
                    "| unet_w1a16 | rv32 | fp16 | target | 5,000 | 4,000 | 0.80× | 150 | 300 | 2.00× |"]


def test_only_binary_suffixes_name_a_float_model():
    assert float_model("unet_w1a1") == "unet" and float_model("dncnn_w1a16") == "dncnn"
    assert float_model("unet") is None and float_model("w1a1_net") is None


def test_summary_has_the_measured_stack():
    measured = result("unet", "fp32", 8000, 600)
    measured.stack_bytes = 2340
    doc = render([measured, result("dncnn", "fp32", 8000, 600)])
    rows = [line for line in doc.split("## Summary")[1].split("\n## ")[0].splitlines() if line.startswith("| ")]
    assert rows[0].split(" | ")[-3:] == ["RAM B", "stack B", "error |"]
    assert rows[2].split(" | ")[-2] == "2,340" and rows[3].split(" | ")[-2] == "—"
