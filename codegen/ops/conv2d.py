"""conv2d: 2-D convolution (NCHW, OIHW weights, optional bias), with a fusable activation."""

from __future__ import annotations

import numpy as np

from codegen.ops.activation import act_field, apply_activation
from codegen.ops.capture_util import UnsupportedOpError, pair
from codegen.ops.spec import OpSpec, params_call


def reference(x, w, b, attrs):
    sh, sw = attrs["stride"]
    ph, pw = attrs["padding"]
    dh, dw = attrs["dilation"]
    groups = attrs["groups"]
    n, c_in, _, _ = x.shape
    c_out, c_in_g, kh, kw = w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    eff_h, eff_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    windows = np.lib.stride_tricks.sliding_window_view(xp, (eff_h, eff_w), axis=(2, 3))
    windows = windows[:, :, ::sh, ::sw, ::dh, ::dw]  # n, c, oh, ow, kh, kw
    out = []
    c_out_g = c_out // groups
    for g in range(groups):
        xs = windows[:, g * c_in_g:(g + 1) * c_in_g]
        ws = w[g * c_out_g:(g + 1) * c_out_g].astype(np.float64)
        out.append(np.einsum("ncyxij,ocij->noyx", xs, ws))
    y = np.concatenate(out, axis=1)
    if b is not None:
        y = y + b.astype(np.float64)[None, :, None, None]
    return apply_activation(y.astype(np.float32), attrs.get("act", "none"))


def capture(args, kwargs, out_shape):
    x, w, b, stride, padding, dilation, groups = (list(args) + [None, 1, 0, 1, 1][len(args) - 2:])[:7]
    if isinstance(padding, str):
        raise UnsupportedOpError(f"padding={padding!r}")
    return "conv2d", [x, w, b], {"stride": pair(stride), "padding": pair(padding),
                                 "dilation": pair(dilation), "groups": int(groups), "act": "none"}


def macs(inputs, output_shape, attrs):
    _, c_in_g, kh, kw = inputs[1]
    return int(np.prod(output_shape)) * c_in_g * kh * kw


def params(graph, node):
    a = node.attrs
    n, c_in, h_in, w_in = graph.tensors[node.inputs[0]].shape
    _, c_out, h_out, w_out = graph.tensors[node.outputs[0]].shape
    _, _, kh, kw = graph.tensors[node.inputs[1]].shape
    return "conv2d_params_t", dict(
        n=n, c_in=c_in, h_in=h_in, w_in=w_in, c_out=c_out, h_out=h_out, w_out=w_out,
        kernel_h=kh, kernel_w=kw, stride_h=a["stride"][0], stride_w=a["stride"][1],
        pad_h=a["padding"][0], pad_w=a["padding"][1], dilation_h=a["dilation"][0],
        dilation_w=a["dilation"][1], groups=a["groups"], act=act_field(node))


SPECS = [OpSpec("conv2d", 2, reference, optional=1, captures={"aten.conv2d.default": capture},
                macs=macs, params=params, call=params_call, fusable_activation=True)]
