"""The examples run as a user runs them: examples/digits_diffusion/run.sh end to end,
shrunk (few training steps, the host board) so the suite stays fast; the pipeline, the
files it hands from step to step and the board samples are what is under test."""

from __future__ import annotations

import os
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
