"""Absorb inference-mode batch_norm into the convolution (or linear) that feeds it.

conv(x) * s + (beta - mean * s), with s = gamma / sqrt(var + eps), is again a convolution
with weight w * s (per output channel) and bias b * s + beta - mean * s: the norm costs
nothing at run time. Only done when the conv output feeds nothing but the norm; a linear
only when its output is [N, C] (BatchNorm1d's channels are then its output features).
Any other batch_norm is lowered to a scale and shift by lower_batch_norm.
"""

from __future__ import annotations

import numpy as np

from codegen.ir import Graph, Node
from codegen.passes.options import CompileOptions


def _foldable_producer(graph: Graph, node: Node) -> bool:
    return node.op == "conv2d" or (node.op == "linear" and len(graph.tensors[node.outputs[0]].shape) == 2)


def scale_shift(graph: Graph, bn: Node) -> tuple[np.ndarray, np.ndarray]:
    """The norm as y = x * scale[c] + shift[c] (float64, one value per channel)."""
    x, mean, var, gamma, beta = bn.inputs
    channels = graph.tensors[x].shape[1]
    g = graph.constants[gamma].astype(np.float64) if gamma else np.ones(channels)
    b = graph.constants[beta].astype(np.float64) if beta else np.zeros(channels)
    scale = g / np.sqrt(graph.constants[var].astype(np.float64) + bn.attrs["eps"])
    return scale, b - graph.constants[mean].astype(np.float64) * scale


def run(graph: Graph, options: CompileOptions) -> Graph:
    for bn in [n for n in graph.nodes if n.op == "batch_norm"]:
        x, mean, var, gamma, beta = bn.inputs
        conv = graph.producer(x)
        if (conv is None or not _foldable_producer(graph, conv) or len(graph.consumers(x)) != 1
                or x in graph.outputs or conv.attrs["act"] != "none"
                or not all(graph.is_constant(n) for n in (mean, var, conv.inputs[1]))
                or not all(graph.is_constant(n) for n in (gamma, beta) if n)
                or (conv.inputs[2] and not graph.is_constant(conv.inputs[2]))):
            continue
        c_out = graph.tensors[x].shape[1]
        scale, shift = scale_shift(graph, bn)
        weight = graph.constants[conv.inputs[1]].astype(np.float64)
        weight = weight * scale.reshape((-1,) + (1,) * (weight.ndim - 1))
        bias = graph.constants[conv.inputs[2]].astype(np.float64) if conv.inputs[2] else np.zeros(c_out)
        bias = bias * scale + shift
        conv.inputs[1] = graph.add_constant(f"{conv.name}.weight_bn", weight.astype(np.float32))
        conv.inputs[2] = graph.add_constant(f"{conv.name}.bias_bn", bias.astype(np.float32))
        del graph.tensors[conv.outputs[0]]
        conv.outputs = list(bn.outputs)
        graph.nodes.remove(bn)
    graph.remove_unused()
    return graph
