"""The Arm DSP int8 kernels (codegen/kernels/dsp/: conv2d_s8_dsp, linear_s8_dsp) give the same
bytes as the numpy int8 reference (codegen/int8), and the catalog picks them exactly for the
shapes their predicate names.

On the host the kernels compile with plain C in place of the ACLE intrinsics
(internal/gemm_s8_dsp.h), so this runs their exact loops, column layout, tails and
requantization; tests/test_int8_dsp_target.py runs the SMLAD build on the emulated boards.
Cases are chosen for the code paths: odd output channels (the one-channel block), an odd
pixel count (the one-pixel block), depths that are not a multiple of 4 (the tail), stride 2,
1x1, the stem (one input channel), zero points at -128 and 127, multipliers that saturate or
shift left, and biases that clamp."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from codegen.int8 import fixedpoint, ops
from codegen.kernels import INCLUDE_DIR, kernel_sources
from codegen.kernels.catalog import choose_function, scratch_bytes
from codegen.kernels.overrides.dsp_conv_pack import MAX_RIGHT, conv_pack, short_requant
from codegen.kernels.overrides.dsp_pointwise_pack import pointwise_pack
from tests import int8_cases as cases
from tests.host_build import build_shared_library
from tests.helpers.int8_params import conv_params
from tests.test_int8_kernels import (INT32_MIN, Conv2dParams, Conv2dS8Params, LinearParams,
                                     LinearS8Params, QuantS8, _call_elementwise, _edge_int32,
                                     _multipliers, _ptr)

pytestmark = pytest.mark.kernel

DSP = ("armv7em", "dsp", "fpv4_sp", "fpu")  # cortex-m4's features
CASES = 150


# The kernels' shorter doubling high multiply and requantization, exported for the edge tests.
SHIM = """#include "edgediff/internal/gemm_s8_dsp.h"
void t_dsp_high_mul(const int32_t *a, const int32_t *b, int32_t *out, int32_t n) {
    for (int32_t i = 0; i < n; ++i) out[i] = edgediff_s8_dsp_high_mul(a[i], b[i]);
}
void t_dsp_requantize(const int32_t *x, const int32_t *m, const int32_t *s, int32_t *out,
                      int32_t n) {
    for (int32_t i = 0; i < n; ++i) out[i] = edgediff_s8_dsp_requantize(x[i], m[i], s[i]);
}
"""


@pytest.fixture(scope="module")
def lib(tmp_path_factory) -> ctypes.CDLL:
    tmp = tmp_path_factory.mktemp("int8dsp")
    shim = tmp / "shim.c"
    shim.write_text(SHIM)
    sources = [*kernel_sources(["conv2d_s8_dsp", "conv2d_1x1_s8_dsp", "linear_s8_dsp"]), shim]
    return ctypes.CDLL(str(build_shared_library(sources, [INCLUDE_DIR], tmp / "dsp.so")))


def test_high_mul_and_requantize_equal_gemmlowp(lib):
    """The same draws as test_int8_kernels' primitive tests: uniform, small and extreme int32,
    the saturating INT32_MIN product, exact ties of the doubled high part."""
    rng = np.random.default_rng(1549)
    n = 40000
    a, b = _edge_int32(rng, n), _edge_int32(rng, n)
    b[::9] = a[::9]
    a[5], b[5] = INT32_MIN, INT32_MIN
    b[7::11], a[7::11] = 1 << 30, rng.integers(-(1 << 20), 1 << 20, a[7::11].shape) * 2 + 1
    b[8::11], a[8::11] = -(1 << 30), rng.integers(-(1 << 20), 1 << 20, a[8::11].shape) * 2 + 1
    got = _call_elementwise(lib.t_dsp_high_mul, a, b)
    np.testing.assert_array_equal(got, fixedpoint.saturating_rounding_doubling_high_mul(a, b))
    x, m, s = _edge_int32(rng, n), _multipliers(rng, n), rng.integers(-31, 31, n)
    s[::3] = rng.integers(-12, 3, s[::3].shape)
    got = _call_elementwise(lib.t_dsp_requantize, x, m, s)
    np.testing.assert_array_equal(got, fixedpoint.multiply_by_quantized_multiplier(x, m, s))


def _quant(rng) -> dict:
    zin, zout = cases.zero_point(rng), cases.zero_point(rng)
    if rng.random() < 0.25:
        zin = int(rng.choice([-128, 127]))
    lo, hi = sorted(rng.integers(-128, 128, 2))
    act = (-128, 127) if rng.random() < 0.5 else (int(lo), int(hi))
    return dict(input_offset=-zin, output_offset=zout, act_min=act[0], act_max=act[1])


def _requant(rng, c_out: int):
    """Multipliers over their range (with 0, 2^30 and INT32_MAX) and shifts, some positive
    (a multiplier above 1: the doubling high multiply saturates on big sums)."""
    mult = _multipliers(rng, c_out)
    shift = rng.integers(-20, 3, c_out)
    if rng.random() < 0.2:
        mult[:], shift[:] = np.iinfo(np.int32).max, 2
    return mult.astype(np.int32), shift.astype(np.int32)


def _weights(rng, shape) -> np.ndarray:
    w = cases.weights(rng, shape)
    if rng.random() < 0.2:  # the ends of int8, -128 included (the widening's sign)
        w.flat[::3] = rng.choice([-128, 127], w.flat[::3].shape)
    return w


def conv_case(rng, c_in, c_out, h, w, k, stride, n=1):
    pad = k // 2
    h_out, w_out = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    geom = dict(n=n, c_in=c_in, h_in=h, w_in=w, c_out=c_out, h_out=h_out, w_out=w_out,
                kernel_h=k, kernel_w=k, stride_h=stride, stride_w=stride, pad_h=pad, pad_w=pad,
                dilation_h=1, dilation_w=1, groups=1)
    x = cases.int8(rng, (n, c_in, h, w))
    if rng.random() < 0.2:
        x.flat[::2] = rng.choice([-128, 127], x.flat[::2].shape)
    weight = _weights(rng, (c_out, c_in, k, k))
    bias = None if rng.random() < 0.2 else cases.bias(rng, c_out, k * k * c_in)
    mult, shift = _requant(rng, c_out)
    return geom, _quant(rng), x, weight, bias, mult, shift


def _run_conv(lib, geom, q, x, weight, bias, mult, shift) -> np.ndarray:
    params = {"conv": {**geom, "act": 0}, "q": q}
    function = choose_function("conv2d_s8", params, DSP)
    want = "conv2d_1x1_s8_dsp" if geom["kernel_h"] == 1 else "conv2d_s8_dsp"
    assert function == want, geom
    scratch = np.zeros(scratch_bytes("conv2d_s8", params, DSP) // 4 + 1, dtype=np.int32)
    out = np.zeros((geom["n"], geom["c_out"], geom["h_out"], geom["w_out"]), dtype=np.int8)
    p = Conv2dS8Params(Conv2dParams(**geom, act=0), QuantS8(**q))
    b = None if bias is None else np.ascontiguousarray(bias, dtype=np.int32)
    if function == "conv2d_s8_dsp":  # its weights as the emitter packs them
        weight = np.ascontiguousarray(conv_pack(params, [None, weight, bias, mult, shift]))
    else:
        weight = np.ascontiguousarray(pointwise_pack(params, [None, weight, bias, mult, shift]))
    getattr(lib, "edgediff_" + function)(ctypes.byref(p), _ptr(x), _ptr(weight),
                               None if b is None else _ptr(b), _ptr(mult), _ptr(shift),
                               _ptr(out), _ptr(scratch))
    return out


def _want_conv(geom, q, x, weight, bias, mult, shift) -> np.ndarray:
    s, p = geom["stride_h"], geom["pad_h"]
    return ops.conv2d(x, weight, bias, mult, shift, input_offset=q["input_offset"],
                      output_offset=q["output_offset"], stride=(s, s), padding=(p, p),
                      dilation=(1, 1), groups=1, act_min=q["act_min"], act_max=q["act_max"])


@pytest.mark.parametrize("k,stride", [(3, 1), (3, 2), (1, 1)], ids=["3x3", "3x3s2", "1x1"])
def test_conv_matches_numpy(lib, k, stride):
    rng = np.random.default_rng(1550 + 10 * k + stride)
    for i in range(CASES):
        shape = (int(rng.integers(1, 10)), int(rng.integers(1, 10)), int(rng.integers(1, 9)),
                 int(rng.integers(1, 12)))
        case = conv_case(rng, *shape, k, stride, n=int(rng.integers(1, 3)))
        got = _run_conv(lib, *case)
        np.testing.assert_array_equal(got, _want_conv(*case), err_msg=f"case {i}: {case[:2]}")


def test_conv_dncnn_shape(lib):
    """A layer of the zoo dncnn (16 -> 16 channels, 3x3) on a small image."""
    rng = np.random.default_rng(1560)
    case = conv_case(rng, 16, 16, 7, 9, 3, 1)
    np.testing.assert_array_equal(_run_conv(lib, *case), _want_conv(*case))


def test_conv_takes_both_requantizations():
    """The random cases of test_conv_matches_numpy run both requantizations of conv2d_s8_dsp:
    the short one (doubled sums, SMMLAR; with the int8-wide clamp the one assembly loop per
    block) and the general one."""
    for stride in (1, 2):
        rng = np.random.default_rng(1550 + 30 + stride)
        kinds = set()
        for _ in range(CASES):
            shape = [int(rng.integers(1, 10)), int(rng.integers(1, 10)), int(rng.integers(1, 9)),
                     int(rng.integers(1, 12))]
            geom, q, x, weight, bias, mult, shift = conv_case(rng, *shape, 3, stride,
                                                              n=int(rng.integers(1, 3)))
            short = short_requant(weight.astype(np.int64), bias, mult, shift, q["input_offset"])
            kinds.add((short, short and (q["act_min"], q["act_max"]) == (-128, 127)))
        assert kinds == {(False, False), (True, False), (True, True)}


@pytest.mark.parametrize("stride", [1, 2])
def test_conv_short_requantization_edges(lib, stride):
    """Short layers at the edges of what the packer lets through: right shifts 1, 2 and 22,
    multipliers 0, 2^30 (every odd sum a tie of the high multiply, every other one of the
    shift), INT32_MAX, zero points at both ends, sums near the 2^30 bound."""
    rng = np.random.default_rng(1570 + stride)
    for i in range(40):
        case = list(conv_case(rng, int(rng.integers(1, 7)), int(rng.integers(2, 9)), 5, 7, 3,
                              stride))
        geom, q, weight = case[0], case[1], case[3]
        c_out = geom["c_out"]
        q.update(act_min=-128, act_max=127) if i % 2 else None
        q["output_offset"] = int(rng.choice([-128, 127, q["output_offset"]]))
        mult = rng.choice([0, 1 << 30, 1 << 30, np.iinfo(np.int32).max], c_out).astype(np.int32)
        shift = -rng.choice([1, 2, 2, MAX_RIGHT], c_out).astype(np.int32)
        total = weight.astype(np.int64).reshape(c_out, -1)
        room = (1 << 30) - 1 - 128 * np.abs(total).sum(axis=1)  # |bias'| may reach it
        bias = rng.choice([-1, 1], c_out) * room - q["input_offset"] * total.sum(axis=1)
        if i % 3 == 0:
            bias = rng.integers(-(1 << 12), 1 << 12, c_out)
        case[4:7] = bias.astype(np.int32), mult, shift
        assert short_requant(weight.astype(np.int64), case[4], mult, shift, q["input_offset"])
        got = _run_conv(lib, *case)
        np.testing.assert_array_equal(got, _want_conv(*case), err_msg=f"case {i}: {case[:2]}")


def test_linear_matches_numpy(lib):
    rng = np.random.default_rng(1561)
    for i in range(CASES):
        rows, n_in, n_out = (int(rng.integers(1, 6)), int(rng.integers(1, 70)),
                             int(rng.integers(1, 12)))
        x, weight = cases.int8(rng, (rows, n_in)), _weights(rng, (n_out, n_in))
        bias = None if rng.random() < 0.2 else cases.bias(rng, n_out, n_in)
        mult, shift = _requant(rng, n_out)
        q = _quant(rng)
        params = {"linear": dict(rows=rows, in_features=n_in, out_features=n_out, act=0), "q": q}
        assert choose_function("linear_s8", params, DSP) == "linear_s8_dsp"
        scratch = np.zeros(scratch_bytes("linear_s8", params, DSP) // 4 + 1, dtype=np.int32)
        out = np.zeros((rows, n_out), dtype=np.int8)
        p = LinearS8Params(LinearParams(rows, n_in, n_out, 0), QuantS8(**q))
        b = None if bias is None else np.ascontiguousarray(bias, dtype=np.int32)
        lib.edgediff_linear_s8_dsp(ctypes.byref(p), _ptr(x), _ptr(weight),
                                   None if b is None else _ptr(b), _ptr(mult), _ptr(shift),
                                   _ptr(out), _ptr(scratch))
        want = ops.linear(x, weight, bias, mult, shift, input_offset=q["input_offset"],
                          output_offset=q["output_offset"], act_min=q["act_min"],
                          act_max=q["act_max"])
        np.testing.assert_array_equal(out, want, err_msg=f"case {i}: {rows}x{n_in}->{n_out} {q}")


@pytest.mark.parametrize("changes", [dict(groups=2), dict(dilation_h=2, dilation_w=2, h_out=4, w_out=4),
                                     dict(pad_h=0, pad_w=0, h_out=4, w_out=4), dict(pad_h=0, h_out=4),
                                     dict(pad_w=0, w_out=4),
                                     dict(kernel_h=5, kernel_w=5, pad_h=2, pad_w=2),
                                     dict(stride_h=2, stride_w=1, h_out=3),
                                     dict(kernel_h=1, kernel_w=1, pad_h=1, pad_w=1, h_out=8, w_out=8)])
def test_other_convs_keep_the_reference(changes):
    assert choose_function("conv2d_s8", conv_params(**changes), DSP) == "conv2d_s8"


def test_only_dsp_targets_take_it():
    params = conv_params()
    assert choose_function("conv2d_s8", params, DSP) == "conv2d_s8_dsp"
    assert choose_function("conv2d_s8", params, ("rv32imafc", "zbb", "fpu")) == "conv2d_s8"
    assert choose_function("conv2d_s8", params, ("host",)) == "conv2d_s8"
