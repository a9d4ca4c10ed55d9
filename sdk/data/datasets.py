"""Training sets by name, all shipped with installed packages (no downloads)."""

from __future__ import annotations

import torch

from sdk.data.digits import load_digits_images
from sdk.errors import UserError


def load_dataset(name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(samples scaled to [-1, 1], integer labels). digits8/digits16: scikit-learn's 1797
    handwritten digits at 8x8 or upsampled to 16x16; mnist1d: 4000 generated 1-D signals."""
    if name == "digits8":
        return load_digits_images(8)
    if name == "digits16":
        return load_digits_images(16)
    if name == "mnist1d":
        from sdk.data.mnist1d_signals import load_mnist1d

        return load_mnist1d()
    raise UserError(f"unknown dataset {name!r}; known: digits8, digits16, mnist1d")
