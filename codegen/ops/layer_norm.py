"""layer_norm: normalise over the last dims (nn.LayerNorm), or over the channels of an
image at each pixel, then γ, β (each optional).

The attrs say which dims are normalised: `axis`, the first, and `ndim`, how many (capture
gives the last `ndim` dims; axis 1, ndim 1 of an NCHW tensor is the "channels LayerNorm").
Layout: the input as [outer][size][inner] around those dims (inner = 1 for nn.LayerNorm).
Mean and variance are float in FP16 too, two passes as group_norm.
"""

from __future__ import annotations

import numpy as np

from codegen.c_literals import c_float
from codegen.ops.activation import act_field, apply_activation
from codegen.ops.layout import numel
from codegen.ops.spec import OpSpec, params_call


def reference(x, gamma, beta, attrs):
    axis, nd = attrs["axis"], attrs["ndim"]
    axes = tuple(range(axis, axis + nd))
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=axes, keepdims=True)
    var = ((x64 - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x64 - mean) / np.sqrt(var + attrs["eps"])
    bshape = x.shape[axis:axis + nd] + (1,) * (x.ndim - axis - nd)
    if gamma is not None:
        y = y * gamma.astype(np.float64).reshape(bshape)
    if beta is not None:
        y = y + beta.astype(np.float64).reshape(bshape)
    return apply_activation(y.astype(np.float32), attrs.get("act", "none"))


def capture(args, kwargs, out_shape):
    """aten.layer_norm(x, normalized_shape, weight, bias, eps, cudnn_enable) and
    aten.native_layer_norm(x, normalized_shape, weight, bias, eps) (its getitem 0)."""
    x, shape, gamma, beta, eps = (list(args) + [None, None, 1e-5])[:5]
    nd = len(shape)
    return "layer_norm", [x, gamma, beta], {"axis": len(out_shape) - nd, "ndim": nd,
                                            "eps": float(eps), "act": "none"}


def layout(graph, node) -> None:
    shape = graph.tensors[node.inputs[0]].shape
    axis, nd = node.attrs["axis"], node.attrs["ndim"]
    node.attrs.update(outer=numel(shape[:axis]), size=numel(shape[axis:axis + nd]),
                      inner=numel(shape[axis + nd:]))


def params(graph, node):
    a = node.attrs
    return "layer_norm_params_t", dict(outer=a["outer"], size=a["size"], inner=a["inner"],
                                       eps=c_float(a["eps"]), act=act_field(node))


SPECS = [OpSpec("layer_norm", 1, reference, optional=2, layout=layout, params=params,
                call=params_call, fusable_activation=True,
                captures={"aten.layer_norm.default": capture,
                          "aten.native_layer_norm.default": capture})]
