"""Kernel cases of the scalar FPU gather convolutions of #14 (fpu/conv1d_, conv2d_dw_ and
conv_transpose2d_<dtype>_fpu), one per code path the other families' cases leave: depthwise
3x3 at strides 1, 2 and 3 (the constant-offset copies and the computed one), with pad 0
and 1, dilated kernel rows (the generic tap loop, also for 3 wide), dilation over rows,
other kernels (5x5, 1x5: the generic loop), widths that leave a partial tile of 8, a 1x1
image; 1xK convolutions at stride 3 with dilation, even kernels, one input channel and
output channels that leave a partial block of 4;
transposed convolutions whose channel blocks end inside a group, phases and rows no tap
reaches (stride past the kernel), stride 1, and a group of one channel. Small: this image
shares the cortex-m55's RAM with the other families.

FPU_CASES: case -> the `_fpu` kernel's base name each runs on a scalar FPU target.
SIMD_CASES: those whose shapes the MVE and RVV kernels take (they run those on cortex-m55 and
rv32v); FPU_ON_VECTOR: those no vector kernel takes, which run the `_fpu` kernel there too."""

from __future__ import annotations

import numpy as np

from tests.cases.conv_transpose import _conv_t  # the same case builder
from tests.kernel_cases import CaseBuilder


def _conv(b: CaseBuilder, name, c_in, c_out, size, k, stride=1, pad=0, dil=1, groups=1,
          act="none", bias=True):
    """size: (h, w), or (w,) for conv1d (rank 3); k, stride, pad, dil: int or (h, w)."""
    pair = (lambda v: (v, v) if isinstance(v, int) else tuple(v))
    k, stride, pad, dil = (pair(v) for v in (k, stride, pad, dil))
    one_d = len(size) == 1
    if one_d:
        k, stride, pad, dil = ((1, v[1]) for v in (k, stride, pad, dil))
        stride, pad, dil = (1, stride[1]), (0, pad[1]), (1, dil[1])
    full = (1, *size) if one_d else size
    out = tuple((full[a] + 2 * pad[a] - dil[a] * (k[a] - 1) - 1) // stride[a] + 1 for a in (0, 1))
    x = b.input(f"{name}_x", (1, c_in, *size))
    wshape = (c_out, c_in // groups, k[1]) if one_d else (c_out, c_in // groups, *k)
    wt = b.weight(f"{name}_w", wshape, 1 / np.sqrt(c_in // groups * k[0] * k[1]))
    bs = b.weight(f"{name}_b", (c_out,), 0.1) if bias else ""
    b.op(name, "conv2d", [x, wt, bs], (1, c_out, *(out[1:] if one_d else out)),
         stride=list(stride), padding=list(pad), dilation=list(dil), groups=groups, act=act)


DEPTHWISE = ("dwf_tail", "dwf_s2", "dwf_s3_p0", "dwf_dil", "dwf_dil_rows", "dwf_dil_cols",
             "dwf_one_pixel", "dwf_1x5")
CONV1D = ("c1f_s3_dil2", "c1f_stem_k4", "c1f_long")
CONV_T = ("ctf_k4_s2_tail", "ctf_k3_s3_op1", "ctf_k5_s2_groups", "ctf_k2_s1", "ctf_1d_k3_s1",
          "ctf_depthwise", "ctf_gaps")
FPU_CASES = {**dict.fromkeys(DEPTHWISE, "conv2d_dw"), **dict.fromkeys(CONV1D, "conv1d"),
             **dict.fromkeys(CONV_T, "conv_transpose2d")}
# conv1d_*_{mve,rvv} take dilation 1 only; conv_transpose2d_*_{mve,rvv} these tap counts.
SIMD_CASES = {"c1f_stem_k4": "conv1d", "c1f_long": "conv1d", **dict.fromkeys(CONV_T)}
FPU_ON_VECTOR = set(DEPTHWISE) | {"c1f_s3_dil2"}


def add_cases(b: CaseBuilder) -> None:
    _conv(b, "dwf_tail", 5, 5, (7, 19), 3, pad=1, groups=5, act="relu")  # tiles 8, 8, 3
    _conv(b, "dwf_s2", 3, 3, (9, 17), 3, stride=2, pad=1, groups=3)
    _conv(b, "dwf_s3_p0", 2, 2, (10, 20), 3, stride=3, groups=2, act="silu", bias=False)
    _conv(b, "dwf_dil", 4, 4, (9, 11), 5, pad=4, dil=2, groups=4)  # generic taps, both dilated
    _conv(b, "dwf_dil_rows", 3, 3, (8, 10), 3, pad=(2, 1), dil=(2, 1), groups=3)
    _conv(b, "dwf_dil_cols", 2, 2, (5, 12), 3, pad=(1, 2), dil=(1, 2), groups=2)  # 3 wide, dilated
    _conv(b, "dwf_one_pixel", 3, 3, (1, 1), 3, pad=1, groups=3)
    _conv(b, "dwf_1x5", 6, 6, (3, 12), (1, 5), stride=(1, 2), pad=(0, 2), groups=6, act="silu")
    _conv(b, "c1f_s3_dil2", 5, 6, (40,), 3, stride=3, pad=2, dil=2, act="silu")
    _conv(b, "c1f_stem_k4", 1, 9, (13,), 4, pad=1, bias=False)  # channels 4, 4, 1
    _conv(b, "c1f_long", 7, 5, (61,), 3, pad=1, act="relu")
    _conv_t(b, "ctf_k4_s2_tail", 5, 7, (5, 9), 4, 2, 1, act="relu")
    _conv_t(b, "ctf_k3_s3_op1", 3, 5, (3, 4), 3, 3, 0, out_pad=1)  # one tap per phase
    _conv_t(b, "ctf_k5_s2_groups", 4, 6, (3, 5), 5, 2, 2, out_pad=1, groups=2, act="silu")
    _conv_t(b, "ctf_k2_s1", 6, 4, (4, 6), 2, 1, 0, bias=False)
    _conv_t(b, "ctf_1d_k3_s1", 4, 6, (10,), 3, 1, 1)
    _conv_t(b, "ctf_depthwise", 3, 3, (4, 5), 3, 2, 1, groups=3)
    _conv_t(b, "ctf_gaps", 2, 5, (2, 3), 3, 4, 0, out_pad=1)  # stride 4 > kernel 3: no taps
