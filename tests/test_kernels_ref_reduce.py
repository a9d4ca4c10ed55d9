"""The reduction, softmax, layer norm and pooling reference kernels against torch on random
shapes, FP32 and FP16, called through ctypes from the host library tests/test_kernels_ref.py
builds. Bounds are derived from the float arithmetic each kernel does (the FP16 kernels do
the same float arithmetic on widened halves and round once on store, which assert_result
adds)."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.test_kernels_ref import (  # noqa: F401 (lib is a fixture)
    ACT_NONE, ACT_RELU, ACT_SILU, DTYPES, EPS32, MAX_RANK, POINTER_TYPE, act64,
    act_tolerance, assert_result, group_norm_bound, kernel, lib, params_repr, ptr, t64, tensor)

pytestmark = pytest.mark.kernel

i32 = ctypes.c_int32
REDUCE_MODES = {"sum": 0, "mean": 1, "var": 2}
# expf in glibc is within 1 ulp; 4 ulps (2 * EPS32 relative) leaves room for any libm.
EXP_REL = 2 * EPS32
# Below 2^-126 float results are subnormal: a rounding there errs by up to half the
# subnormal spacing, 2^-150, absolute rather than relative.
SUBNORMAL_HALF_ULP = 2.0 ** -150


class ReduceParams(ctypes.Structure):
    _fields_ = [("in_shape", i32 * MAX_RANK), ("reduce", i32 * MAX_RANK), ("mode", i32),
                ("correction", i32)]


class SoftmaxParams(ctypes.Structure):
    _fields_ = [("outer", i32), ("size", i32), ("inner", i32)]


class LayerNormParams(ctypes.Structure):
    _fields_ = [("outer", i32), ("size", i32), ("inner", i32), ("eps", ctypes.c_float),
                ("act", ctypes.c_int)]


class Pool2dParams(ctypes.Structure):
    _fields_ = [(name, i32) for name in (
        "planes", "h_in", "w_in", "h_out", "w_out", "kernel_h", "kernel_w", "stride_h",
        "stride_w", "pad_h", "pad_w", "count_include_pad", "divisor_override")]


def typed(lib, op: str, dtype, params_type, tensors: int):
    """The kernel with its ctypes signature: params, then `tensors` tensor pointers."""
    function = kernel(lib, op, dtype)
    function.argtypes = [ctypes.POINTER(params_type), *[POINTER_TYPE[dtype]] * tensors]
    function.restype = None
    return function


# ---------------------------------------------------------------------------- reduce


def reduce_bound(x: torch.Tensor, dims: tuple[int, ...], mode: str, correction: int) -> np.ndarray:
    """Recursive float summation of M terms errs by <= M * EPS32 * sum|x| (Higham 3.5, as
    dot_bound). mean: the sum times fl(1/M), two more roundings: (M + 2) EPS32 mean|x|.
    var: two passes as group_norm_bound: (M + 5) EPS32 var relative for the subtract,
    square, sum and divide, plus M dm^2 / (M - c) from the computed mean's error dm."""
    m = int(np.prod([x.shape[d] for d in dims]))
    abs_mean = x.abs().mean(dims)
    if mode == "sum":
        return (m * EPS32 * x.abs().sum(dims)).numpy()
    dm = (m + 2) * EPS32 * abs_mean
    if mode == "mean":
        return dm.numpy()
    var = x.var(dims, correction=correction)
    return ((m + 5) * EPS32 * var + m * dm ** 2 / (m - correction)).numpy()


@pytest.mark.parametrize("dtype", DTYPES)
def test_reduce_matches_torch(lib, dtype):
    rng = np.random.default_rng(11)
    for case in range(48):
        mode = list(REDUCE_MODES)[case % 3]
        shape = tuple(int(s) for s in rng.integers(1, 7, size=MAX_RANK))
        flags = rng.integers(0, 2, size=MAX_RANK)
        if not flags.any():
            flags[int(rng.integers(0, MAX_RANK))] = 1
        dims = tuple(int(d) for d in np.flatnonzero(flags))
        correction = int(case % 2) if mode == "var" else 0
        if mode == "var" and np.prod([shape[d] for d in dims]) <= correction:
            correction = 0
        offset = 50.0 if case % 4 == 1 else 0.0  # a two-pass variance survives an offset
        x = tensor(offset + 3 * rng.standard_normal(shape), dtype)
        out_shape = tuple(1 if flags[k] else shape[k] for k in range(MAX_RANK))
        out = np.full(out_shape, np.nan, dtype=dtype)

        params = ReduceParams((i32 * MAX_RANK)(*shape), (i32 * MAX_RANK)(*flags),
                              REDUCE_MODES[mode], correction)
        typed(lib, "reduce", dtype, ReduceParams, 2)(ctypes.byref(params), ptr(x), ptr(out))

        x64 = t64(x)
        if mode == "var":
            ref = x64.var(dims, correction=correction, keepdim=True)
        else:
            ref = getattr(x64, mode)(dims, keepdim=True)
        bound = reduce_bound(x64, dims, mode, correction).reshape(out_shape)
        assert_result(out, ref.numpy(), bound, f"reduce {mode} {params_repr(params)}")


