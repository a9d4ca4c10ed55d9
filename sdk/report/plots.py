"""PNG pictures where a person would rather look than read: input, torch, device, error
(for a diffusion build: the sampler's state and the clean image each side's output stands for)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sdk.verify.validate import PICTURE_ROWS, SampleRecord


def _image(x: np.ndarray) -> np.ndarray | None:
    """First channel of a [N, C, H, W] tensor as a 2-D image, or None if not an image."""
    return x[0, 0] if x.ndim == 4 and x.shape[2] > 1 and x.shape[3] > 1 else None


def _x0_estimate(sampler, inputs: tuple[np.ndarray, ...], output: np.ndarray) -> np.ndarray:
    """The clean image a diffusion model's output (ε, v or flow velocity) stands for at the
    sampler's state and step: the x̂0 the sampler computes from it, clipped as it clips."""
    import torch

    from sdk.diffusion.trajectories import predicted_x0

    x, step = (torch.from_numpy(np.asarray(a, dtype=np.float32)) for a in inputs)
    t = torch.full((x.shape[0],), float(sampler.times[int(step.reshape(-1)[0])]))
    return predicted_x0(sampler.prediction, torch.from_numpy(output).float(), x, t, clip=True).numpy()


def _panels(rec: SampleRecord, sampler) -> list[tuple[str, np.ndarray, dict]]:
    """(title, image, imshow options) of one row: the input, what torch and the device make
    of it, and where they differ. A diffusion build (sampler: its SamplerPlan) shows the
    sampler's state and the clean-image estimate behind each side's output instead of the
    raw ε / v, both computed by the same formula, so a trained model shows a digit. A
    scheduler's plan (tabulated) shows the raw outputs: not every scheduler has an estimate."""
    if sampler is None or sampler.kind == "tabulated":
        torch_side, device = rec.reference, rec.output
        names = ("input", "torch", "device")
        scale = {"vmin": float(np.nanmin(torch_side)), "vmax": float(np.nanmax(torch_side))}
    else:
        step = int(rec.inputs[1].reshape(-1)[0])
        torch_side = _x0_estimate(sampler, rec.inputs, rec.reference)
        device = _x0_estimate(sampler, rec.inputs, rec.output)
        names = (f"noisy state, step {step + 1}/{sampler.steps}", "torch: clean estimate x̂0",
                 "device: clean estimate x̂0")
        scale = {"vmin": -1.0, "vmax": 1.0}
    error = np.abs(device - torch_side)
    finite = error[np.isfinite(error)]
    largest = f"max {finite.max():.1e}" if finite.size else "max -"
    if finite.size < error.size:  # the rest is NaN/inf: say so instead of a misleading max
        largest += f", {error.size - finite.size} NaN/inf"
    return [(names[0], _image(rec.inputs[0]), {"cmap": "gray"}),
            (names[1], _image(torch_side), {"cmap": "gray", **scale}),
            (names[2], _image(device), {"cmap": "gray", **scale}),
            (f"|device − torch|\n{largest}", _image(error), {"cmap": "magma", "vmin": 0.0})]


def save_validation_grid(records: list[SampleRecord], path: Path, rows: int = PICTURE_ROWS,
                         sampler=None) -> Path | None:
    """One row per sample: input, torch output, device output, |device - torch| (for a
    diffusion build, `sampler` its SamplerPlan: the state and both clean-image estimates).
    Returns None (and writes nothing) when the model's tensors are not images."""
    records = records[:rows]
    if not records or _image(records[0].output) is None or _image(records[0].inputs[0]) is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FormatStrFormatter

    fig, axes = plt.subplots(len(records), 4, figsize=(8.6, 2.3 * len(records)), squeeze=False,
                             layout="constrained")
    for row, rec in zip(axes, records):
        for ax, (title, img, style) in zip(row, _panels(rec, sampler)):
            im = ax.imshow(img, **style)
            ax.set_title(title, fontsize=8)
            ax.axis("off")
        # tick labels carry their exponent (no "1e−6" offset text above the bar); the constrained
        # layout keeps the two-line title clear of the bar
        bar = fig.colorbar(im, ax=row[3], fraction=0.046, format=FormatStrFormatter("%.2g"))
        bar.ax.tick_params(labelsize=7)
    if sampler is not None:
        fig.suptitle(f"each row: a sample at one step of the {sampler.steps}-step sampler (from fresh noise) "
                     "→ the clean digit torch and the device read from it", fontsize=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
