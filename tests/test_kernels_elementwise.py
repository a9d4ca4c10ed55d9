"""The elementwise reference kernels (#13) against torch, FP32 and FP16, on the host.

The family's kernels are compiled into a host library and called through ctypes with the
parameter structs the generated code uses. Ops of one IEEE operation (or none) must give the
correctly rounded result bit for bit; the others are checked against the float64 reference
of codegen/ops (itself checked against torch in float64 where torch's formula does not
cancel) within the bound tests/helpers/elementwise_bounds.py derives from the C formula, plus
in FP16 the one rounding on store. Out-of-domain inputs (log, sqrt, rsqrt of x < 0, 0,
±inf, NaN) must give what torch gives.
"""

from __future__ import annotations

import ctypes
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from codegen.kernels import INCLUDE_DIR, REF_DIR, kernel_symbol
from codegen.ops import evaluate
from codegen.ops.elementwise_binary import broadcast_strides
from tests.helpers.elementwise_bounds import fp32_bound
from tests.helpers.float_check import assert_within_bound, wide_inputs
from tests.host_build import build_shared_library

pytestmark = pytest.mark.kernel

i32, f32c = ctypes.c_int32, ctypes.c_float
SUFFIX = {np.float32: "f32", np.float16: "f16"}
POINTER = {np.float32: ctypes.POINTER(ctypes.c_float), np.float16: ctypes.POINTER(ctypes.c_uint16)}
DTYPES = [pytest.param(dtype, id=suffix) for dtype, suffix in SUFFIX.items()]
MAX_RANK = 4

UNARY = ["neg", "abs", "exp", "log", "sqrt", "rsqrt", "reciprocal", "square", "tanh", "sigmoid",
         "gelu", "gelu_tanh", "hardswish", "mish"]

TORCH = {
    "neg": torch.neg, "abs": torch.abs, "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt,
    "rsqrt": torch.rsqrt, "reciprocal": torch.reciprocal, "square": torch.square,
    "tanh": torch.tanh, "sigmoid": torch.sigmoid, "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"), "hardswish": F.hardswish, "mish": F.mish,
}
# The correctly rounded result, bit for bit: torch's float64 op rounded once to the format
# (one IEEE operation or none; the float64 -> float and the FP16 kernel's float -> half
# double roundings are innocuous for these: Figueroa, 53 >= 2 * 24 + 2 and 24 >= 2 * 11 + 2).
# Not torch's float32 op itself: its vectorised sqrt is 1 ulp off for some inputs.
EXACT = {"neg", "abs", "square", "sqrt", "reciprocal"}
# Where the kernels knowingly differ from torch's float32 CPU kernel: its vectorised GELU
# gives NaN at +inf; ours gives +inf (the limit, and torch's float64 result).
TORCH_DIFFERS = {("gelu", np.inf)}


class ClampParams(ctypes.Structure):
    _fields_ = [("count", i32), ("min", f32c), ("max", f32c)]


class LeakyReluParams(ctypes.Structure):
    _fields_ = [("count", i32), ("negative_slope", f32c)]


class EluParams(ctypes.Structure):
    _fields_ = [("count", i32), ("alpha", f32c)]


class PowParams(ctypes.Structure):
    _fields_ = [("count", i32), ("exponent", f32c)]


class BinaryParams(ctypes.Structure):
    _fields_ = [("out_shape", i32 * MAX_RANK), ("a_strides", i32 * MAX_RANK),
                ("b_strides", i32 * MAX_RANK), ("act", ctypes.c_int)]


PARAMS = {"clamp": ClampParams, "leaky_relu": LeakyReluParams, "elu": EluParams, "pow": PowParams}


@pytest.fixture(scope="module")
def elib(tmp_path_factory):
    """This family's reference kernels in one host library, with their argument types."""
    names = [f"{op}_{s}" for op in [*UNARY, *PARAMS, "div"] for s in SUFFIX.values()]
    so = build_shared_library([REF_DIR / f"{n}.c" for n in names], [INCLUDE_DIR],
                              tmp_path_factory.mktemp("elementwise") / "libelementwise.so")
    library = ctypes.CDLL(str(so))
    for dtype, suffix in SUFFIX.items():
        p = POINTER[dtype]
        argtypes = {**{op: [p, p, i32] for op in UNARY},
                    **{op: [ctypes.POINTER(s), p, p] for op, s in PARAMS.items()},
                    "div": [ctypes.POINTER(BinaryParams), p, p, p]}
        for op, types in argtypes.items():
            function = getattr(library, kernel_symbol(f"{op}_{suffix}"))
            function.argtypes, function.restype = types, None
    return library


