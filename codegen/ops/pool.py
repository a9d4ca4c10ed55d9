"""avg_pool2d, max_pool2d: pooling windows over the last one or two dims, torch semantics.

1-D pooling is the same op over a 1-high image (attrs kernel/stride/padding are [h, w],
`spatial_dims` 1 or 2 says how many trailing dims are pooled; every leading dim is a plane,
so [N, C, L], [N, C, H, W] and unbatched inputs all work). Windows follow torch, so
ceil_mode, count_include_pad and divisor_override need no special case; max pooling with a
dilation is refused. adaptive_avg_pool to an output that divides the input (global average
pooling to 1 included) is an avg_pool2d with kernel = stride = input / output.

avg_pool sums its window in float (kernel_h * kernel_w MACs per output); max_pool is a
comparison per input and exact.
"""

from __future__ import annotations

import numpy as np

from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.layout import numel
from codegen.ops.spec import OpSpec, params_call


def _list(v, n: int) -> list[int]:
    """An ATen int-or-list argument as n ints."""
    if isinstance(v, int):
        return [int(v)] * n
    v = [int(x) for x in v]
    return v * n if len(v) == 1 else v


def _hw(values: list[int], dims: int, fill: int) -> list[int]:
    """Per-dim values as [h, w]; 1-D pooling pools a 1-high image."""
    return [fill] + values if dims == 1 else values


def _window(o, stride, pad, kernel, size):
    start = o * stride - pad
    stop = min(start + kernel, size + pad)
    return max(start, 0), min(stop, size), stop - start


def _pool(x, attrs, is_max):
    dims = attrs["spatial_dims"]
    lead = x.shape[:x.ndim - dims]
    h_in = x.shape[-2] if dims == 2 else 1
    planes = x.astype(np.float64).reshape(-1, h_in, x.shape[-1])
    (kh, kw), (sh, sw), (ph, pw) = attrs["kernel"], attrs["stride"], attrs["padding"]
    h_out, w_out = attrs["out_hw"]
    out = np.empty((planes.shape[0], h_out, w_out))
    for y in range(h_out):
        y0, y1, hp = _window(y, sh, ph, kh, h_in)
        for xo in range(w_out):
            x0, x1, wp = _window(xo, sw, pw, kw, x.shape[-1])
            win = planes[:, y0:y1, x0:x1].reshape(planes.shape[0], -1)
            if is_max:
                out[:, y, xo] = win.max(axis=1)
            else:
                divisor = attrs["divisor_override"] or (hp * wp if attrs["count_include_pad"]
                                                        else (y1 - y0) * (x1 - x0))
                out[:, y, xo] = win.sum(axis=1) / divisor
    tail = (h_out, w_out) if dims == 2 else (w_out,)
    return out.reshape(lead + tail).astype(np.float32)


def _attrs(dims, kernel, stride, padding, out_shape, count_include_pad=True, divisor=None):
    kernel = _list(kernel, dims)
    stride = _list(stride, dims) if stride else kernel  # ATen: an empty stride is the kernel
    padding = _list(padding, dims)
    out_hw = [out_shape[-2] if dims == 2 else 1, out_shape[-1]]
    return {"spatial_dims": dims, "kernel": _hw(kernel, dims, 1), "stride": _hw(stride, dims, 1),
            "padding": _hw(padding, dims, 0), "out_hw": out_hw,
            "count_include_pad": bool(count_include_pad), "divisor_override": int(divisor or 0)}


def capture_avg(dims):
    """aten.avg_pool{1,2}d(x, kernel, stride=[], padding=0, ceil_mode=False,
    count_include_pad=True[, divisor_override=None]); ceil_mode is in the traced out shape."""
    def capture(args, kwargs, out_shape):
        a = list(args) + [None] * 7
        stride = a[2] if a[2] is not None else kwargs.get("stride", [])
        padding = a[3] if a[3] is not None else kwargs.get("padding", 0)
        include = a[5] if a[5] is not None else kwargs.get("count_include_pad", True)
        divisor = a[6] if a[6] is not None else kwargs.get("divisor_override")
        return "avg_pool2d", [args[0]], _attrs(dims, a[1], stride, padding, out_shape, include,
                                               divisor)
    return capture


