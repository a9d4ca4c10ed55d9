"""Remove nodes whose outputs nothing reads: they would cost time and arena for nothing."""

from __future__ import annotations

from codegen.ir import Graph
from codegen.passes.options import CompileOptions


def run(graph: Graph, options: CompileOptions) -> Graph:
    needed = set(graph.outputs)
    kept = []
    for node in reversed(graph.nodes):
        if any(out in needed for out in node.outputs):
            kept.append(node)
            needed.update(name for name in node.inputs if name)
    graph.nodes = kept[::-1]
    graph.remove_unused()
    return graph
