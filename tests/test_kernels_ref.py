"""Reference C kernels checked against torch, plus kernel source lookup.

The kernels are compiled once into a host shared library and called through ctypes with
the same parameter structs the generated code uses. Random cases are seeded so failures
reproduce. Tolerances are derived from float32 error analysis, never tuned; the
derivations sit next to the helpers that compute them.

Every op test runs for FP32 and FP16 (parametrized by the numpy dtype). An FP16 kernel
computes exactly like the FP32 one on the widened halves and rounds once on store, so the
same float32 error bound applies before that rounding; assert_result adds the rounding.
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

from codegen import binary
from codegen.kernels import (INCLUDE_DIR, REF_DIR, all_reference_functions, kernel_source,
                             kernel_sources, kernel_symbol)
from codegen.ops import evaluate
from tests.helpers.tools import require_tools

pytestmark = pytest.mark.kernel

C_FLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-Wdouble-promotion"]
RISCV_FLAGS = [
    "--target=riscv32-unknown-elf",
    "-march=rv32imafc_zfh_zbb",
    "-mabi=ilp32f",
    "-ffreestanding",
    "-isystem",
    "/usr/lib/picolibc/riscv64-unknown-elf/include",
]
ARM_PICOLIBC = ["-ffreestanding", "-isystem", "/usr/lib/picolibc/arm-none-eabi/include"]
CORTEX_M4_FLAGS = ["-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard", "-mthumb",
                   "-mfp16-format=ieee", *ARM_PICOLIBC]
CORTEX_M55_FLAGS = ["-mcpu=cortex-m55", "-mfloat-abi=hard", "-mthumb", *ARM_PICOLIBC]
CORTEX_M7_FLAGS = ["-mcpu=cortex-m7", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard", "-mthumb",
                   "-mfp16-format=ieee", *ARM_PICOLIBC]
CORTEX_M33_FLAGS = ["-mcpu=cortex-m33", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard", "-mthumb",
                    "-mfp16-format=ieee", *ARM_PICOLIBC]

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
c_half_p = ctypes.POINTER(ctypes.c_uint16)  # edgediff_f16_t *: ctypes has no half type
c_u32_p = ctypes.POINTER(ctypes.c_uint32)  # packed sign words
i32 = ctypes.c_int32
act_t = ctypes.c_int  # edgediff_act_t: a plain int-sized enum on the host ABI

# The element types every op kernel exists for, by the suffix of its C name.
SUFFIX = {np.float32: "f32", np.float16: "f16"}
POINTER_TYPE = {np.float32: c_float_p, np.float16: c_half_p, np.uint32: c_u32_p}
DTYPES = [pytest.param(dtype, id=suffix) for dtype, suffix in SUFFIX.items()]


class Conv2dParams(ctypes.Structure):
    _fields_ = [(name, i32) for name in (
        "n", "c_in", "h_in", "w_in", "c_out", "h_out", "w_out", "kernel_h", "kernel_w",
        "stride_h", "stride_w", "pad_h", "pad_w", "dilation_h", "dilation_w", "groups",
    )] + [("act", act_t)] + [(name, i32) for name in (  # the row window (tiling): rows 0 = whole
        "row0", "rows", "in_row0", "in_rows", "out_row0", "out_rows")]


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


class TableRowParams(ctypes.Structure):
    _fields_ = [("rows", i32), ("row_size", i32)]


class PreluParams(ctypes.Structure):
    _fields_ = [(name, i32) for name in ("n", "channels", "spatial", "slope_stride")]


class SignPackParams(ctypes.Structure):
    _fields_ = [(name, i32) for name in ("n", "channels", "h", "w", "words")]


class BinaryConv2dParams(ctypes.Structure):
    _fields_ = [(name, i32) for name in (
        "n", "c_in", "h_in", "w_in", "c_out", "h_out", "w_out", "kernel_h", "kernel_w",
        "stride_h", "stride_w", "pad_h", "pad_w", "words",
    )]


def typed_signatures(suffix: str, tensor_p) -> dict[str, list]:
    """ctypes argument types of the kernels that exist for every element type."""
    return {
        f"conv2d_{suffix}": [ctypes.POINTER(Conv2dParams), *[tensor_p] * 4],
        f"linear_{suffix}": [ctypes.POINTER(LinearParams), *[tensor_p] * 4],
        f"group_norm_{suffix}": [ctypes.POINTER(GroupNormParams), *[tensor_p] * 4],
        **{f"{op}_{suffix}": [ctypes.POINTER(BinaryParams), *[tensor_p] * 3]
           for op in ("add", "sub", "mul")},
        f"concat_{suffix}": [ctypes.POINTER(ConcatParams), ctypes.POINTER(tensor_p), tensor_p],
        f"upsample_nearest2d_{suffix}": [ctypes.POINTER(UpsampleParams), tensor_p, tensor_p],
        **{f"{op}_{suffix}": [tensor_p, tensor_p, i32] for op in ("silu", "relu", "copy")},
        f"table_row_{suffix}": [ctypes.POINTER(TableRowParams), tensor_p, c_float_p, tensor_p],
        f"prelu_{suffix}": [ctypes.POINTER(PreluParams), *[tensor_p] * 3],
        f"sign_{suffix}": [tensor_p, tensor_p, i32],
        f"sign_pack_{suffix}": [ctypes.POINTER(SignPackParams), tensor_p, tensor_p, c_u32_p],
        # scale, bias, the 5 folded output steps (shift_in ... residual), out
        f"binary_conv2d_{suffix}": [ctypes.POINTER(BinaryConv2dParams), c_u32_p, c_u32_p,
                                    *[tensor_p] * 8],
        f"binary_weight_conv2d_{suffix}": [ctypes.POINTER(BinaryConv2dParams), tensor_p, c_u32_p,
                                           *[tensor_p] * 8],
    }


SIGNATURES = {
    **{name: argtypes for dtype, suffix in SUFFIX.items()
       for name, argtypes in typed_signatures(suffix, POINTER_TYPE[dtype]).items()},
    "sin_f32": [c_float_p, c_float_p, i32],
    "cos_f32": [c_float_p, c_float_p, i32],
    "cast_f32_to_f16": [c_float_p, c_half_p, i32],
    "cast_f16_to_f32": [c_half_p, c_float_p, i32],
}


class KernelLibrary:
    """A ctypes library whose kernels are reached by their catalog names (conv2d_f32); the
    C symbols carry the library prefix (kernel_symbol)."""

    def __init__(self, library: ctypes.CDLL):
        self._library = library

    def __getattr__(self, function: str):
        return getattr(self._library, kernel_symbol(function))


@pytest.fixture(scope="session")
def lib(tmp_path_factory):
    """All reference kernels in one host shared library, built with the release warnings."""
    so_path = tmp_path_factory.mktemp("kernels") / "libedgediff_ref.so"
    sources = sorted(str(path) for path in REF_DIR.glob("*.c"))
    cmd = ["cc", *C_FLAGS, "-shared", "-fPIC", "-I", str(INCLUDE_DIR), *sources,
           "-o", str(so_path), "-lm"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, f"host build failed:\n{' '.join(cmd)}\n{result.stderr}"
    library = KernelLibrary(ctypes.CDLL(str(so_path)))
    for name, argtypes in SIGNATURES.items():
        function = getattr(library, name)
        function.argtypes = argtypes
        function.restype = None
    return library


def kernel(lib, op: str, dtype):
    """The reference kernel of `op` for elements of numpy type `dtype`."""
    return getattr(lib, f"{op}_{SUFFIX[dtype]}")


def tensor(values, dtype) -> np.ndarray:
    """A contiguous array of `dtype`: the values rounded to nearest in that format."""
    return np.ascontiguousarray(values, dtype=dtype)


def f32(values) -> np.ndarray:
    return tensor(values, np.float32)


def ptr(array: np.ndarray | None):
    """A float* / edgediff_f16_t* / uint32_t* into a contiguous array, or NULL for None."""
    if array is None:
        return None
    assert array.flags.c_contiguous
    return array.ctypes.data_as(POINTER_TYPE[array.dtype.type])


def t64(array: np.ndarray | None) -> torch.Tensor | None:
    """Exact float64 copy of float32 or float16 data, for references with negligible rounding."""
    return None if array is None else torch.from_numpy(array).double()


def t32(array: np.ndarray) -> torch.Tensor:
    """Exact float32 copy (every half is a float), for ops torch should round like a float32
    kernel, and for data movement, which is exact in any format."""
    return torch.from_numpy(array.astype(np.float32))


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


def assert_rounded_within(got: np.ndarray, ref: np.ndarray, bound, what: str) -> None:
    """A float16 result fl16(y) of a float computation y with |y - ref| <= bound.

    One final rounding to nearest on top of the float32 bound: the tolerance is bound plus
    half an f16 ulp of the result (u16 = 2^-11 relative for normal halves, 2^-25 absolute
    for subnormals). Rounding is monotonic, so that is checked exactly, as
    fl16(ref - bound) <= got <= fl16(ref + bound) with numpy's correctly rounded float64 ->
    float16; with bound 0 it demands got == fl16(ref), bit for bit up to the sign of zero.
    """
    lo = (ref - bound).astype(np.float16)
    hi = (ref + bound).astype(np.float16)
    bad = ~((lo <= got) & (got <= hi))
    assert np.all(np.isfinite(got)), f"{what}: non-finite output"
    if np.any(bad):
        at = tuple(int(i) for i in np.argwhere(bad)[0])
        raise AssertionError(
            f"{what}: {np.count_nonzero(bad)} results outside [fl16(ref - bound), fl16(ref + "
            f"bound)], first at {at}: got {got[at]!r}, want {ref[at]!r} within "
            f"[{lo[at]!r}, {hi[at]!r}]")


def assert_result(got: np.ndarray, ref: np.ndarray, bound, what: str) -> None:
    """Checks a kernel output against the float64 reference, given the error bound of the
    kernel's float computation: float32 kernels store that result, float16 kernels round it
    once more."""
    if got.dtype == np.float16:
        assert_rounded_within(got, ref, bound, what)
    else:
        assert_within(got, ref, bound, what)


# ---------------------------------------------------------------------------- conv2d / linear


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv2d_matches_torch(lib, dtype):
    rng = np.random.default_rng(1)
    cases = itertools.product(
        (1, 3),                      # kernel size
        (1, 2),                      # stride
        (0, 1),                      # padding
        ("dense", "grouped", "depthwise"),
        (False, True),               # bias
        ACTS,
    )
    for kernel_size, stride, pad, grouping, has_bias, act in cases:
        dilation = int(rng.choice((1, 2))) if kernel_size == 3 else 1
        n = int(rng.integers(1, 3))
        if grouping == "dense":
            groups, c_in, c_out = 1, int(rng.integers(1, 9)), int(rng.integers(1, 9))
        elif grouping == "grouped":
            groups = 2
            c_in, c_out = 2 * int(rng.integers(1, 5)), 2 * int(rng.integers(1, 5))
        else:  # depthwise, optionally with a channel multiplier
            groups = c_in = int(rng.integers(1, 9))
            c_out = c_in * int(rng.choice((1, 2)))
        span = dilation * (kernel_size - 1) + 1
        h_in, w_in = (int(rng.integers(max(span - 2 * pad, 1), 12)) for _ in range(2))
        h_out = (h_in + 2 * pad - span) // stride + 1
        w_out = (w_in + 2 * pad - span) // stride + 1
        x = tensor(rng.standard_normal((n, c_in, h_in, w_in)), dtype)
        w = tensor(rng.standard_normal((c_out, c_in // groups, kernel_size, kernel_size)), dtype)
        b = tensor(rng.standard_normal(c_out), dtype) if has_bias else None
        out = np.full((n, c_out, h_out, w_out), np.nan, dtype=dtype)

        params = Conv2dParams(n, c_in, h_in, w_in, c_out, h_out, w_out, kernel_size,
                              kernel_size, stride, stride, pad, pad, dilation, dilation, groups,
                              act)
        kernel(lib, "conv2d", dtype)(ctypes.byref(params), ptr(x), ptr(w), ptr(b), ptr(out))

        conv = dict(stride=stride, padding=pad, dilation=dilation, groups=groups)
        pre = F.conv2d(t64(x), t64(w), t64(b), **conv)
        abs_sum = F.conv2d(t64(x).abs(), t64(w).abs(), None if b is None else t64(b).abs(),
                           **conv)
        ref = act64(pre, act).numpy()
        terms = c_in // groups * kernel_size * kernel_size + 1
        bound = act_tolerance(dot_bound(abs_sum, terms), ref, act)
        assert_result(out, ref, bound, f"conv2d {params_repr(params)} bias={has_bias}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear_matches_torch(lib, dtype):
    rng = np.random.default_rng(2)
    for case in range(36):
        act = ACTS[case % 3]
        has_bias = case % 2 == 0
        rows, in_f, out_f = int(rng.integers(1, 6)), int(rng.integers(1, 80)), int(rng.integers(1, 33))
        x = tensor(rng.standard_normal((rows, in_f)), dtype)
        w = tensor(rng.standard_normal((out_f, in_f)), dtype)
        b = tensor(rng.standard_normal(out_f), dtype) if has_bias else None
        out = np.full((rows, out_f), np.nan, dtype=dtype)

        params = LinearParams(rows, in_f, out_f, act)
        kernel(lib, "linear", dtype)(ctypes.byref(params), ptr(x), ptr(w), ptr(b), ptr(out))

        ref = act64(F.linear(t64(x), t64(w), t64(b)), act).numpy()
        abs_sum = F.linear(t64(x).abs(), t64(w).abs(), None if b is None else t64(b).abs())
        bound = act_tolerance(dot_bound(abs_sum, in_f + 1), ref, act)
        assert_result(out, ref, bound, f"linear {params_repr(params)} bias={has_bias}")


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


@pytest.mark.parametrize("dtype", DTYPES)
def test_group_norm_matches_torch(lib, dtype):
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
        x = tensor(offset + 2 * rng.standard_normal((n, channels, spatial)), dtype)
        gamma = tensor(rng.standard_normal(channels), dtype) if affine else None
        beta = tensor(rng.standard_normal(channels), dtype) if affine else None
        out = np.full_like(x, np.nan)

        params = GroupNormParams(n, channels, spatial, groups, eps, act)
        kernel(lib, "group_norm", dtype)(ctypes.byref(params), ptr(x), ptr(gamma), ptr(beta),
                                         ptr(out))

        # eps as torch would see it after the float32 round trip through the struct.
        eps32 = float(np.float32(eps))
        pre = F.group_norm(t64(x), groups, t64(gamma), t64(beta), eps32)
        ref = act64(pre, act).numpy()
        bound = group_norm_bound(t64(x), groups, t64(gamma), eps32)
        bound = bound + EPS32 * np.abs(pre.numpy())
        bound = act_tolerance(bound, ref, act)
        assert_result(out, ref, bound, f"group_norm {params_repr(params)} affine={affine}")


# ---------------------------------------------------------------------------- unary


def unary_inputs(rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """Moderate values, large magnitudes, and the edges where silu's expf over/underflows,
    clipped to the format's range; plus magnitudes spread over the whole format, from the
    smallest subnormal to the largest finite value."""
    info = np.finfo(dtype)
    big, tiny, smallest = float(info.max), float(info.tiny), float(info.smallest_subnormal)
    edges = [0.0, -0.0, 1e-30, -1e-30, 88.0, -88.0, 88.8, -88.8, 100.0, -100.0, 1e4, -1e4,
             1e6, -1e6, 3.4e38, -3.4e38, big, -big, tiny, -tiny, smallest, -smallest]
    log_spread = 2.0 ** rng.uniform(math.log2(smallest), math.log2(big), 200)
    values = np.concatenate([
        rng.standard_normal(500) * 4,
        rng.uniform(-1e5, 1e5, 500),
        rng.standard_normal(200) * 1e20,
        log_spread * rng.choice((-1.0, 1.0), 200),
        edges,
    ])
    return tensor(np.clip(values, -big, big), dtype)


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


@pytest.mark.parametrize("dtype", DTYPES)
def test_silu_matches_torch_and_stays_finite(lib, dtype):
    x = unary_inputs(np.random.default_rng(5), dtype)
    out = np.full_like(x, np.nan)
    kernel(lib, "silu", dtype)(ptr(x), ptr(out), x.size)
    ref = F.silu(t64(x)).numpy()
    assert_result(out, ref, SILU_REL * np.abs(ref) + SILU_ABS, "silu")
    assert out[x == 100.0][0] == 100.0
    assert out[x == -100.0][0] == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_is_exact(lib, dtype):
    x = unary_inputs(np.random.default_rng(6), dtype)
    out = np.full_like(x, np.nan)
    kernel(lib, "relu", dtype)(ptr(x), ptr(out), x.size)
    np.testing.assert_array_equal(out, torch.relu(t32(x)).numpy().astype(dtype))


@pytest.mark.parametrize("name, dtype", [
    *[(op, np.float32) for op in ("silu_f32", "relu_f32", "sin_f32", "cos_f32", "copy_f32")],
    *[(op, np.float16) for op in ("silu_f16", "relu_f16", "copy_f16")],
])
def test_unary_in_place(lib, name, dtype):
    x = tensor(np.random.default_rng(7).standard_normal(97) * 10, dtype)
    expected = np.full_like(x, np.nan)
    getattr(lib, name)(ptr(x), ptr(expected), x.size)
    getattr(lib, name)(ptr(x), ptr(x), x.size)
    np.testing.assert_array_equal(x, expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_copy_is_exact(lib, dtype):
    x = tensor(np.random.default_rng(8).standard_normal(1000), dtype)
    out = np.full_like(x, np.nan)
    kernel(lib, "copy", dtype)(ptr(x), ptr(out), x.size)
    np.testing.assert_array_equal(out, x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_table_row_copies_the_indexed_row_and_clamps_bad_indices(lib, dtype):
    table = tensor(np.random.default_rng(9).standard_normal((5, 7)), dtype)
    params = TableRowParams(rows=5, row_size=7)
    for index, row in [(0.0, 0), (3.0, 3), (4.0, 4), (-2.0, 0), (9.0, 4)]:
        out = np.full(7, np.nan, dtype=dtype)
        kernel(lib, "table_row", dtype)(ctypes.byref(params), ptr(table), ptr(f32([index])), ptr(out))
        np.testing.assert_array_equal(out, table[row], err_msg=f"index {index}")
        np.testing.assert_array_equal(out, evaluate("table_row", [table, f32([index])], {"shape": [7]}))


# ---------------------------------------------------------------------------- casts


def test_cast_f32_to_f16_matches_numpy_bit_for_bit(lib):
    """Round to nearest even, overflow to +-inf, subnormal halves, +-0: identical to numpy's
    astype(float16) on random bit patterns (every exponent), random floats in and just around
    the half range, exact ties between adjacent halves (and one float ulp either side of
    them), and the special values. NaN input must give NaN; its payload is the hardware's."""
    rng = np.random.default_rng(13)
    n = 100_000
    any_bits = rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32)
    # sign | exponent from 2^-27 (below the smallest half) to 2^16 (above the largest) | mantissa
    near_bits = ((rng.integers(0, 2, n, dtype=np.uint32) << 31)
                 | (rng.integers(127 - 27, 127 + 17, n, dtype=np.uint32) << 23)
                 | rng.integers(0, 2**23, n, dtype=np.uint32))
    # Midpoints between a finite half and the next one up in magnitude (exact in float32).
    halves = rng.integers(0, 0x7BFF, n, dtype=np.uint16)
    low = halves.view(np.float16).astype(np.float64)
    high = (halves + 1).view(np.float16).astype(np.float64)
    ties = ((low + high) / 2 * rng.choice((-1.0, 1.0), n)).astype(np.float32)
    around_ties = np.concatenate([np.nextafter(ties, np.float32(np.inf)),
                                  np.nextafter(ties, np.float32(-np.inf))])
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 65504.0, -65504.0,
                         65519.996, 65520.0, -65520.0, 2.0**-14, 2.0**-14 * (1 - 2.0**-24),
                         2.0**-24, 2.0**-25, 2.0**-25 * (1 + 2.0**-23), 3 * 2.0**-26,
                         np.finfo(np.float32).max, np.finfo(np.float32).smallest_subnormal],
                        dtype=np.float32)
    signalling_nan = np.array([0x7F800001, 0xFFA00000], dtype=np.uint32).view(np.float32)
    x = np.concatenate([any_bits.view(np.float32), near_bits.view(np.float32), ties,
                        around_ties, specials, signalling_nan])
    out = np.full(x.size, 0x5555, dtype=np.uint16).view(np.float16)
    lib.cast_f32_to_f16(ptr(x), ptr(out), x.size)
    with np.errstate(over="ignore", invalid="ignore"):
        expected = x.astype(np.float16)

    nan_in = np.isnan(x)
    assert np.all(np.isnan(out[nan_in])), "NaN input did not give NaN"
    got_bits, want_bits = out[~nan_in].view(np.uint16), expected[~nan_in].view(np.uint16)
    mismatch = np.flatnonzero(got_bits != want_bits)
    assert mismatch.size == 0, (
        f"{mismatch.size} mismatches, first: {x[~nan_in][mismatch[0]]!r} -> "
        f"{got_bits[mismatch[0]]:#06x}, numpy {want_bits[mismatch[0]]:#06x}")


