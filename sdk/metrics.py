"""Error measures between a device output and the torch reference."""

from __future__ import annotations

import math

import numpy as np


def compare(output: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """max/mean abs error, max error relative to the output scale (max |ref|), and PSNR
    with the reference's dynamic range as peak (inf when identical)."""
    diff = output.astype(np.float64) - reference.astype(np.float64)
    scale = float(np.abs(reference).max()) or 1.0
    peak = float(reference.max() - reference.min()) or scale
    mse = float(np.mean(diff ** 2))
    return {
        "max_abs_error": float(np.abs(diff).max()),
        "mean_abs_error": float(np.abs(diff).mean()),
        "max_rel_error": float(np.abs(diff).max()) / scale,
        "psnr_db": math.inf if mse == 0 else 10 * math.log10(peak ** 2 / mse),
    }
