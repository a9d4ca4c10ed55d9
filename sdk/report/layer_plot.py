"""build/<target>/layers.png: each layer's error against its own limit (sdk validate --layers),
so where a build leaves its tolerance, and how the error grows before that, is seen at once."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

FLOOR = 1e-6  # an exact layer (error 0) is drawn here on the log axis


def save_layer_plot(rows: list[dict], path: Path, title: str) -> Path:
    """One point per layer: error / limit on a log axis, 1 (the limit) as a line; layers out of
    their limit in red, the first of them marked and named; rows not judged in grey."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    x = np.arange(len(rows))
    ratio = np.array([_ratio(row) for row in rows])
    colors = ["0.6" if not row["judged"] else ("tab:green" if row["passed"] else "tab:red") for row in rows]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.16 * len(rows) + 2.0), 3.6), layout="constrained")
    ax.plot(x, ratio, color="0.75", linewidth=0.8, zorder=1)
    ax.scatter(x, ratio, c=colors, s=18, zorder=2)
    ax.axhline(1.0, color="tab:red", linestyle="--", linewidth=0.8, label="derived limit")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("layer (as `sdk bench` numbers them)")
    ax.set_ylabel("max error / scale ÷ limit")
    first = next((row for row in rows if row["judged"] and not row["passed"]), None)
    if first is not None:
        at = first["index"]
        ax.scatter([at], [ratio[at]], s=120, facecolors="none", edgecolors="tab:red", linewidths=1.5, zorder=3)
        ax.annotate(f"first out of tolerance:\n{first['name']} ({first['op']})", (at, ratio[at]),
                    textcoords="offset points", xytext=(8, -24 if ratio[at] > 10 else 8), fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8, loc="upper left")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _ratio(row: dict) -> float:
    """error / limit for the plot: inf and NaN (a non-finite value) drawn far above the line."""
    if row["limit"] == 0:  # integer tensors: any difference is out
        return FLOOR if row["error_rel"] == 0 else 1e3
    value = row["error_rel"] / row["limit"]
    if row["nonfinite_elements"] or not math.isfinite(value):
        return 1e6
    return max(value, FLOOR)
