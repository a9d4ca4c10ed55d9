"""Arena sharing end to end: the zoo UNet and a diffusers UNet2DModel, whose up blocks
concatenate skips made long before, built with group norms in place and concats written
by their producers into their slices, then validated against torch on the board (host
and rv32, FP32 and FP16), with every layer's output read back from its arena offset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sdk.compile.build import build
from sdk.compile.precision import load_policy
from sdk.runner.board import open_board
from sdk.verify.layers import validate_layers
from sdk.verify.validate import validate
from tests.helpers.tools import require_target

pytestmark = [pytest.mark.kernel, pytest.mark.hil, pytest.mark.slow]

DIFFUSERS_UNET = Path(__file__).resolve().parent / "fixtures" / "diffusers_unet" / "model.py"
CONFIGS = [(model, target, precision) for model in ("unet", "diffusers")
           for target in ("host", "rv32") for precision in ("fp32", "fp16")]


@pytest.fixture(scope="module", params=CONFIGS, ids=lambda c: "-".join(c))
def manifest(request, tmp_path_factory):
    model, target, precision = request.param
    if model == "diffusers":
        pytest.importorskip("diffusers")
    target = require_target(target)
    ref = "unet" if model == "unet" else str(DIFFUSERS_UNET)
    return build(ref, target.name, tmp_path_factory.mktemp("build"), load_policy(precision))


def test_shared_arena_is_smaller_and_the_model_matches_torch(manifest):
    assert manifest.arena_lower_bound_bytes <= manifest.arena_bytes < manifest.arena_baseline_bytes
    assert manifest.arena_baseline_lower_bound_bytes <= manifest.arena_baseline_bytes
    elided = json.loads((manifest.directory / "gen" / "plan.json").read_text())["elided_concats"]
    assert len(elided) >= 2 and not set(elided) & {layer["name"] for layer in manifest.layers}
    with open_board(manifest, emulator=True, port=None) as client:
        report, _ = validate(manifest, client, samples=2, seed=14)
        layers = validate_layers(manifest, client, seed=14)
    assert report.passed, report.per_sample
    assert layers.passed, layers.first_failure
    assert [row["name"] for row in layers.rows] == [layer["name"] for layer in manifest.layers]
