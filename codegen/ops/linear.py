"""linear: x @ w.T + b over the last dim (any leading dims are rows), fusable activation."""

from __future__ import annotations

import numpy as np

from codegen.ops.activation import act_field, apply_activation
from codegen.ops.spec import OpSpec, params_call


def reference(x, w, b, attrs):
    y = x.astype(np.float64) @ w.astype(np.float64).T
    if b is not None:
        y = y + b
    return apply_activation(y.astype(np.float32), attrs.get("act", "none"))


def capture(args, kwargs, out_shape):
    x, w, b = (list(args) + [None])[:3]
    return "linear", [x, w, b], {"act": "none"}


def macs(inputs, output_shape, attrs):
    return int(np.prod(output_shape)) * inputs[1][1]


def params(graph, node):
    out_features, in_features = graph.tensors[node.inputs[1]].shape
    rows = int(np.prod(graph.tensors[node.inputs[0]].shape, dtype=np.int64)) // in_features
    return "linear_params_t", dict(rows=rows, in_features=in_features,
                                   out_features=out_features, act=act_field(node))


SPECS = [OpSpec("linear", 2, reference, optional=1, captures={"aten.linear.default": capture},
                macs=macs, params=params, call=params_call, fusable_activation=True)]
