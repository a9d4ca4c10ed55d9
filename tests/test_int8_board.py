"""`sdk build --precision int8` on an MCU target and `sdk validate`'s int8 verdict: the board
against the build's own graph in numpy, element for element, through the real serial path."""

from __future__ import annotations

import base64
import json

import pytest

from sdk.report.strict_json import read_json
from tests.helpers.cli import sdk

BOARD = [pytest.mark.kernel, pytest.mark.hil, pytest.mark.slow]


@pytest.fixture(scope="module")
def int8_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("int8")
    from sdk.compile.build import build
    from sdk.compile.precision import load_policy
    build("dncnn", "rv32", root, load_policy("int8"))
    return root


@BOARD[0]
@BOARD[1]
@BOARD[2]
def test_int8_board_equals_the_numpy_int8_graph(capsys, int8_build, tmp_path):
    code, out = sdk(capsys, "--build-dir", int8_build, "validate", "--target", "rv32", "--emulator",
                    "--samples", 6, "--json", tmp_path / "v.json", "--png", tmp_path / "v.png")
    assert code == 0, out
    report = read_json(tmp_path / "v.json")
    assert report["precision"] == "int8" and report["passed"] is True
    assert report["int8_reference"] == {"mismatched_elements": 0, "samples_mismatched": 0,
                                        "first_mismatch": None, "passed": True}
    assert "equal, every element of every sample" in out
    assert report["max_rel_error"] > 0  # the quantisation error vs torch is reported, not hidden


@BOARD[0]
@BOARD[1]
@BOARD[2]
def test_a_board_that_differs_from_the_int8_reference_fails(capsys, int8_build, tmp_path):
    """The graph the reference runs is changed after the build (one weight byte of the first
    convolution): the board, running the image built before, must now disagree."""
    path = int8_build / "rv32" / "gen" / "graph.json"
    graph = json.loads(path.read_text())
    name = next(k for k, c in graph["constants"].items() if c["dtype"] == "i8" and k.endswith(".weight.q"))
    data = bytearray(base64.b64decode(graph["constants"][name]["data"]))
    data[0] = (data[0] + 40) % 256
    graph["constants"][name]["data"] = base64.b64encode(bytes(data)).decode()
    original = path.read_text()
    path.write_text(json.dumps(graph))
    try:
        code, out = sdk(capsys, "--build-dir", int8_build, "validate", "--target", "rv32", "--emulator",
                        "--samples", 2, "--json", tmp_path / "v.json", "--png", tmp_path / "v.png")
    finally:
        path.write_text(original)
    assert code == 1, out
    report = read_json(tmp_path / "v.json")
    assert report["passed"] is False and report["int8_reference"]["mismatched_elements"] > 0
    assert "elements differ" in out and "FAIL" in out


NET = """
import torch
from torch import nn

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 4, 3, padding=1)
        self.b = nn.Conv2d(4, 1, 3, padding=1)

    def forward(self, x):
        h = self.a(x)
        {body}


model = Net().eval()
example_input = torch.randn(1, 1, 8, 8)
"""


@pytest.mark.kernel
@pytest.mark.slow
def test_a_layer_without_an_int8_form_stays_float_with_a_warning(capsys, tmp_path):
    """mul has no int8 lowering: after the last int8 layer it stays float, named in a warning."""
    path = tmp_path / "net.py"
    path.write_text(NET.replace("{body}", "y = self.b(h)\n        return y * y"))
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", "rv32", "--model", path,
                    "--precision", "int8")
    text = " ".join(out.split())
    assert code == 0, out
    assert "warning: 1 layer(s) have no int8 form and stay float: mul" in text


@BOARD[0]
@BOARD[1]
@BOARD[2]
def test_a_float_layer_feeding_an_int8_one_stays_float_and_the_build_is_checked_within_the_int8_noise(capsys,
                                                                                                       tmp_path):
    """A float mul whose result an int8 conv reads: C's and numpy's roundings of it could differ
    by a quantized byte, so the board cannot be checked bit for bit. The mul stays float, the
    warning says so and how the build is checked instead: against torch within the noise of
    its int8 roundings (a limit that is there: the build records it), and the board passes."""
    path = tmp_path / "net.py"
    path.write_text(NET.replace("{body}", "return self.b(h * h)"))
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", "rv32", "--model", path,
                    "--precision", "int8")
    text = " ".join(out.split())
    assert code == 0, out
    assert "no int8 form and stay float: mul" in text and "float layers feed int8 ones (mul)" in text
    assert "not bit for bit" in text
    from sdk.compile.manifest import load_manifest
    from sdk.verify.tolerance import int8_noise
    m = load_manifest("rv32", tmp_path)
    assert m.int8_noise["roundings"] > 0 and int8_noise(m.int8_noise) > 0
    code, out = sdk(capsys, "--build-dir", tmp_path, "validate", "--target", "rv32", "--emulator",
                    "--samples", 4, "--json", tmp_path / "v.json", "--png", tmp_path / "v.png")
    assert code == 0, out
    report = read_json(tmp_path / "v.json")
    assert report["passed"] is True and report["int8_reference"] is None  # within a tolerance, not bit for bit
    assert 0 < report["max_rel_error"] <= report["tolerance_rel"]
