"""How far an elementwise kernel's float result may be from the exact value, per element,
derived from the float operations its C formula performs (kernels/include/edgediff/internal/
elementwise_math.h and kernels/ref/<op>_f32.c). Shared by tests/test_kernels_elementwise.py
(host, against torch) and tests/helpers/kernel_check.py (every emulated board).

The bound is for the FP32 computation; an FP16 kernel computes the same float value from
the widened (exact) half and rounds it once more, which the callers add. Notation: u = 2^-24
(unit roundoff), EPS32 = 2u; as in tests/test_kernels_ref.py, EPS32 is used where a
first-order analysis gives u, leaving a factor 2 for the O(u^2) terms. A libm call (expf,
logf, tanhf, erfcf, expm1f, log1pf, powf) is within LIBM_ULPS ulp of its exact result, one
ulp being <= EPS32 |y| for a normal result; below the normal range an ulp is 2^-149, so every
transcendental bound also carries an absolute floor of a few subnormal ulps.
"""

from __future__ import annotations

import numpy as np

EPS32 = 2.0 ** -23
SUBNORMAL_ULP = 2.0 ** -149
# glibc's and picolibc's float libm are within 1-2 ulp for these functions; 4 as in
# tests/helpers/kernel_check.py TRANSCENDENTAL_ULPS.
LIBM_ULPS = 4

# Results bit-equal to the correctly rounded value of the exact result: one IEEE operation
# (x * x, sqrt, 1 / x, a / b, x * slope), or none (neg, abs, clamp).
CORRECTLY_ROUNDED = {"neg", "abs", "clamp", "square", "sqrt", "reciprocal", "div", "leaky_relu"}


# Every op this module bounds (the elementwise cases of tests/cases/elementwise.py).
ELEMENTWISE_OPS = CORRECTLY_ROUNDED | {"rsqrt", "exp", "log", "tanh", "pow", "sigmoid", "elu",
                                       "hardswish", "mish", "gelu", "gelu_tanh"}


def relative_ulps(op: str, x: np.ndarray, attrs: dict) -> np.ndarray | float:
    """The error of the FP32 formula in units of EPS32 * |y|, for an input x (float64)."""
    L = LIBM_ULPS
    if op in CORRECTLY_ROUNDED:
        return 0.5  # one rounding: u = EPS32 / 2
    if op == "rsqrt":  # sqrtf, then the divide: two roundings
        return 1.0
    if op in ("exp", "log", "tanh", "pow"):  # one libm call
        return float(L)
    if op == "sigmoid":  # expf; 1 + e (its error damped by e / (1 + e) <= 1); the divide
        return L + 1.0
    if op == "elu":  # alpha * expm1f(x): the libm call and the product
        return np.where(x > 0, 0.0, L + 0.5)
    if op == "hardswish":  # x + 3, x * t, / 6: three roundings (the clamps are exact)
        return 1.5
    if op == "mish":
        # expf (L); log1p's condition e / ((1 + e) log1p(e)) <= 1 carries it, plus log1pf's
        # own L; tanh's condition 2s / sinh(2s) <= 1 carries both, plus tanhf's L; the product.
        return 3.0 * L + 0.5
    if op == "gelu":
        # erfcf(t) with t = fl(-x * fl(1/sqrt 2)): t is off by a relative 2u = EPS32, which
        # erfc turns into |t erfc'(t) / erfc(t)| EPS32 (large for x << 0); erfcf's own L ulp;
        # the product 0.5 x * erfc (0.5 x is exact) rounds once.
        t = -x / np.sqrt(2.0)
        with np.errstate(all="ignore"):
            cond = np.abs(t) * 2.0 / np.sqrt(np.pi) * np.exp(-t * t) / _erfc(t)
        return L + 0.5 + np.nan_to_num(cond, nan=0.0, posinf=1.0)
    if op == "gelu_tanh":
        # z = fl(c (x + fl(fl(fl(0.044715 x) x) x))): the three products, the sum (same-sign
        # terms, no cancellation), the constants and the last product put z off by a relative
        # <= 7u; e = expf(-2z) is then off by 14u |z| (argument) + L ulp, which 1 + e carries
        # damped by w = e / (1 + e); the add and the divide round once each.
        with np.errstate(all="ignore"):
            z = np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)
            w = 1.0 / (1.0 + np.exp(2.0 * z))
            arg = np.where(w == 0, 0.0, 7.0 * np.abs(z) * w)
        return np.minimum(L + 1.0 + np.nan_to_num(arg, nan=0.0, posinf=0.0), 2.0 ** 23)
    raise KeyError(f"no error bound for elementwise op {op!r}")


def _erfc(t: np.ndarray) -> np.ndarray:
    from math import erfc
    return np.vectorize(erfc, otypes=[np.float64])(t)