def test_cast_f16_to_f32_is_exact_for_every_half(lib):
    x = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    out = np.full(x.size, np.nan, dtype=np.float32)
    lib.cast_f16_to_f32(ptr(x), ptr(out), x.size)
    nan_in = np.isnan(x)
    assert np.all(np.isnan(out[nan_in]))
    np.testing.assert_array_equal(out[~nan_in].view(np.uint32),
                                  x[~nan_in].astype(np.float32).view(np.uint32))


# ---------------------------------------------------------------------------- binary


BINARY_OPS = {"add": torch.add, "sub": torch.sub, "mul": torch.mul}

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


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", sorted(BINARY_OPS))
def test_binary_broadcasting_matches_torch(lib, op, dtype):
    """One float32 rounding, exactly like torch's float32 op: bit-exact without silu. With
    silu, the kernel applies silu to that same rounded value, so only silu's own error
    remains. FP16 rounds that once more; for + - * on halves, float32 (24 >= 2*11 + 2 bits)
    makes the double rounding innocuous (Figueroa), so without silu the result is the
    correctly rounded half."""
    rng = np.random.default_rng(9)
    for (a_shape, b_shape), act in itertools.product(BROADCAST_SHAPES, ACTS):
        a = tensor(rng.standard_normal(a_shape), dtype)
        b = tensor(rng.standard_normal(b_shape), dtype)
        params, out_shape = binary_params(a_shape, b_shape, act)
        out = np.full(out_shape, np.nan, dtype=dtype)
        kernel(lib, op, dtype)(ctypes.byref(params), ptr(a), ptr(b), ptr(out))

        ref = act64(BINARY_OPS[op](t32(a), t32(b)).double(), act).numpy()
        bound = SILU_REL * np.abs(ref) + SILU_ABS if act == ACT_SILU else 0.0
        assert_result(out, ref, bound, f"{op} {SUFFIX[dtype]} {a_shape} {b_shape} act={act}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", sorted(BINARY_OPS))
