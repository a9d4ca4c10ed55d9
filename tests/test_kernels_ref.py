"""Reference C kernels checked against torch, plus kernel source selection.

The kernels are compiled once into a host shared library and called through ctypes with
the same parameter structs the generated code uses. Random cases are seeded so failures
reproduce. Tolerances are derived from float32 error analysis, never tuned; the
derivations sit next to the helpers that compute them.
"""

from __future__ import annotations

import ctypes
import itertools
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from codegen.kernels import INCLUDE_DIR, REF_DIR, all_reference_functions, select_kernel_sources

C_FLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-Wdouble-promotion"]
RISCV_FLAGS = [
    "--target=riscv32-unknown-elf",
    "-march=rv32imafc_zfh_zbb",
    "-mabi=ilp32f",
    "-ffreestanding",
    "-isystem",
    "/usr/lib/picolibc/riscv64-unknown-elf/include",
]

# Unit roundoff u = 2^-24; EPS32 = 2u is the float32 machine epsilon. Using EPS32 where the
# first-order analysis gives u leaves a factor 2 for the neglected O(u^2) terms.
EPS32 = float(np.finfo(np.float32).eps)
# max |silu'(x)| (attained near x = 2.4): how far an error in the pre-activation can grow.
SILU_LIPSCHITZ = 1.1
# x / (1 + e^-x) in float: expf (<= 1 ulp = 2u), the add (u, damped by e/(1+e) <= 1 for the
# expf error) and the divide (u) give <= 4u = 2*EPS32 relative; doubled for O(u^2).
SILU_REL = 4 * EPS32
# Once -x > ln(FLT_MAX) ~ 88.72, expf overflows and silu returns -0, while the exact
# |silu(x)| <= 88.72 * e^-88.72 < 3e-37: the only place the relative bound cannot hold.
SILU_ABS = 3e-37

ACT_NONE, ACT_RELU, ACT_SILU = 0, 1, 2
ACTS = (ACT_NONE, ACT_RELU, ACT_SILU)
MAX_RANK = 4
MAX_CONCAT = 8

c_float_p = ctypes.POINTER(ctypes.c_float)
i32 = ctypes.c_int32
act_t = ctypes.c_int  # edgediff_act_t: a plain int-sized enum on the host ABI


class Conv2dParams(ctypes.Structure):
    _fields_ = [(name, i32) for name in (
        "n", "c_in", "h_in", "w_in", "c_out", "h_out", "w_out", "kernel_h", "kernel_w",
        "stride_h", "stride_w", "pad_h", "pad_w", "dilation_h", "dilation_w", "groups",
    )] + [("act", act_t)]


class LinearParams(ctypes.Structure):
    _fields_ = [("rows", i32), ("in_features", i32), ("out_features", i32), ("act", act_t)]


class GroupNormParams(ctypes.Structure):
    _fields_ = [("n", i32), ("channels", i32), ("spatial", i32), ("groups", i32),
                ("eps", ctypes.c_float), ("act", act_t)]


class BinaryParams(ctypes.Structure):
    _fields_ = [("out_shape", i32 * MAX_RANK), ("a_strides", i32 * MAX_RANK),
                ("b_strides", i32 * MAX_RANK), ("act", act_t)]


class ConcatParams(ctypes.Structure):
    _fields_ = [("outer", i32), ("count", i32), ("inner_sizes", i32 * MAX_CONCAT)]


class UpsampleParams(ctypes.Structure):
    _fields_ = [(name, i32) for name in ("n", "channels", "h_in", "w_in", "h_out", "w_out")]


