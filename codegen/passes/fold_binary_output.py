"""Fold the elementwise ops after a binary convolution into its output step.

A binarized block (sdk/compress) follows each binary conv with RPReLU, exported as
sub(y, gamma[c]) → prelu(·, slope[c]) → add(·, zeta[c]), and, where shapes allow, a
learnable-scaled shortcut add(·, mul(scale[c], x)). Run as separate kernels, each is a
full read and write of the tensor, together more instructions than the XOR-popcount conv
itself. This pass moves them into binary_conv2d / binary_weight_conv2d as the optional
inputs shift_in, slope, shift_out, res_scale and residual (codegen/binary.py post_output,
kernels.h), in that order; any prefix of the chain may be missing. The kernels apply them
one FP32 rounding each, as the unfused FP32 ops do, so an FP32 build computes the same
bits as before; an FP16 build rounds once to half at the end instead of after every op.

Folded only when each intermediate has this chain as its only reader and is not a graph
output, each per-channel operand is a constant of c_out values ([C] or [1, C, 1, 1]; a
prelu slope shared by all channels is repeated c_out times), and
the residual is a tensor of the output's shape computed before the conv (a plain add of
such a tensor folds as a residual with no scale). Runs after lower_binary_conv.
"""

from __future__ import annotations

import numpy as np

from codegen.ir import Graph, Node
from codegen.passes.options import CompileOptions

POST_INPUTS = 5  # shift_in, slope, shift_out, res_scale, residual
SHIFT_IN, SLOPE, SHIFT_OUT, RES_SCALE, RESIDUAL = range(POST_INPUTS)
BINARY_CONVS = ("binary_conv2d", "binary_weight_conv2d")


def _sole_reader(graph: Graph, tensor: str) -> Node | None:
    readers = graph.consumers(tensor)
    if len(readers) != 1 or tensor in graph.outputs:
        return None
    return readers[0]


def _per_channel(graph: Graph, name: str, channels: int, flat_ok: bool = False) -> str | None:
    """The constant as a flat [channels] array when it is one value per channel in NCHW
    broadcasting ([1, C, 1, 1] or [C, 1, 1]; a flat [C] only where the op means channels,
    as prelu's slope does, which may also be one value shared by all channels), else None."""
    if not name or not graph.is_constant(name):
        return None
    shape = graph.constants[name].shape
    if shape == (channels,) and flat_ok:
        return name
    if flat_ok and graph.constants[name].size == 1:
        shared = f"{name}_x{channels}"
        if shared not in graph.constants:
            graph.add_constant(shared, np.full(channels, graph.constants[name].reshape(()),
                                               dtype=graph.constants[name].dtype))
        return shared
    if shape not in ((1, channels, 1, 1), (channels, 1, 1)):
        return None
    flat = f"{name}_flat"
    if flat not in graph.constants:
        graph.add_constant(flat, graph.constants[name].reshape(channels))
    return flat


def _other(node: Node, tensor: str) -> str | None:
    """The operand of a two-input op that is not `tensor` (None if both are)."""
    a, b = node.inputs
    if a == b:
        return None
    return b if a == tensor else a


def _plain_add(node: Node | None) -> bool:
    return (node is not None and node.op == "add" and node.attrs.get("act", "none") == "none"
            and len(node.inputs) == 2)


def _residual(graph: Graph, add: Node, y: str,
              conv_index: int) -> tuple[str, str, Node | None] | None:
    """(residual tensor, res_scale constant or "", the mul to remove) for add(y, r)."""
    other = _other(add, y)
    if other is None:
        return None
    out_shape = graph.tensors[y].shape
    channels = out_shape[1]

    def computed_before(tensor: str) -> bool:
        producer = graph.producer(tensor)
        if graph.is_constant(tensor):
            return False
        return producer is None or graph.nodes.index(producer) < conv_index

    mul = graph.producer(other)
    if (mul is not None and mul.op == "mul" and mul.attrs.get("act", "none") == "none"
            and _sole_reader(graph, other) is add):
        a, b = mul.inputs
        for scale, x in ((a, b), (b, a)):
            flat = _per_channel(graph, scale, channels)
            if (flat is not None and not graph.is_constant(x)
                    and graph.tensors[x].shape == out_shape and computed_before(x)
                    and graph.tensors[x].dtype == graph.tensors[y].dtype):
                return x, flat, mul
    if (graph.tensors[other].shape == out_shape and computed_before(other)
            and graph.tensors[other].dtype == graph.tensors[y].dtype):
        return other, "", None
    return None


def _fold(graph: Graph, conv: Node) -> None:
    y = conv.outputs[0]
    channels = graph.tensors[y].shape[1]
    conv_index = graph.nodes.index(conv)
    post = [""] * POST_INPUTS
    folded: list[Node] = []
    step = 0  # the next step of the chain that may still be folded
    while step < POST_INPUTS:
        node = _sole_reader(graph, y)
        if node is None or graph.tensors[node.outputs[0]].shape != graph.tensors[y].shape:
            break
        if node.op == "sub" and step <= SHIFT_IN and node.inputs[0] == y \
                and node.attrs.get("act", "none") == "none":
            flat = _per_channel(graph, node.inputs[1], channels)
            if flat is None:
                break
            post[SHIFT_IN], step = flat, SLOPE
        elif node.op == "prelu" and step <= SLOPE and node.inputs[0] == y:
            flat = _per_channel(graph, node.inputs[1], channels, flat_ok=True)
            if flat is None:
                break
            post[SLOPE], step = flat, SHIFT_OUT
        elif _plain_add(node) and graph.is_constant(_other(node, y) or ""):
            flat = _per_channel(graph, _other(node, y), channels)
            if flat is None or step > SHIFT_OUT:
                break
            post[SHIFT_OUT], step = flat, RES_SCALE
        elif _plain_add(node):
            found = _residual(graph, node, y, conv_index)
            if found is None:
                break
            post[RESIDUAL], post[RES_SCALE], mul = found
            if mul is not None:
                folded.append(mul)
            step = POST_INPUTS
        else:
            break
        folded.append(node)
        y = node.outputs[0]
    if not folded:
        return
    for node in folded:
        for t in node.outputs:
            if t != y:
                del graph.tensors[t]
        graph.nodes.remove(node)
    del graph.tensors[conv.outputs[0]]
    conv.outputs = [y]
    bias = conv.inputs[3] if len(conv.inputs) > 3 else ""
    conv.inputs = conv.inputs[:3] + [bias] + post


def run(graph: Graph, options: CompileOptions) -> Graph:
    for conv in [n for n in graph.nodes if n.op in BINARY_CONVS]:
        if len(conv.inputs) > 4 and any(conv.inputs[4:]):
            continue  # already folded
        _fold(graph, conv)
    graph.remove_unused()
    return graph
