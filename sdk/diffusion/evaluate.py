"""`sdk eval` as a library: the samples to score (drawn from a checkpoint with its sampler, or
loaded from a .npy made elsewhere, e.g. on a board by `sdk generate`) and their quality
report (sdk/diffusion/quality.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from sdk.diffusion import sampling
from sdk.diffusion.checkpoint import load_checkpoint
from sdk.diffusion.quality import QualityReport, eval_cache_dir, evaluate_samples
from sdk.diffusion.trajectories import DEFAULT_STEPS
from sdk.errors import UserError


@dataclass
class Evaluation:
    samples: torch.Tensor
    how: str  # where the samples came from, for the report's title
    steps: int | None  # sampling steps used (None: samples loaded from a file)
    report: QualityReport


def evaluate_checkpoint(checkpoint: Path, n: int, steps: int | None, seed: int,
                        samples_file: Path | None = None) -> Evaluation:
    """Score n samples of checkpoint (steps: its own sampling_steps by default) from seed, or
    the samples in samples_file, which must have the checkpoint's sample shape."""
    ckpt, config, model = load_checkpoint(checkpoint)
    if samples_file:
        samples = torch.from_numpy(np.load(samples_file)).float()
        if tuple(samples.shape[1:]) != config.sample_shape:
            raise UserError(f"{samples_file} holds samples shaped {tuple(samples.shape[1:])}, "
                            f"{checkpoint} makes {config.sample_shape}")
        how = f"samples from {samples_file}"
    else:
        steps = steps or ckpt.get("sampling_steps", DEFAULT_STEPS)
        noise = torch.randn((n, *config.sample_shape), generator=torch.Generator().manual_seed(seed))
        try:
            plan = sampling.plan_for(config.prediction, steps)
        except ValueError as e:
            raise UserError(str(e)) from None
        samples = sampling.sample(model, plan, noise)
        how = f"{checkpoint} ({steps} {plan.kind} steps, seed {seed})"
    if config.dataset == "mnist1d":
        samples = samples[:, :, 0, :]
    return Evaluation(samples, how, steps, evaluate_samples(samples, config.dataset, eval_cache_dir()))
