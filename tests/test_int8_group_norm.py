"""int8 group norm, concat and nearest upsample (codegen/int8/group_norm.py, the _s8/_i8 C
kernels): the C kernels give the numpy reference's bytes, and the integer group norm is
within a bound derived from its arithmetic of float group norm.

Group norm is EdgeDiff's own arithmetic (TFLite has no group norm), so there is no TFLite
Micro oracle: C == numpy byte for byte on random shapes and parameters (degenerate groups,
large groups, tiny and huge eps in input steps included), and the error against float
group norm of the same (dequantized) input is at most half an output step plus the
fixed-point terms the docstring of codegen/int8/group_norm.py lists."""

from __future__ import annotations

import ctypes
import math

import numpy as np
import pytest

from codegen.int8 import group_norm as gn
from codegen.kernels import INCLUDE_DIR, kernel_sources
from codegen.ops import group_norm as float_gn
from codegen.ops import upsample_nearest2d
from tests import int8_cases as cases
from tests.host_build import build_shared_library

pytestmark = pytest.mark.kernel

i32 = ctypes.c_int32
CASES = 300
MAX_CONCAT = 8


class GroupNormS8Params(ctypes.Structure):
    _fields_ = [(name, i32) for name in ("n", "channels", "spatial", "groups", "input_offset",
                                         "output_offset", "act_min", "act_max")] + [("eps_term", ctypes.c_int64)]


class ConcatParams(ctypes.Structure):
    _fields_ = [("outer", i32), ("count", i32), ("inner_sizes", i32 * MAX_CONCAT)]


class UpsampleParams(ctypes.Structure):
    _fields_ = [(name, i32) for name in ("n", "channels", "h_in", "w_in", "h_out", "w_out")]


@pytest.fixture(scope="module")
def lib(tmp_path_factory) -> ctypes.CDLL:
    tmp = tmp_path_factory.mktemp("int8_gn")
    sources = kernel_sources(["group_norm_s8", "concat_i8", "upsample_nearest2d_i8"])
    return ctypes.CDLL(str(build_shared_library(sources, [INCLUDE_DIR], tmp / "gn.so")))


def _ptr(a: np.ndarray):
    return a.ctypes.data_as(ctypes.c_void_p)


def _run_c(lib, x, groups, p: gn.GroupNormS8Params, q: dict) -> np.ndarray:
    n, c = x.shape[:2]
    cp = GroupNormS8Params(n, c, x[0, 0].size, groups, q["input_offset"], q["output_offset"],
                           q["act_min"], q["act_max"], p.eps_term)
    out = np.zeros_like(x)
    arrays = [np.ascontiguousarray(v, dtype=np.int32) for v in (p.multiplier, p.shift, p.bias)]
    lib.edgediff_group_norm_s8(ctypes.byref(cp), _ptr(x), *map(_ptr, arrays), _ptr(out))
    return out


