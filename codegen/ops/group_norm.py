"""group_norm: normalise each (n, group) over its channels and spatial dims, then γ, β.

InstanceNorm is captured here too: with its input's statistics it is a group norm with one
group per channel; with running statistics (track_running_stats, eval) a batch_norm.

In place: every kernel (reference, MVE, RVV) reads a whole group for its statistics before
it writes any of it, then each element before it writes that element, so the memory plan
may write the output over a dying input (in_place).
"""

from __future__ import annotations

import numpy as np

from codegen.c_literals import c_float
from codegen.ops.activation import act_field, apply_activation
from codegen.ops.capture_util import UnsupportedOpError
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


def capture_instance_norm(args, kwargs, out_shape):
    """aten.instance_norm(x, weight, bias, running_mean, running_var, use_input_stats,
    momentum, eps, cudnn_enabled)."""
    x, gamma, beta, mean, var, use_input_stats, _momentum, eps = (list(args) + [None] * 8)[:8]
    if len(out_shape) < 3:
        raise UnsupportedOpError(f"instance_norm of a {len(out_shape)}-D tensor: give it [N, C, ...]")
    eps = 1e-5 if eps is None else float(eps)
    if use_input_stats is None or use_input_stats or mean is None:
        return "group_norm", [x, gamma, beta], {"groups": int(out_shape[1]), "eps": eps, "act": "none"}
    return "batch_norm", [x, mean, var, gamma, beta], {"eps": eps}


SPECS = [OpSpec("group_norm", 1, reference, optional=2,
                captures={"aten.group_norm.default": capture,
                          "aten.instance_norm.default": capture_instance_norm},
                layout=spatial, params=params, call=params_call, fusable_activation=True,
                in_place=True)]
