"""Absorb inference-mode batch_norm into the convolution that feeds it.

conv(x) * s + (beta - mean * s), with s = gamma / sqrt(var + eps), is again a convolution
with weight w * s (per output channel) and bias b * s + beta - mean * s: the norm costs
nothing at run time. Only done when the conv output feeds nothing but the norm.
"""

from __future__ import annotations

import numpy as np

from codegen.ir import Graph


def run(graph: Graph) -> Graph:
    for bn in [n for n in graph.nodes if n.op == "batch_norm"]:
        x, mean, var, gamma, beta = bn.inputs
        conv = graph.producer(x)
        if (conv is None or conv.op != "conv2d" or len(graph.consumers(x)) != 1
                or x in graph.outputs or conv.attrs["act"] != "none"
                or not all(graph.is_constant(n) for n in (mean, var, conv.inputs[1]))
                or not all(graph.is_constant(n) for n in (gamma, beta) if n)
                or (conv.inputs[2] and not graph.is_constant(conv.inputs[2]))):
            continue
        c_out = graph.tensors[x].shape[1]
        g = graph.constants[gamma].astype(np.float64) if gamma else np.ones(c_out)
        b = graph.constants[beta].astype(np.float64) if beta else np.zeros(c_out)
        scale = g / np.sqrt(graph.constants[var].astype(np.float64) + bn.attrs["eps"])
        weight = graph.constants[conv.inputs[1]].astype(np.float64) * scale[:, None, None, None]
        bias = graph.constants[conv.inputs[2]].astype(np.float64) if conv.inputs[2] else np.zeros(c_out)
        bias = bias * scale + b - graph.constants[mean] * scale
        conv.inputs[1] = graph.add_constant(f"{conv.name}.weight_bn", weight.astype(np.float32))
        conv.inputs[2] = graph.add_constant(f"{conv.name}.bias_bn", bias.astype(np.float32))
        del graph.tensors[conv.outputs[0]]
        conv.outputs = list(bn.outputs)
        graph.nodes.remove(bn)
    graph.remove_unused()
    return graph
