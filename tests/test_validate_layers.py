"""Host-in-the-loop: `sdk validate --layers` on a small model, on the host and the emulated rv32
board. A correct build passes and lists every layer; a build whose C has one wrong constant
(the bias of one conv, changed in the emitted weights only: the graph the host compares
with keeps the true one) is named at exactly that layer."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

import sdk.compile.lower as lower
from codegen.emit_c import emit_c
from sdk.compile.build import build
from sdk.compile.precision import load_policy
from sdk.runner.board import open_board
from sdk.verify.layers import validate_layers
from tests.helpers.cli import sdk
from tests.helpers.tools import require_target

pytestmark = [pytest.mark.hil, pytest.mark.slow]

MODEL = """
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.norm = nn.GroupNorm(2, 8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.conv3 = nn.Conv2d(8, 1, 3, padding=1)

    def forward(self, x):
        h = nn.functional.silu(self.norm(self.conv1(x)))
        h = h + self.conv2(h)
        return self.conv3(h)


model = Net().eval()
example_input = torch.randn(1, 1, 8, 8)
"""
CONFIGS = [("host", "fp32"), ("rv32", "fp32"), ("rv32", "fp16")]
BIAS_DELTA = 1.0  # added to one output channel's bias: far beyond any rounding of this net


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "net.py"
    path.write_text(MODEL)
    return path


@pytest.fixture(scope="module", params=CONFIGS, ids=lambda c: f"{c[0]}-{c[1]}")
def config(request):
    return require_target(request.param[0]), request.param[1]


@pytest.fixture(scope="module")
def manifest(config, model_file, tmp_path_factory):
    target, precision = config
    return build(str(model_file), target.name, tmp_path_factory.mktemp("build"), load_policy(precision))


def test_correct_build_passes_and_lists_every_layer(manifest):
    with open_board(manifest, emulator=True, port=None) as client:
        report = validate_layers(manifest, client, seed=3)
    assert [row["name"] for row in report.rows] == [layer["name"] for layer in manifest.layers]
    assert report.passed and report.first_failure is None, report.rows
    assert all(row["judged"] and row["error_rel"] <= row["limit"] for row in report.rows)
    assert report.lowering["passed"]


def test_cli_prints_the_table_and_writes_the_plot(manifest, capsys, wide_console):
    root = manifest.directory.parent
    code, out = sdk(capsys, "--build-dir", root, "validate", "--target", manifest.target,
                    "--emulator", "--layers")
    assert code == 0, out
    for layer in manifest.layers:
        assert f" {layer['name']} " in out
    assert "every layer within its tolerance" in out and "PASS" in out
    assert (manifest.directory / "layers.png").read_bytes()[:4] == b"\x89PNG"
    saved = json.loads((manifest.directory / "layers.json").read_text())
    assert len(saved["rows"]) == len(manifest.layers) and saved["passed"]


@pytest.fixture(scope="module")
def faulty(config, model_file, tmp_path_factory):
    """A build whose emitted C adds BIAS_DELTA to one channel of the second conv's bias; the
    graph it records (and the host compares with) is the true one. Returns (manifest, name)."""
    target, precision = config
    victim = []

    def emit_with_a_wrong_bias(graph, plan, model_hash):
        convs = [node for node in graph.nodes if node.op == "conv2d" and len(node.inputs) > 2 and node.inputs[2]]
        node = convs[1]
        wrong = copy.deepcopy(graph)
        bias = wrong.constants[node.inputs[2]]
        bias[0] = (bias[0].astype(np.float64) + BIAS_DELTA).astype(bias.dtype)
        victim.append(node.name)
        return emit_c(wrong, plan, model_hash)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lower, "emit_c", emit_with_a_wrong_bias)
        built = build(str(model_file), target.name, tmp_path_factory.mktemp("faulty"), load_policy(precision))
    return built, victim[0]


def test_a_fault_in_one_kernel_is_named_at_that_layer(faulty):
    manifest, victim = faulty
    with open_board(manifest, emulator=True, port=None) as client:
        report = validate_layers(manifest, client, seed=3)
    assert not report.passed
    assert report.first_failure is not None and report.first_failure["name"] == victim, report.rows
    at = report.first_failure["index"]
    assert all(row["passed"] for row in report.rows[:at])
    assert report.first_failure["source"].endswith("self.conv2(h)")


def test_cli_names_the_faulty_layer_and_exits_1(faulty, capsys, wide_console):
    manifest, victim = faulty
    code, out = sdk(capsys, "--build-dir", manifest.directory.parent, "validate", "--target", manifest.target,
                    "--emulator", "--layers")
    assert code == 1, out
    assert f"first layer out of tolerance: {victim} (conv2d) at " in out and "FAIL" in out
    assert (manifest.directory / "layers.png").is_file()
