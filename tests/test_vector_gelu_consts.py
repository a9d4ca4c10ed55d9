"""The constants of the SIMD GELU and sigmoid kernels (kernels/include/edgediff/internal/
vector_gelu_consts.h) against the error budget tests/helpers/elementwise_bounds.py charges
them: the rational fit of erfc's scaled tail, the e^r polynomial's fit and Horner rounding,
the ln2 split and the Newton reciprocal's start are recomputed from the C header, so
changing a constant there either keeps the kernels within their board-test bounds or fails
here first. The SIMD kernels themselves only run on the boards
(tests/test_kernels_target_ops.py)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy.special import erfcx

from codegen.kernels import INCLUDE_DIR
from tests.helpers import elementwise_bounds as eb

pytestmark = [pytest.mark.unit]

U = 2.0 ** -24
LN2 = math.log(2.0)


def _consts() -> dict[str, float]:
    text = (INCLUDE_DIR / "edgediff" / "internal" / "vector_gelu_consts.h").read_text()
    pattern = r"#define EDGEDIFF_VG_(\w+) \(?([-+0-9.e]+)f\)?"
    return {k: float(np.float32(v)) for k, v in re.findall(pattern, text)}


C = _consts()


def _exp_coefficients() -> list[float]:
    return [1.0, 1.0] + [C[f"EXP_C{k}"] for k in range(2, 7)]


def _reduced_range() -> np.ndarray:
    """r after the reduction: |r| <= ln2/2, plus slack for n = round(fl(t log2 e)) (t up to
    113, so fl(t log2 e) is off by < 2^-17)."""
    edge = LN2 / 2 + 1e-5
    return np.linspace(-edge, edge, 100001)


def test_exp_polynomial_fit_and_rounding_within_the_budget():
    c, r = _exp_coefficients(), _reduced_range()
    p = np.polyval(c[::-1], r)
    fit = np.abs(p / np.exp(r) - 1).max() / U
    q, running = np.full_like(r, c[-1]), np.zeros_like(r)
    for k in range(len(c) - 2, -1, -1):  # FMA Horner: one rounding of each partial q_k
        q = c[k] + r * q
        running += np.abs(q) * np.abs(r) ** k
    horner = (running / np.abs(p)).max()
    split = 163 * abs(LN2 - C["LN2_HI"] - C["LN2_LO"]) / U
    # two roundings of r before it is final (|t - n ln2_hi| <= ln2/2 + 163 |ln2_lo| < 0.39);
    # the GELU's third (its a^2 low part) is charged apart
    assert LN2 / 2 + 163 * abs(C["LN2_LO"]) < 0.39
    reduction = 2 * 0.39
    assert fit < 0.7 and horner < 1.6 and split < 0.01
    assert fit + horner + split + reduction <= eb.VEXP_U


def test_ln2_split_makes_n_ln2_hi_exact():
    hi = C["LN2_HI"]
    assert hi * 512 == int(hi * 512)  # 9 significant bits: n * hi exact for |n| < 2^15


def test_rational_fit_of_the_normal_tail():
    a = C["GELU_A_MAX"] * (1 - np.cos(np.linspace(0, np.pi, 200001))) / 2
    p = np.polyval([C[f"P{k}"] for k in range(4, -1, -1)], a)
    q = np.polyval([C[f"Q{k}"] for k in range(5, -1, -1)], a)
    assert all(C[f"P{k}"] > 0 for k in range(5)) and all(C[f"Q{k}"] > 0 for k in range(6))
    fit = np.abs(p / q / (0.5 * erfcx(a / math.sqrt(2))) - 1).max() / U
    assert fit < 0.4
    assert fit + 5 + 6 + 1.5 <= eb.RATIONAL_U  # rounding depths (MVE's Horner), the quotient


def test_tails_clamped_where_results_underflow():
    """Beyond the clamps the exact results are below half the smallest subnormal."""
    tiny = 2.0 ** -150
    a = C["GELU_A_MAX"]
    assert a * 0.5 * math.erfc(a / math.sqrt(2)) < tiny
    assert math.exp(-C["SIG_MAX"]) < tiny
    assert C["X_MAX"] * math.exp(-C["S_MAX"]) < tiny
    text = (INCLUDE_DIR / "edgediff" / "internal" / "vector_gelu_consts.h").read_text()
    bias = eval(re.search(r"#define EDGEDIFF_VG_EXP_BIAS \(([0-9 +]+)\)", text).group(1))
    for t in (a * a / 2, C["S_MAX"], C["SIG_MAX"]):  # 2^(n + 64): a normal float's exponent
        assert 1 <= -round(t / LN2) + bias <= 254


def test_gelu_tanh_constants():
    k1 = 2 * math.sqrt(2 / math.pi)
    assert abs(C["K1"] / k1 - 1) <= U and abs(C["K3"] / (0.044715 * k1) - 1) <= U
    assert C["TWO_M64"] == 2.0 ** -64


def test_newton_reciprocal_start():
    """The bit-trick start of MVE's divide is within 1/8 over the denominators Q5 takes, so
    three Newton steps leave < 1e-9 before rounding."""
    d = np.geomspace(1.0, 2.0e4, 200001).astype(np.float32)
    y0 = (np.uint32(0x7EF311C3) - d.view(np.uint32)).view(np.float32).astype(np.float64)
    e0 = np.abs(y0 * d - 1).max()
    assert e0 < 0.125 and e0 ** 8 < 1e-9