# ---------------------------------------------------------------------------- softmax


def softmax_bound(x: torch.Tensor, dim: int, y: torch.Tensor) -> np.ndarray:
    """Each e_i = expf(x_i - max): the subtraction errs by u |x_i - max| <= u * range (an
    absolute error of the exponent, so relative in e_i), expf by EXP_REL. The sum of `size`
    such terms adds size * EPS32 relative, the divide one rounding: y_i (2 (u range +
    EXP_REL) + (size + 1) EPS32), plus two roundings (expf's and the quotient's) of at most
    SUBNORMAL_HALF_ULP each where they land in the subnormal range."""
    size = x.shape[dim]
    spread = x.amax(dim, keepdim=True) - x.amin(dim, keepdim=True)
    return (y * (2 * (EPS32 / 2 * spread + EXP_REL) + (size + 1) * EPS32)).numpy() \
        + 2 * SUBNORMAL_HALF_ULP


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_matches_torch_and_never_overflows(lib, dtype):
    rng = np.random.default_rng(12)
    for case in range(30):
        outer, size, inner = (int(v) for v in rng.integers(1, 9, size=3))
        # every third case has logits of several hundred: exp overflows float unless the
        # max is subtracted first
        scale = 300.0 if dtype is np.float32 and case % 3 == 0 else 4.0
        x = tensor(scale * rng.standard_normal((outer, size, inner)), dtype)
        out = np.full_like(x, np.nan)
        params = SoftmaxParams(outer, size, inner)
        typed(lib, "softmax", dtype, SoftmaxParams, 2)(ctypes.byref(params), ptr(x), ptr(out))
        ref = torch.softmax(t64(x), 1)
        assert_result(out, ref.numpy(), softmax_bound(t64(x), 1, ref),
                      f"softmax {params_repr(params)}")


# ---------------------------------------------------------------------------- layer norm


@pytest.mark.parametrize("dtype", DTYPES)
def test_layer_norm_matches_torch(lib, dtype):
    """Over the last dim (inner 1, nn.LayerNorm) and over the channels of an image at each
    pixel (inner = H * W), with and without gamma/beta and fused activations."""
    rng = np.random.default_rng(13)
    for case in range(36):
        act = (ACT_NONE, ACT_RELU, ACT_SILU)[case % 3]
        affine = case % 4 != 3
        outer, size = int(rng.integers(1, 4)), int(rng.integers(1, 33))
        inner = 1 if case % 2 == 0 else int(rng.integers(1, 17))
        eps = float(rng.choice((1e-6, 1e-5, 1e-3)))
        offset = 100.0 if case % 3 == 1 else 0.0
        x = tensor(offset + 2 * rng.standard_normal((outer, size, inner)), dtype)
        gamma = tensor(rng.standard_normal(size), dtype) if affine else None
        beta = tensor(rng.standard_normal(size), dtype) if affine else None
        out = np.full_like(x, np.nan)
        params = LayerNormParams(outer, size, inner, eps, act)
        typed(lib, "layer_norm", dtype, LayerNormParams, 4)(
            ctypes.byref(params), ptr(x), ptr(gamma), ptr(beta), ptr(out))

        eps32 = float(np.float32(eps))
        rows = t64(x).permute(0, 2, 1)  # [outer, inner, size]: torch normalises the last dim
        pre = F.layer_norm(rows, (size,), t64(gamma), t64(beta), eps32).permute(0, 2, 1)
        ref = act64(pre, act).numpy()
        # group_norm_bound with one group over `size` values, gamma applied per position
        per_row = group_norm_bound(rows.reshape(-1, 1, size), 1, None, eps32)
        # a row of one value has variance 0, where the bound's dm^2 / var term is 0 * inf:
        # but its mean is that value exactly (one term times fl(1/1) = 1), so x - mean is 0
        # and the output is exactly beta
        per_row = np.where(size == 1, 0.0, per_row)
        per_row = per_row.reshape(outer, inner, size).transpose(0, 2, 1)
        gamma_abs = np.ones(size) if gamma is None else np.abs(gamma.astype(np.float64))
        bound = per_row * gamma_abs.reshape(1, -1, 1) + EPS32 * np.abs(pre.numpy())
        bound = act_tolerance(bound, ref, act)
        assert_result(out, ref, bound, f"layer_norm {params_repr(params)} affine={affine}")


