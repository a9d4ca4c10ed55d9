"""The int8 reference C kernels (codegen/kernels/ref/*_s8.c) give the same bytes as the numpy
int8 reference (codegen/int8), which tests/test_int8_tflm.py holds equal to TFLite Micro.

The kernels and a test-only shim around the internal requantization helpers are compiled for
the host and called through ctypes. Multipliers, shifts and zero points are drawn directly
(not only from realistic scales), over their whole legal ranges, with the rounding ties and
the saturating and wrapping edges of the fixed-point primitives drawn on purpose.
"""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from codegen.int8 import fixedpoint, ops, params, softmax
from codegen.kernels import INCLUDE_DIR, kernel_sources
from tests import int8_cases as cases
from tests.host_build import build_shared_library

pytestmark = pytest.mark.kernel

KERNELS = ["conv2d_s8", "depthwise_conv2d_s8", "linear_s8", "add_s8", "mul_s8",
           "quantize_f32_to_s8", "dequantize_s8_to_f32", "requantize_s8", "lut_s8", "softmax_s8"]
CASES = 200
INT32_MIN, INT32_MAX = fixedpoint.INT32_MIN, fixedpoint.INT32_MAX

# The internal helpers are static inline; this shim exports them for the primitive tests.
SHIM = """#include "edgediff/internal/requantize_s8.h"
void t_high_mul(const int32_t *a, const int32_t *b, int32_t *out, int32_t n) {
    for (int32_t i = 0; i < n; ++i) out[i] = edgediff_doubling_high_mul(a[i], b[i]);
}
void t_shift_right(const int32_t *x, const int32_t *e, int32_t *out, int32_t n) {
    for (int32_t i = 0; i < n; ++i) out[i] = edgediff_rounding_shift_right(x[i], e[i]);
}
void t_requantize(const int32_t *x, const int32_t *m, const int32_t *s, int32_t *out, int32_t n) {
    for (int32_t i = 0; i < n; ++i) out[i] = edgediff_requantize(x[i], m[i], s[i]);
}
"""

i32 = ctypes.c_int32


class Conv2dParams(ctypes.Structure):
    _fields_ = [(name, i32) for name in (
        "n", "c_in", "h_in", "w_in", "c_out", "h_out", "w_out", "kernel_h", "kernel_w",
        "stride_h", "stride_w", "pad_h", "pad_w", "dilation_h", "dilation_w", "groups", "act",
        "row0", "rows", "in_row0", "in_rows", "out_row0", "out_rows")]  # row window: 0 = whole


class LinearParams(ctypes.Structure):
    _fields_ = [(name, i32) for name in ("rows", "in_features", "out_features", "act")]


class BinaryParams(ctypes.Structure):
    _fields_ = [("out_shape", i32 * 4), ("a_strides", i32 * 4), ("b_strides", i32 * 4),
                ("act", i32)]


class QuantS8(ctypes.Structure):
    _fields_ = [(name, i32) for name in ("input_offset", "output_offset", "act_min", "act_max")]


class Conv2dS8Params(ctypes.Structure):
    _fields_ = [("conv", Conv2dParams), ("q", QuantS8)]


class LinearS8Params(ctypes.Structure):
    _fields_ = [("linear", LinearParams), ("q", QuantS8)]


class BinaryS8Params(ctypes.Structure):
    _fields_ = [("shape", BinaryParams)] + [(name, i32) for name in (
        "input1_offset", "input2_offset", "output_offset", "left_shift", "input1_multiplier",
        "input1_shift", "input2_multiplier", "input2_shift", "output_multiplier", "output_shift",
        "act_min", "act_max")]


class QuantizeS8Params(ctypes.Structure):
    _fields_ = [("count", i32), ("scale", ctypes.c_float), ("zero_point", i32)]


class RequantizeS8Params(ctypes.Structure):
    _fields_ = [(name, i32) for name in ("count", "input_offset", "output_offset", "multiplier",
                                         "shift")]