@pytest.mark.parametrize("alias", ["a", "b"])
def test_binary_in_place(lib, op, alias, dtype):
    """out may alias the operand that is not broadcast (the other one is)."""
    rng = np.random.default_rng(10)
    full, bcast = (2, 5, 4, 3), (1, 5, 1, 1)
    x = tensor(rng.standard_normal(full), dtype)
    y = tensor(rng.standard_normal(bcast), dtype)
    a, b = (x, y) if alias == "a" else (y, x)
    params, _ = binary_params(a.shape, b.shape, ACT_RELU)
    expected = torch.relu(BINARY_OPS[op](t32(a), t32(b))).numpy().astype(dtype)
    kernel(lib, op, dtype)(ctypes.byref(params), ptr(a), ptr(b), ptr(x))
    np.testing.assert_array_equal(x, expected)


# ---------------------------------------------------------------------------- concat / upsample


@pytest.mark.parametrize("dtype", DTYPES)
def test_concat_matches_torch(lib, dtype):
    rng = np.random.default_rng(11)
    for _ in range(40):
        rank = int(rng.integers(1, 5))
        axis = int(rng.integers(0, rank))
        base = [int(d) for d in rng.integers(1, 5, rank)]
        inputs = []
        for _ in range(int(rng.integers(2, 5))):
            shape = list(base)
            shape[axis] = int(rng.integers(1, 5))
            inputs.append(tensor(rng.standard_normal(shape), dtype))
        inner = math.prod(base[axis + 1:])
        sizes = [x.shape[axis] * inner for x in inputs]
        params = ConcatParams(math.prod(base[:axis]), len(inputs),
                              (i32 * MAX_CONCAT)(*sizes))
        pointers = (POINTER_TYPE[dtype] * len(inputs))(*(ptr(x) for x in inputs))
        expected = torch.cat([t32(x) for x in inputs], dim=axis).numpy().astype(dtype)
        out = np.full(expected.shape, np.nan, dtype=dtype)
        kernel(lib, "concat", dtype)(ctypes.byref(params), pointers, ptr(out))
        np.testing.assert_array_equal(out, expected, err_msg=f"axis={axis} {base}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_upsample_nearest_matches_torch(lib, dtype):
    """Factor 2 and arbitrary sizes, including 26->22 and 14->46 where torch's float scale
    and the exact integer ratio floor(y * in / out) pick different source rows."""
    rng = np.random.default_rng(12)
    sizes = [((4, 5), (8, 10)), ((3, 3), (6, 6)), ((26, 14), (22, 46)), ((6, 39), (74, 33)),
             ((5, 5), (5, 5)), ((8, 9), (3, 4))]
    sizes += [(tuple(int(v) for v in rng.integers(1, 20, 2)),
               tuple(int(v) for v in rng.integers(1, 50, 2))) for _ in range(30)]
    for (h_in, w_in), (h_out, w_out) in sizes:
        n, channels = int(rng.integers(1, 3)), int(rng.integers(1, 4))
        x = tensor(rng.standard_normal((n, channels, h_in, w_in)), dtype)
        out = np.full((n, channels, h_out, w_out), np.nan, dtype=dtype)
        params = UpsampleParams(n, channels, h_in, w_in, h_out, w_out)
        kernel(lib, "upsample_nearest2d", dtype)(ctypes.byref(params), ptr(x), ptr(out))
        expected = F.interpolate(t32(x), size=(h_out, w_out), mode="nearest")
        np.testing.assert_array_equal(out, expected.numpy().astype(dtype),
                                      err_msg=params_repr(params))


# ---------------------------------------------------------------------------- 1-bit layers


def bits_equal(got: np.ndarray, want: np.ndarray) -> bool:
    """Same dtype, shape and bits (so -0 != +0 and NaNs compare by payload)."""
    view = {2: np.uint16, 4: np.uint32}[got.itemsize]
    return got.dtype == want.dtype and np.array_equal(got.view(view), want.view(view))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("channels", [1, 31, 32, 33, 70])
def test_sign_pack_equals_numpy(lib, dtype, channels):
    """Bit c % 32 of word c // 32 is set where x < threshold[c] (no threshold: 0), compared
    in float, unused high bits 0. Values equal to their threshold, -0, +-inf and NaN (never
    below anything) are included."""
    rng = np.random.default_rng(channels)
    n, h, w = 2, 3, 5
    for with_threshold in (False, True):
        threshold = tensor(0.3 * rng.standard_normal(channels), dtype) if with_threshold else None
        x = tensor(rng.standard_normal((n, channels, h, w)), dtype)
        x.flat[:6] = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0]
        if threshold is not None:
            x[0, :, 0, 1] = threshold  # exactly at the threshold: not below it
        words = binary.words_for(channels)
        out = np.full((n, h, w, words), 0xDEADBEEF, dtype=np.uint32)
        params = SignPackParams(n, channels, h, w, words)
        kernel(lib, "sign_pack", dtype)(ctypes.byref(params), ptr(x), ptr(threshold), ptr(out))
        np.testing.assert_array_equal(out, binary.sign_pack(x, threshold),
                                      err_msg=f"channels={channels} threshold={with_threshold}")


