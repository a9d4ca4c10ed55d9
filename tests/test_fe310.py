"""The integer-only RISC-V target: fe310 (SiFive FE310-G002, RV32IMAC, QEMU sifive_e) and its
board profile hifive1-revb (4 MiB flash, 16 KiB RAM). An int8 build runs the portable _s8
kernels, fits the 16 KiB by the fit check's own figures and equals the numpy int8 reference
bit for bit on the emulated board; float stays at the I/O boundary; a float build is refused
unless --soft-float; what does not fit the 16 KiB exits 2 with the table. The counter is
calibrated with the other targets' (tests/test_counters.py)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from codegen.ir import Graph, Node, Tensor
from sdk.compile.integer_only import check_int8_graph
from sdk.compile.manifest import load_manifest
from sdk.errors import UserError
from sdk.report.strict_json import read_json
from sdk.target import integer_only_targets, isa_targets, load_target
from tests.helpers.cli import REPO, sdk
from tests.helpers.tools import require_target

BOARD = "hifive1-revb"
KIB = 1024
SOFT_FLOAT_MODEL = Path(__file__).resolve().parent / "fixtures" / "fe310" / "soft_float_model.py"
HIFIVE1_MODEL = REPO / "examples" / "hifive1" / "model.py"
# libgcc's soft-float routines (__addsf3, __mulsf3, __fixsfsi, __extendsfdf2, ...)
SOFT_FLOAT_SYMBOL = re.compile(r"^__[a-z]+[sdt]f[0-9]?$")


@pytest.mark.unit
def test_the_board_is_the_fe310_with_the_boards_memory_and_no_fpu():
    board, base = load_target(BOARD), load_target("fe310")
    assert board.base == "fe310" and board.board["chip"] == "FE310-G002"
    assert board.integer_only and base.integer_only and "fpu" not in board.isa_features
    assert board.regions() == {"flash": {"origin": 0x20010000, "length": 4 * 1024 * KIB - 64 * KIB},
                               "ram": {"origin": 0x80000000, "length": 16 * KIB}}
    assert board.emulator_memory["ram"]["length"] == 16 * KIB  # QEMU's sifive_e has exactly that
    assert "-march=rv32imac" in board.cflags and "-mabi=ilp32" in board.cflags
    assert "sifive_e,revb=true" in board.emulator_command
    assert integer_only_targets() == ["fe310"] and "fe310" not in isa_targets()


@pytest.mark.unit
@pytest.mark.parametrize("argv, message", [
    ((), "hifive1-revb has no FPU: FP32 would run every float operation in software; build with "
         "--precision int8, or add --soft-float"),
    (("--precision", "fp16"), "hifive1-revb has no FPU: FP16 would run"),
    (("--precision", "auto", "--budget", "ram=16K"), "hifive1-revb has no FPU: --precision auto would run"),
    (("--precision", "fp16", "--soft-float"), "FP16 on hifive1-revb: its soft-float runtime"),
])
def test_a_float_build_is_refused_in_one_line(capsys, tmp_path, argv, message):
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", BOARD, "--model", "dncnn", *argv)
    assert code == 2 and message in " ".join(out.split()), out
    assert not (tmp_path / BOARD).exists()


@pytest.mark.unit
def test_soft_float_is_refused_where_there_is_an_fpu(capsys, tmp_path):
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", "rv32", "--model", "dncnn", "--soft-float")
    assert code == 2 and "--soft-float is for targets without an FPU; rv32 has one" in " ".join(out.split())


def _int8_graph(middle_dtype: str) -> Graph:
    """x (f32) -> quantize -> a middle layer (middle_dtype) -> ... -> dequantize -> y (f32)."""
    tensors = {"x": Tensor("x", (4,)), "q": Tensor("q", (4,), "i8"), "m": Tensor("m", (4,), middle_dtype),
               "r": Tensor("r", (4,), "i8"), "y": Tensor("y", (4,))}
    nodes = [Node("x_q", "quantize", ["x"], ["q"]), Node("gelu", "gelu", ["q"], ["m"]),
             Node("m_q", "quantize", ["m"], ["r"]), Node("y_dq", "dequantize", ["r"], ["y"])]
    return Graph(tensors, nodes, ["x"], ["y"])


@pytest.mark.unit
def test_an_int8_build_may_compute_in_float_only_at_its_boundary():
    target = load_target(BOARD)
    check_int8_graph(target, _int8_graph("i8"), soft_float=False)
    with pytest.raises(UserError, match="hifive1-revb has no FPU, and these layers of the int8 build compute "
                                        "in float: gelu; add --soft-float"):
        check_int8_graph(target, _int8_graph("f32"), soft_float=False)
    check_int8_graph(target, _int8_graph("f32"), soft_float=True)
    check_int8_graph(load_target("rv32"), _int8_graph("f32"), soft_float=False)  # an FPU: float islands are allowed


@pytest.fixture(scope="module")
def int8_build(tmp_path_factory):
    """The HiFive1 example (a DnCNN with 8 features) in int8 for the board. (The zoo dncnn
    fits too, 16,368 of 16,384 B, but its calibration costs CI three times as long.)"""
    require_target(BOARD)
    root = tmp_path_factory.mktemp("fe310")
    from sdk.compile.build import build
    from sdk.compile.precision import load_policy
    build(str(HIFIVE1_MODEL), BOARD, root, load_policy("int8"))
    return root


def _symbols(elf: str) -> set[str]:
    out = subprocess.run(["llvm-nm", elf], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


@pytest.mark.kernel
@pytest.mark.slow
def test_int8_runs_the_integer_kernels_and_no_float_arithmetic(int8_build):
    """The scalar RV32IM int8 convolution (rv32im), the portable add, and the float32 I/O
    boundary on the IEEE bits (nofpu): not one soft-float routine is linked."""
    m = load_manifest(BOARD, int8_build)
    kernels = {layer["function"] for layer in m.layers}
    assert kernels == {"quantize_f32_to_s8_nofpu", "conv2d_s8_rv32im", "add_s8",
                       "dequantize_s8_to_f32_nofpu"}
    floats = {layer["name"] for layer in m.layers if layer["dtype"] != "i8"}
    assert floats == {m.layers[-1]["name"]} and m.layers[-1]["op"] == "dequantize"
    assert not {s for s in _symbols(m.elf) if SOFT_FLOAT_SYMBOL.match(s)}
    assert m.ram_bytes + m.stack_bytes <= 16 * KIB  # the fit check's figures: the board holds it


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_int8_on_the_emulated_board_equals_the_numpy_int8_reference(capsys, int8_build, tmp_path):
    code, out = sdk(capsys, "--build-dir", int8_build, "validate", "--target", BOARD, "--emulator",
                    "--samples", 3, "--json", tmp_path / "v.json", "--png", tmp_path / "v.png")
    assert code == 0, out
    report = read_json(tmp_path / "v.json")
    assert report["precision"] == "int8" and report["passed"] is True
    assert report["int8_reference"]["mismatched_elements"] == 0
    assert report["max_rel_error"] > 0  # the quantisation error vs torch is reported


@pytest.mark.kernel
@pytest.mark.slow
def test_what_does_not_fit_16_kib_exits_2_with_the_table(capsys, tmp_path):
    """The HiFive1 example model in FP32, untiled: four times its int8 arena, over the 16 KiB
    (`--tile auto`, the default, would run it in bands and fit)."""
    require_target(BOARD)
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", BOARD, "--model", HIFIVE1_MODEL,
                    "--soft-float", "--tile", "off")
    text = " ".join(out.split())
    assert code == 2, out
    assert "the build does not fit HiFive1 Rev B (hifive1-revb)" in text and "of 16,384 B —" in text
    assert "arena (activations + kernel scratch)" in text and "--precision fp16" not in text
    assert not (tmp_path / BOARD).exists()


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_soft_float_fp32_builds_and_validates_on_the_board(capsys, tmp_path):
    require_target(BOARD)
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", BOARD, "--model", SOFT_FLOAT_MODEL,
                    "--soft-float")
    assert code == 0, out
    code, out = sdk(capsys, "--build-dir", tmp_path, "validate", "--target", BOARD, "--emulator",
                    "--samples", 2, "--json", tmp_path / "v.json", "--png", tmp_path / "v.png")
    assert code == 0, out
    assert read_json(tmp_path / "v.json")["passed"] is True
    assert "__mulsf3" in _symbols(load_manifest(BOARD, tmp_path).elf)  # FP32 in software
