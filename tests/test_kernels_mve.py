"""Host-only checks of the MVE override table: which shapes the predicates accept (the
on-board numerics, and which kernel each case ran, are covered by
tests/test_kernels_target.py on cortex-m55), and the convolution's scratch per layer (the C
getters against these rules: tests/test_kernel_scratch.py)."""

from __future__ import annotations

import pytest

from codegen.kernels.catalog import accumulates_in_half, choose_function, scratch_bytes
from codegen.kernels.overrides import mve
from codegen.kernels.registry import kernel_source

pytestmark = pytest.mark.unit

MVE = ["mve"]


def _conv(**kw):
    p = dict(n=1, c_in=16, h_in=16, w_in=16, c_out=16, h_out=16, w_out=16, kernel_h=3,
             kernel_w=3, stride_h=1, stride_w=1, pad_h=1, pad_w=1, dilation_h=1,
             dilation_w=1, groups=1, act=0)
    p.update(kw)
    return p


def test_every_override_has_its_source_file():
    for overrides in mve.OVERRIDES.values():
        for o in overrides:
            assert kernel_source(o.function).parent.name == "mve"


def test_conv_scratch_is_the_layers_band():
    """The band of zero-padded input rows is the layer's scratch, sized per layer (it was a
    12 KiB stack array that limited c_in): 16 channels x 3 rows x (16 + 2) elements + one
    vector, and 512 channels take the MVE kernel too (the reference before)."""
    for dt, elem in (("f16", 2), ("f32", 4)):
        base = f"conv2d_{dt}"
        assert scratch_bytes(base, _conv(), MVE) == (16 * 3 * 18 + 16 // elem) * elem
        assert choose_function(base, _conv(c_in=512), MVE) == f"conv2d_{dt}_mve"
        assert scratch_bytes(base, _conv(c_in=512), MVE) == (512 * 3 * 18 + 16 // elem) * elem
        assert scratch_bytes(base, _conv(kernel_h=1, kernel_w=1, pad_h=0, pad_w=0), MVE) == 0
        assert scratch_bytes(base, _conv(), []) is None  # the reference takes no scratch


def test_conv_predicate():
    for dt in ("f16", "f32"):
        base = f"conv2d_{dt}"
        assert choose_function(base, _conv(), MVE) == f"conv2d_{dt}_mve"
        assert choose_function(base, _conv(), []) == base
        assert choose_function(base, _conv(kernel_h=1, kernel_w=1, pad_h=0, pad_w=0), MVE) \
            == f"conv2d_{dt}_mve"
        assert choose_function(base, _conv(stride_h=2, stride_w=2, h_out=8, w_out=8), MVE) \
            == f"conv2d_{dt}_mve"
        # corners the kernel does not handle keep the reference
        for bad in (dict(groups=16, c_in=16), dict(dilation_h=2), dict(kernel_h=5, kernel_w=5),
                    dict(pad_h=0, pad_w=0, h_out=14, w_out=14), dict(stride_h=2)):
            assert choose_function(base, _conv(**bad), MVE) == base, bad
    assert accumulates_in_half("conv2d_f16_mve")
    assert not accumulates_in_half("conv2d_f32_mve")
    assert not accumulates_in_half("linear_f16_mve")


def test_binary_predicate():
    same = dict(out_shape=[1, 16, 8, 8], a_strides=[1024, 64, 8, 1], b_strides=[1024, 64, 8, 1],
                act=0)
    per_channel = dict(same, b_strides=[0, 1, 0, 0])
    row_broadcast = dict(same, b_strides=[0, 0, 0, 1])  # [1,1,1,W]: neither form
    for op in ("add", "sub", "mul"):
        for dt in ("f16", "f32"):
            base = f"{op}_{dt}"
            assert choose_function(base, same, MVE) == f"{base}_mve"
            assert choose_function(base, per_channel, MVE) == f"{base}_mve"
            assert choose_function(base, row_broadcast, MVE) == base


def test_upsample_predicate():
    p = dict(n=1, channels=8, h_in=5, w_in=7, h_out=10, w_out=14)
    assert choose_function("upsample_nearest2d_f16", p, MVE) == "upsample_nearest2d_f16_mve"
    assert choose_function("upsample_nearest2d_f32", dict(p, h_out=11), MVE) \
        == "upsample_nearest2d_f32"