def random_packed(rng, shape_nchw) -> np.ndarray:
    return binary.pack_signs(rng.standard_normal(shape_nchw) < 0)


# (c_in, c_out, h, w, kernel (kh, kw), stride, padding): odd channel counts (partial last
# words), stride 2 with odd sizes, 1x1, 3x3, the 1-D UNet's 1x3, padding 0 and 1.
BINARY_CONV_CASES = [
    (1, 3, 5, 6, (3, 3), (1, 1), (1, 1)),
    (33, 5, 7, 6, (3, 3), (1, 1), (1, 1)),
    (70, 4, 6, 7, (3, 3), (2, 2), (1, 1)),
    (32, 6, 5, 5, (3, 3), (1, 1), (0, 0)),
    (64, 2, 9, 4, (3, 3), (2, 1), (1, 0)),
    (33, 7, 4, 5, (1, 1), (1, 1), (0, 0)),
    (70, 3, 5, 5, (1, 1), (2, 2), (0, 0)),
    (5, 4, 1, 9, (1, 3), (1, 1), (0, 1)),
    (2, 3, 2, 2, (3, 3), (1, 1), (1, 1)),  # every pixel on the border
]


def binary_conv_id(case) -> str:
    c_in, c_out, h, w, (kh, kw), stride, padding = case
    return f"{c_in}to{c_out}-{h}x{w}-k{kh}x{kw}-s{stride[0]}{stride[1]}-p{padding[0]}{padding[1]}"


