"""add, sub, mul: elementwise with numpy broadcasting, fusable activation.

Layout: the output padded to MAX_RANK dims and each operand's broadcast strides (0 where a
dim is broadcast), so one kernel loop serves every broadcast (binary_params_t).
"""

from __future__ import annotations

import numpy as np

from codegen.ops.activation import act_field, apply_activation
from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.layout import MAX_RANK, LayoutError
from codegen.ops.spec import OpSpec, params_call


def _reference(fn):
    def run(a, b, attrs):
        y = fn(a.astype(np.float64), b.astype(np.float64)).astype(np.float32)
        return apply_activation(y, attrs.get("act", "none"))
    return run


def _capture(op: str):
    def capture(args, kwargs, out_shape):
        alpha = kwargs.get("alpha", args[2] if len(args) > 2 else 1)
        if alpha != 1:
            raise UnsupportedOpError(f"{op} with alpha={alpha}: write a * alpha explicitly")
        return op, [args[0], args[1]], {"act": "none"}
    return capture


def broadcast_strides(shape: tuple[int, ...], out_shape: tuple[int, ...]) -> list[int]:
    padded = (1,) * (len(out_shape) - len(shape)) + tuple(shape)
    dense = [int(np.prod(padded[i + 1:], dtype=np.int64)) for i in range(len(padded))]
    return [0 if d == 1 and o != 1 else s for d, o, s in zip(padded, out_shape, dense)]


def layout(graph, node) -> None:
    out = graph.tensors[node.outputs[0]].shape
    if len(out) > MAX_RANK:
        raise LayoutError(f"node {node.name}: {node.op} of rank {len(out)} > {MAX_RANK}")
    out4 = (1,) * (MAX_RANK - len(out)) + tuple(out)
    a, b = (graph.tensors[name].shape for name in node.inputs)
    node.attrs["out_shape"] = list(out4)
    node.attrs["a_strides"] = broadcast_strides(a, out4)
    node.attrs["b_strides"] = broadcast_strides(b, out4)


def params(graph, node):
    a = node.attrs
    return "binary_params_t", dict(out_shape=a["out_shape"], a_strides=a["a_strides"],
                                   b_strides=a["b_strides"], act=act_field(node))


def _spec(name: str, fn, targets: tuple[str, ...] = ()) -> OpSpec:
    """One broadcasting binary op; captured from aten.<name>.Tensor unless targets are given."""
    targets = targets or (f"aten.{name}.Tensor",)
    return OpSpec(name, 2, _reference(fn), captures={t: _capture(name) for t in targets},
                  layout=layout, params=params, call=params_call,
                  fusable_activation=True, elementwise=True)


SPECS = [_spec("add", np.add), _spec("sub", np.subtract), _spec("mul", np.multiply)]
