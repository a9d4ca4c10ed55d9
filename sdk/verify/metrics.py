"""Error measures between a device output and the torch reference, and their NaN-safe
summary over a validation set.

A NaN or ±inf where the other side is finite (or a different non-finite value) is a wrong
output whatever the errors elsewhere: compare() counts those elements and lets them make
the errors NaN or inf, and the reductions below keep a NaN wherever it comes (Python's
max() drops a NaN that follows a number, which once turned such a set into a PASS).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


def compare(output: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """max/mean abs error, max error relative to the output scale (max |ref|), PSNR with the
    reference's dynamic range as peak (inf when identical), and the non-finite elements:
    nonfinite_elements where device and torch disagree (NaN or ±inf on one side only, or
    different non-finite values; they make the errors NaN or inf), nonfinite_device and
    nonfinite_torch on each side. The same non-finite value on both sides counts as equal;
    scale and peak come from the finite reference values."""
    out, ref = output.astype(np.float64), reference.astype(np.float64)
    same = (out == ref) | (np.isnan(out) & np.isnan(ref))
    finite_ref = ref[np.isfinite(ref)]
    with np.errstate(invalid="ignore"):
        diff = np.where(same, 0.0, out - ref)
    scale = output_scale(reference)
    peak = float(finite_ref.max(initial=0.0) - finite_ref.min(initial=0.0)) or scale
    mse = float(np.mean(diff ** 2))
    psnr = math.inf if mse == 0 else 10 * math.log10(peak ** 2 / mse) if math.isfinite(mse) else math.nan
    return {
        "max_abs_error": float(np.abs(diff).max()),
        "mean_abs_error": float(np.abs(diff).mean()),
        "max_rel_error": float(np.abs(diff).max()) / scale,
        "psnr_db": psnr,
        "nonfinite_elements": int((~same & ~(np.isfinite(out) & np.isfinite(ref))).sum()),
        "nonfinite_device": int((~np.isfinite(out)).sum()),
        "nonfinite_torch": int((~np.isfinite(ref)).sum()),
    }


def output_scale(reference: np.ndarray) -> float:
    """What errors are relative to: max |reference| over its finite values (1 when all are 0)."""
    ref = np.asarray(reference, dtype=np.float64)
    return float(np.abs(ref[np.isfinite(ref)]).max(initial=0.0)) or 1.0


def nan_max(values: Iterable[float]) -> float:
    """The largest value; NaN if any is NaN."""
    values = list(values)
    return math.nan if any(math.isnan(v) for v in values) else max(values)


def nan_min(values: Iterable[float]) -> float:
    """The smallest value; NaN if any is NaN."""
    values = list(values)
    return math.nan if any(math.isnan(v) for v in values) else min(values)


def first_nonfinite(rows: list[dict], output: str) -> dict | None:
    """The first row (compare()'s keys plus its "index" or "seed") whose device and torch
    values disagree on non-finite elements, as what a report names; None if there is none."""
    for row in rows:
        if row["nonfinite_elements"]:
            where = {k: row[k] for k in ("index", "seed") if k in row}
            return {**where, "output": output, "elements": row["nonfinite_elements"],
                    "device": row["nonfinite_device"], "torch": row["nonfinite_torch"],
                    "samples": sum(1 for r in rows if r["nonfinite_elements"])}
    return None


def summarize(per_sample: list[dict], output: str) -> dict:
    """A validation set's errors from its per-sample compare() results, NaN-safe: the
    ValidationReport fields max/mean abs error, max relative error, worst PSNR, the total of
    non-finite mismatches and the first sample that has any (first_nonfinite)."""
    return {
        "max_abs_error": nan_max(s["max_abs_error"] for s in per_sample),
        "mean_abs_error": float(np.mean([s["mean_abs_error"] for s in per_sample])),
        "max_rel_error": nan_max(s["max_rel_error"] for s in per_sample),
        "min_psnr_db": nan_min(s["psnr_db"] for s in per_sample),
        "nonfinite_elements": sum(s["nonfinite_elements"] for s in per_sample),
        "first_nonfinite": first_nonfinite(per_sample, output),
    }
