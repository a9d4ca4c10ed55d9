"""add, sub, mul, div: elementwise with numpy broadcasting, fusable activation.

div is torch's true division (aten.div without rounding_mode, true_divide), correctly
rounded in FP32 and FP16 (see kernels/ref/div_f16.c); x / 0 is ±inf and 0 / 0 NaN, as in
torch. Division by a Python number c becomes a multiplication only where that is exact:
c = ±2^k (|k| ≤ 126, so 1/c is a normal float and x * (1/c) rounds the same real number
x / c does); x / 1.0 (a diffusers ResNet block has one) is a view, no kernel. Any other
divisor stays a division. A scalar operand is stored in the op's precision, so in an FP16
build it is rounded to half like every constant (|c| > 65504 would be inf).

Layout: the output padded to MAX_RANK dims and each operand's broadcast strides (0 where a
dim is broadcast), so one kernel loop serves every broadcast (binary_params_t).
"""

from __future__ import annotations

import math

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


def _capture_rsub(args, kwargs, out_shape):
    """torch.rsub(x, c) = c - x: what `1 - x` (a number first) exports as."""
    alpha = kwargs.get("alpha", args[2] if len(args) > 2 else 1)
    if alpha != 1:
        raise UnsupportedOpError(f"rsub with alpha={alpha}: write c - alpha * x explicitly")
    return "sub", [args[1], args[0]], {"act": "none"}


def _exact_reciprocal(c: float) -> float | None:
    """1/c where x * (1/c) == x / c for every float x: c = ±2^k with |k| <= 126."""
    if not math.isfinite(c) or c == 0.0:
        return None
    mantissa, exponent = math.frexp(c)  # c = mantissa * 2^exponent, |mantissa| in [0.5, 1)
    if abs(mantissa) != 0.5 or abs(exponent - 1) > 126:
        return None
    return 1.0 / c


def _capture_div(args, kwargs, out_shape):
    mode = kwargs.get("rounding_mode")
    if mode is not None:
        raise UnsupportedOpError(f"div with rounding_mode={mode!r}: only true division is supported "
                                 "(write torch.floor(a / b) or torch.trunc(a / b) as their own ops)")
    a, b = args[0], args[1]
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        if float(b) == 1.0:
            return "reshape", [a], {"shape": [int(s) for s in out_shape]}  # x / 1.0 is x
        reciprocal = _exact_reciprocal(float(b))
        if reciprocal is not None:
            return "mul", [a, reciprocal], {"act": "none"}
    return "div", [a, b], {"act": "none"}


def _divide(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):  # ±inf and NaN, as torch
        return np.divide(a, b)


DIV_TARGETS = ("aten.div.Tensor", "aten.div_.Tensor", "aten.div.Scalar", "aten.div_.Scalar",
               "aten.div.Tensor_mode", "aten.div_.Tensor_mode", "aten.true_divide.Tensor")


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


def _spec(name: str, fn, targets: tuple[str, ...] = (), capture=None) -> OpSpec:
    """One broadcasting binary op; captured from aten.<name>.Tensor unless targets are given."""
    targets = targets or (f"aten.{name}.Tensor",)
    captures = {t: capture or _capture(name) for t in targets}
    if name == "sub":
        captures.update({"aten.rsub.Scalar": _capture_rsub, "aten.rsub.Tensor": _capture_rsub})
    return OpSpec(name, 2, _reference(fn), captures=captures,
                  layout=layout, params=params, call=params_call,
                  fusable_activation=True, elementwise=True)


SPECS = [_spec("add", np.add), _spec("sub", np.subtract), _spec("mul", np.multiply),
         _spec("div", _divide, DIV_TARGETS, _capture_div)]
