"""The width-8 v-prediction TinyUNet the distillation and binarization tests start from:
small enough to train, distill and build in seconds on one core."""

from __future__ import annotations

from pathlib import Path

import torch

from sdk.diffusion.train import TeacherConfig, save_checkpoint

TINY = dict(width=8, mults=[1, 2], emb_dim=16, groups=4, prediction="v")


def untrained_student(directory: Path) -> Path:
    """An untrained model saved as a 2-step distilled student (only shapes matter)."""
    torch.manual_seed(0)
    config = TeacherConfig(**TINY)
    return save_checkpoint(directory / "student_2steps.pt", config, config.make_model(), "student",
                           sampling_steps=2, method="progressive")
