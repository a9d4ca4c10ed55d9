"""Fold constants: a node whose inputs are all constants is evaluated once, at build time.

Why: such nodes (a reshape of a weight, a product of two buffers) would otherwise cost
instructions on every inference and arena space for their outputs.
"""

from __future__ import annotations

from codegen.ir import Graph
from codegen.ops import evaluate


def run(graph: Graph) -> Graph:
    kept = []
    for node in graph.nodes:
        operands = [name for name in node.inputs if name]
        if operands and all(graph.is_constant(name) for name in operands):
            args = [graph.constants[name] if name else None for name in node.inputs]
            value = evaluate(node.op, args, node.attrs)
            del graph.tensors[node.outputs[0]]
            graph.add_constant(node.outputs[0], value)
        else:
            kept.append(node)
    graph.nodes = kept
    graph.remove_unused()
    return graph
