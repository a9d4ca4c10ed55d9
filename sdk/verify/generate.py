"""`sdk generate` as a library: images made on the board by its own sampler and noise
generator, each compared with the host sampler's from the same noise
(sdk/verify/host_sample.py), so the grid comes with how far the board is from torch."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from sdk.compile.manifest import BuildManifest
from sdk.diffusion.quality import save_grid
from sdk.errors import UserError
from sdk.models import load_model
from sdk.runner.board_sampling import BoardSample, board_samples
from sdk.runner.client import DeviceClient
from sdk.verify.host_sample import host_sample
from sdk.verify.metrics import compare, first_nonfinite, nan_max


@dataclass
class Generated:
    made: list[BoardSample]
    compared: list[dict]  # per seed: compare(board, host)

    @property
    def samples(self) -> np.ndarray:
        return np.stack([m.sample[0] for m in self.made])

    @property
    def max_abs_error(self) -> float:
        return nan_max(c["max_abs_error"] for c in self.compared)

    @property
    def first_nonfinite(self) -> dict | None:
        return first_nonfinite(self.compared, "sample")

    @property
    def passed(self) -> bool:
        """No NaN/inf where the host sampler has a number (or the reverse): a grid to trust."""
        return self.first_nonfinite is None

    @property
    def instructions_per_image(self) -> int:
        return int(statistics.median(m.instructions for m in self.made))


def require_sampler(manifest: BuildManifest) -> None:
    """A build without an on-board sampler cannot generate: say what to build instead."""
    if not manifest.sampler:
        raise UserError(f"the {manifest.target} build ({manifest.model_name}) has no sampler: build a "
                        f"diffusion checkpoint, e.g. `sdk build --target {manifest.target} --model "
                        "build/students/student_4steps.pt`")


def generate(manifest: BuildManifest, client: DeviceClient, n: int, seed: int) -> Generated:
    """n images from seeds seed.. seed+n-1 on the board, and their distance to the host's."""
    require_sampler(manifest)
    made = board_samples(client, manifest.sampler["steps"], n, seed)
    spec = load_model(manifest.model)
    shape = tuple(manifest.inputs[0]["shape"])
    host = [host_sample(spec.module, spec.sampler, m.seed, shape).sample for m in made]
    return Generated(made, [{"seed": m.seed, **compare(m.sample, h)} for m, h in zip(made, host)])


def save_samples(generated: Generated, png: Path) -> None:
    """The grid as png and the samples beside it as .npy."""
    samples = generated.samples
    save_grid(torch.from_numpy(samples), png)
    np.save(png.with_suffix(".npy"), samples)
