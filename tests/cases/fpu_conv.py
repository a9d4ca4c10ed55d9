"""Kernel cases of the scalar FPU convolutions of #14 (fpu/conv2d_<dtype>_fpu: 3x3, pad 1,
stride 1 or 2), one per code path: output channels that leave a last block of fewer than 4
(the one-channel tiles), stride 2 on an odd width (the right padding column) and on a row of
one output, one input channel (the stems), input channels over the band budget (chunked:
FP32 partial sums in the output, FP16 in scratch), widths that are not a multiple of the
tiles, a 1x1 image. Small: this image shares the cortex-m55's RAM with the other families.

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


FPU_CASES = {name: "conv2d" for name in (
    "fc3_tail", "fc3_s2_odd", "fc3_s2_one", "fc3_stem", "fc3_chunks", "fc3_chunks_s2",
    "fc3_one_pixel")}


def add_cases(b: CaseBuilder) -> None:
    _conv3x3(b, "fc3_tail", 3, 7, 5, 11, act="relu")  # blocks of 4 + 3 one-channel passes
    _conv3x3(b, "fc3_s2_odd", 6, 5, 9, 13, stride=2)  # odd width: the right padding column
    _conv3x3(b, "fc3_s2_one", 4, 6, 3, 2, stride=2, act="silu", bias=False)  # one output per row
    _conv3x3(b, "fc3_stem", 1, 8, 6, 9, act="silu")
    # (3 * 34 + 36) * 4 = 552 bytes per channel: 20 channels take 2 chunks of the 8 KiB band
    _conv3x3(b, "fc3_chunks", 20, 5, 3, 30, act="relu")
    _conv3x3(b, "fc3_chunks_s2", 36, 4, 4, 17, stride=2)  # (3 * 33 + 36) * 4 = 540 bytes: 3 chunks of 12
    _conv3x3(b, "fc3_one_pixel", 3, 2, 1, 1)
