"""conv_transpose2d: the transposed 2-D convolution (nn.ConvTranspose2d), NCHW, with torch's
weight layout [C_in, C_out/groups, kH, kW], an optional bias and a fusable activation.

    out[n][co][y][x] = bias[co] + sum over ci in co's group, ky, kx with
        y + pad_h - ky = iy * stride_h and x + pad_w - kx = ix * stride_w (0 <= iy < h_in,
        0 <= ix < w_in) of in[n][ci][iy][ix] * weight[ci][co % (C_out/groups)][ky][kx]

The kernels compute it in this gather form: each output sums the input taps that reach it
and is written once (no scatter into the output, so no partial sums in the output's
precision). output_padding only makes the output larger (rows and columns no tap reaches
hold the bias); it is implied by the output shape. Dilation other than 1 is refused.
conv_transpose1d is the same op on rank-3 tensors with a height of 1, as conv1d is conv2d's
(codegen/ops/conv2d.py).
"""

from __future__ import annotations

import numpy as np

from codegen.ops.activation import act_field, apply_activation
from codegen.ops.capture_util import UnsupportedOpError, pair
from codegen.ops.conv2d import as_2d
from codegen.ops.spec import OpSpec, params_call


def reference(x, w, b, attrs):
    """Scatter form in float64 (each input pixel adds its weighted kernel to the output), a
    different order from the kernels' gather, then cropped by the padding."""
    one_d = x.ndim == 3
    x, w = x.reshape(as_2d(x.shape)).astype(np.float64), w.reshape(as_2d(w.shape)).astype(np.float64)
    (sh, sw), (ph, pw), (oph, opw) = attrs["stride"], attrs["padding"], attrs["output_padding"]
    groups = attrs["groups"]
    n, c_in, h_in, w_in = x.shape
    _, c_out_g, kh, kw = w.shape
    c_in_g = c_in // groups
    full = np.zeros((n, c_out_g * groups, (h_in - 1) * sh + kh + oph, (w_in - 1) * sw + kw + opw))
    for g in range(groups):
        xs, ws = x[:, g * c_in_g:(g + 1) * c_in_g], w[g * c_in_g:(g + 1) * c_in_g]
        for ky in range(kh):
            for kx in range(kw):
                full[:, g * c_out_g:(g + 1) * c_out_g,
                     ky:ky + (h_in - 1) * sh + 1:sh, kx:kx + (w_in - 1) * sw + 1:sw] += \
                    np.einsum("nchw,co->nohw", xs, ws[:, :, ky, kx])
    y = full[:, :, ph:full.shape[2] - ph, pw:full.shape[3] - pw]
    if b is not None:
        y = y + b.astype(np.float64)[None, :, None, None]
    y = apply_activation(y.astype(np.float32), attrs.get("act", "none"))
    return y[:, :, 0] if one_d else y


def _fill(args, defaults) -> list:
    args = list(args)
    return args + list(defaults[len(args):])


def capture_transposed(x, w, b, stride, padding, output_padding, groups, dilation, one_d: bool):
    """The IR node of a transposed convolution; 1-D ones as height 1 (see the docstring)."""
    if isinstance(padding, str):
        raise UnsupportedOpError(f"padding={padding!r}: transposed convolutions take int padding")
    if one_d:  # the 1-D window is the W axis of a height-1 image
        stride, padding, output_padding, dilation = ([first, pair(v)[-1]] for first, v in (
            (1, stride), (0, padding), (0, output_padding), (1, dilation)))
    else:
        stride, padding, output_padding, dilation = map(pair, (stride, padding, output_padding, dilation))
    if any(d != 1 for d in dilation):
        raise UnsupportedOpError(f"dilation={dilation}: transposed convolutions lower with dilation 1 "
                                 "only; use dilation=1 (or a dilated conv2d after an upsample)")
    return "conv_transpose2d", [x, w, b], {"stride": stride, "padding": padding,
                                           "output_padding": output_padding, "groups": int(groups),
                                           "act": "none"}


def _capturer(one_d: bool):
    def capture(args, kwargs, out_shape):
        x, w, b, stride, padding, output_padding, groups, dilation = \
            _fill(args, [None, None, None, 1, 0, 0, 1, 1])[:8]
        return capture_transposed(x, w, b, stride, padding, output_padding, groups, dilation, one_d)
    return capture


def macs(inputs, output_shape, attrs):
    """Products the gather form computes: per axis, the (output, tap) pairs whose input
    coordinate is an integer inside the input (taps the padding crops cost nothing)."""
    n, c_in, h_in, w_in = as_2d(inputs[0])
    _, c_out_g, kh, kw = as_2d(inputs[1])
    _, _, h_out, w_out = as_2d(output_shape)
    rows = axis_taps(h_in, h_out, kh, attrs["stride"][0], attrs["padding"][0])
    cols = axis_taps(w_in, w_out, kw, attrs["stride"][1], attrs["padding"][1])
    return n * c_in * c_out_g * int(rows.sum()) * int(cols.sum())


def axis_taps(size_in: int, size_out: int, k: int, stride: int, pad: int) -> np.ndarray:
    """Per output coordinate along one axis: how many (input, tap) pairs reach it."""
    o = np.arange(size_out)[:, None] + pad - np.arange(k)[None, :]
    return ((o % stride == 0) & (o >= 0) & (o // stride < size_in)).sum(axis=1)


def max_taps(input_shapes, output_shape, attrs) -> int:
    """The most products any one output sums (K of its dot product, the error bound's)."""
    _, c_in, h_in, w_in = as_2d(input_shapes[0])
    _, _, kh, kw = as_2d(input_shapes[1])
    _, _, h_out, w_out = as_2d(output_shape)
    rows = axis_taps(h_in, h_out, kh, attrs["stride"][0], attrs["padding"][0])
    cols = axis_taps(w_in, w_out, kw, attrs["stride"][1], attrs["padding"][1])
    return c_in // attrs["groups"] * int(rows.max(initial=0)) * int(cols.max(initial=0))


def params(graph, node):
    a = node.attrs
    n, c_in, h_in, w_in = as_2d(graph.tensors[node.inputs[0]].shape)
    _, c_out, h_out, w_out = as_2d(graph.tensors[node.outputs[0]].shape)
    _, _, kh, kw = as_2d(graph.tensors[node.inputs[1]].shape)
    return "conv_transpose2d_params_t", dict(
        n=n, c_in=c_in, h_in=h_in, w_in=w_in, c_out=c_out, h_out=h_out, w_out=w_out,
        kernel_h=kh, kernel_w=kw, stride_h=a["stride"][0], stride_w=a["stride"][1],
        pad_h=a["padding"][0], pad_w=a["padding"][1], groups=a["groups"], act=act_field(node))


CAPTURES = {"aten.conv_transpose2d.input": _capturer(False),
            "aten.conv_transpose1d.default": _capturer(True)}

SPECS = [OpSpec("conv_transpose2d", 2, reference, optional=1, captures=CAPTURES, macs=macs,
                params=params, call=params_call, fusable_activation=True)]
