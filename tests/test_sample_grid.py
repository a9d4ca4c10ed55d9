"""`sdk generate`'s sample grid (sdk/diffusion/quality.py save_grid) for the sample shapes a
user's own diffusers model makes: before, a 2-channel 8×8 UNet2DModel's samples crashed
`sdk generate` with a matplotlib traceback after the board had made them (a [2, 8, 8]
sample was drawn as a curve)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from sdk.diffusion.quality import save_grid

pytestmark = [pytest.mark.unit]


@pytest.mark.parametrize("shape", [(3, 1, 8, 8), (3, 2, 8, 8), (2, 3, 8, 8), (2, 4, 8, 8),
                                   (3, 2, 16), (3, 1, 1, 16), (2, 1, 16)],
                         ids=["grey", "2-channel", "rgb", "latent-4", "signal-2ch", "signal-h1", "signal"])
def test_grid_of_every_sample_shape_is_a_png(tmp_path, shape):
    samples = torch.from_numpy(np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32))
    path = save_grid(samples, tmp_path / "grid.png")
    assert Image.open(path).size[0] > 0
