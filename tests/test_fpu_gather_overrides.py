"""Host-only checks of which kernel the scalar FPU gather convolutions (#14: conv1d_,
conv2d_dw_ and conv_transpose2d_<dtype>_fpu) select: they take the 1xK, depthwise and
transposed layers on an `fpu` core, the vector kernels keep every shape theirs take when
both features are there, and a shape past their scratch budget or tap table, or one they do
not take (a grouped but not depthwise conv, a channel multiplier), keeps the reference. The
numerics are tests/test_kernels_target_ops.py's (tests/cases/fpu_gather.py)."""

from __future__ import annotations

import pytest

from codegen.kernels.catalog import accumulates_in_half, choose_function
from codegen.kernels.limits import limit

pytestmark = pytest.mark.unit


def _conv(**kw):
    p = dict(n=1, c_in=8, h_in=1, w_in=32, c_out=8, h_out=1, w_out=32, kernel_h=1, kernel_w=3,
             stride_h=1, stride_w=1, pad_h=0, pad_w=1, dilation_h=1, dilation_w=1, groups=1, act=0)
    p.update(kw)
    return p


def _depthwise(**kw):
    return _conv(**{**dict(c_in=16, c_out=16, groups=16, h_in=16, h_out=16, w_in=16, w_out=16,
                           kernel_h=3, kernel_w=3, pad_h=1, pad_w=1), **kw})


def _conv_t(**kw):
    p = dict(n=1, c_in=16, h_in=8, w_in=8, c_out=8, h_out=16, w_out=16, kernel_h=4, kernel_w=4,
             stride_h=2, stride_w=2, pad_h=1, pad_w=1, groups=1, act=0)
    p.update(kw)
    return p


@pytest.mark.parametrize("dt", ["f16", "f32"])
def test_fpu_takes_the_gather_shapes(dt):
    conv, ct = f"conv2d_{dt}", f"conv_transpose2d_{dt}"
    assert choose_function(conv, _conv(), ["fpu"]) == f"conv1d_{dt}_fpu"
    dilated = _conv(dilation_w=2, stride_w=3, w_out=10)
    assert choose_function(conv, dilated, ["fpu"]) == f"conv1d_{dt}_fpu"
    assert choose_function(conv, _depthwise(), ["fpu"]) == f"conv2d_dw_{dt}_fpu"
    assert choose_function(conv, _depthwise(kernel_h=5, kernel_w=5, pad_h=2, pad_w=2), ["fpu"]) \
        == f"conv2d_dw_{dt}_fpu"
    assert choose_function(ct, _conv_t(), ["fpu"]) == f"conv_transpose2d_{dt}_fpu"
    assert choose_function(ct, _conv_t(groups=8, c_in=8), ["fpu"]) == f"conv_transpose2d_{dt}_fpu"
    # the pointwise layer stays with the pointwise kernel
    assert choose_function(conv, _conv(kernel_w=1, pad_w=0), ["fpu"]) == f"conv2d_1x1_{dt}_fpu"
    for f in (f"conv1d_{dt}_fpu", f"conv2d_dw_{dt}_fpu", f"conv_transpose2d_{dt}_fpu"):
        assert not accumulates_in_half(f)


@pytest.mark.parametrize("dt", ["f16", "f32"])
def test_fpu_refuses_and_the_reference_runs(dt):
    conv, ct = f"conv2d_{dt}", f"conv_transpose2d_{dt}"
    wide = _conv(c_in=64, w_in=200, w_out=200)  # 64 padded rows of 204 floats: past the budget
    assert choose_function(conv, wide, ["fpu"]) == conv
    big_plane = _depthwise(h_in=100, h_out=100, w_in=100, w_out=100)  # 102 x 105 floats
    assert choose_function(conv, big_plane, ["fpu"]) == conv
    grouped = _depthwise(groups=4)  # 4 channels per group: not depthwise
    assert choose_function(conv, grouped, ["fpu"]) == conv
    multiplier = _depthwise(c_out=32)  # 2 filters per channel
    assert choose_function(conv, multiplier, ["fpu"]) == conv
    long_kernel = _conv(kernel_w=limit("FPU_MAX_TAPS") + 1, w_in=200, w_out=136, pad_w=0)
    assert choose_function(conv, long_kernel, ["fpu"]) == conv
    many_taps = _conv_t(kernel_h=9, kernel_w=8, stride_h=1, stride_w=1, h_out=16, w_out=15)
    assert choose_function(ct, many_taps, ["fpu"]) == ct
    assert choose_function(ct, _conv_t(c_in=512, h_in=8, w_in=64, w_out=128), ["fpu"]) == ct


@pytest.mark.parametrize("isa,suffix", [("mve", "_mve"), ("rvv", "_rvv")])
def test_vector_kernels_keep_their_shapes(isa, suffix):
    for dt in ("f16", "f32"):
        assert choose_function(f"conv2d_{dt}", _conv(), [isa, "fpu"]) == f"conv1d_{dt}{suffix}"
        assert choose_function(f"conv_transpose2d_{dt}", _conv_t(), [isa, "fpu"]) \
            == f"conv_transpose2d_{dt}{suffix}"
        # no vector kernel takes a depthwise or dilated 1xK layer: the scalar one does
        assert choose_function(f"conv2d_{dt}", _depthwise(), [isa, "fpu"]) \
            == f"conv2d_dw_{dt}_fpu"
        assert choose_function(f"conv2d_{dt}", _conv(dilation_w=2, w_out=30), [isa, "fpu"]) \
            == f"conv1d_{dt}_fpu"