def binary_conv_setup(rng, case, dtype):
    c_in, c_out, h, w, (kh, kw), stride, padding = case
    h_out = (h + 2 * padding[0] - kh) // stride[0] + 1
    w_out = (w + 2 * padding[1] - kw) // stride[1] + 1
    words = binary.words_for(c_in)
    params = BinaryConv2dParams(2, c_in, h, w, c_out, h_out, w_out, kh, kw, *stride, *padding,
                                words)
    weight = random_packed(rng, (c_out, c_in, kh, kw))
    scale = tensor(rng.uniform(0.01, 1.0, c_out), dtype)
    return params, weight, scale, (h_out, w_out)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", BINARY_CONV_CASES, ids=binary_conv_id)
def test_binary_conv2d_equals_numpy_bit_for_bit(lib, dtype, case):
    """The integer XOR-popcount dot (zero padding contributing 0) and the output step
    float32(dot) * scale + bias, rounded after each operation (then once to half): exactly
    codegen/binary.py, with and without bias."""
    rng = np.random.default_rng(sum(case[:4]))
    params, weight, scale, out_hw = binary_conv_setup(rng, case, dtype)
    packed = random_packed(rng, (params.n, params.c_in, params.h_in, params.w_in))
    for bias in (None, tensor(rng.standard_normal(params.c_out), dtype)):
        out = np.full((params.n, params.c_out, *out_hw), np.nan, dtype=dtype)
        kernel(lib, "binary_conv2d", dtype)(ctypes.byref(params), ptr(packed), ptr(weight),
                                            ptr(scale), ptr(bias), *[None] * 5, ptr(out))
        dot = binary.binary_dot(packed, weight, params.c_in, case[5], case[6], out_hw)
        want = binary.scale_output(dot, scale, bias).astype(dtype)
        assert bits_equal(out, want), f"binary_conv2d {params_repr(params)} bias={bias is not None}"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", BINARY_CONV_CASES[:3], ids=binary_conv_id)
