"""The exp the SIMD attention kernels use for softmax numerators, emulated in numpy float32
with the constants read from the kernel headers, against float64 e^x on x <= 0: the error
that tests/helpers/attention_bound.py allows for (EXP_ULPS * 2^-24 relative) must cover it.

Both are n = round(x log2 e), r = x - n ln2 (two-constant Cody-Waite), a degree-6
polynomial of r by fused multiply-adds, times 2^n: edgediff_mve_exp_neg_f32 (kernels_mve.h)
and edgediff_rvv_exp_nonpositive (internal/attention_rvv.h, the SiLU constants of
kernels_rvv.h); and the scalar FPU kernels' edgediff_fpu_exp_neg (internal/fpu_math.h, the
SiLU constants of EDGEDIFF_FPU_SILU_SETUP) in both its forms: Horner (RISC-V) and Estrin's
grouping (Arm VFP). A fused multiply-add is emulated exactly enough in float64 (the product of
two floats is exact there; the sum rounds twice, at most half a float ulp apart from once,
far below the margin)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from codegen.kernels.registry import INCLUDE_DIR
from tests.helpers.attention_bound import EXP_ULPS, UNIT_ROUNDOFF_F32

pytestmark = pytest.mark.unit

HEADERS = INCLUDE_DIR / "edgediff"
FLOAT = r"(-?[0-9.]+(?:e[-+]?[0-9]+)?)f"


def _fma(a, b, c):
    """a * b + c rounded once to float32 (a, b float32 scalars or arrays)."""
    return (np.asarray(a, np.float64) * np.asarray(b, np.float64) + np.float64(c)
            if np.ndim(c) == 0 else
            np.asarray(a, np.float64) * np.asarray(b, np.float64) + c.astype(np.float64)
            ).astype(np.float32)


def _mve_constants() -> list[float]:
    """The float literals of edgediff_mve_exp_neg_f32, in source order."""
    source = (HEADERS / "kernels_mve.h").read_text()
    body = re.search(r"edgediff_mve_exp_neg_f32\(float32x4_t x\) \{(.*?)\n\}", source, re.S).group(1)
    return [float(v) for v in re.findall(FLOAT, body)]


def _rvv_constant(name: str) -> float:
    source = (HEADERS / "kernels_rvv.h").read_text()
    return float(re.search(rf"#define EDGEDIFF_RVV_{name} \(?{FLOAT}", source).group(1))


def mve_exp(x: np.ndarray) -> np.ndarray:
    clamp, log2e, ln2_hi, ln2_lo, *poly = map(np.float32, _mve_constants())
    x = np.maximum(x, clamp)
    n = np.rint(x * log2e).astype(np.float32)
    r = _fma(ln2_hi, n, x)  # the source spells vfmaq_n_f32(x, n, -ln2_hi)
    r = _fma(ln2_lo, n, r)
    q = np.full_like(x, poly[0])
    for c in poly[1:]:  # vfmasq_n_f32(q, r, c) = q * r + c
        q = _fma(q, r, c)
    return (q.view(np.int32) + (n.astype(np.int32) << 23)).view(np.float32)


def rvv_exp(x: np.ndarray) -> np.ndarray:
    c = {name: np.float32(_rvv_constant(name))
         for name in ("LOG2E", "LN2_HI", "LN2_LO", "EXP_C2", "EXP_C3", "EXP_C4", "EXP_C5", "EXP_C6")}
    x = np.maximum(x, np.float32(-87.0))
    n = np.rint(x * c["LOG2E"]).astype(np.float32)
    r = _fma(-c["LN2_HI"], n, x)
    r = _fma(-c["LN2_LO"], n, r)
    q = np.full_like(x, c["EXP_C6"])
    for coefficient in (c["EXP_C5"], c["EXP_C4"], c["EXP_C3"], c["EXP_C2"], 1.0, 1.0):
        q = _fma(q, r, coefficient)
    # vfmul by the float whose exponent field is n + 127: exact, the same as adding n << 23
    return (q.astype(np.float64) * np.exp2(n.astype(np.float64))).astype(np.float32)


def _fpu_constants() -> list[float]:
    """EDGEDIFF_FPU_SILU_SETUP's constants: lo, hi, -log2 e, 1.5 * 2^23, ln2 head and tail,
    c6 .. c2, 1."""
    source = (HEADERS / "internal" / "fpu_math.h").read_text()
    body = re.search(r"edgediff_fpu_silu_k_t silu_k_ = \{(.*?)\};", source, re.S).group(1)
    return [float(v) for v in re.findall(FLOAT, body.replace("\\", ""))]


def _fpu_exp(x: np.ndarray, estrin: bool) -> np.ndarray:
    """edgediff_fpu_exp_neg(-x): e^x for x <= 0."""
    _, hi, nlog2e, _, ln2_hi, ln2_lo, c6, c5, c4, c3, c2, one = map(np.float32, _fpu_constants())
    round_b = np.float32(12583039.0)  # 1.5 * 2^23 + 127, the function's rounding constant
    xc = np.minimum(-x, hi)
    shifted = _fma(xc, nlog2e, round_b)
    n = (shifted - round_b).astype(np.float32)
    m = _fma(n, ln2_hi, xc)
    m = _fma(n, ln2_lo, m)
    if estrin:
        r2 = (m * m).astype(np.float32)
        lo = _fma(-m, c3, c2)
        up = _fma(r2, c6, _fma(-m, c5, c4))
        lo = _fma(r2, up, lo)
        q = _fma(r2, lo, (one - m).astype(np.float32))
    else:
        q = _fma(-m, c6, c5)
        for c in (c4, c3, c2, one, one):
            q = _fma(-m, q, c)
    # the low bits of `shifted` are n + 127: the exponent field of 2^n
    two_n = ((shifted.view(np.int32) << 23)).view(np.float32)
    return (q * two_n).astype(np.float32)


def fpu_exp_horner(x: np.ndarray) -> np.ndarray:
    return _fpu_exp(x, estrin=False)


def fpu_exp_estrin(x: np.ndarray) -> np.ndarray:
    return _fpu_exp(x, estrin=True)


@pytest.mark.parametrize("exp", [mve_exp, rvv_exp, fpu_exp_horner, fpu_exp_estrin],
                         ids=["mve", "rvv", "fpu-riscv", "fpu-arm"])
def test_simd_exp_is_within_the_attention_bound(exp):
    rng = np.random.default_rng(0)
    x = np.concatenate([np.linspace(-86, 0, 2_000_001, dtype=np.float32),
                        -rng.exponential(3.0, 1_000_000).astype(np.float32)])
    x = x[x > -86]
    want = np.exp(x.astype(np.float64))
    relative = np.abs(exp(x).astype(np.float64) - want) / want
    assert relative.max() <= EXP_ULPS * UNIT_ROUNDOFF_F32, relative.max() / UNIT_ROUNDOFF_F32
    assert exp(np.array([0.0], np.float32))[0] == 1.0  # the row's maximum: its numerator is 1