SIGNATURES = {
    "conv2d_f32": [ctypes.POINTER(Conv2dParams), c_float_p, c_float_p, c_float_p, c_float_p],
    "linear_f32": [ctypes.POINTER(LinearParams), c_float_p, c_float_p, c_float_p, c_float_p],
    "group_norm_f32": [ctypes.POINTER(GroupNormParams), c_float_p, c_float_p, c_float_p,
                       c_float_p],
    "add_f32": [ctypes.POINTER(BinaryParams), c_float_p, c_float_p, c_float_p],
    "sub_f32": [ctypes.POINTER(BinaryParams), c_float_p, c_float_p, c_float_p],
    "mul_f32": [ctypes.POINTER(BinaryParams), c_float_p, c_float_p, c_float_p],
    "concat_f32": [ctypes.POINTER(ConcatParams), ctypes.POINTER(c_float_p), c_float_p],
    "upsample_nearest2d_f32": [ctypes.POINTER(UpsampleParams), c_float_p, c_float_p],
    **{name: [c_float_p, c_float_p, i32]
       for name in ("silu_f32", "relu_f32", "sin_f32", "cos_f32", "copy_f32")},
}


@pytest.fixture(scope="session")
def lib(tmp_path_factory):
    """All reference kernels in one host shared library, built with the release warnings."""
    so_path = tmp_path_factory.mktemp("kernels") / "libedgediff_ref.so"
    sources = sorted(str(path) for path in REF_DIR.glob("*.c"))
    cmd = ["cc", *C_FLAGS, "-shared", "-fPIC", "-I", str(INCLUDE_DIR), *sources,
           "-o", str(so_path), "-lm"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, f"host build failed:\n{' '.join(cmd)}\n{result.stderr}"
    library = ctypes.CDLL(str(so_path))
    for name, argtypes in SIGNATURES.items():
        function = getattr(library, name)
        function.argtypes = argtypes
        function.restype = None
    return library


def f32(array) -> np.ndarray:
    return np.ascontiguousarray(array, dtype=np.float32)


def ptr(array: np.ndarray | None):
    """A float* into a contiguous float32 array, or NULL for None."""
    if array is None:
        return None
    assert array.dtype == np.float32 and array.flags.c_contiguous
    return array.ctypes.data_as(c_float_p)


def t64(array: np.ndarray | None) -> torch.Tensor | None:
    """Exact float64 copy of float32 data, for references with negligible rounding."""
    return None if array is None else torch.from_numpy(array).double()


def act64(x: torch.Tensor, act: int) -> torch.Tensor:
    if act == ACT_RELU:
        return torch.relu(x)
    if act == ACT_SILU:
        return F.silu(x)
    return x


def act_tolerance(pre_act_bound: np.ndarray, ref: np.ndarray, act: int) -> np.ndarray:
    """Carries a pre-activation error bound through the fused activation.

    relu is 1-Lipschitz and exact. silu can amplify the incoming error by its Lipschitz
    constant and adds its own evaluation error (SILU_REL relative, SILU_ABS floor).
    """
    if act != ACT_SILU:
        return pre_act_bound
    return SILU_LIPSCHITZ * pre_act_bound + SILU_REL * np.abs(ref) + SILU_ABS


def dot_bound(abs_sum: torch.Tensor, terms: int) -> np.ndarray:
    """Error bound for a float32 sum of `terms` products (bias counted as one term).

    Recursive summation of n rounded products satisfies |fl(s) - s| <= gamma_n * sum|a_i b_i|
    with gamma_n = n*u / (1 - n*u) (Higham, Accuracy and Stability, eq. 3.5);
    n * EPS32 = 2nu >= gamma_n while nu <= 1/2. An FMA-contracting compiler only
    removes roundings, so the bound still holds. abs_sum is sum|a_i b_i| in float64.
    """
    return terms * EPS32 * abs_sum.numpy()


def params_repr(params: ctypes.Structure) -> str:
    return " ".join(f"{name}={getattr(params, name)}" for name, _ in params._fields_)


def assert_within(got: np.ndarray, ref: np.ndarray, tol: np.ndarray, what: str) -> None:
    err = np.abs(got.astype(np.float64) - ref)
    worst = np.unravel_index(np.argmax(err - tol), err.shape) if err.size else ()
    assert np.all(np.isfinite(got)), f"{what}: non-finite output"
    assert np.all(err <= tol), (
        f"{what}: error {err[worst]:.3e} > tolerance {np.broadcast_to(tol, err.shape)[worst]:.3e}"
        f" at {worst} (got {got[worst]!r}, want {ref[worst]!r})"
    )


# ---------------------------------------------------------------------------- conv2d / linear


def test_conv2d_matches_torch(lib):
    rng = np.random.default_rng(1)
    cases = itertools.product(
        (1, 3),                      # kernel size
        (1, 2),                      # stride
        (0, 1),                      # padding
        ("dense", "grouped", "depthwise"),
        (False, True),               # bias
        ACTS,
    )
    for kernel, stride, pad, grouping, has_bias, act in cases:
        dilation = int(rng.choice((1, 2))) if kernel == 3 else 1
        n = int(rng.integers(1, 3))
        if grouping == "dense":
            groups, c_in, c_out = 1, int(rng.integers(1, 9)), int(rng.integers(1, 9))
        elif grouping == "grouped":
            groups = 2
            c_in, c_out = 2 * int(rng.integers(1, 5)), 2 * int(rng.integers(1, 5))
        else:  # depthwise, optionally with a channel multiplier
            groups = c_in = int(rng.integers(1, 9))
            c_out = c_in * int(rng.choice((1, 2)))
        span = dilation * (kernel - 1) + 1
        h_in, w_in = (int(rng.integers(max(span - 2 * pad, 1), 12)) for _ in range(2))
        h_out = (h_in + 2 * pad - span) // stride + 1
        w_out = (w_in + 2 * pad - span) // stride + 1
        x = f32(rng.standard_normal((n, c_in, h_in, w_in)))
        w = f32(rng.standard_normal((c_out, c_in // groups, kernel, kernel)))
        b = f32(rng.standard_normal(c_out)) if has_bias else None
        out = np.full((n, c_out, h_out, w_out), np.nan, dtype=np.float32)

        params = Conv2dParams(n, c_in, h_in, w_in, c_out, h_out, w_out, kernel, kernel,
                              stride, stride, pad, pad, dilation, dilation, groups, act)
        lib.conv2d_f32(ctypes.byref(params), ptr(x), ptr(w), ptr(b), ptr(out))

        conv = dict(stride=stride, padding=pad, dilation=dilation, groups=groups)
        pre = F.conv2d(t64(x), t64(w), t64(b), **conv)
        abs_sum = F.conv2d(t64(x).abs(), t64(w).abs(), None if b is None else t64(b).abs(),
                           **conv)
        ref = act64(pre, act).numpy()
        terms = c_in // groups * kernel * kernel + 1
        tol = act_tolerance(dot_bound(abs_sum, terms), ref, act)
        assert_within(out, ref, tol, f"conv2d {params_repr(params)} bias={has_bias}")


def test_linear_matches_torch(lib):
    rng = np.random.default_rng(2)
    for case in range(36):
        act = ACTS[case % 3]
        has_bias = case % 2 == 0
        rows, in_f, out_f = int(rng.integers(1, 6)), int(rng.integers(1, 80)), int(rng.integers(1, 33))
        x = f32(rng.standard_normal((rows, in_f)))
        w = f32(rng.standard_normal((out_f, in_f)))
        b = f32(rng.standard_normal(out_f)) if has_bias else None
        out = np.full((rows, out_f), np.nan, dtype=np.float32)

        params = LinearParams(rows, in_f, out_f, act)
        lib.linear_f32(ctypes.byref(params), ptr(x), ptr(w), ptr(b), ptr(out))

        ref = act64(F.linear(t64(x), t64(w), t64(b)), act).numpy()
        abs_sum = F.linear(t64(x).abs(), t64(w).abs(), None if b is None else t64(b).abs())
        tol = act_tolerance(dot_bound(abs_sum, in_f + 1), ref, act)
        assert_within(out, ref, tol, f"linear {params_repr(params)} bias={has_bias}")


# ---------------------------------------------------------------------------- group norm


def group_norm_bound(x: torch.Tensor, groups: int, gamma, eps: float) -> np.ndarray:
    """First-order error bound of the two-pass float32 group norm, per output element.

    Per group of M values (u = unit roundoff, doubled to EPS32 below for O(u^2) terms):
    - mean: sum of M values, then * fl(1/M): |dm| <= (M + 2) u mean|x|.
    - variance about the computed mean: sum((x - m')^2) / M = var + dm^2 >= var, and the
      subtract, square, M-term sum and scaling add relative error (M + 5) u; so the
      computed var is var (1 + rho) with |rho| <= (M + 5) u + dm^2 / var.
    - rstd = 1 / sqrtf(var + eps): relative error <= rho / 2 + 3u (add, sqrt, divide;
      eps only damps rho).
    - out = (x - m') * (gamma * rstd) + beta: the subtraction is off by dm, plus 3 more
      roundings (gamma * rstd, the product, the add; the last one relative to |out|).
    So |err| <= |gamma| rstd (|x - m| (rho / 2 + 6u) + |dm|) + u |out|.
    """
    n, channels = x.shape[:2]
    grouped = x.reshape(n, groups, -1)
    m = grouped.shape[-1]
    mean = grouped.mean(-1, keepdim=True)
    var = grouped.var(-1, unbiased=False, keepdim=True)
    dm = (m + 2) * EPS32 * grouped.abs().mean(-1, keepdim=True)
    rho = (m + 5) * EPS32 + dm**2 / var
    rstd = 1 / torch.sqrt(var + eps)
    per_elem = rstd * ((grouped - mean).abs() * (rho / 2 + 6 * EPS32) + dm)
    per_elem = per_elem.reshape(x.shape)
    gamma_abs = torch.ones(channels, dtype=torch.float64) if gamma is None else gamma.abs()
    return (gamma_abs.view(1, -1, 1) * per_elem).numpy()


def test_group_norm_matches_torch(lib):
    rng = np.random.default_rng(3)
    for case in range(36):
        act = ACTS[case % 3]
        affine = case % 4 != 3
        n = int(rng.integers(1, 3))
        groups = int(rng.integers(1, 5))
        channels = groups * int(rng.integers(1, 5))
        spatial = int(rng.integers(1, 65))
        eps = float(rng.choice((1e-6, 1e-5, 1e-3)))
        # Every third case sits on a large offset, where a one-pass variance would cancel.
        offset = 200.0 if case % 3 == 1 else 0.0
        x = f32(offset + 2 * rng.standard_normal((n, channels, spatial)))
        gamma = f32(rng.standard_normal(channels)) if affine else None
        beta = f32(rng.standard_normal(channels)) if affine else None
        out = np.full_like(x, np.nan)

        params = GroupNormParams(n, channels, spatial, groups, eps, act)
        lib.group_norm_f32(ctypes.byref(params), ptr(x), ptr(gamma), ptr(beta), ptr(out))

        # eps as torch would see it after the float32 round trip through the struct.
        eps32 = float(np.float32(eps))
        pre = F.group_norm(t64(x), groups, t64(gamma), t64(beta), eps32)
        ref = act64(pre, act).numpy()
        bound = group_norm_bound(t64(x), groups, t64(gamma), eps32)
        bound = bound + EPS32 * np.abs(pre.numpy())
        tol = act_tolerance(bound, ref, act)
        assert_within(out, ref, tol, f"group_norm {params_repr(params)} affine={affine}")


# ---------------------------------------------------------------------------- unary


def unary_inputs(rng: np.random.Generator) -> np.ndarray:
    """Moderate values, large magnitudes, and the edges where silu's expf over/underflows."""
    edges = [0.0, -0.0, 1e-30, -1e-30, 88.0, -88.0, 88.8, -88.8, 100.0, -100.0, 1e4, -1e4,
             1e6, -1e6, 3.4e38, -3.4e38]
    return f32(np.concatenate([
        rng.standard_normal(500) * 4,
        rng.uniform(-1e5, 1e5, 500),
        rng.standard_normal(200) * 1e20,
        edges,
    ]))


def ulp32(values: np.ndarray) -> np.ndarray:
    return np.spacing(np.abs(values).astype(np.float32)).astype(np.float64)


@pytest.mark.parametrize("name, reference", [("sin_f32", torch.sin), ("cos_f32", torch.cos)])
def test_sin_cos_within_two_ulp(lib, name, reference):
    """libm sinf/cosf promise < 1 ulp over the whole range; the float64 reference of the
    float32 input is exact to ~2^-53, so 2 ulp of the result is the honest bound."""
    x = unary_inputs(np.random.default_rng(4))
    out = np.full_like(x, np.nan)
    getattr(lib, name)(ptr(x), ptr(out), x.size)
    ref = reference(t64(x)).numpy()
    assert_within(out, ref, 2 * ulp32(ref), name)


def test_silu_matches_torch_and_stays_finite(lib):
    x = unary_inputs(np.random.default_rng(5))
    out = np.full_like(x, np.nan)
    lib.silu_f32(ptr(x), ptr(out), x.size)
    ref = F.silu(t64(x)).numpy()
    assert_within(out, ref, SILU_REL * np.abs(ref) + SILU_ABS, "silu")
    assert out[x == 100.0][0] == 100.0
    assert out[x == -100.0][0] == 0.0


def test_relu_is_exact(lib):
    x = unary_inputs(np.random.default_rng(6))
    out = np.full_like(x, np.nan)
    lib.relu_f32(ptr(x), ptr(out), x.size)
    np.testing.assert_array_equal(out, torch.relu(torch.from_numpy(x)).numpy())


@pytest.mark.parametrize("name", ["silu_f32", "relu_f32", "sin_f32", "cos_f32", "copy_f32"])
def test_unary_in_place(lib, name):
    x = f32(np.random.default_rng(7).standard_normal(97) * 10)
    expected = np.full_like(x, np.nan)
    getattr(lib, name)(ptr(x), ptr(expected), x.size)
    getattr(lib, name)(ptr(x), ptr(x), x.size)
    np.testing.assert_array_equal(x, expected)


def test_copy_is_exact(lib):
    x = f32(np.random.default_rng(8).standard_normal(1000))
    out = np.full_like(x, np.nan)
    lib.copy_f32(ptr(x), ptr(out), x.size)
    np.testing.assert_array_equal(out, x)


# ---------------------------------------------------------------------------- binary


BINARY_OPS = {"add_f32": torch.add, "sub_f32": torch.sub, "mul_f32": torch.mul}

BROADCAST_SHAPES = [
    ((1, 5, 6, 7), (1, 5, 1, 1)),   # per-channel bias
    ((2, 5, 6, 7), (2, 5, 6, 7)),   # same shape
    ((3, 9), (1, 9)),               # [B,K] * [1,K]
    ((3, 9), (9,)),                 # lower rank, right-aligned
    ((4, 6, 5), ()),                # scalar
    ((), (2, 3)),                   # scalar on the left
    ((4, 1, 5), (1, 3, 1)),         # both operands broadcast
    ((1, 1, 6, 7), (3, 4, 1, 1)),
    ((8,), (8,)),
]


def padded(shape: tuple[int, ...]) -> tuple[int, ...]:
    return (1,) * (MAX_RANK - len(shape)) + tuple(shape)


def broadcast_strides(shape: tuple[int, ...], out_shape: tuple[int, ...]) -> list[int]:
    """Contiguous element strides of `shape` right-aligned to out_shape, 0 where broadcast."""
    dims = padded(shape)
    strides, step = [], 1
    for dim, out_dim in zip(reversed(dims), reversed(out_shape)):
        strides.append(step if dim == out_dim else 0)
        step *= dim
    return strides[::-1]


def binary_params(a_shape, b_shape, act) -> tuple[BinaryParams, tuple[int, ...]]:
    out_shape = torch.broadcast_shapes(a_shape, b_shape)
    out4 = padded(out_shape)
    params = BinaryParams(
        (i32 * MAX_RANK)(*out4),
        (i32 * MAX_RANK)(*broadcast_strides(a_shape, out4)),
        (i32 * MAX_RANK)(*broadcast_strides(b_shape, out4)),
        act,
    )
    return params, tuple(out_shape)


@pytest.mark.parametrize("name", sorted(BINARY_OPS))
def test_binary_broadcasting_matches_torch(lib, name):
    """One float32 rounding, exactly like torch: bit-exact without silu. With silu, the
    kernel applies silu to that same rounded value, so only silu's own error remains."""
    rng = np.random.default_rng(9)
    for (a_shape, b_shape), act in itertools.product(BROADCAST_SHAPES, ACTS):
        a = f32(rng.standard_normal(a_shape))
        b = f32(rng.standard_normal(b_shape))
        params, out_shape = binary_params(a_shape, b_shape, act)
        out = np.full(out_shape, np.nan, dtype=np.float32)
        getattr(lib, name)(ctypes.byref(params), ptr(a), ptr(b), ptr(out))

        rounded = BINARY_OPS[name](torch.from_numpy(a), torch.from_numpy(b))
        what = f"{name} {a_shape} {b_shape} act={act}"
        if act == ACT_SILU:
            ref = F.silu(rounded.double()).numpy()
            assert_within(out, ref, SILU_REL * np.abs(ref) + SILU_ABS, what)
        else:
            np.testing.assert_array_equal(out, act64(rounded, act).numpy(), err_msg=what)


@pytest.mark.parametrize("name", sorted(BINARY_OPS))
@pytest.mark.parametrize("alias", ["a", "b"])
def test_binary_in_place(lib, name, alias):
    """out may alias the operand that is not broadcast (the other one is)."""
    rng = np.random.default_rng(10)
    full, bcast = (2, 5, 4, 3), (1, 5, 1, 1)
    x = f32(rng.standard_normal(full))
    y = f32(rng.standard_normal(bcast))
    a, b = (x, y) if alias == "a" else (y, x)
    params, _ = binary_params(a.shape, b.shape, ACT_RELU)
    expected = torch.relu(BINARY_OPS[name](torch.from_numpy(a), torch.from_numpy(b))).numpy()
    getattr(lib, name)(ctypes.byref(params), ptr(a), ptr(b), ptr(x))
    np.testing.assert_array_equal(x, expected)


# ---------------------------------------------------------------------------- concat / upsample


def test_concat_matches_torch(lib):
    rng = np.random.default_rng(11)
    for _ in range(40):
        rank = int(rng.integers(1, 5))
        axis = int(rng.integers(0, rank))
        base = [int(d) for d in rng.integers(1, 5, rank)]
        inputs = []
        for _ in range(int(rng.integers(2, 5))):
            shape = list(base)
            shape[axis] = int(rng.integers(1, 5))
            inputs.append(f32(rng.standard_normal(shape)))
        inner = math.prod(base[axis + 1:])
        sizes = [x.shape[axis] * inner for x in inputs]
        params = ConcatParams(math.prod(base[:axis]), len(inputs),
                              (i32 * MAX_CONCAT)(*sizes))
        pointers = (c_float_p * len(inputs))(*(ptr(x) for x in inputs))
        expected = torch.cat([torch.from_numpy(x) for x in inputs], dim=axis).numpy()
        out = np.full(expected.shape, np.nan, dtype=np.float32)
        lib.concat_f32(ctypes.byref(params), pointers, ptr(out))
        np.testing.assert_array_equal(out, expected, err_msg=f"axis={axis} {base}")


def test_upsample_nearest_matches_torch(lib):
    """Factor 2 and arbitrary sizes, including 26->22 and 14->46 where torch's float scale
    and the exact integer ratio floor(y * in / out) pick different source rows."""
    rng = np.random.default_rng(12)
    sizes = [((4, 5), (8, 10)), ((3, 3), (6, 6)), ((26, 14), (22, 46)), ((6, 39), (74, 33)),
             ((5, 5), (5, 5)), ((8, 9), (3, 4))]
    sizes += [(tuple(int(v) for v in rng.integers(1, 20, 2)),
               tuple(int(v) for v in rng.integers(1, 50, 2))) for _ in range(30)]
    for (h_in, w_in), (h_out, w_out) in sizes:
        n, channels = int(rng.integers(1, 3)), int(rng.integers(1, 4))
        x = f32(rng.standard_normal((n, channels, h_in, w_in)))
        out = np.full((n, channels, h_out, w_out), np.nan, dtype=np.float32)
        params = UpsampleParams(n, channels, h_in, w_in, h_out, w_out)
        lib.upsample_nearest2d_f32(ctypes.byref(params), ptr(x), ptr(out))
        expected = F.interpolate(torch.from_numpy(x), size=(h_out, w_out), mode="nearest")
        np.testing.assert_array_equal(out, expected.numpy(), err_msg=params_repr(params))


# ---------------------------------------------------------------------------- builds


# libm symbols the float-only kernels may call; anything else (sin, exp, __muldf3, ...) would
# mean double math crept in, which RV32IMAFC emulates in software.
ALLOWED_EXTERNALS = {"expf", "sinf", "cosf", "sqrtf", "floorf"}


def test_reference_kernels_compile_for_riscv32(tmp_path):
    if shutil.which("clang") is None:
        pytest.skip("clang not installed: apt-get install -y clang lld llvm")
    sources = sorted(str(path) for path in REF_DIR.glob("*.c"))
    cmd = ["clang", *RISCV_FLAGS, *C_FLAGS, "-I", str(INCLUDE_DIR), "-c", *sources]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, f"riscv32 build failed:\n{' '.join(cmd)}\n{result.stderr}"

    nm = shutil.which("llvm-nm") or shutil.which("llvm-nm-14")
    if nm is None:
        return  # the compile check above is the contract; the symbol audit is a bonus
    for obj in sorted(tmp_path.glob("*.o")):
        undefined = subprocess.run([nm, "-u", "--just-symbol-name", str(obj)],
                                   capture_output=True, text=True, check=True).stdout.split()
        assert set(undefined) <= ALLOWED_EXTERNALS, f"{obj.name} calls {undefined}"


# ---------------------------------------------------------------------------- source selection


def test_every_declared_kernel_has_a_reference():
    header = (INCLUDE_DIR / "edgediff" / "kernels.h").read_text()
    declared = sorted(set(re.findall(r"^void (\w+)\(", header, flags=re.MULTILINE)))
    assert all_reference_functions() == declared


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    for rel in ("ref/conv2d_f32.c", "ref/add_f32.c", "ref/relu_f32.c",
                "rvv/conv2d_f32_rvv.c", "rvv/add_f32_rvv.c", "zbb/add_f32_zbb.c",
                "dsp/relu_f32_dsp.c"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("/* fake */\n")
    return tmp_path


def test_select_uses_reference_without_features(fake_root):
    got = select_kernel_sources(["relu_f32", "conv2d_f32", "relu_f32"], kernel_root=fake_root)
    assert got == [fake_root / "ref/conv2d_f32.c", fake_root / "ref/relu_f32.c"]


def test_select_uses_override_only_for_present_features(fake_root):
    got = select_kernel_sources(["conv2d_f32", "add_f32", "relu_f32"], ["rvv", "zfh"],
                                kernel_root=fake_root)
    assert got == sorted([fake_root / "rvv/conv2d_f32_rvv.c", fake_root / "rvv/add_f32_rvv.c",
                          fake_root / "ref/relu_f32.c"])


def test_select_prefers_earlier_feature(fake_root):
    def add_source(features):
        return select_kernel_sources(["add_f32"], features, kernel_root=fake_root)

    assert add_source(["zbb", "rvv"]) == [fake_root / "zbb/add_f32_zbb.c"]
    assert add_source(["rvv", "zbb"]) == [fake_root / "rvv/add_f32_rvv.c"]


def test_select_rejects_unknown_and_malformed_names(fake_root):
    with pytest.raises(ValueError, match="softmax_f32"):
        select_kernel_sources(["add_f32", "softmax_f32"], kernel_root=fake_root)
    with pytest.raises(ValueError, match="kernel function"):
        select_kernel_sources(["../ref/add_f32"], kernel_root=fake_root)
    with pytest.raises(ValueError, match="ISA feature"):
        select_kernel_sources(["add_f32"], ["../rvv"], kernel_root=fake_root)
