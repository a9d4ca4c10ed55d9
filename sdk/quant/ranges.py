"""A tensor's int8 range: one that covers the calls a model will see, not only the calibration set.

The min/max envelope of N calibration inputs is exceeded by a fresh input from the same
distribution with probability 1/(N+1) per tensor and side, whatever the distribution (the
largest of N+1 exchangeable draws is any one of them with equal chance), so M inputs reach
past it with probability M/(N+M): 20% per tensor-side for `sdk validate`'s 16 inputs against
64 calibration inputs. Inputs carrying Gaussian noise have no bound, and neither do the
per-input statistics of a network (a norm's variance, a conv's strongest response), so a
value past the range is clipped, which costs far more than rounding: on the zoo dncnn one
input pixel 0.18 past the range costs 6 output steps, where rounding stays within one.

So each side of a range is extrapolated from the calibration set's per-input extremes with
extreme-value theory's peaks over threshold: above the (k+1)-th largest of the N per-input
maxima (k = N/16, at least 8), the excesses are taken as exponential, their mean beta
estimated by the top k's mean excess, so P(max > threshold + y) = (k/N)·exp(-y/beta), and
the range ends where one call in COVERED_CALLS reaches beyond it. A tensor with a bound
(a clean image's ±1, a ReLU's 0) has excesses near zero and keeps its envelope; the range is
never narrower than the envelope, and a side that never crossed zero does not cross it.

A percentile range (narrower than the envelope) does the opposite: on the zoo models it
makes clipping more frequent, not less (docs/MOBILE_INT8.md, "Ranges").
"""

from __future__ import annotations

import math

import numpy as np

COVERED_CALLS = 100_000  # sdk validate's largest run (sdk/cli/commands.py MAX_SAMPLES)
TAIL_FRACTION = 16  # k = N / TAIL_FRACTION of the per-input extremes form the tail
MIN_TAIL = 8  # fewer than this many excesses estimate nothing: the envelope stands


def covered_range(mins: np.ndarray, maxs: np.ndarray,
                  calls: int = COVERED_CALLS) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of a tensor from its per-input (min, max), stacked on axis 0 (one row per
    calibration input; the rest of the shape is the quantizer's, e.g. per channel)."""
    mins, maxs = np.asarray(mins, np.float64), np.asarray(maxs, np.float64)
    low, high = -_tail(-mins, calls), _tail(maxs, calls)
    low = np.where(mins.min(axis=0) >= 0, np.maximum(low, 0.0), low)
    high = np.where(maxs.max(axis=0) <= 0, np.minimum(high, 0.0), high)
    return low, high


def _tail(extremes: np.ndarray, calls: int) -> np.ndarray:
    """The level one call in `calls` exceeds, from per-input maxima (axis 0), at least their max."""
    n = extremes.shape[0]
    top = -np.sort(-extremes, axis=0)  # descending
    k = max(MIN_TAIL, n // TAIL_FRACTION)
    if k >= n:
        return top[0]
    threshold = top[k]
    beta = (top[:k] - threshold).mean(axis=0)
    level = threshold + beta * math.log(k * calls / n)
    return np.maximum(top[0], level)