@pytest.fixture(scope="module")
def lib(tmp_path_factory) -> ctypes.CDLL:
    tmp = tmp_path_factory.mktemp("int8")
    shim = tmp / "shim.c"
    shim.write_text(SHIM)
    sources = [*kernel_sources(KERNELS), shim]
    return ctypes.CDLL(str(build_shared_library(sources, [INCLUDE_DIR], tmp / "int8.so")))


def _ptr(a: np.ndarray):
    return a.ctypes.data_as(ctypes.c_void_p)


def _call_elementwise(fn, *arrays) -> np.ndarray:
    args = [np.ascontiguousarray(a, dtype=np.int32) for a in arrays]
    out = np.zeros(args[0].shape, dtype=np.int32)
    fn(*map(_ptr, args), _ptr(out), i32(out.size))
    return out.astype(np.int64)


def _edge_int32(rng, n: int) -> np.ndarray:
    """int32 values: uniform, small, and the extremes."""
    x = rng.integers(INT32_MIN, INT32_MAX, n, endpoint=True)
    x[::4] = rng.integers(-70000, 70000, x[::4].shape)
    x[1::17] = rng.choice([INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX - 1, INT32_MAX],
                          x[1::17].shape)
    return x


def _multipliers(rng, n: int) -> np.ndarray:
    """QuantizeMultiplier's significands: [2^30, 2^31), with both ends, and a few zeros."""
    m = rng.integers(1 << 30, 1 << 31, n)
    m[::13] = rng.choice([0, 1 << 30, INT32_MAX], m[::13].shape)
    return m


def test_doubling_high_mul(lib):
    rng = np.random.default_rng(1540)
    a, b = _edge_int32(rng, 20000), _edge_int32(rng, 20000)
    b[::9] = a[::9]  # includes INT32_MIN * INT32_MIN, the saturating product
    a[5], b[5] = INT32_MIN, INT32_MIN
    # products whose doubled high part is an exact tie: a * b = k * 2^31 + 2^30
    b[7::11], a[7::11] = 1 << 30, rng.integers(-(1 << 20), 1 << 20, a[7::11].shape) * 2 + 1
    got = _call_elementwise(lib.t_high_mul, a, b)
    np.testing.assert_array_equal(got, fixedpoint.saturating_rounding_doubling_high_mul(a, b))


def test_rounding_shift_right(lib):
    rng = np.random.default_rng(1541)
    x, e = _edge_int32(rng, 20000), rng.integers(0, 32, 20000)
    ties = np.arange(0, 20000, 5)  # x = k * 2^e +- 2^(e-1): half-way, both signs
    e[ties] = rng.integers(1, 20, ties.shape)
    x[ties] = (rng.integers(-1000, 1000, ties.shape) << e[ties]) + (1 << (e[ties] - 1))
    got = _call_elementwise(lib.t_shift_right, x, e)
    np.testing.assert_array_equal(got, fixedpoint.rounding_divide_by_pot(x, e))


def test_requantize(lib):
    rng = np.random.default_rng(1542)
    n = 20000
    x, m, s = _edge_int32(rng, n), _multipliers(rng, n), rng.integers(-31, 31, n)
    s[::3] = rng.integers(-12, 3, s[::3].shape)  # shifts conv layers have, incl. positive
    got = _call_elementwise(lib.t_requantize, x, m, s)
    np.testing.assert_array_equal(got, fixedpoint.multiply_by_quantized_multiplier(x, m, s))


def _random_quant(rng):
    lo, hi = sorted(rng.integers(-128, 128, 2))
    act = (-128, 127) if rng.random() < 0.5 else (int(lo), int(hi))
    return dict(input_offset=-cases.zero_point(rng), output_offset=cases.zero_point(rng),
                act_min=act[0], act_max=act[1])


