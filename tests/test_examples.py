"""The examples run as a user runs them: examples/digits_diffusion/run.sh end to end and
examples/diffusers_unet (train.py, then the sdk commands of its README),
shrunk (few training steps, the host board) so the suite stays fast; the pipeline, the
files it hands from step to step and the board samples are what is under test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.kernel, pytest.mark.hil, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent


def test_digits_diffusion_runs_teacher_to_board_samples(tmp_path):
    env = dict(os.environ, SDK=f"{sys.executable} -m sdk.cli", OUT=str(tmp_path), TARGET="host",
               PRECISION="fp32", TRAIN_STEPS="20", DISTILL_ITERATIONS="2", EVAL_N="32", IMAGES="3")
    result = subprocess.run(["sh", str(REPO / "examples" / "digits_diffusion" / "run.sh")], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    students = sorted(p.name for p in (tmp_path / "students").glob("*.pt"))
    assert students == [f"student_{n}steps.pt" for n in (16, 32, 4, 8)]
    samples = np.load(tmp_path / "board_samples.npy")
    assert samples.shape == (3, 1, 16, 16) and np.abs(samples).max() <= 1
    assert (tmp_path / "host_samples.png").is_file() and "PASS" in result.stdout


def test_diffusers_unet_example_trains_builds_and_samples_on_the_board(tmp_path):
    """examples/diffusers_unet as its README runs it, shrunk: train.py for a few steps (its
    weights land next to model.py, in a copy of the example), then `sdk build`, `sdk generate`
    and `sdk validate` on the host board, which checks the board's samples against diffusers'
    own DPM-Solver loop."""
    example = tmp_path / "diffusers_unet"
    shutil.copytree(REPO / "examples" / "diffusers_unet", example,
                    ignore=shutil.ignore_patterns("unet.pt", "__pycache__", "*.md"))
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")

    def run(*command: str) -> str:
        result = subprocess.run([sys.executable, *command], cwd=REPO, env=env, capture_output=True,
                                text=True, timeout=900)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result.stdout

    run(str(example / "train.py"), "--steps", "3", "--batch", "8")
    assert (example / "unet.pt").is_file()
    sdk = ("-m", "sdk.cli", "--build-dir", str(tmp_path / "build"))
    built = run(*sdk, "build", "--target", "host", "--model", str(example / "model.py"))
    assert "random weights" not in built  # model.py found the weights train.py saved
    run(*sdk, "generate", "--target", "host", "--n", "2")
    samples = np.load(tmp_path / "build" / "host" / "samples.npy")
    assert samples.shape == (2, 1, 16, 16) and np.isfinite(samples).all()
    run(*sdk, "validate", "--target", "host", "--emulator", "--samples", "2")
    report = json.loads((tmp_path / "build" / "host" / "validate.json").read_text())
    assert report["passed"] and report["sampler"]["passed"] and report["sampler"]["steps"] == 8
