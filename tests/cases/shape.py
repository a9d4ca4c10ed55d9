"""Kernel cases of the data-movement and resize ops (#13): strided_copy in the forms capture
gives it (a slice with step, a permute, an expand with stride 0, a repeat, a pixel shuffle),
pad in its three modes, nearest 1-D, linear and bilinear resize with both align_corners.
The views come from codegen/ops/strided_view.py, as capture builds them. Small shapes: the
case image shares the board's RAM with the other families."""

from __future__ import annotations

from codegen.ops.strided_view import View, pixel_shuffle, repeat
from codegen.ops.upsample_linear import scale
from tests.kernel_cases import CaseBuilder


def _copy(b: CaseBuilder, name: str, in_shape, view: View, out_shape) -> None:
    x = b.input(f"{name}_x", in_shape)
    v = view.coalesced()
    b.op(name, "strided_copy", [x], out_shape, shape=list(v.shape), strides=list(v.strides),
         offset=v.offset, output_shape=list(out_shape))


def _pad(b: CaseBuilder, name: str, in_shape, before, after, mode: str, value: float = 0.0) -> None:
    x = b.input(f"{name}_x", in_shape)
    out_shape = [s + p + q for s, p, q in zip(in_shape, before, after)]
    b.op(name, "pad", [x], out_shape, mode=mode, value=value, before=list(before), output_shape=out_shape)


def _resize(b: CaseBuilder, name: str, in_shape, size, align_corners: bool, factor=None) -> None:
    """size: (h_out, w_out); a 3-D input has H = 1 (linear)."""
    x = b.input(f"{name}_x", in_shape)
    ins = ([1] + list(in_shape[2:]))[-2:]
    scales = [scale(i, o, align_corners, factor) for i, o in zip(ins, size)]
    out_shape = tuple(in_shape[:2]) + (tuple(size) if len(in_shape) == 4 else (size[1],))
    b.op(name, "upsample_linear", [x], out_shape, size=list(size), scales=scales,
         align_corners=align_corners)


def add_cases(b: CaseBuilder) -> None:
    shape = (2, 3, 5, 7)
    _copy(b, "slice_step2", shape, View.dense(shape).slice(3, 1, None, 2).slice(1, 1, 3), (2, 2, 5, 3))
    _copy(b, "permute", (2, 3, 4, 5), View.dense((2, 3, 4, 5)).permute([0, 3, 1, 2]), (2, 5, 3, 4))
    _copy(b, "expand", (1, 3, 1, 5), View.dense((1, 3, 1, 5)).expand([2, 3, 4, 5]), (2, 3, 4, 5))
    _copy(b, "repeat", (2, 3, 1), repeat(View.dense((2, 3, 1)), [1, 2, 3]), (2, 6, 3))
    _copy(b, "pixel_shuffle", (1, 8, 3, 3), pixel_shuffle(View.dense((1, 8, 3, 3)), 2), (1, 2, 6, 6))
    _pad(b, "pad_value", (2, 3, 4, 5), [0, 0, 1, 2], [0, 0, 2, 1], "constant", 0.3)
    _pad(b, "pad_reflect_1d", (2, 3, 6), [0, 0, 3], [0, 0, 2], "reflect")
    _pad(b, "pad_replicate_2d", (1, 2, 3, 4), [0, 0, 2, 1], [0, 0, 1, 3], "replicate")
    x = b.input("nearest_1d_x", (2, 3, 5))
    b.op("nearest_1d", "upsample_nearest2d", [x], (2, 3, 11), size=[1, 11])
    _resize(b, "bilinear_x2", (1, 3, 4, 5), (8, 10), False, factor=2.0)
    _resize(b, "bilinear_ac", (1, 2, 5, 4), (7, 9), True)
    _resize(b, "bilinear_down", (1, 2, 7, 9), (3, 4), False)
    _resize(b, "linear_x1.5", (2, 3, 7), (1, 10), False, factor=1.5)
    _resize(b, "linear_ac", (2, 2, 6), (1, 11), True)
