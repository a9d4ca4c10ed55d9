"""A model file that brings a diffusers scheduler: `sdk build` emits the on-board sampler
tabulated from it, and `sdk validate` checks the board's samples against diffusers' own loop
(scale_model_input, model, scheduler.step) from the same noise — for a scheduler that clips
(DDIM), one that scales the model input and the noise (Euler) and a multistep one (DPM-Solver++
2M, which keeps the previous step). A board whose sampler strays from the scheduler fails."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import codegen.emit_sampler as emit_sampler
from sdk.cli import main
from tests.helpers.tools import require_target

pytestmark = [pytest.mark.hil, pytest.mark.slow]

MODEL = """
import torch
from diffusers import {scheduler}
from sdk.models.unet import TinyUNet

torch.manual_seed(0)
model = TinyUNet(in_channels=1, width=8, mults=(1, 2), emb_dim=16, groups=4)
example_input = (torch.randn(1, 1, 8, 8), torch.tensor([10.0]))
scheduler = {scheduler}({config})
num_inference_steps = 5
"""


def model_file(directory: Path, scheduler: str, config: str = "") -> Path:
    path = directory / "model.py"
    path.write_text(MODEL.format(scheduler=scheduler, config=config))
    return path


def build_and_validate(tmp_path: Path, target: str, model: Path) -> tuple[int, dict]:
    root = str(tmp_path / "build")
    assert main(["--build-dir", root, "build", "--target", target, "--model", str(model)]) == 0
    code = main(["--build-dir", root, "validate", "--target", target, "--emulator", "--samples", "2"])
    return code, json.loads((tmp_path / "build" / target / "validate.json").read_text())


@pytest.mark.parametrize("target,scheduler,config", [
    ("host", "DDIMScheduler", ""),
    ("host", "EulerDiscreteScheduler", "prediction_type='v_prediction'"),
    ("host", "DPMSolverMultistepScheduler", ""),
    ("rv32", "DPMSolverMultistepScheduler", "prediction_type='v_prediction'"),
])
def test_board_samples_follow_the_schedulers_own_loop(tmp_path, target, scheduler, config):
    require_target(target)
    code, report = build_and_validate(tmp_path, target, model_file(tmp_path, scheduler, config))
    sampler = report["sampler"]
    assert code == 0 and report["passed"] and sampler["passed"], sampler
    assert sampler["kind"] == "tabulated" and sampler["steps"] == 5 and sampler["samples"] == 2


def test_a_sampler_that_strays_from_the_scheduler_fails(tmp_path, monkeypatch):
    """The board's C sampler is emitted 1% off diffusers' DPM-Solver (the build's plan and
    fingerprint stay right); validation compares with scheduler.step itself, so it fails."""
    real = emit_sampler.tabulated_source

    def off_by_one_percent(plan, x_input):
        rows = tuple((*row[:6], row[6] * 1.01, *row[7:]) for row in plan.coefficients)
        return real(dataclasses.replace(plan, coefficients=rows), x_input)

    model = model_file(tmp_path, "DPMSolverMultistepScheduler")
    monkeypatch.setattr(emit_sampler, "tabulated_source", off_by_one_percent)
    root = str(tmp_path / "build")
    assert main(["--build-dir", root, "build", "--target", "host", "--model", str(model)]) == 0
    code = main(["--build-dir", root, "validate", "--target", "host", "--emulator", "--samples", "2"])
    report = json.loads((tmp_path / "build" / "host" / "validate.json").read_text())
    assert code == 1 and not report["sampler"]["passed"]
