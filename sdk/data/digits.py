"""The 8x8 handwritten digits from scikit-learn, optionally upsampled, scaled to [-1, 1]."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def load_digits_images(size: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (images [N,1,size,size] in [-1,1], labels [N]); 1797 samples."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = torch.from_numpy(digits.images.astype(np.float32) / 16.0)[:, None]
    if size != 8:
        images = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)
    return images * 2.0 - 1.0, torch.from_numpy(digits.target)
