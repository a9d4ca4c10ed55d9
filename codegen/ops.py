"""The IR's op set: numpy semantics (the IR's own golden reference) and MAC counts.

Only ops listed here exist after capture. Each evaluator takes the input arrays (None for
an absent optional operand) and the node's attrs and returns the output array. The numpy
code mirrors torch semantics; constant folding and the IR interpreter both use it, so
nothing after capture needs torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from codegen import binary
from codegen.ir import DTYPES

ACTIVATIONS = ("none", "relu", "silu")


def _silu(x: np.ndarray) -> np.ndarray:
    return x / (1.0 + np.exp(-x.astype(np.float64))).astype(np.float32)


def apply_activation(x: np.ndarray, act: str) -> np.ndarray:
    if act == "relu":
        return np.maximum(x, 0).astype(x.dtype)
    if act == "silu":
        return _silu(x).astype(x.dtype)
    return x


def _conv2d(x, w, b, attrs):
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


def _linear(x, w, b, attrs):
    y = x.astype(np.float64) @ w.astype(np.float64).T
    if b is not None:
        y = y + b
    return apply_activation(y.astype(np.float32), attrs.get("act", "none"))


def _group_norm(x, gamma, beta, attrs):
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


def _batch_norm(x, mean, var, gamma, beta, attrs):
    bshape = (1, -1) + (1,) * (x.ndim - 2)
    y = (x.astype(np.float64) - mean.reshape(bshape)) / np.sqrt(var.reshape(bshape) + attrs["eps"])
    if gamma is not None:
        y = y * gamma.reshape(bshape)
    if beta is not None:
        y = y + beta.reshape(bshape)
    return y.astype(np.float32)


def _binary(fn):
    def run(a, b, attrs):
        y = fn(a.astype(np.float64), b.astype(np.float64)).astype(np.float32)
        return apply_activation(y, attrs.get("act", "none"))
    return run


def _nearest_indices(size_in: int, size_out: int) -> np.ndarray:
    """torch's nearest rule: a float32 scale in/out, then floor(dst * scale)."""
    scale = np.float32(size_in) / np.float32(size_out)
    src = np.floor(np.arange(size_out, dtype=np.float32) * scale).astype(np.int64)
    return np.minimum(src, size_in - 1)


def _upsample_nearest2d(x, attrs):
    h_out, w_out = attrs["size"]
    h_in, w_in = x.shape[2:]
    ys = _nearest_indices(h_in, h_out)
    xs = _nearest_indices(w_in, w_out)
    return x[:, :, ys][:, :, :, xs]


def _prelu(x, slope, attrs):
    """x where positive, slope[c] · x elsewhere (channel dim 1, as torch.prelu)."""
    s = slope.astype(np.float64).reshape((1, -1) + (1,) * (x.ndim - 2))
    x64 = x.astype(np.float64)
    return np.where(x64 > 0, x64, s * x64).astype(np.float32)


def _binary_conv2d(packed, packed_weight, scale, bias, *post_and_attrs):
    """post: shift_in, slope, shift_out, res_scale, residual (binary.post_output), any None."""
    *post, attrs = post_and_attrs
    dot = binary.binary_dot(packed, packed_weight, attrs["channels"], attrs["stride"],
                            attrs["padding"], attrs["out_size"])
    return binary.post_output(binary.scale_output(dot, scale, bias), *post)


def _binary_weight_conv2d(x, packed_weight, scale, bias, *post_and_attrs):
    """A float convolution with ±1 weights, then · scale[c] + bias[c] (float64 inside,
    rounded once to float32), then the folded steps (binary.post_output)."""
    *post, attrs = post_and_attrs
    signs = binary.unpack_signs(packed_weight, x.shape[1]).astype(np.float64)
    conv_attrs = dict(stride=attrs["stride"], padding=attrs["padding"], dilation=[1, 1], groups=1)
    y = _conv2d(x, signs, None, conv_attrs).astype(np.float64) * scale.astype(np.float64).reshape(1, -1, 1, 1)
    y = (y if bias is None else y + bias.astype(np.float64).reshape(1, -1, 1, 1)).astype(np.float32)
    return binary.post_output(y, *post)


