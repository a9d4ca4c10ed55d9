"""RVV overrides (codegen/kernels/rvv/): which shapes each predicate takes, and, on the
emulated rv32v board, the corners the common kernel cases (tests/kernel_cases.py) do not
reach: 3x3 planes too large for the stack buffer (bands of rows), more input channels than
one block of packed weights (partial sums through the output), odd stride-2 sizes, output
channel counts that leave remainder blocks, broadcasting on either side, fused
activations on elementwise ops. Checked against exact arithmetic with the bounds of
tests/helpers/kernel_check.py."""

from __future__ import annotations

import pytest

from codegen.kernels.catalog import choose_function
from codegen.kernels.overrides.rvv import binary_applies, conv2d_applies, upsample_applies
from tests.helpers.kernel_check import case_failures, run_case_image
from tests.helpers.tools import require_target
from tests.kernel_cases import CaseBuilder, _conv

RVV = ["rv32imafc", "zfh", "zbb", "rvv", "zvfh"]


def _conv_params(**over):
    p = dict(n=1, c_in=16, h_in=16, w_in=16, c_out=16, h_out=16, w_out=16, kernel_h=3, kernel_w=3,
             stride_h=1, stride_w=1, pad_h=1, pad_w=1, dilation_h=1, dilation_w=1, groups=1, act=0)
    p.update(over)
    return p


@pytest.mark.unit
@pytest.mark.parametrize("params, taken", [
    (_conv_params(), True),
    (_conv_params(h_in=9, w_in=13, h_out=9, w_out=13), True),
    (_conv_params(stride_h=2, stride_w=2, h_out=8, w_out=8), True),
    (_conv_params(h_in=9, w_in=11, stride_h=2, stride_w=2, h_out=5, w_out=6), True),
    (_conv_params(kernel_h=1, kernel_w=1, pad_h=0, pad_w=0), True),
    (_conv_params(groups=16, c_in=16), False),
    (_conv_params(dilation_h=2, dilation_w=2), False),
    (_conv_params(pad_h=0, pad_w=0, h_out=14, w_out=14), False),
    (_conv_params(stride_h=2, stride_w=1, h_out=8), False),
    (_conv_params(kernel_h=5, kernel_w=5, pad_h=2, pad_w=2), False),
    (_conv_params(w_in=200, w_out=200), False),
])
def test_conv2d_predicate(params, taken):
    assert conv2d_applies(params) is taken
    want = "conv2d_f16_rvv" if taken else "conv2d_f16"
    assert choose_function("conv2d_f16", params, RVV) == want
    assert choose_function("conv2d_f16", params, ["rv32imafc", "zfh"]) == "conv2d_f16"


@pytest.mark.unit
@pytest.mark.parametrize("shape, a, b, taken", [
    ((1, 16, 8, 8), (1024, 64, 8, 1), (1024, 64, 8, 1), True),   # same shape
    ((1, 16, 8, 8), (1024, 64, 8, 1), (16, 1, 0, 0), True),      # per-channel b
    ((1, 16, 8, 8), (16, 1, 0, 0), (1024, 64, 8, 1), True),      # per-channel a
    ((1, 16, 8, 8), (1024, 64, 8, 1), (0, 0, 0, 0), True),       # scalar b
    ((1, 1, 1, 16), (1, 1, 1, 0), (16, 16, 16, 1), True),        # scalar a (one plane)
    ((1, 16, 8, 8), (1024, 64, 8, 1), (0, 0, 0, 1), False),      # [1, 1, 1, W] operand
    ((1, 16, 8, 8), (1024, 64, 8, 1), (0, 0, 8, 1), False),      # [1, 1, H, W] operand
    ((1, 16, 8, 8), (1024, 64, 1, 8), (1024, 64, 8, 1), False),  # transposed view
])
def test_binary_predicate(shape, a, b, taken):
    assert binary_applies({"out_shape": list(shape), "a_strides": list(a), "b_strides": list(b),
                           "act": 0}) is taken


@pytest.mark.unit
def test_upsample_predicate():
    base = dict(n=1, channels=8, h_in=5, w_in=7)
    assert upsample_applies({**base, "h_out": 10, "w_out": 14})
    assert not upsample_applies({**base, "h_out": 15, "w_out": 21})
    assert not upsample_applies({**base, "h_out": 10, "w_out": 7})


def rvv_case_graph(seed: int = 3):
    b = CaseBuilder(seed)
    _conv(b, "conv_band", 3, 5, 40, 40, 3)                    # FP32 plane > buffer: bands
    _conv(b, "conv_many_in", 40, 7, 6, 6, 3, act="relu")      # > 32 inputs: 2 weight packs
    _conv(b, "conv_s2_odd", 6, 9, 9, 11, 3, stride=2, act="silu")
    _conv(b, "conv1x1_wide", 40, 13, 7, 9, 1, pad=0, act="relu")
    _conv(b, "conv_one_out", 16, 1, 16, 16, 3, bias=False)
    x, y = b.input("addl_x", (1, 6, 1, 1)), b.input("addl_y", (1, 6, 5, 3))
    b.op("add_left", "add", [x, y], (1, 6, 5, 3), act="relu")
    x, y = b.input("subl_x", (1, 6, 1, 1)), b.input("subl_y", (1, 6, 5, 3))
    b.op("sub_left", "sub", [x, y], (1, 6, 5, 3), act="none")
    x, y = b.input("subr_x", (1, 6, 5, 3)), b.input("subr_y", (1, 6, 1, 1))
    b.op("sub_right", "sub", [x, y], (1, 6, 5, 3), act="silu")
    x, y = b.input("mulb_x", (1, 12, 4, 5)), b.input("mulb_y", (1, 12, 1, 1))
    b.op("mul_bcast", "mul", [x, y], (1, 12, 4, 5), act="silu")
    x = b.input("silu_big_x", (1, 2, 9, 7))
    b.op("silu_big", "silu", [x], (1, 2, 9, 7))
    x = b.input("lin_x", (2, 19))
    b.op("linear_relu", "linear", [x, b.weight("lin_w", (11, 19), 0.3), b.weight("lin_b", (11,), 0.1)],
         (2, 11), act="relu")
    x = b.input("gn_relu_x", (1, 8, 3, 5))
    b.op("gn_relu", "group_norm", [x, b.weight("gnr_g", (8,), 1.0), b.weight("gnr_b", (8,), 0.5)],
         (1, 8, 3, 5), groups=2, eps=1e-5, act="relu")
    x, y = b.input("cat3_x", (2, 3, 5)), b.input("cat3_y", (2, 4, 5))
    b.op("concat_outer", "concat", [x, y], (2, 7, 5), axis=1)
    return b.graph, b.input_values


@pytest.fixture(scope="module", params=["fp32", "fp16"])
def rvv_results(request, tmp_path_factory):
    graph, inputs = rvv_case_graph()
    return run_case_image(require_target("rv32v"), graph, inputs, request.param,
                          tmp_path_factory.mktemp("rvv"))


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_rvv_corner_cases(rvv_results):
    graph, _, _, functions, _ = rvv_results
    failures = [f"{n.outputs[0]}: ran {functions[n.outputs[0]]}, not an RVV override"
                for n in graph.nodes if not functions[n.outputs[0]].endswith("_rvv")]
    failures += case_failures(rvv_results)
    assert not failures, "\n".join(failures)
