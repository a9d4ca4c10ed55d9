"""group_norm: normalise each (n, group) over its channels and spatial dims, then γ, β."""

from __future__ import annotations

import numpy as np

from codegen.c_literals import c_float
from codegen.ops.activation import act_field, apply_activation
from codegen.ops.layout import spatial
from codegen.ops.spec import OpSpec, params_call


def reference(x, gamma, beta, attrs):
    n, c = x.shape[:2]
    g = attrs["groups"]
    xg = x.astype(np.float64).reshape(n, g, -1)
    mean = xg.mean(axis=2, keepdims=True)
    var = xg.var(axis=2, keepdims=True)
    y = ((xg - mean) / np.sqrt(var + attrs["eps"])).reshape(x.shape)
    bshape = (1, c) + (1,) * (x.ndim - 2)
    if gamma is not None:
        y = y * gamma.reshape(bshape)
    if beta is not None:
        y = y + beta.reshape(bshape)
    return apply_activation(y.astype(np.float32), attrs.get("act", "none"))


def capture(args, kwargs, out_shape):
    x, groups, gamma, beta, eps = (list(args) + [None, None, 1e-5])[:5]
    return "group_norm", [x, gamma, beta], {"groups": int(groups), "eps": float(eps), "act": "none"}


def params(graph, node):
    a = node.attrs
    shape = graph.tensors[node.inputs[0]].shape
    return "group_norm_params_t", dict(n=shape[0], channels=shape[1], spatial=a["spatial"],
                                       groups=a["groups"], eps=c_float(a["eps"]), act=act_field(node))


SPECS = [OpSpec("group_norm", 1, reference, optional=2, captures={"aten.group_norm.default": capture},
                layout=spatial, params=params, call=params_call, fusable_activation=True)]
