"""`sdk ops` and docs/OPS.md: the supported ops listed from the op entries (sdk/report/ops_doc.py).

docs/OPS.md must be exactly what `sdk ops --markdown` prints, so adding an op (or a kernel
override, or a target) fails here until the page is regenerated."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen.ops import OPS
from sdk.report.ops_doc import COMMAND, render_markdown, supported_ops
from tests.helpers.cli import sdk

pytestmark = [pytest.mark.unit]

DOC = Path(__file__).resolve().parent.parent / "docs" / "OPS.md"


def test_docs_ops_md_is_up_to_date():
    assert DOC.read_text() == render_markdown(), f"docs/OPS.md is out of date: run `{COMMAND}`"


def test_every_captured_aten_target_is_listed_once():
    listed = [target for row in supported_ops() for target in row.aten]
    captured = [t.removesuffix("[]") for spec in OPS.values() for t in spec.captures
                if not t.startswith("edgediff.")]
    assert sorted(listed) == sorted(captured)


def test_rows_say_precisions_and_optimised_targets():
    rows = {row.op: row for row in supported_ops()}
    assert "torch.nn.functional.conv2d" in rows["conv2d"].torch and "nn.Conv2d" in rows["conv2d"].torch
    assert rows["conv2d"].precisions.startswith("fp32, fp16; binary")
    assert "cortex-m55 (fp32, fp16" in rows["conv2d"].optimised  # codegen/kernels/mve/conv2d_*_mve.c
    assert rows["sin"].precisions.startswith("fp32 (always")
    assert "int32→fp32" in rows["cast"].precisions
    assert rows["reshape"].optimised == "—"


def test_sdk_ops_prints_the_table_and_writes_the_markdown(capsys, tmp_path, wide_console):
    code, out = sdk(capsys, "ops")
    assert code == 0 and "torch.nn.functional.group_norm" in out and "rv32v" in out
    code, out = sdk(capsys, "ops", "--markdown")
    assert code == 0 and out == render_markdown()
    code, out = sdk(capsys, "ops", "--output", tmp_path / "OPS.md")
    assert code == 0 and (tmp_path / "OPS.md").read_text() == render_markdown()
