"""Host-only checks of the MVE override table: which shapes the predicates accept (the
on-board numerics, and which kernel each case ran, are covered by
tests/test_kernels_target.py on cortex-m55), and that the Python scratch budget matches the
C one."""

from __future__ import annotations

import re

import pytest

from codegen.kernels.catalog import accumulates_in_half, choose_function
from codegen.kernels.overrides import mve
from codegen.kernels.registry import INCLUDE_DIR, kernel_source

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


def test_scratch_budget_matches_header():
    header = (INCLUDE_DIR / "edgediff" / "kernels_mve.h").read_text()
    value = int(re.search(r"#define EDGEDIFF_MVE_CONV_SCRATCH_BYTES (\d+)", header).group(1))
    assert value == mve.CONV_SCRATCH_BYTES


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
                    dict(pad_h=0, pad_w=0, h_out=14, w_out=14), dict(stride_h=2),
                    dict(c_in=512)):  # scratch too small
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
