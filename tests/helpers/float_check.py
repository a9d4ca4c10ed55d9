"""A kernel's FP32 or FP16 output against the exact (float64) result and an error bound of
its float computation, and the wide-range inputs such checks use. For the elementwise kernel
tests (tests/test_kernels_elementwise.py); the same rules as tests/test_kernels_ref.py's
assert_result: an FP32 kernel stores its float result, an FP16 kernel rounds it once more,
which is checked exactly (rounding is monotonic): fl16(ref - bound) <= got <= fl16(ref + bound).
"""

from __future__ import annotations

import math

import numpy as np


def wide_inputs(rng: np.random.Generator, dtype) -> np.ndarray:
    """Moderate values, large magnitudes, the format's edges (±0, ±tiny, ±max, subnormals)
    and magnitudes spread log-uniformly over the whole format."""
    info = np.finfo(dtype)
    big, tiny, smallest = float(info.max), float(info.tiny), float(info.smallest_subnormal)
    edges = [0.0, -0.0, 1e-30, -1e-30, 88.0, -88.0, 88.8, -88.8, 100.0, -100.0, 1e4, -1e4,
             big, -big, tiny, -tiny, smallest, -smallest]
    spread = 2.0 ** rng.uniform(math.log2(smallest), math.log2(big), 200)
    values = np.concatenate([rng.standard_normal(500) * 4, rng.uniform(-1e5, 1e5, 300),
                             rng.standard_normal(200) * 1e20, spread * rng.choice((-1.0, 1.0), 200),
                             edges])
    with np.errstate(over="ignore"):
        return np.ascontiguousarray(np.clip(values, -big, big), dtype=dtype)


def assert_within_bound(got: np.ndarray, ref: np.ndarray, bound, what: str) -> None:
    """got (float32 or float16) within `bound` of the float64 ref, plus for float16 the one
    final rounding; every output finite."""
    assert np.all(np.isfinite(got)), f"{what}: non-finite output at {np.argwhere(~np.isfinite(got))[:3]}"
    ref = np.asarray(ref, dtype=np.float64)
    bound = np.broadcast_to(np.asarray(bound, dtype=np.float64), ref.shape)
    if got.dtype == np.float16:
        with np.errstate(over="ignore"):
            lo, hi = (ref - bound).astype(np.float16), (ref + bound).astype(np.float16)
        bad = ~((lo <= got) & (got <= hi))
    else:
        bad = ~(np.abs(got.astype(np.float64) - ref) <= bound)
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        raise AssertionError(f"{what}: {int(bad.sum())} of {bad.size} outside the bound, first at "
                             f"{i}: got {got[i]!r}, want {ref[i]!r} ± {bound[i]:.3e}")
