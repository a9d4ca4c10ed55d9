"""PNG pictures where a person would rather look than read: input, torch, device, error."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sdk.verify.validate import PICTURE_ROWS, SampleRecord


def _image(x: np.ndarray) -> np.ndarray | None:
    """First channel of a [N, C, H, W] tensor as a 2-D image, or None if not an image."""
    return x[0, 0] if x.ndim == 4 and x.shape[2] > 1 and x.shape[3] > 1 else None


def save_validation_grid(records: list[SampleRecord], path: Path, rows: int = PICTURE_ROWS) -> Path | None:
    """One row per sample: input, torch output, device output, |device - torch|.
    Returns None (and writes nothing) when the model's tensors are not images."""
    records = records[:rows]
    if not records or _image(records[0].output) is None or _image(records[0].inputs[0]) is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(records), 4, figsize=(8, 2.1 * len(records)), squeeze=False)
    for row, rec in zip(axes, records):
        error = np.abs(rec.output - rec.reference)
        panels = [("input", _image(rec.inputs[0]), "gray"), ("torch", _image(rec.reference), "gray"),
                  ("device", _image(rec.output), "gray"),
                  (f"|device - torch|, max {error.max():.0e}", _image(error), "magma")]
        for ax, (title, img, cmap) in zip(row, panels):
            im = ax.imshow(img, cmap=cmap)
            ax.set_title(title, fontsize=8)
            ax.axis("off")
        fig.colorbar(im, ax=row[3], fraction=0.046)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
