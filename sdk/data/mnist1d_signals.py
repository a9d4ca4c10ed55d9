"""mnist1d (Greydanus 2020): 1-D signals of 10 classes, generated offline by the package."""

from __future__ import annotations

import numpy as np
import torch


def load_mnist1d() -> tuple[torch.Tensor, torch.Tensor]:
    """(signals [4000, 1, 40] scaled to [-1, 1], labels). Generation is seeded by the package
    defaults, so every call gives the same data."""
    from mnist1d.data import get_dataset_args, make_dataset

    data = make_dataset(get_dataset_args())
    x = np.asarray(data["x"], dtype=np.float32)
    x = x / np.abs(x).max()
    return torch.from_numpy(x)[:, None, :], torch.from_numpy(np.asarray(data["y"]))