@pytest.mark.parametrize("steps", ["rprelu", "rprelu_shortcut", "slope_residual"])
def test_binary_conv2d_folded_output_step_bit_for_bit(lib, dtype, case, steps):
    """The output step with the folded RPReLU and shortcut (fold_binary_output.py): each
    step one FP32 rounding, then one rounding to half, exactly codegen/binary.post_output."""
    rng = np.random.default_rng(sum(case[:4]) + 2)
    params, weight, scale, out_hw = binary_conv_setup(rng, case, dtype)
    packed = random_packed(rng, (params.n, params.c_in, params.h_in, params.w_in))
    bias = tensor(rng.standard_normal(params.c_out), dtype)
    shape = (params.n, params.c_out, *out_hw)
    post = [tensor(rng.standard_normal(params.c_out), dtype),  # shift_in
            tensor(rng.uniform(-0.5, 0.5, params.c_out), dtype),  # slope
            tensor(rng.standard_normal(params.c_out), dtype),  # shift_out
            tensor(rng.uniform(-1, 1, params.c_out), dtype),  # res_scale
            tensor(rng.standard_normal(shape), dtype)]  # residual
    keep = {"rprelu": (0, 1, 2), "rprelu_shortcut": (0, 1, 2, 3, 4), "slope_residual": (1, 4)}[steps]
    post = [v if i in keep else None for i, v in enumerate(post)]
    out = np.full(shape, np.nan, dtype=dtype)
    kernel(lib, "binary_conv2d", dtype)(ctypes.byref(params), ptr(packed), ptr(weight),
                                        ptr(scale), ptr(bias), *[ptr(v) for v in post], ptr(out))
    dot = binary.binary_dot(packed, weight, params.c_in, case[5], case[6], out_hw)
    want = binary.post_output(binary.scale_output(dot, scale, bias), *post).astype(dtype)
    assert bits_equal(out, want), f"binary_conv2d {params_repr(params)} {steps}"


@pytest.mark.parametrize("case", BINARY_CONV_CASES[:3], ids=binary_conv_id)
def test_binary_weight_conv2d_folded_output_step_is_the_steps_on_its_output(lib, case):
    """W1A16 (FP32): the folded steps act on the conv's float output exactly as
    codegen/binary.post_output does on the output the unfolded kernel writes."""
    rng = np.random.default_rng(sum(case[:4]) + 3)
    params, weight, scale, out_hw = binary_conv_setup(rng, case, np.float32)
    x = f32(rng.standard_normal((params.n, params.c_in, params.h_in, params.w_in)))
    bias = f32(rng.standard_normal(params.c_out))
    shape = (params.n, params.c_out, *out_hw)
    post = [f32(rng.standard_normal(params.c_out)), f32(rng.uniform(-0.5, 0.5, params.c_out)),
            f32(rng.standard_normal(params.c_out)), f32(rng.uniform(-1, 1, params.c_out)),
            f32(rng.standard_normal(shape))]
    outs = []
    for steps in ([None] * 5, post):
        out = np.full(shape, np.nan, dtype=np.float32)
        kernel(lib, "binary_weight_conv2d", np.float32)(
            ctypes.byref(params), ptr(x), ptr(weight), ptr(scale), ptr(bias),
            *[ptr(v) for v in steps], ptr(out))
        outs.append(out)
    assert bits_equal(outs[1], binary.post_output(outs[0], *post))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", BINARY_CONV_CASES, ids=binary_conv_id)
