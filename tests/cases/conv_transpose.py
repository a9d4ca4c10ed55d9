"""Kernel cases of conv1d (a height-1 conv2d) and conv_transpose2d / conv_transpose1d: the
strides, paddings and output_padding real up-samplers use, depthwise and grouped, with and
without bias, fused activations, widths that are not a multiple of a vector (4, 8 or 16
lanes) and rows shorter than one. Shapes are small: this image shares the cortex-m55's RAM
with the other families' cases.

SIMD_CASES: the cases whose shapes the MVE and RVV conv_transpose2d overrides take, which
must run them on cortex-m55 and rv32v (tests/test_kernels_target_ops.py)."""

from __future__ import annotations

import numpy as np

from tests.kernel_cases import CaseBuilder


def _conv_t(b: CaseBuilder, name, c_in, c_out, size, k, stride, pad, out_pad=0, groups=1,
            act="none", bias=True):
    """size: (h, w), or (w,) for conv_transpose1d (rank-3 tensors)."""
    one_d = len(size) == 1
    kernel = (k,) if one_d else (k, k)
    x = b.input(f"{name}_x", (1, c_in, *size))
    wt = b.weight(f"{name}_w", (c_in, c_out // groups, *kernel), 1 / np.sqrt(c_in // groups * k))
    bs = b.weight(f"{name}_b", (c_out,), 0.1) if bias else ""
    out = tuple((s - 1) * stride - 2 * pad + k + out_pad for s in size)
    b.op(name, "conv_transpose2d", [x, wt, bs], (1, c_out, *out),
         stride=[1, stride] if one_d else [stride, stride],
         padding=[0, pad] if one_d else [pad, pad],
         output_padding=[0, out_pad] if one_d else [out_pad, out_pad], groups=groups, act=act)


def _conv1d(b: CaseBuilder, name, c_in, c_out, length, k, stride=1, pad=0, groups=1, act="none"):
    x = b.input(f"{name}_x", (1, c_in, length))
    wt = b.weight(f"{name}_w", (c_out, c_in // groups, k), 1 / np.sqrt(c_in // groups * k))
    bs = b.weight(f"{name}_b", (c_out,), 0.1)
    out = (length + 2 * pad - k) // stride + 1
    b.op(name, "conv2d", [x, wt, bs], (1, c_out, out), stride=[1, stride], padding=[0, pad],
         dilation=[1, 1], groups=groups, act=act)


SIMD_CASES = {"conv_t_k4_s2", "conv_t_k3_s2_op1", "conv_t_k2_s2", "conv_t_s1", "conv_t_depthwise",
              "conv_t_grouped", "conv_t1d_k4_s2", "conv_t1d_k5_s3_op2", "conv_t_narrow"}


def add_cases(b: CaseBuilder) -> None:
    _conv_t(b, "conv_t_k4_s2", 8, 6, (5, 9), 4, 2, 1, act="relu")
    _conv_t(b, "conv_t_k3_s2_op1", 5, 7, (4, 7), 3, 2, 1, out_pad=1, act="silu", bias=False)
    _conv_t(b, "conv_t_k2_s2", 4, 5, (3, 11), 2, 2, 0)
    _conv_t(b, "conv_t_s1", 6, 5, (6, 7), 3, 1, 1)
    _conv_t(b, "conv_t_depthwise", 6, 6, (4, 5), 4, 2, 1, groups=6)
    _conv_t(b, "conv_t_grouped", 4, 6, (3, 6), 3, 2, 0, groups=2, act="silu")
    _conv_t(b, "conv_t_narrow", 3, 4, (3, 2), 3, 2, 1)  # rows shorter than a vector
    _conv_t(b, "conv_t1d_k4_s2", 8, 4, (21,), 4, 2, 1)
    _conv_t(b, "conv_t1d_k5_s3_op2", 3, 5, (7,), 5, 3, 2, out_pad=2, act="relu")
    _conv1d(b, "conv1d_k3", 8, 8, 30, 3, pad=1, act="silu")
    _conv1d(b, "conv1d_k5_s2", 6, 4, 23, 5, stride=2, pad=2)
    _conv1d(b, "conv1d_depthwise_k7", 6, 6, 19, 7, pad=3, groups=6)

# The scalar FPU kernels (#14) take every case here on an fpu target (tests/cases/fpu_gather.py);
# the depthwise conv1d runs conv2d_dw_*_fpu on the vector targets too (no vector kernel takes it).
FPU_CASES = {**dict.fromkeys(SIMD_CASES, "conv_transpose2d"), "conv1d_k3": "conv1d",
             "conv1d_k5_s2": "conv1d", "conv1d_depthwise_k7": "conv2d_dw"}
# The 1xK ones run conv1d_*_{mve,rvv} on the vector targets.
SIMD_CASES = {**dict.fromkeys(SIMD_CASES), "conv1d_k3": "conv1d", "conv1d_k5_s2": "conv1d"}
FPU_ON_VECTOR = {"conv1d_depthwise_k7"}
