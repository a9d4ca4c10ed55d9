"""Kernel cases of the scalar FPU convolutions of #14 (fpu/conv2d_<dtype>_fpu: 3x3, pad 1,
stride 1 or 2; fpu/conv2d_1x1_<dtype>_fpu: pointwise), one per code path: output channels that leave a last block of fewer than 4
(the one-channel tiles), stride 2 on an odd width (the right padding column) and on a row of
one output, one input channel (the stems), input channels over the FP16 kernel's band budget (chunked,
FP32 partial sums in scratch for bands of output rows; the FP32 kernel reads its input in
place and takes them in one pass), widths that are not a multiple of the tiles (the FP32
kernel's pixel path, and rows of 1 or 2 outputs with no full tile), a 1x1 image; pointwise with pixel and channel counts past the 4 x 4 tiles. Small: this image shares the cortex-m55's RAM with the other families.

FPU_CASES: the cases that must run the `_fpu` kernel on a scalar FPU target (rv32,
cortex-m4, ...), each with the kernel's base name; the vector targets run their own."""

from __future__ import annotations

import numpy as np

from tests.kernel_cases import CaseBuilder


def _conv3x3(b: CaseBuilder, name, c_in, c_out, h, w, stride=1, act="none", bias=True):
    x = b.input(f"{name}_x", (1, c_in, h, w))
    wt = b.weight(f"{name}_w", (c_out, c_in, 3, 3), 1 / np.sqrt(c_in * 9))
    bs = b.weight(f"{name}_b", (c_out,), 0.1) if bias else ""
    h_out, w_out = (h - 1) // stride + 1, (w - 1) // stride + 1
    b.op(name, "conv2d", [x, wt, bs], (1, c_out, h_out, w_out), stride=[stride, stride],
         padding=[1, 1], dilation=[1, 1], groups=1, act=act)


def _conv1x1(b: CaseBuilder, name, c_in, c_out, h, w, act="none"):
    x = b.input(f"{name}_x", (1, c_in, h, w))
    wt = b.weight(f"{name}_w", (c_out, c_in, 1, 1), 1 / np.sqrt(c_in))
    b.op(name, "conv2d", [x, wt, b.weight(f"{name}_b", (c_out,), 0.1)], (1, c_out, h, w),
         stride=[1, 1], padding=[0, 0], dilation=[1, 1], groups=1, act=act)


FPU_CASES = {name: "conv2d" for name in (
    "fc3_tail", "fc3_s2_odd", "fc3_s2_one", "fc3_stem", "fc3_chunks", "fc3_chunks_s2",
    "fc3_one_pixel", "fc3_bands_s2")}
FPU_CASES.update({"fpw_tails": "conv2d_1x1", "fpw_odd_cin": "conv2d_1x1"})


def add_cases(b: CaseBuilder) -> None:
    _conv3x3(b, "fc3_tail", 3, 7, 5, 11, act="relu")  # blocks of 4 + 3 one-channel passes
    _conv3x3(b, "fc3_s2_odd", 6, 5, 9, 13, stride=2)  # odd width: the right padding column
    _conv3x3(b, "fc3_s2_one", 4, 6, 3, 2, stride=2, act="silu", bias=False)  # one output per row
    _conv3x3(b, "fc3_stem", 1, 8, 6, 9, act="silu")
    # (3 * 34 + 36) * 4 = 552 bytes per channel: 20 channels take 2 chunks of the 8 KiB band
    _conv3x3(b, "fc3_chunks", 20, 5, 3, 30, act="relu")
    _conv3x3(b, "fc3_chunks_s2", 36, 4, 4, 17, stride=2)  # (3 * 33 + 36) * 4 = 540 bytes: 3 chunks of 12
    _conv3x3(b, "fc3_one_pixel", 3, 2, 1, 1)
    # (3 * 33 + 36) * 4 = 540 bytes per channel, 16 channels; FP16 keeps
    # partial sums for bands of 4 of the 7 output rows (the second band 3 rows, starting at
    # input row 7) and takes chunks of 6, 6 and 4 channels
    _conv3x3(b, "fc3_bands_s2", 16, 5, 13, 20, stride=2, act="silu")
    _conv1x1(b, "fpw_tails", 6, 6, 3, 5, act="silu")  # 15 pixels, 6 channels: both tails
    _conv1x1(b, "fpw_odd_cin", 7, 4, 2, 4, act="relu")  # an odd last input channel