def _table_row(table, index, attrs):
    """The row a float index selects, clamped as the C kernel clamps it."""
    row = min(max(int(np.asarray(index).ravel()[0]), 0), table.shape[0] - 1)
    return table[row].reshape(attrs["shape"])


@dataclass(frozen=True)
class OpDef:
    """arity: required inputs; optional: trailing inputs that may be "" (absent)."""

    arity: int
    evaluate: Callable
    optional: int = 0
    fusable_activation: bool = False
    elementwise: bool = False


def _macs_conv2d(inputs, output_shape, attrs):
    _, c_in_g, kh, kw = inputs[1]
    return int(np.prod(output_shape)) * c_in_g * kh * kw


def _macs_linear(inputs, output_shape, attrs):
    return int(np.prod(output_shape)) * inputs[1][1]


OPS: dict[str, OpDef] = {
    "conv2d": OpDef(2, _conv2d, optional=1, fusable_activation=True),
    "linear": OpDef(2, _linear, optional=1, fusable_activation=True),
    "group_norm": OpDef(1, _group_norm, optional=2, fusable_activation=True),
    "batch_norm": OpDef(3, _batch_norm, optional=2),
    "add": OpDef(2, _binary(np.add), fusable_activation=True, elementwise=True),
    "sub": OpDef(2, _binary(np.subtract), fusable_activation=True, elementwise=True),
    "mul": OpDef(2, _binary(np.multiply), fusable_activation=True, elementwise=True),
    "silu": OpDef(1, lambda x, a: _silu(x).astype(np.float32), elementwise=True),
    "relu": OpDef(1, lambda x, a: np.maximum(x, 0).astype(x.dtype), elementwise=True),
    "sin": OpDef(1, lambda x, a: np.sin(x.astype(np.float64)).astype(np.float32), elementwise=True),
    "cos": OpDef(1, lambda x, a: np.cos(x.astype(np.float64)).astype(np.float32), elementwise=True),
    "concat": OpDef(1, None),  # variadic; evaluated in evaluate() below
    "upsample_nearest2d": OpDef(1, _upsample_nearest2d),
    "reshape": OpDef(1, lambda x, a: x.reshape(a["shape"])),
    "cast": OpDef(1, lambda x, a: x.astype(DTYPES[a["to"]]), elementwise=False),
    "table_row": OpDef(2, _table_row),
    "sign": OpDef(1, lambda x, a: np.where(x >= 0, 1, -1).astype(np.float32), elementwise=True),
    "prelu": OpDef(2, _prelu),
    "sign_pack": OpDef(1, lambda x, t, a: binary.sign_pack(x, t), optional=1),
    # inputs: packed, weight bits, scale; optional bias and the folded output steps
    # (shift_in, slope, shift_out, res_scale, residual: codegen/passes/fold_binary_output.py)
    "binary_conv2d": OpDef(3, _binary_conv2d, optional=6),
    "binary_weight_conv2d": OpDef(3, _binary_weight_conv2d, optional=6),
}

def _macs_binary_conv2d(inputs, output_shape, attrs):
    """Binary MACs: one ±1 product per input channel and tap (32 per XOR-popcount word)."""
    _, kh, kw, _ = inputs[1]
    return int(np.prod(output_shape)) * attrs["channels"] * kh * kw


MAC_COUNTERS = {"conv2d": _macs_conv2d, "linear": _macs_linear,
                "binary_conv2d": _macs_binary_conv2d, "binary_weight_conv2d": _macs_binary_conv2d}


def evaluate(op: str, inputs: list[np.ndarray | None], attrs: dict) -> np.ndarray:
    """Run one op in numpy (float64 inside, float32 out); FP16 operands are widened first,
    as the reference kernels do."""
    inputs = [x.astype(np.float32) if x is not None and x.dtype == np.float16 else x for x in inputs]
    if op == "concat":
        return np.concatenate(inputs, axis=attrs["axis"])
    return OPS[op].evaluate(*inputs, attrs)


def macs(op: str, input_shapes: list[tuple[int, ...]], output_shape: tuple[int, ...], attrs: dict) -> int:
    """Multiply-accumulates the op performs (0 for ops that are not a dot product)."""
    counter = MAC_COUNTERS.get(op)
    return counter(input_shapes, output_shape, attrs) if counter else 0
