"""Training and test pairs: Gaussian noise of sigma on the 0..255 scale added to images in
[0, 1], random square crops for training."""

from __future__ import annotations

import numpy as np

SIGMA = 25.0  # on 0..255, the DnCNN paper's standard level


def add_noise(image: np.ndarray, rng: np.random.Generator, sigma: float = SIGMA) -> np.ndarray:
    """image + N(0, (sigma / 255)^2), float32, not clipped (what a sensor's noise model gives
    the network; the scores clip nothing either)."""
    return (image + rng.normal(0.0, sigma / 255.0, image.shape)).astype(np.float32)


def random_crops(images: list[np.ndarray], size: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """count crops of size x size, each from an image drawn uniformly, at a uniform position,
    flipped and rotated by a random multiple of 90 degrees: [count, 1, size, size] float32."""
    out = np.empty((count, 1, size, size), np.float32)
    for i in range(count):
        image = images[rng.integers(len(images))]
        y, x = rng.integers(image.shape[0] - size + 1), rng.integers(image.shape[1] - size + 1)
        crop = np.rot90(image[y:y + size, x:x + size], int(rng.integers(4)))
        out[i, 0] = crop[:, ::-1] if rng.integers(2) else crop
    return out


def center_crops(image: np.ndarray, size: int, count: int) -> list[np.ndarray]:
    """count crops of size x size along the image's diagonal (evaluation: fixed, no randomness)."""
    h, w = image.shape
    steps = [i / max(count - 1, 1) for i in range(count)]
    return [image[int(s * (h - size)):int(s * (h - size)) + size, int(s * (w - size)):int(s * (w - size)) + size]
            for s in steps]
