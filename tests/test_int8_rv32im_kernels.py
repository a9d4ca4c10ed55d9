"""The scalar RV32IM int8 kernels (codegen/kernels/rv32im/: conv2d_s8_rv32im, linear_s8_rv32im)
give the same bytes as the numpy int8 reference (codegen/int8, itself equal to the ref/ kernels
and TFLite Micro), and the catalog gives them exactly the layers their predicates name, on
rv32, rv32v (after the RVV kernels) and fe310.

The kernels are plain C, so the host runs their exact loops: every convolution tile variant
(16 and 4 pixels; 3x3 stride 1 and 2 with a padding column on the left, the right or both,
1x1) and the column-testing tile (other kernels and strides, rows narrower than 4 pixels,
more than one padding column), kernel rows skipped at the top and bottom, the overlapping
last tile of a row, one input channel, groups and depthwise layers (depth multiplier 1-3);
the linear's pairs of rows, blocks of 4 outputs and their tails; zero points at -128 and
127, multipliers that saturate or shift left, biases that clamp.
tests/test_int8_rv32im_target.py runs them on the emulated rv32 and fe310."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from codegen.kernels import INCLUDE_DIR, kernel_sources
from codegen.kernels.catalog import choose_function, scratch_bytes
from tests.host_build import build_shared_library
from codegen.int8 import ops
from tests.test_int8_dsp_kernels import _quant, _requant, _weights
from tests.test_int8_kernels import (Conv2dParams, Conv2dS8Params, LinearParams, LinearS8Params,
                                     QuantS8, _ptr)
from tests import int8_cases as cases
from tests.helpers.int8_params import conv_params

pytestmark = pytest.mark.kernel

RV32 = ("rv32imafc", "zfh", "zbb", "fpu", "rv32im")
RV32V = ("rv32imafc", "zfh", "zbb", "rvv", "zvfh", "fpu", "rv32im")
FE310 = ("rv32imac", "nofpu", "rv32im")
CASES = 400


@pytest.fixture(scope="module")
def lib(tmp_path_factory) -> ctypes.CDLL:
    tmp = tmp_path_factory.mktemp("int8rv32im")
    sources = kernel_sources(["conv2d_s8_rv32im", "linear_s8_rv32im"])
    return ctypes.CDLL(str(build_shared_library(sources, [INCLUDE_DIR], tmp / "rv32im.so")))


def _geometry(rng, n, c_in, c_out, h, w, kh, kw, sh, sw, ph, pw, groups=1) -> dict | None:
    h_out, w_out = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    if h_out < 1 or w_out < 1:
        return None
    return dict(n=n, c_in=c_in * groups, h_in=h, w_in=w, c_out=c_out * groups, h_out=h_out,
                w_out=w_out, kernel_h=kh, kernel_w=kw, stride_h=sh, stride_w=sw, pad_h=ph,
                pad_w=pw, dilation_h=1, dilation_w=1, groups=groups)


def _case(rng, geom):
    x = cases.int8(rng, (geom["n"], geom["c_in"], geom["h_in"], geom["w_in"]))
    if rng.random() < 0.2:
        x.flat[::2] = rng.choice([-128, 127], x.flat[::2].shape)
    cpg = geom["c_in"] // geom["groups"]
    weight = _weights(rng, (geom["c_out"], cpg, geom["kernel_h"], geom["kernel_w"]))
    taps = cpg * geom["kernel_h"] * geom["kernel_w"]
    bias = None if rng.random() < 0.2 else cases.bias(rng, geom["c_out"], taps)
    mult, shift = _requant(rng, geom["c_out"])
    return _quant(rng), x, weight, bias, mult, shift


def _run(lib, geom, q, x, weight, bias, mult, shift) -> np.ndarray:
    params = {"conv": {**geom, "act": 0}, "q": q}
    for features in (RV32, FE310):
        assert choose_function("conv2d_s8", params, features) == "conv2d_s8_rv32im", geom
    assert scratch_bytes("conv2d_s8", params, FE310) is None  # reads everything in place
    out = np.zeros((geom["n"], geom["c_out"], geom["h_out"], geom["w_out"]), dtype=np.int8)
    p = Conv2dS8Params(Conv2dParams(**geom, act=0), QuantS8(**q))
    b = None if bias is None else np.ascontiguousarray(bias, dtype=np.int32)
    lib.edgediff_conv2d_s8_rv32im(ctypes.byref(p), _ptr(x), _ptr(weight),
                                  None if b is None else _ptr(b), _ptr(mult), _ptr(shift),
                                  _ptr(out))
    return out


def _want(geom, q, x, weight, bias, mult, shift) -> np.ndarray:
    return ops.conv2d(x, weight, bias, mult, shift, input_offset=q["input_offset"],
                      output_offset=q["output_offset"], stride=(geom["stride_h"], geom["stride_w"]),
                      padding=(geom["pad_h"], geom["pad_w"]), dilation=(1, 1),
                      groups=geom["groups"],
                      act_min=q["act_min"], act_max=q["act_max"])


def _check_random(lib, rng, count: int, draw) -> None:
    """count random cases, each geometry from draw(rng) (None: drawn again), against numpy."""
    done = 0
    while done < count:
        geom = draw(rng)
        if geom is None:
            continue
        case = _case(rng, geom)
        np.testing.assert_array_equal(_run(lib, geom, *case), _want(geom, *case),
                                      err_msg=f"case {done}: {geom} {case[0]}")
        done += 1


@pytest.mark.parametrize("k,stride", [(3, 1), (3, 2), (1, 1)], ids=["3x3", "3x3s2", "1x1"])
def test_tiled_convs_match_numpy(lib, k, stride):
    """The shapes with compile-time tiles, padded as the zoo's (k // 2), over widths that
    give left, right, both-sides and overlapping last tiles."""
    def draw(rng):
        return _geometry(rng, int(rng.integers(1, 3)), int(rng.integers(1, 11)),
                         int(rng.integers(1, 11)), int(rng.integers(1, 9)),
                         int(rng.integers(1, 40 * stride + 30)), k, k, stride, stride,
                         k // 2, k // 2)

    _check_random(lib, np.random.default_rng(1700 + 10 * k + stride), CASES // 2, draw)


def test_any_kernel_stride_and_padding_match_numpy(lib):
    """Kernels 1-5 each way, strides 1-3, padding 0 to past half the kernel: the tiles where
    they fit, the column-testing tile elsewhere."""
    def draw(rng):
        kh, kw = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        return _geometry(rng, int(rng.integers(1, 3)), int(rng.integers(1, 8)),
                         int(rng.integers(1, 10)), int(rng.integers(1, 10)),
                         int(rng.integers(1, 36)), kh, kw, int(rng.integers(1, 4)),
                         int(rng.integers(1, 4)), int(rng.integers(0, kh // 2 + 2)),
                         int(rng.integers(0, kw // 2 + 2)))

    _check_random(lib, np.random.default_rng(1710), CASES, draw)


def test_grouped_and_depthwise_match_numpy(lib):
    """Groups of 1-3 input channels, depthwise with a depth multiplier of 1-3 (one input
    channel per group), any kernel, stride and padding."""
    def draw(rng):
        kh, kw = int(rng.choice([1, 3, 3, 5])), int(rng.choice([1, 3, 3, 5]))
        s = int(rng.integers(1, 3))
        return _geometry(rng, int(rng.integers(1, 3)), int(rng.integers(1, 4)),
                         int(rng.integers(1, 4)), int(rng.integers(1, 9)),
                         int(rng.integers(1, 40)), kh, kw, s, s, int(rng.integers(0, kh // 2 + 2)),
                         int(rng.integers(0, kw // 2 + 2)), groups=int(rng.integers(1, 6)))

    _check_random(lib, np.random.default_rng(1730), CASES // 2, draw)


@pytest.mark.parametrize("c_in,c_out", [(16, 16), (1, 16), (16, 1), (5, 7)])
def test_dncnn_shapes_match_numpy(lib, c_in, c_out):
    """The zoo dncnn's layers (16x16 image, 3x3 pad 1): the 16 -> 16 middle, the
    one-channel stem and output layer, and an odd pair."""
    rng = np.random.default_rng(1720 + c_in + c_out)
    geom = _geometry(rng, 1, c_in, c_out, 16, 16, 3, 3, 1, 1, 1, 1)
    case = _case(rng, geom)
    np.testing.assert_array_equal(_run(lib, geom, *case), _want(geom, *case))


def test_linear_matches_numpy(lib):
    """Rows 1-6 (pairs and a lone last row), inputs 1-70 (steps of 4 and a tail), outputs 1-12
    (blocks of 4 and a short last block)."""
    rng = np.random.default_rng(1740)
    for i in range(CASES // 2):
        rows, n_in, n_out = (int(rng.integers(1, 7)), int(rng.integers(1, 71)),
                             int(rng.integers(1, 13)))
        x, weight = cases.int8(rng, (rows, n_in)), _weights(rng, (n_out, n_in))
        bias = None if rng.random() < 0.2 else cases.bias(rng, n_out, n_in)
        mult, shift = _requant(rng, n_out)
        q = _quant(rng)
        params = {"linear": dict(rows=rows, in_features=n_in, out_features=n_out, act=0), "q": q}
        for features in (RV32, FE310):
            assert choose_function("linear_s8", params, features) == "linear_s8_rv32im"
        assert scratch_bytes("linear_s8", params, FE310) is None
        out = np.zeros((rows, n_out), dtype=np.int8)
        p = LinearS8Params(LinearParams(rows, n_in, n_out, 0), QuantS8(**q))
        b = None if bias is None else np.ascontiguousarray(bias, dtype=np.int32)
        lib.edgediff_linear_s8_rv32im(ctypes.byref(p), _ptr(x), _ptr(weight),
                                      None if b is None else _ptr(b), _ptr(mult), _ptr(shift),
                                      _ptr(out))
        want = ops.linear(x, weight, bias, mult, shift, input_offset=q["input_offset"],
                          output_offset=q["output_offset"], act_min=q["act_min"],
                          act_max=q["act_max"])
        np.testing.assert_array_equal(out, want, err_msg=f"case {i}: {rows}x{n_in}->{n_out} {q}")


@pytest.mark.unit
def test_catalog_and_scratch():
    """Dilation 1 takes it on rv32 and fe310, any groups; dilated convolutions keep the
    reference; on rv32v the RVV kernels come first and this one takes what they refuse; the
    Arm and host targets never take it. No scratch: the hifive1-revb has no RAM to spare."""
    params = conv_params()
    for features in (RV32, FE310):
        assert choose_function("conv2d_s8", params, features) == "conv2d_s8_rv32im"
        for changes in (dict(groups=2), dict(groups=4)):
            assert choose_function("conv2d_s8", conv_params(**changes),
                                   features) == "conv2d_s8_rv32im"
        for changes in (dict(dilation_h=2, h_out=4), dict(dilation_w=2, w_out=4)):
            assert choose_function("conv2d_s8", conv_params(**changes), features) == "conv2d_s8"
    assert choose_function("conv2d_s8", params, RV32V) == "conv2d_s8_rvv"
    assert choose_function("conv2d_s8", conv_params(groups=4), RV32V) == "conv2d_dw_s8_rvv"
    assert choose_function("conv2d_s8", conv_params(groups=2), RV32V) == "conv2d_s8_rv32im"
    big = conv_params(kernel_h=9, kernel_w=9, pad_h=4, pad_w=4)  # past the RVV ring's rows
    assert choose_function("conv2d_s8", big, RV32V) == "conv2d_s8_rv32im"
    m4 = ("armv7em", "dsp", "fpv4_sp", "fpu")
    assert choose_function("conv2d_s8", params, m4) == "conv2d_s8_dsp"
    assert choose_function("conv2d_s8", params, ("rv32imafc", "zbb", "fpu")) == "conv2d_s8"
    assert scratch_bytes("conv2d_s8", params, FE310) is None
    lin = {"linear": dict(rows=3, in_features=37, out_features=5, act=0), "q": params["q"]}
    assert choose_function("linear_s8", lin, FE310) == "linear_s8_rv32im"
    assert choose_function("linear_s8", lin, RV32V) == "linear_s8_rvv"