def _random_case(rng):
    groups = int(rng.integers(1, 5))
    c = groups * int(rng.integers(1, 5))
    n = int(rng.integers(1, 3))
    spatial = tuple(int(rng.integers(1, 13)) for _ in range(int(rng.integers(1, 3))))
    x = cases.int8(rng, (n, c) + spatial)
    kind = rng.random()
    if kind < 0.1:  # constant groups: D = E (or 0 -> 1), every c = 0
        x[:] = int(rng.integers(-128, 128))
    elif kind < 0.3:  # a few distinct values: small variance, eps matters
        x = np.clip(x // 64 + int(rng.integers(-100, 100)), -128, 127).astype(np.int8)
    s_in = float(cases.log_uniform(rng, 1e-4, 1.0))
    s_out = float(cases.log_uniform(rng, 1e-3, 0.5))
    gamma = rng.normal(1.0, 0.5, c) * rng.choice([1, 1, 0.01, 10])
    gamma[rng.random(c) < 0.1] = 0.0
    beta = rng.normal(0.0, 0.5, c)
    eps = float(rng.choice([1e-5, 1e-6, 1e-3, 0.0, 1.0]))
    zi, zo = cases.zero_point(rng), cases.zero_point(rng)
    lo, hi = sorted(int(v) for v in rng.integers(-128, 128, 2))
    act = (-128, 127) if rng.random() < 0.7 else (lo, hi)
    q = dict(input_offset=-zi, output_offset=zo, act_min=act[0], act_max=act[1])
    group_size = c // groups * int(np.prod(spatial))
    return x, groups, (s_in, zi, s_out, zo, gamma, beta, eps), gn.params(s_in, s_out, gamma, beta, eps, group_size), q


def test_inv_sqrt_is_close_to_the_real_one():
    """The Newton iteration's result against 1/sqrt in double: relative error below 2^-28 from
    d = 1 to 2^62 (four steps from the line reach the truncation floor, ~2^-29.2)."""
    rng = np.random.default_rng(1560)
    ds = [1, 2, 3, (1 << 30) - 1, 1 << 30, (1 << 32) - 1, 1 << 32, 1 << 62]
    ds += [int(v) for v in rng.integers(1, 1 << 62, 5000)] + [int(v) for v in rng.integers(1, 1 << 20, 5000)]
    for d in ds:
        y, j = gn.inv_sqrt(d)
        assert abs(y * 2.0 ** (-46 - j) * math.sqrt(d) - 1.0) < 2.0 ** -28, d


def test_group_norm_kernel_matches_numpy(lib):
    rng = np.random.default_rng(1561)
    for i in range(CASES):
        x, groups, _, p, q = _random_case(rng)
        want = gn.group_norm(x, groups, p, **q)
        np.testing.assert_array_equal(_run_c(lib, x, groups, p, q), want, err_msg=f"case {i}: {x.shape} {q}")


def test_group_norm_kernel_matches_numpy_on_large_groups(lib):
    """Groups up to 2^16 elements: S2 beyond 2^32, D beyond 2^40, |c| near 2^25."""
    rng = np.random.default_rng(1562)
    for i in range(6):
        x = cases.int8(rng, (1, 4, 128, 128))
        x[:, :, ::3] = 127 * (i % 2 * 2 - 1)
        p = gn.params(0.01, 0.02, rng.normal(1, 0.3, 4), rng.normal(0, 0.3, 4), 1e-5, 4 * 128 * 128 // (1 + i % 2))
        q = dict(input_offset=int(rng.integers(-127, 128)), output_offset=0, act_min=-128, act_max=127)
        groups = 1 + i % 2
        np.testing.assert_array_equal(_run_c(lib, x, groups, p, q), gn.group_norm(x, groups, p, **q))


def test_group_norm_error_against_float_group_norm():
    """Against float group norm of the dequantized input, before the clamp: the last rounding
    (half an output step) plus the fixed-point terms, in output steps per element: v's
    rounding and the bias' (2 * 2^-8), n's rounding (|G| 2^-21, G = gamma / s_out), and
    relative errors on n * G: inv_sqrt (2^-28), the multiplier (2^-30), eps rounded to an
    integer E (|dD| <= 1/2, so a relative 1/(4D) on 1/sqrt(D))."""
    rng = np.random.default_rng(1563)
    worst = 0.0
    for _ in range(CASES):
        x, groups, (s_in, zi, s_out, zo, gamma, beta, eps), p, _ = _random_case(rng)
        got = gn.group_norm(x, groups, p, input_offset=-zi, output_offset=zo).astype(np.int64)
        xf = (s_in * (x.astype(np.float64) - zi)).astype(np.float32)
        want = float_gn.reference(xf, gamma, beta, {"groups": groups, "eps": eps}).astype(np.float64) / s_out
        # the float normalised value, for the relative terms
        n, c = x.shape[:2]
        xg = xf.astype(np.float64).reshape(n, groups, -1)
        d = (xg.var(axis=2, keepdims=True) / s_in ** 2 + eps / s_in ** 2) * xg.shape[2] ** 2
        norm = ((xg - xg.mean(axis=2, keepdims=True)) / np.sqrt(np.maximum(xg.var(axis=2, keepdims=True) + eps, 1e-300)))
        g = np.abs(gamma / s_out).reshape(1, c, *(1,) * (x.ndim - 2))
        rel = np.broadcast_to(2.0 ** -28 + 2.0 ** -30 + 1.0 / (4 * np.maximum(d, 1.0)), xg.shape).reshape(x.shape)
        bound = 0.5 + 2 * 2.0 ** -8 + g * 2.0 ** -21 + g * np.abs(norm.reshape(x.shape)) * rel + 1e-6 * np.abs(want)
        inside = (got > -128) & (got < 127)  # the clamp is not the arithmetic's error
        err = np.abs((got - zo) - want)
        if (d > 0.5).all() and inside.any():  # a constant group without eps is 0/0 in float
            assert (err[inside] <= bound[inside]).all(), (err - bound).max()
            worst = max(worst, float(err[inside].max(initial=0.0)))
    assert worst > 0.4  # the bound is not vacuous: the last rounding is reached


def test_concat_and_upsample_copy_bytes(lib):
    rng = np.random.default_rng(1564)
    for i in range(CASES):
        ndim = int(rng.integers(1, 5))
        base = [int(rng.integers(1, 6)) for _ in range(ndim)]
        axis = int(rng.integers(0, ndim))
        parts = []
        for _ in range(int(rng.integers(1, MAX_CONCAT + 1))):
            shape = list(base)
            shape[axis] = int(rng.integers(1, 6))
            parts.append(cases.int8(rng, shape))
        want = np.concatenate(parts, axis=axis)
        sizes = [int(np.prod(t.shape[axis:])) for t in parts] + [0] * (MAX_CONCAT - len(parts))
        p = ConcatParams(int(np.prod(base[:axis])), len(parts), tuple(sizes))
        ptrs = (ctypes.c_void_p * MAX_CONCAT)(*[t.ctypes.data for t in parts])
        out = np.zeros_like(want)
        lib.edgediff_concat_i8(ctypes.byref(p), ptrs, _ptr(out))
        np.testing.assert_array_equal(out, want, err_msg=f"concat {i}")

        n, c, h, w = (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 9)), int(rng.integers(1, 9)))
        h_out, w_out = (int(v * rng.choice([1, 2, 3])) if rng.random() < 0.7 else int(rng.integers(1, 27))
                        for v in (h, w))
        x = cases.int8(rng, (n, c, h, w))
        want = upsample_nearest2d.reference(x, {"size": [h_out, w_out]})
        out = np.zeros(want.shape, dtype=np.int8)
        lib.edgediff_upsample_nearest2d_i8(ctypes.byref(UpsampleParams(n, c, h, w, h_out, w_out)), _ptr(x), _ptr(out))
        np.testing.assert_array_equal(out, want, err_msg=f"upsample {i}")