# The SIMD kernels of GELU (both forms) and sigmoid (codegen/kernels/{mve,rvv}/, method and
# constants in kernels/include/edgediff/internal/vector_gelu_consts.h) compute their own
# approximation, so they get their own bound, keyed by function name. In u = 2^-24 (the
# numbers are recomputed from the C constants by tests/test_vector_gelu_consts.py):
# - e^r: the reduced argument r carries 2 roundings (3 for GELU: the a^2 low part) of
#   |r| <= 0.39 and |n| |ln2 - hi - lo| <= 0.005 u, the polynomial's fit 0.68 u and its
#   Horner evaluation <= 1.58 u (sum |partial| |r|^k / |p|): VEXP_U (the GELU one + 0.39).
# - R = P4/Q5 (GELU): fit 0.39 u; sums of positive terms, each term at most 4 and 5
#   roundings deep in RVV's power form, 5 and 6 in MVE's Horner (it starts with the product
#   a P4, a Q5 + Q4); the quotient 1 u (RVV divide; MVE's residual-corrected Newton quotient
#   about as close, counted 1.5 u): 12.9 u.
VEXP_U = 3.1
RATIONAL_U = 0.39 + 5 + 6 + 1.5
SIMD_ISAS = ("mve", "rvv")


def _gelu_simd_ulps(x):
    """Q = R e^(-a^2/2) (the 2^(n+64) scaling exact) and one product: RATIONAL_U + VEXP_U +
    0.39 + 1 u. x < 0: x Q, one more product. x >= 0: x (1 - Q), 1 - Q rounds once and damps
    Q's error by Q / (1 - Q) <= 1, then the product: the larger, 2 u more."""
    q_u = RATIONAL_U + VEXP_U + 0.39 + 1.0
    return np.full_like(x, (q_u + 2.0) / 2.0)


def _sigmoid_parts(s):
    """w = e / (1 + e), e = e^-|s|: how much of e's error 1 + e carries."""
    with np.errstate(all="ignore"):
        e = np.exp(-np.abs(s))
    return e / (1.0 + e)


def _gelu_tanh_simd_ulps(x):
    """s = 2z = x (K1 + K3 x^2): K1, K3, x^2, the FMA and the product put s off by <= 4 u
    relative, which e = e^-|s| turns into 4 |s| u, plus VEXP_U. Then d = 1 + e (1 u, carries
    w e's error), the quotient by d (1 u; MVE: x times a Newton reciprocal, 3 u) and for
    x < 0 the product x e (1 u, and e's own error in full): 5 u + (4|s| + VEXP_U) u
    ([x < 0] + w)."""
    s = 2.0 * np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)
    with np.errstate(all="ignore"):
        arg = np.nan_to_num(4.0 * np.abs(s), nan=0.0, posinf=1e30)
    return (5.0 + (arg + VEXP_U) * ((x < 0) + _sigmoid_parts(s))) / 2.0


def _sigmoid_simd_ulps(x):
    """As gelu_tanh with s = x (exact) and numerator 1: 4 u + VEXP_U ([x < 0] + w)."""
    return (4.0 + VEXP_U * ((x < 0) + _sigmoid_parts(x))) / 2.0


# MVE's vector float instructions run with the architecture's standard FPSCR value, which
# flushes FP32 subnormal inputs and results to zero (FP16 follows FPSCR.FZ16, off): an FP32
# result below 2^-126 may come out as 0, an absolute error below the smallest normal float.
MVE_FLUSH_FLOOR = 2.0 ** -126

SIMD_RELATIVE_ULPS = {f"{op}_{dtype}_{isa}": fn
                      for op, fn in (("gelu", _gelu_simd_ulps), ("gelu_tanh", _gelu_tanh_simd_ulps),
                                     ("sigmoid", _sigmoid_simd_ulps))
                      for dtype in ("f32", "f16") for isa in SIMD_ISAS}


# 1 / FLT_MAX: where e^-x (sigmoid) or e^-2z (gelu_tanh) overflows to inf, the kernel's
# 1 / (1 + inf) is 0 while the exact result is below this (times |x| for gelu_tanh).
OVERFLOW_FLOOR = 2.0 ** -128


def fp32_bound(op: str, x: np.ndarray, y: np.ndarray, attrs: dict,
               function: str | None = None) -> np.ndarray:
    """|kernel - exact| allowed for the FP32 formula: relative ulps of |y| plus, for the
    transcendental ops, an absolute floor of LIBM_ULPS subnormal ulps times (1 + |x|) (a
    subnormal intermediate, e.g. e^x in mish or x e^x in gelu, scaled by x), and for
    sigmoid and gelu_tanh the results an overflowing exponential flushes to 0. A SIMD
    kernel (`function` in SIMD_RELATIVE_ULPS) has its own relative part."""
    x = np.asarray(x, dtype=np.float64)
    y = np.abs(np.asarray(y, dtype=np.float64))
    simd = SIMD_RELATIVE_ULPS.get(function)
    ulps = simd(x) if simd else relative_ulps(op, x, attrs)
    rel = ulps * EPS32 * y
    if op in CORRECTLY_ROUNDED:
        return rel
    with np.errstate(all="ignore"):
        floor = LIBM_ULPS * SUBNORMAL_ULP * (1.0 + np.minimum(np.abs(x), 1e30))
        if op == "sigmoid":
            floor = floor + OVERFLOW_FLOOR
        if op == "gelu_tanh":
            floor = floor + OVERFLOW_FLOOR * np.abs(x)
    if function in SIMD_RELATIVE_ULPS and function.endswith("_mve"):
        floor = floor + MVE_FLUSH_FLOOR
    return rel + floor
