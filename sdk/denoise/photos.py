"""The photos that ship with scikit-image (skimage.data: no download), as grayscale floats in
[0, 1], split once into training and held-out images."""

from __future__ import annotations

import numpy as np

from sdk.errors import UserError

TRAIN = ("camera", "astronaut", "coins", "page", "text", "brick", "grass", "gravel", "chelsea", "coffee")
HELD_OUT = ("moon", "clock", "rocket")


def _skimage():
    try:
        import skimage.data
        import skimage.color
    except ImportError:
        raise UserError("the photo denoiser needs scikit-image (its photos, metrics and classical "
                        "denoisers): pip install scikit-image") from None
    return skimage


def photo(name: str) -> np.ndarray:
    """One skimage.data image as 2-D float64 in [0, 1] (color ones converted to gray)."""
    ski = _skimage()
    image = getattr(ski.data, name)()
    if image.ndim == 3:
        image = ski.color.rgb2gray(image[..., :3])
    image = np.asarray(image, dtype=np.float64)
    return image / 255.0 if image.max() > 1.0 else image


def photos(names) -> list[np.ndarray]:
    return [photo(n) for n in names]
