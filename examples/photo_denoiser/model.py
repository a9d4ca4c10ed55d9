"""`sdk build --model examples/photo_denoiser/model.py`: the trained photo denoiser (train.py
writes dncnn_photos.pt; EDGEDIFF_DENOISER names another checkpoint) on 64x64 crops. Its
untiled FP32 arena is 512 KiB: on NUCLEO-F446RE (128 KiB) `sdk build` runs it in bands."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from sdk.denoise.train import load_denoiser

SIZE = 64
CHECKPOINT = Path(os.environ.get("EDGEDIFF_DENOISER", Path(__file__).with_name("dncnn_photos.pt")))

config, model = load_denoiser(CHECKPOINT)
example_input = torch.zeros(1, 1, SIZE, SIZE)


def sample_inputs(n: int, seed: int) -> list[tuple[torch.Tensor]]:
    """Noisy crops (sigma 25) of smooth random images, for `sdk validate`: it compares the
    board with torch on any input; the photos are evaluate.py's."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        clean = rng.random((4, 4))
        clean = np.kron(clean, np.ones((SIZE // 4, SIZE // 4)))
        noisy = clean + rng.normal(0, 25 / 255, clean.shape)
        out.append((torch.from_numpy(noisy.astype(np.float32))[None, None],))
    return out