def test_binary_weight_conv2d_matches_torch(lib, dtype, case):
    """W1A16: float input, ±1 weights, float32 accumulation of the K = c_in*kh*kw signed
    inputs, then * scale and + bias (one rounding each). As for conv2d (dot_bound): the sum
    errs by (K-1) u sum|x|, scaled by |scale|; the product and the add round once each, so
    |err| <= (K+1) u (|scale| sum|x| + |bias|), doubled to EPS32 for O(u^2)."""
    rng = np.random.default_rng(sum(case[:4]) + 1)
    params, weight, scale, out_hw = binary_conv_setup(rng, case, dtype)
    x = tensor(rng.standard_normal((params.n, params.c_in, params.h_in, params.w_in)), dtype)
    signs = torch.from_numpy(binary.unpack_signs(weight, params.c_in)).double()
    conv = dict(stride=case[5], padding=case[6])
    for bias in (None, tensor(rng.standard_normal(params.c_out), dtype)):
        out = np.full((params.n, params.c_out, *out_hw), np.nan, dtype=dtype)
        kernel(lib, "binary_weight_conv2d", dtype)(ctypes.byref(params), ptr(x), ptr(weight),
                                                   ptr(scale), ptr(bias), *[None] * 5, ptr(out))
        s = t64(scale).view(1, -1, 1, 1)
        b = 0.0 if bias is None else t64(bias).view(1, -1, 1, 1)
        ref = F.conv2d(t64(x), signs, **conv) * s + b
        abs_sum = F.conv2d(t64(x).abs(), signs.abs(), **conv) * s.abs() + abs(b)
        terms = params.c_in * params.kernel_h * params.kernel_w + 1
        assert_result(out, ref.numpy(), dot_bound(abs_sum, terms),
                      f"binary_weight_conv2d {params_repr(params)} bias={bias is not None}")