def kernel(lib, op: str, dtype):
    return getattr(lib, kernel_symbol(f"{op}_{SUFFIX[dtype]}"))


def tensor(values, dtype) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.ascontiguousarray(values, dtype=dtype)


def ptr(array: np.ndarray):
    return array.ctypes.data_as(POINTER[array.dtype.type])


def t32(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(array.astype(np.float32))


def t64(array: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(array.astype(np.float64))


def domain_inputs(op: str, rng, dtype) -> np.ndarray:
    """Values where the op's result is finite in the format, spread over its whole range:
    positive ones for log/sqrt/rsqrt, exp below overflow, everything for the rest."""
    info = np.finfo(dtype)
    if op in ("log", "sqrt", "rsqrt", "reciprocal"):
        lo, hi = math.log2(float(info.smallest_subnormal)), math.log2(float(info.max))
        if op in ("rsqrt", "reciprocal"):
            lo = math.log2(float(info.tiny)) + (1 if op == "reciprocal" else 0) + 2
        x = 2.0 ** rng.uniform(lo, hi, 600)
        return tensor(np.concatenate([x, rng.uniform(0.05, 4.0, 300), [1.0, 2.0, 0.5]]), dtype)
    if op == "exp":
        top = math.log(float(info.max)) - 0.01
        return tensor(np.concatenate([rng.uniform(-110 if dtype == np.float32 else -18, top, 800),
                                      rng.standard_normal(200)]), dtype)
    x = wide_inputs(rng, dtype)
    if op == "square":
        return x[np.abs(x.astype(np.float64)) < math.sqrt(float(info.max))]
    if op == "hardswish":  # x * 6 overflows above FLT_MAX / 6, in torch's formula too
        return x[np.abs(x.astype(np.float64)) < float(info.max) / 6]
    return x


def torch_float64_agrees(op: str, x: np.ndarray, ref: np.ndarray) -> None:
    """The numpy reference is torch's op in float64, where torch's own formula does not cancel
    (its GELU and sigmoid use 1 + erf / 1 + tanh / 1 + e^-x, exact enough down to x = -5)."""
    keep = (x.astype(np.float64) > -5.0) & (np.abs(x.astype(np.float64)) < 1e5)
    with torch.no_grad():
        want = TORCH[op](t64(x[keep])).numpy()
    np.testing.assert_allclose(ref[keep], want.astype(np.float32), rtol=2e-7, atol=1e-37,
                               err_msg=f"numpy reference of {op} disagrees with torch")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", UNARY)
def test_unary_matches_torch(elib, op, dtype):
    x = domain_inputs(op, np.random.default_rng(sum(map(ord, op))), dtype)
    out = np.full_like(x, np.nan)
    kernel(elib, op, dtype)(ptr(x), ptr(out), x.size)
    if op in EXACT:
        with np.errstate(all="ignore"):
            want = TORCH[op](t64(x)).numpy().astype(dtype)
        np.testing.assert_array_equal(out.view(np.uint8), want.view(np.uint8), err_msg=op)
        return
    with np.errstate(all="ignore"):
        ref = np.asarray(OPS_F64[op](x.astype(np.float64)))
    torch_float64_agrees(op, x, ref.astype(np.float32))
    assert_within_bound(out, ref, fp32_bound(op, x, ref, {}), f"{op}_{SUFFIX[dtype]}")


def _ref64(op: str):
    """The op's numpy reference in float64 (evaluate() rounds it to float32; the bound is
    against the exact value)."""
    from codegen.ops import elementwise_unary as u
    return {"exp": np.exp, "log": np.log, "rsqrt": lambda v: 1.0 / np.sqrt(v), "tanh": np.tanh,
            "sigmoid": u.sigmoid, "gelu": u.gelu, "gelu_tanh": u.gelu_tanh,
            "hardswish": u.hardswish, "mish": u.mish}[op]


OPS_F64 = {op: _ref64(op) for op in UNARY if op not in EXACT}

SPECIALS = [np.nan, np.inf, -np.inf, 0.0, -0.0, -1.0, -3.0, 1.0, 1e-40, -1e-40]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", UNARY)
def test_unary_special_values_as_torch(elib, op, dtype):
    """NaN, ±inf, ±0, negatives (out of the domain of log, sqrt, rsqrt): NaN exactly where
    torch gives NaN, the same infinities and zero signs."""
    x = tensor(SPECIALS, dtype)
    out = np.full_like(x, 7.0)
    kernel(elib, op, dtype)(ptr(x), ptr(out), x.size)
    with torch.no_grad():
        want = TORCH[op](t32(x)).numpy()
    for other, value in TORCH_DIFFERS:
        if other == op:
            want[x == value] = TORCH[op](t64(x[x == value])).numpy()
    assert np.array_equal(np.isnan(out), np.isnan(want)), f"{op}: NaN at {x[np.isnan(out)]}"
    special = np.isinf(want) | (want == 0)
    np.testing.assert_array_equal(out[special].astype(np.float32), want[special], err_msg=op)
    np.testing.assert_array_equal(np.signbit(out[special]), np.signbit(want[special]), err_msg=op)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["exp", "gelu", "mish", "sqrt"])
def test_unary_in_place(elib, op, dtype):
    x = tensor(np.random.default_rng(3).standard_normal(97) * 3, dtype)
    expected = np.full_like(x, np.nan)
    kernel(elib, op, dtype)(ptr(x), ptr(expected), x.size)
    kernel(elib, op, dtype)(ptr(x), ptr(x), x.size)
    np.testing.assert_array_equal(x, expected)


# ---------------------------------------------------------------------------- with a scalar


def run_param(lib, op, dtype, x, **fields):
    out = np.full_like(x, np.nan)
    params = PARAMS[op](count=x.size, **fields)
    kernel(lib, op, dtype)(ctypes.byref(params), ptr(x), ptr(out))
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bounds", [(-0.5, 0.7), (0.0, 6.0), (-1.0, None), (None, 0.3), (2.0, 1.0)])
def test_clamp_is_exact(elib, dtype, bounds):
    """torch.clamp bit for bit, NaN staying NaN, a missing bound open (±inf in the struct),
    min > max giving max."""
    lo, hi = bounds
    x = np.concatenate([wide_inputs(np.random.default_rng(20), dtype), tensor(SPECIALS, dtype)])
    out = run_param(elib, "clamp", dtype, x, min=-math.inf if lo is None else lo,
                    max=math.inf if hi is None else hi)
    want = torch.clamp(t32(x), lo, hi).numpy().astype(dtype)
    np.testing.assert_array_equal(out.view(np.uint8), want.view(np.uint8), err_msg=str(bounds))
    attrs = {"min": lo, "max": hi}
    np.testing.assert_array_equal(evaluate("clamp", [x], attrs).astype(dtype), want)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("slope", [0.01, 0.2, -0.3, 1.7])
def test_leaky_relu_matches_torch(elib, dtype, slope):
    """One rounding of x * slope: torch's float32 result bit for bit; in FP16 the rounding of
    that float to half (a half times a float is not exact in float, so that double rounding
    is within u32 |y| + half an f16 ulp, not bit-exact)."""
    x = np.concatenate([wide_inputs(np.random.default_rng(21), dtype), tensor(SPECIALS, dtype)])
    out = run_param(elib, "leaky_relu", dtype, x, negative_slope=slope)
    with np.errstate(all="ignore"):
        if dtype == np.float32:
            want = F.leaky_relu(t32(x), slope).numpy()
            np.testing.assert_array_equal(out.view(np.uint32), want.view(np.uint32))
            return
        finite = np.isfinite(x) & (np.abs(x.astype(np.float64) * slope) < 65504)
        ref = evaluate("leaky_relu", [x[finite]], {"negative_slope": slope}).astype(np.float64)
        ref = np.where(x[finite] > 0, x[finite], x[finite].astype(np.float64) * float(np.float32(slope)))
    assert_within_bound(out[finite], ref, fp32_bound("leaky_relu", x[finite], ref, {}), "leaky_relu_f16")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha", [1.0, 0.3, 2.5])
def test_elu_matches_torch(elib, dtype, alpha):
    x = wide_inputs(np.random.default_rng(22), dtype)
    out = run_param(elib, "elu", dtype, x, alpha=alpha)
    ref = evaluate("elu", [x], {"alpha": alpha}).astype(np.float64)
    with np.errstate(all="ignore"):
        x64 = x.astype(np.float64)
        ref = np.where(x64 > 0, x64, float(np.float32(alpha)) * np.expm1(x64))
        np.testing.assert_allclose(ref, F.elu(t64(x), float(np.float32(alpha))).numpy(), rtol=1e-12)
    assert_within_bound(out, ref, fp32_bound("elu", x, ref, {}), f"elu alpha={alpha}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("exponent", [3.0, 1.7, -2.0, 0.25, 4.0])
def test_pow_matches_torch(elib, dtype, exponent):
    """powf over positive inputs (any exponent) and negative ones (integer exponents), where
    the result is finite in the format; NaN for a negative base and a fractional exponent."""
    rng = np.random.default_rng(23)
    info = np.finfo(dtype)
    # |x| from where |x|^e leaves the normal range to where it overflows, whatever e's sign
    ends = sorted(math.log2(float(v)) / exponent for v in (info.tiny, info.max))
    ends = [max(ends[0], math.log2(float(info.tiny))), min(ends[1], math.log2(float(info.max)))]
    x = np.abs(rng.standard_normal(600) * 4) + 1e-3
    x = np.concatenate([x, 2.0 ** rng.uniform(ends[0] + 0.5, ends[1] - 0.5, 300)])
    if exponent == int(exponent):
        x = x * rng.choice((-1.0, 1.0), x.size)
    with np.errstate(all="ignore"):
        x = x[(np.abs(x) ** exponent > float(info.tiny)) & (np.abs(x) ** exponent < float(info.max))]
    x = tensor(x, dtype)
    out = run_param(elib, "pow", dtype, x, exponent=exponent)
    e32 = float(np.float32(exponent))  # the struct's float, as torch's float32 pow uses it
    ref = np.power(x.astype(np.float64), e32)
    np.testing.assert_allclose(ref, torch.pow(t64(x), e32).numpy(), rtol=1e-12)
    assert_within_bound(out, ref, fp32_bound("pow", x, ref, {}), f"pow {exponent}")
    neg = run_param(elib, "pow", dtype, tensor([-2.0, -0.5], dtype), exponent=exponent)
    assert np.isnan(neg).all() == (exponent != int(exponent))


@pytest.mark.parametrize("op, fields", [("clamp", {"min": -0.2, "max": 0.4}),
                                        ("leaky_relu", {"negative_slope": 0.1}),
                                        ("elu", {"alpha": 1.0}), ("pow", {"exponent": 3.0})])
def test_param_in_place(elib, op, fields):
    for dtype in (np.float32, np.float16):
        x = tensor(np.random.default_rng(4).standard_normal(61) * 3, dtype)
        expected = run_param(elib, op, dtype, x, **fields)
        params = PARAMS[op](count=x.size, **fields)
        kernel(elib, op, dtype)(ctypes.byref(params), ptr(x), ptr(x))
        np.testing.assert_array_equal(x, expected)


# ---------------------------------------------------------------------------- div


DIV_SHAPES = [((1, 5, 6, 7), (1, 5, 1, 1)), ((2, 5, 6, 7), (2, 5, 6, 7)), ((3, 9), (9,)),
              ((4, 6, 5), ()), ((), (2, 3)), ((4, 1, 5), (1, 3, 1)), ((1, 1, 6, 7), (3, 4, 1, 1))]


@pytest.mark.parametrize("dtype", DTYPES)
def test_div_broadcasting_is_torchs_float32_division(elib, dtype):
    """a / b with broadcasting: bit-equal to torch's float32 division; in FP16 the correctly
    rounded half quotient (float's 24 bits make the double rounding innocuous). Divisors
    include ±0 (±inf, NaN for 0 / 0), tiny and huge values."""
    rng = np.random.default_rng(24)
    for a_shape, b_shape in DIV_SHAPES:
        a = tensor(rng.standard_normal(a_shape) * 10, dtype)
        b = tensor(rng.standard_normal(b_shape), dtype)
        if b.size > 3:
            b.flat[:3] = [0.0, -0.0, float(np.finfo(dtype).tiny)]
        if a.size > 1:
            a.flat[0] = 0.0
        out_shape = np.broadcast_shapes(a_shape, b_shape)
        out4 = (1,) * (MAX_RANK - len(out_shape)) + tuple(out_shape)
        params = BinaryParams((i32 * MAX_RANK)(*out4),
                              (i32 * MAX_RANK)(*broadcast_strides(a_shape, out4)),
                              (i32 * MAX_RANK)(*broadcast_strides(b_shape, out4)), 0)
        out = np.full(out_shape, 7.0, dtype=dtype)
        kernel(elib, "div", dtype)(ctypes.byref(params), ptr(a), ptr(b), ptr(out))
        with np.errstate(all="ignore"):
            want = (t64(a) / t64(b)).numpy().astype(dtype)  # exact quotient, rounded once
        if dtype == np.float32:
            np.testing.assert_array_equal(want, (t32(a) / t32(b)).numpy())
        np.testing.assert_array_equal(out.view(np.uint8), want.view(np.uint8),
                                      err_msg=f"{a_shape} / {b_shape}")