def capture_max(dims):
    """aten.max_pool{1,2}d[_with_indices](x, kernel, stride=[], padding=0, dilation=1,
    ceil_mode=False); only the values (getitem 0) of the _with_indices form are used."""
    def capture(args, kwargs, out_shape):
        a = list(args) + [None] * 6
        stride = a[2] if a[2] is not None else kwargs.get("stride", [])
        padding = a[3] if a[3] is not None else kwargs.get("padding", 0)
        dilation = a[4] if a[4] is not None else kwargs.get("dilation", 1)
        if any(d != 1 for d in _list(dilation, dims)):
            raise UnsupportedOpError(f"max pooling with dilation {dilation}: only dilation 1 is "
                                     "supported")
        return "max_pool2d", [args[0]], _attrs(dims, a[1], stride, padding, out_shape)
    return capture


def capture_adaptive(dims):
    """aten.adaptive_avg_pool{1,2}d(x, output_size) where the output divides the input."""
    def capture(args, kwargs, out_shape):
        in_shape = [int(s) for s in args[0].meta["val"].shape[-dims:]]
        out = [int(s) for s in out_shape[-dims:]]
        if any(i % o for i, o in zip(in_shape, out)):
            raise UnsupportedOpError(f"adaptive average pooling of {in_shape} to {out}, which "
                                     "does not divide it: pool to a size that divides the input "
                                     "(1 for a global average)")
        kernel = [i // o for i, o in zip(in_shape, out)]
        return "avg_pool2d", [args[0]], _attrs(dims, kernel, kernel, 0, out_shape)
    return capture


def layout(graph, node) -> None:
    shape = graph.tensors[node.inputs[0]].shape
    dims = node.attrs["spatial_dims"]
    node.attrs["planes"] = numel(shape[:len(shape) - dims])
    node.attrs["in_hw"] = [shape[-2] if dims == 2 else 1, shape[-1]]


def params(graph, node):
    a = node.attrs
    return "pool2d_params_t", dict(
        planes=a["planes"], h_in=a["in_hw"][0], w_in=a["in_hw"][1], h_out=a["out_hw"][0],
        w_out=a["out_hw"][1], kernel_h=a["kernel"][0], kernel_w=a["kernel"][1],
        stride_h=a["stride"][0], stride_w=a["stride"][1], pad_h=a["padding"][0],
        pad_w=a["padding"][1], count_include_pad=int(a["count_include_pad"]),
        divisor_override=a["divisor_override"])


def avg_macs(input_shapes, output_shape, attrs) -> int:
    return numel(output_shape) * attrs["kernel"][0] * attrs["kernel"][1]


SPECS = [
    OpSpec("avg_pool2d", 1, lambda x, a: _pool(x, a, False), macs=avg_macs, layout=layout,
           params=params, call=params_call,
           captures={"aten.avg_pool2d.default": capture_avg(2),
                     "aten.avg_pool1d.default": capture_avg(1),
                     "aten.adaptive_avg_pool2d.default": capture_adaptive(2),
                     "aten._adaptive_avg_pool2d.default": capture_adaptive(2),
                     "aten.adaptive_avg_pool1d.default": capture_adaptive(1)}),
    OpSpec("max_pool2d", 1, lambda x, a: _pool(x, a, True), layout=layout, params=params,
           call=params_call,
           captures={"aten.max_pool2d.default": capture_max(2),
                     "aten.max_pool2d_with_indices.default": capture_max(2),
                     "aten.max_pool1d.default": capture_max(1),
                     "aten.max_pool1d_with_indices.default": capture_max(1)}),
]