def _conv_call(lib, fn, q, geom, x, weight, bias, mult, shift) -> np.ndarray:
    out = np.zeros((geom["n"], geom["c_out"], geom["h_out"], geom["w_out"]), dtype=np.int8)
    p = Conv2dS8Params(Conv2dParams(**geom, act=0), QuantS8(**q))
    b = None if bias is None else np.ascontiguousarray(bias, dtype=np.int32)
    mult32, shift32 = (np.ascontiguousarray(v, dtype=np.int32) for v in (mult, shift))
    fn(ctypes.byref(p), _ptr(x), _ptr(weight), None if b is None else _ptr(b), _ptr(mult32),
       _ptr(shift32), _ptr(out))
    return out


@pytest.mark.parametrize("depthwise", [False, True], ids=["conv2d_s8", "depthwise_conv2d_s8"])
def test_conv_kernels_match_numpy(lib, depthwise):
    rng = np.random.default_rng(1543 + depthwise)
    fn = lib.edgediff_depthwise_conv2d_s8 if depthwise else lib.edgediff_conv2d_s8
    for i in range(CASES):
        kh, kw = (int(rng.choice([1, 3, 3, 5])) for _ in range(2))
        sh, sw, dh, dw = (int(rng.choice([1, 1, 2])) for _ in range(4))
        ph, pw = int(rng.integers(0, kh // 2 + 2)), int(rng.integers(0, kw // 2 + 2))
        h, w = int(rng.integers(1, 12)), int(rng.integers(1, 12))
        h_out = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        w_out = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        if h_out < 1 or w_out < 1:
            continue
        c_in = int(rng.integers(1, 7))
        if depthwise:
            groups, c_out = c_in, c_in * int(rng.integers(1, 4))
        else:
            groups = int(rng.choice([g for g in (1, 1, 2, 3) if c_in % g == 0]))
            c_out = groups * int(rng.integers(1, 4))
        n = int(rng.integers(1, 3))
        x = cases.int8(rng, (n, c_in, h, w))
        weight = cases.weights(rng, (c_out, c_in // groups, kh, kw))
        bias = None if rng.random() < 0.2 else cases.bias(rng, c_out, kh * kw * c_in // groups)
        mult, shift = _multipliers(rng, c_out), rng.integers(-20, 3, c_out)
        q = _random_quant(rng)
        geom = dict(n=n, c_in=c_in, h_in=h, w_in=w, c_out=c_out, h_out=h_out, w_out=w_out,
                    kernel_h=kh, kernel_w=kw, stride_h=sh, stride_w=sw, pad_h=ph, pad_w=pw,
                    dilation_h=dh, dilation_w=dw, groups=groups)
        got = _conv_call(lib, fn, q, geom, x, weight, bias, mult, shift)
        want = ops.conv2d(x, weight, bias, mult, shift, input_offset=q["input_offset"],
                          output_offset=q["output_offset"], stride=(sh, sw), padding=(ph, pw),
                          dilation=(dh, dw), groups=groups, act_min=q["act_min"],
                          act_max=q["act_max"])
        np.testing.assert_array_equal(got, want, err_msg=f"case {i}: {geom} {q}")


def test_linear_kernel_matches_numpy(lib):
    rng = np.random.default_rng(1545)
    for i in range(CASES):
        rows, n_in, n_out = (int(rng.integers(1, 6)), int(rng.integers(1, 100)),
                             int(rng.integers(1, 24)))
        x, weight = cases.int8(rng, (rows, n_in)), cases.weights(rng, (n_out, n_in))
        bias = None if rng.random() < 0.2 else cases.bias(rng, n_out, n_in)
        mult, shift = _multipliers(rng, n_out), rng.integers(-20, 3, n_out)
        q = _random_quant(rng)
        out = np.zeros((rows, n_out), dtype=np.int8)
        p = LinearS8Params(LinearParams(rows, n_in, n_out, 0), QuantS8(**q))
        b = None if bias is None else np.ascontiguousarray(bias, dtype=np.int32)
        m32, s32 = mult.astype(np.int32), shift.astype(np.int32)
        lib.edgediff_linear_s8(ctypes.byref(p), _ptr(x), _ptr(weight),
                               None if b is None else _ptr(b), _ptr(m32), _ptr(s32), _ptr(out))
        want = ops.linear(x, weight, bias, mult, shift, input_offset=q["input_offset"],
                          output_offset=q["output_offset"], act_min=q["act_min"],
                          act_max=q["act_max"])
        np.testing.assert_array_equal(out, want, err_msg=f"case {i}: {rows}x{n_in}->{n_out} {q}")


def _broadcast_pair(rng):
    """An NCHW shape and a second operand broadcast along a random subset of its dims."""
    shape = tuple(int(rng.integers(1, 6)) for _ in range(4))
    shape_b = tuple(1 if rng.random() < 0.4 else d for d in shape)
    a, b = cases.int8(rng, shape), cases.int8(rng, shape_b)
    if rng.random() < 0.5:  # either side may be the broadcast one
        a, b = b, a
    out_shape = np.broadcast_shapes(a.shape, b.shape)

    def strides(t):
        dense = np.cumprod((t.shape[1:] + (1,))[::-1])[::-1]
        return [0 if d == 1 and o != 1 else int(s) for d, o, s in zip(t.shape, out_shape, dense)]
    return a, b, BinaryParams(tuple(out_shape), tuple(strides(a)), tuple(strides(b)), 0)


@pytest.mark.parametrize("op", ["add", "mul"])
def test_binary_kernels_match_numpy(lib, op):
    rng = np.random.default_rng(1546 + (op == "mul"))
    for i in range(CASES):
        a, b, shape = _broadcast_pair(rng)
        s = cases.log_uniform(rng, 1e-3, 1.0, 3)
        z = [cases.zero_point(rng) for _ in range(3)]
        act = str(rng.choice(cases.ACTS))
        if op == "add":
            p = params.add_params(s[0], z[0], s[1], z[1], s[2], z[2], act)
            want = ops.add(a, b, p)
        else:
            p = params.mul_params(s[0], z[0], s[1], z[1], s[2] * s[1] * 0.01, z[2], act)
            want = ops.mul(a, b, p)
        fields = {k: getattr(p, k, 0) for k, _ in BinaryS8Params._fields_[1:]}
        cp = BinaryS8Params(shape, **fields)
        out = np.zeros(want.shape, dtype=np.int8)
        getattr(lib, f"edgediff_{op}_s8")(ctypes.byref(cp), _ptr(a), _ptr(b), _ptr(out))
        np.testing.assert_array_equal(out, want, err_msg=f"case {i}: {a.shape} {b.shape} {p}")


def test_quantize_dequantize_requantize_lut_match_numpy(lib):
    rng = np.random.default_rng(1548)
    for i in range(CASES):
        count = int(rng.integers(1, 300))
        scale, zp = float(cases.log_uniform(rng, 1e-4, 10.0)), cases.zero_point(rng)
        x = (rng.standard_normal(count) * scale * rng.choice([1, 50, 500])).astype(np.float32)
        x[::4] = ((rng.integers(-300, 300, x[::4].shape) + 0.5) * scale).astype(np.float32)
        x[::7] = rng.choice([0.0, -0.0, 1e30, -1e30], x[::7].shape).astype(np.float32)
        p = QuantizeS8Params(count, scale, zp)
        q = np.zeros(count, dtype=np.int8)
        lib.edgediff_quantize_f32_to_s8(ctypes.byref(p), _ptr(x), _ptr(q))
        np.testing.assert_array_equal(q, ops.quantize(x, np.float32(scale), zp),
                                      err_msg=f"quantize {i}")
        deq = np.zeros(count, dtype=np.float32)
        lib.edgediff_dequantize_s8_to_f32(ctypes.byref(p), _ptr(q), _ptr(deq))
        assert deq.tobytes() == ops.dequantize(q, np.float32(scale), zp).tobytes(), i
        m, s = int(_multipliers(rng, 1)[0]), int(rng.integers(-12, 4))
        zo = cases.zero_point(rng)
        rq = RequantizeS8Params(count, -zp, zo, m, s)
        out = np.zeros(count, dtype=np.int8)
        lib.edgediff_requantize_s8(ctypes.byref(rq), _ptr(q), _ptr(out))
        np.testing.assert_array_equal(out, ops.requantize(q, m, s, zp, zo),
                                      err_msg=f"requantize {i}")
    table = cases.int8(rng, 256)
    x = np.arange(-128, 128, dtype=np.int8)
    out = np.zeros(256, dtype=np.int8)
    lib.edgediff_lut_s8(_ptr(table), _ptr(x), _ptr(out), i32(256))
    np.testing.assert_array_equal(out, table)


@pytest.mark.parametrize("op", ["add", "mul"])
def test_binary_kernels_exhaustive_pairs(lib, op):
    """Every (a, b) int8 pair (65536 outputs) for random scales and zero points: an ADD
    input's rescaling rounds 2^20 below an output step, so only a full sweep reaches the
    few pairs where that rounding decides the output byte."""
    rng = np.random.default_rng(1549 + (op == "mul"))
    a = np.repeat(np.arange(-128, 128, dtype=np.int8), 256).reshape(1, 1, 256, 256)
    b = np.ascontiguousarray(a.transpose(0, 1, 3, 2))
    shape = BinaryParams((1, 1, 256, 256), (0, 0, 256, 1), (0, 0, 256, 1), 0)
    for i in range(30):
        s = cases.log_uniform(rng, 1e-3, 1.0, 3)
        z = [cases.zero_point(rng) for _ in range(3)]
        if op == "add":
            p = params.add_params(s[0], z[0], s[1], z[1], s[2], z[2])
            want = ops.add(a, b, p)
        else:
            p = params.mul_params(s[0], z[0], s[1], z[1], s[0] * s[1] * 64 * s[2], z[2])
            want = ops.mul(a, b, p)
        fields = {k: getattr(p, k, 0) for k, _ in BinaryS8Params._fields_[1:]}
        out = np.zeros(want.shape, dtype=np.int8)
        getattr(lib, f"edgediff_{op}_s8")(ctypes.byref(BinaryS8Params(shape, **fields)), _ptr(a),
                                          _ptr(b), _ptr(out))
        np.testing.assert_array_equal(out, want, err_msg=f"case {i}: {p}")


class SoftmaxS8Params(ctypes.Structure):
    _fields_ = [(name, i32) for name in ("rows", "depth", "input_multiplier", "input_left_shift",
                                         "diff_min")]


def test_softmax_kernel_matches_numpy(lib):
    rng = np.random.default_rng(1551)
    for i in range(CASES):
        rows, depth = int(rng.integers(1, 6)), int(rng.integers(1, 300))
        scale, beta = float(cases.log_uniform(rng, 1e-4, 2.0)), float(rng.choice([0.5, 1.0, 3.0]))
        x = cases.int8(rng, (rows, depth))
        if rng.random() < 0.3:  # a few near-equal rows: the sum and the diff_min cut-off vary
            x = np.clip(x // 16 + int(rng.integers(-100, 100)), -128, 127).astype(np.int8)
        multiplier, shift, diff_min = softmax.softmax_params(scale, beta)
        out = np.zeros_like(x)
        p = SoftmaxS8Params(rows, depth, multiplier, shift, diff_min)
        lib.edgediff_softmax_s8(ctypes.byref(p), _ptr(x), _ptr(out))
        np.testing.assert_array_equal(out, softmax.softmax(x, scale, beta),
                                      err_msg=f"case {i}: {rows}x{depth} scale {scale} beta {beta}")
