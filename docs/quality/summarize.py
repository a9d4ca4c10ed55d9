"""Print the docs/QUALITY.md table rows from `sdk eval --json` files named <row>_s<seed>.json.

    python docs/quality/summarize.py build/quality teacher_50 pd_4 pd_2 ...

Each row: the mean over seeds and the spread (min–max) of FD, KID and confidence.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path


def row(directory: Path, name: str) -> str:
    runs = [json.loads(p.read_text()) for p in sorted(directory.glob(f"{name}_s*.json"))]
    if not runs:
        raise SystemExit(f"no {name}_s*.json in {directory}")

    def stat(key: str, digits: int) -> str:
        values = [r[key] for r in runs]
        return f"{statistics.mean(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"

    seeds = ",".join(str(r["seed"]) for r in runs)
    return (f"| {name} | {runs[0]['steps']} | {stat('fd', 3)} | {stat('kid', 4)} | {stat('confidence', 3)} "
            f"| {min(r['classes_covered'] for r in runs)} | {max(r['memorised_fraction'] for r in runs):.3f} "
            f"| {seeds} |")


if __name__ == "__main__":
    directory = Path(sys.argv[1])
    for name in sys.argv[2:]:
        print(row(directory, name))
