"""Host-only checks of which kernel a transposed or 1-D convolution selects: the MVE and RVV
conv_transpose2d overrides take the up-samplers real models use and refuse a phase with more
taps than their table holds; a conv1d (conv2d with a 1xK window) is refused by conv2d's
3x3/1x1 SIMD predicates and keeps the reference, except a pointwise one. The on-board
numerics and the kernel each case ran are tests/test_kernels_target_ops.py's."""

from __future__ import annotations

import pytest

from codegen.kernels.catalog import accumulates_in_half, choose_function
from codegen.kernels.limits import limit
from codegen.kernels.overrides import mve, rvv

pytestmark = pytest.mark.unit

ISAS = {"mve": "_mve", "rvv": "_rvv"}


def _conv_t(**kw):
    p = dict(n=1, c_in=16, h_in=8, w_in=8, c_out=8, h_out=16, w_out=16, kernel_h=4, kernel_w=4,
             stride_h=2, stride_w=2, pad_h=1, pad_w=1, groups=1, act=0)
    p.update(kw)
    return p


def _conv1d(**kw):
    p = dict(n=1, c_in=8, h_in=1, w_in=32, c_out=8, h_out=1, w_out=32, kernel_h=1, kernel_w=3,
             stride_h=1, stride_w=1, pad_h=0, pad_w=1, dilation_h=1, dilation_w=1, groups=1, act=0)
    p.update(kw)
    return p


@pytest.mark.parametrize("isa", list(ISAS))
@pytest.mark.parametrize("dt", ["f16", "f32"])
def test_conv_transpose_overrides(isa, dt):
    base = f"conv_transpose2d_{dt}"
    want = base + ISAS[isa]
    for shape in (_conv_t(), _conv_t(kernel_h=3, kernel_w=3, h_out=15, w_out=15),
                  _conv_t(groups=8, c_in=8), _conv_t(kernel_h=1, stride_h=1, h_in=1, h_out=1),
                  _conv_t(kernel_h=8, kernel_w=8, stride_h=1, stride_w=1)):  # 64 taps
        assert choose_function(base, shape, [isa]) == want, shape
    assert choose_function(base, _conv_t(), []) == base
    assert choose_function(base, _conv_t(kernel_h=9, kernel_w=8, stride_h=1, stride_w=1), [isa]) == base
    assert not accumulates_in_half(want)  # FP32 sums: the FP16 tolerance stays narrow


def test_tap_table_size_is_the_limits_header():
    """The predicates read EDGEDIFF_CT_MAX_TAPS from edgediff/limits.h (no Python copy)."""
    assert limit("CT_MAX_TAPS") == 64
    assert not hasattr(mve, "CONV_T_MAX_TAPS") and not hasattr(rvv, "CONV_T_MAX_TAPS")


@pytest.mark.parametrize("isa", list(ISAS))
def test_conv1d_takes_the_1xk_kernel_and_pointwise_the_conv2d_kernel(isa):
    for dt in ("f16", "f32"):
        base = f"conv2d_{dt}"
        for k in (3, 5, 7):
            want = f"conv1d_{dt}{ISAS[isa]}"
            assert choose_function(base, _conv1d(kernel_w=k, pad_w=k // 2), [isa]) == want
        pointwise = _conv1d(kernel_w=1, pad_w=0)
        assert choose_function(base, pointwise, [isa]) == base + ISAS[isa]