@pytest.mark.parametrize("shared", [False, True], ids=["per_channel", "shared"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_prelu_is_exact(lib, dtype, shared):
    """x where x > 0, else slope[c] * x: one rounding of the product (for halves the float
    product is exact, so the one rounding to half is the correctly rounded result), in place
    too. Inputs over the whole range: products overflow to inf and underflow as IEEE says.
    shared: one slope for all channels (slope_stride 0); the NaNs after it must not be read."""
    rng = np.random.default_rng(14)
    x = unary_inputs(rng, dtype)[:1200].reshape(2, 3, 200)
    slope = tensor(rng.uniform(-0.5, 2.0, 3), dtype)
    if shared:
        slope[1:] = np.nan
    x64 = x.astype(np.float64)
    s64 = (slope[:1] if shared else slope).astype(np.float64).reshape(1, -1, 1)
    with np.errstate(over="ignore"):
        want = np.where(x64 > 0, x64, s64 * x64).astype(np.float32).astype(dtype)
    params = PreluParams(2, 3, 200, 0 if shared else 1)
    out = np.full_like(x, np.nan)
    kernel(lib, "prelu", dtype)(ctypes.byref(params), ptr(x), ptr(slope), ptr(out))
    assert bits_equal(out, want)
    kernel(lib, "prelu", dtype)(ctypes.byref(params), ptr(x), ptr(slope), ptr(x))
    assert bits_equal(x, want)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sign_is_exact(lib, dtype):
    """+1 where x >= 0 (both zeros included), -1 elsewhere (NaN too), in place too."""
    x = unary_inputs(np.random.default_rng(15), dtype)
    x = np.concatenate([x, tensor([0.0, -0.0, np.nan, -np.inf, np.inf], dtype)])
    want = evaluate("sign", [x], {}).astype(dtype)
    out = np.full_like(x, np.nan)
    kernel(lib, "sign", dtype)(ptr(x), ptr(out), x.size)
    assert bits_equal(out, want)
    kernel(lib, "sign", dtype)(ptr(x), ptr(x), x.size)
    assert bits_equal(x, want)


# ---------------------------------------------------------------------------- builds


# libm symbols the float-only kernels may call, and the compiler's half <-> float helpers
# (where a target converts in software). Anything else (sin, exp, __muldf3, ...) would mean
# double math crept in, which RV32IMAFC and Cortex-M4 emulate in software.
ALLOWED_EXTERNALS = {"expf", "sinf", "cosf", "sqrtf", "floorf", "__extendhfsf2", "__truncsfhf2",
                     "__gnu_h2f_ieee", "__gnu_f2h_ieee", "__aeabi_h2f", "__aeabi_f2h"}
# The elementwise math ops (#13).
ALLOWED_EXTERNALS |= {"logf", "tanhf", "erfcf", "expm1f", "log1pf", "powf"}
# Double-precision soft-float helpers: libgcc/compiler-rt (__adddf3, __muldf3, __extendsfdf2,
# __truncdfhf2, __fixdfsi, __floatsidf, ...) and the Arm EABI ones (__aeabi_dadd, __aeabi_f2d,
# __aeabi_d2h, __aeabi_cdcmple, ...).
DOUBLE_HELPER = re.compile(r"__\w*df\w*|__aeabi_(c?d\w+|\w+2d)")

CROSS_TARGETS = {
    "riscv32": (["clang", *RISCV_FLAGS], ["llvm-nm", "llvm-nm-14"],
                "apt-get install -y clang lld llvm picolibc-riscv64-unknown-elf"),
    "cortex-m4": (["arm-none-eabi-gcc", *CORTEX_M4_FLAGS], ["arm-none-eabi-nm"],
                  "apt-get install -y gcc-arm-none-eabi picolibc-arm-none-eabi"),
    "cortex-m55": (["arm-none-eabi-gcc", *CORTEX_M55_FLAGS], ["arm-none-eabi-nm"],
                   "apt-get install -y gcc-arm-none-eabi picolibc-arm-none-eabi"),
    "cortex-m7": (["arm-none-eabi-gcc", *CORTEX_M7_FLAGS], ["arm-none-eabi-nm"],
                  "apt-get install -y gcc-arm-none-eabi picolibc-arm-none-eabi"),
    "cortex-m33": (["arm-none-eabi-gcc", *CORTEX_M33_FLAGS], ["arm-none-eabi-nm"],
                   "apt-get install -y gcc-arm-none-eabi picolibc-arm-none-eabi"),
}


@pytest.mark.parametrize("target", sorted(CROSS_TARGETS))
def test_reference_kernels_cross_compile_float_only(tmp_path, target):
    """Every reference kernel, FP32 and FP16, builds warning-free for each MCU target and
    calls no double-precision helper."""
    compile_cmd, nm_names, install = CROSS_TARGETS[target]
    headers = Path(compile_cmd[compile_cmd.index("-isystem") + 1])
    nm = next(filter(None, map(shutil.which, nm_names)), None)
    missing = ([compile_cmd[0]] if shutil.which(compile_cmd[0]) is None else []) \
        + ([str(headers)] if not headers.is_dir() else []) + ([nm_names[0]] if nm is None else [])
    require_tools(f"{target} toolchain", missing, install)
    sources = sorted(str(path) for path in REF_DIR.glob("*.c"))
    cmd = [*compile_cmd, *C_FLAGS, "-I", str(INCLUDE_DIR), "-c", *sources]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, f"{target} build failed:\n{' '.join(cmd)}\n{result.stderr}"

    for obj in sorted(tmp_path.glob("*.o")):
        listing = subprocess.run([nm, "-u", "-P", str(obj)], capture_output=True, text=True,
                                 check=True).stdout
        undefined = {line.split()[0] for line in listing.splitlines() if line.strip()}
        doubles = sorted(s for s in undefined if DOUBLE_HELPER.fullmatch(s))
        assert not doubles, f"{target} {obj.name} uses double precision: {doubles}"
        assert undefined <= ALLOWED_EXTERNALS, f"{target} {obj.name} calls {sorted(undefined)}"


# ---------------------------------------------------------------------------- source selection


def test_every_declared_kernel_has_a_reference():
    header = (INCLUDE_DIR / "edgediff" / "kernels.h").read_text()
    declared = sorted(set(re.findall(r"^void (\w+)\(", header, flags=re.MULTILINE)))
    assert sorted(map(kernel_symbol, all_reference_functions())) == declared


def test_reference_kernels_export_only_prefixed_symbols(tmp_path):
    """Every global symbol the kernel library defines carries the one library prefix, so none
    can clash with a function of the user's firmware (static helpers are not exported)."""
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("nm not installed (binutils)")
    sources = sorted(str(path) for path in REF_DIR.glob("*.c"))
    subprocess.run(["cc", *C_FLAGS, "-I", str(INCLUDE_DIR), "-c", *sources], cwd=tmp_path,
                   check=True, capture_output=True)
    for obj in sorted(tmp_path.glob("*.o")):
        listing = subprocess.run([nm, "-g", "--defined-only", "-P", str(obj)], capture_output=True,
                                 text=True, check=True).stdout
        defined = {line.split()[0] for line in listing.splitlines() if line.strip()}
        assert defined == {kernel_symbol(obj.stem)}, f"{obj.name} exports {sorted(defined)}"


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    for rel in ("ref/conv2d_f32.c", "ref/add_f32.c", "ref/relu_f32.c", "rvv/conv2d_f32_rvv.c",
                "mve/add_f16_mve.c", "include/relu_f32.c", "ref/dup_f32.c", "rvv/dup_f32.c"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("/* fake */\n")
    return tmp_path


def test_kernel_source_finds_reference_or_override(fake_root):
    assert kernel_source("conv2d_f32", fake_root) == fake_root / "ref/conv2d_f32.c"
    assert kernel_source("conv2d_f32_rvv", fake_root) == fake_root / "rvv/conv2d_f32_rvv.c"
    assert kernel_source("add_f16_mve", fake_root) == fake_root / "mve/add_f16_mve.c"
    assert kernel_source("relu_f32", fake_root) == fake_root / "ref/relu_f32.c"  # not include/


def test_kernel_sources_deduplicated_and_sorted(fake_root):
    got = kernel_sources(["relu_f32", "conv2d_f32_rvv", "relu_f32", "add_f32"], fake_root)
    assert got == sorted([fake_root / "ref/relu_f32.c", fake_root / "rvv/conv2d_f32_rvv.c",
                          fake_root / "ref/add_f32.c"])


def test_kernel_source_rejects_unknown_ambiguous_and_malformed_names(fake_root):
    with pytest.raises(ValueError, match="softmax_f32"):
        kernel_sources(["add_f32", "softmax_f32"], fake_root)
    with pytest.raises(ValueError, match="exactly one source file"):
        kernel_source("dup_f32", fake_root)
    with pytest.raises(ValueError, match="invalid kernel function name"):
        kernel_source("../ref/add_f32", fake_root)


# ------------------------------------------------------------------- integer input cast

def test_cast_i32_to_f32_matches_numpy_including_values_past_2_to_the_24(lib):
    """int32 → float32: exact below 2^24, round to nearest even above (as numpy)."""
    function = lib.cast_i32_to_f32
    function.argtypes = [ctypes.POINTER(ctypes.c_int32), c_float_p, i32]
    rng = np.random.default_rng(13)
    x = np.concatenate([np.array([0, 1, -1, 999, 2**24 + 1, 2**31 - 1, -2**31], dtype=np.int32),
                        rng.integers(-2**31, 2**31, 1000, dtype=np.int64).astype(np.int32)])
    out = np.full(x.size, np.nan, dtype=np.float32)
    function(x.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)), ptr(out), x.size)
    np.testing.assert_array_equal(out.view(np.uint32), x.astype(np.float32).view(np.uint32))
