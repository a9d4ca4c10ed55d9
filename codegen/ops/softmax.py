"""softmax over any one dim, numerically safe: exp(x - max) / sum exp(x - max).

Layout: the input viewed as [outer][size][inner] around the softmax dim. The kernel sums
the exponentials in float in FP16 too and rounds each output once.
"""

from __future__ import annotations

import numpy as np

from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.layout import numel
from codegen.ops.spec import OpSpec, params_call


def reference(x, attrs):
    x64 = x.astype(np.float64)
    e = np.exp(x64 - x64.max(axis=attrs["dim"], keepdims=True))
    return (e / e.sum(axis=attrs["dim"], keepdims=True)).astype(np.float32)


def capture(args, kwargs, out_shape):
    """aten.softmax.int(x, dim, dtype=None) and aten._softmax.default(x, dim, half_to_float)."""
    dtype = args[2] if len(args) > 2 else kwargs.get("dtype")
    if dtype is not None and not isinstance(dtype, bool) and "float32" not in str(dtype):
        raise UnsupportedOpError(f"softmax to {dtype}: EdgeDiff computes softmax in float, "
                                 "drop the dtype argument")
    rank = max(len(out_shape), 1)
    return "softmax", [args[0]], {"dim": int(args[1]) % rank}


def layout(graph, node) -> None:
    shape = graph.tensors[node.inputs[0]].shape
    dim = node.attrs["dim"]
    node.attrs.update(outer=numel(shape[:dim]), size=int(shape[dim]) if shape else 1,
                      inner=numel(shape[dim + 1:]))


def params(graph, node):
    a = node.attrs
    return "softmax_params_t", dict(outer=a["outer"], size=a["size"], inner=a["inner"])


SPECS = [OpSpec("softmax", 1, reference, layout=layout, params=params, call=params_call,
                captures={"aten.softmax.int": capture, "aten._softmax.default": capture})]