# ---------------------------------------------------------------------------- pooling


def pool_case(rng):
    """Random 2-D or 1-D (h = 1) pooling parameters torch accepts (pad <= kernel / 2)."""
    one_d = bool(rng.integers(0, 2))
    kh, kw = (1 if one_d else int(rng.integers(1, 4))), int(rng.integers(1, 4))
    sh, sw = (1 if one_d else int(rng.integers(1, 3))), int(rng.integers(1, 3))
    ph, pw = (0 if one_d else int(rng.integers(0, kh // 2 + 1))), int(rng.integers(0, kw // 2 + 1))
    h, w = (1 if one_d else int(rng.integers(kh, 9))), int(rng.integers(kw, 11))
    return dict(kernel=(kh, kw), stride=(sh, sw), padding=(ph, pw), h=h, w=w,
                ceil_mode=bool(rng.integers(0, 2)), count_include_pad=bool(rng.integers(0, 2)))


def run_pool(lib, op, dtype, x, c, ref_shape, divisor=0):
    planes = x.shape[0] * x.shape[1]
    out = np.full(ref_shape, np.nan, dtype=dtype)
    params = Pool2dParams(planes, c["h"], c["w"], ref_shape[2], ref_shape[3], *c["kernel"],
                          *c["stride"], *c["padding"], int(c["count_include_pad"]), divisor)
    typed(lib, op, dtype, Pool2dParams, 2)(ctypes.byref(params), ptr(x), ptr(out))
    return out, params


@pytest.mark.parametrize("dtype", DTYPES)
def test_avg_pool_matches_torch(lib, dtype):
    """Sum of K window terms then a divide: (K + 1) EPS32 * (window sum|x|) / divisor."""
    rng = np.random.default_rng(14)
    for case in range(40):
        c = pool_case(rng)
        divisor = int(rng.integers(1, 7)) if case % 5 == 4 else None
        x = tensor(2 * rng.standard_normal((int(rng.integers(1, 3)), 3, c["h"], c["w"])), dtype)
        args = dict(kernel_size=c["kernel"], stride=c["stride"], padding=c["padding"],
                    ceil_mode=c["ceil_mode"], count_include_pad=c["count_include_pad"],
                    divisor_override=divisor)
        ref = F.avg_pool2d(t64(x), **args)
        out, params = run_pool(lib, "avg_pool2d", dtype, x, c, tuple(ref.shape), divisor or 0)
        terms = c["kernel"][0] * c["kernel"][1]
        bound = (terms + 1) * EPS32 * F.avg_pool2d(t64(x).abs(), **args)
        assert_result(out, ref.numpy(), bound.numpy(), f"avg_pool2d {params_repr(params)}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_pool_is_exact(lib, dtype):
    rng = np.random.default_rng(15)
    for _ in range(40):
        c = pool_case(rng)
        x = tensor(2 * rng.standard_normal((int(rng.integers(1, 3)), 3, c["h"], c["w"])), dtype)
        ref = F.max_pool2d(t64(x), c["kernel"], c["stride"], c["padding"], ceil_mode=c["ceil_mode"])
        out, params = run_pool(lib, "max_pool2d", dtype, x, c, tuple(ref.shape))
        assert np.array_equal(out, ref.numpy().astype(dtype)), f"max_pool2d {params_repr(params)}"


def test_max_pool_propagates_nan_like_torch(lib):
    x = tensor([[[[1.0, np.nan, 3.0, 2.0]]]], np.float32)
    c = dict(kernel=(1, 2), stride=(1, 2), padding=(0, 0), h=1, w=4, count_include_pad=True)
    out, _ = run_pool(lib, "max_pool2d", np.float32, x, c, (1, 1, 1, 2))
    ref = F.max_pool2d(torch.from_numpy(x), (1, 2)).numpy()
    assert np.isnan(out[0, 0, 0, 0]) and np.isnan(ref[0, 0, 0, 0]) and out[0, 0, 0, 1] == 3.0
