"""Run a tensor's other readers before the op that could overwrite it in place.

A group norm or an elementwise op writes its output over its input only as that input's
last reader (codegen/plan_alias.py). In a UNet up block the skip convolution reads the
block's input (a concat) too, after the norm's whole branch, so the norm cannot run in
place and the input stays live through the branch. When every other reader of the
operand is ready where the op stands (all its inputs computed before it) and writes no
more bytes than the operand holds, this pass moves those readers, in their order, to
just before the op: the operand then dies at the op, which can take its bytes. On the zoo
UNet that frees a 48 KB buffer at the largest step. The order stays topological: a moved
node's inputs all come before its new place and its readers after its old one. No
computation changes, only the order of the layers.
"""

from __future__ import annotations

from codegen.ir import Graph, Node
from codegen.ops import OPS
from codegen.passes.options import CompileOptions


def run(graph: Graph, options: CompileOptions) -> Graph:
    nodes = list(graph.nodes)
    i = 0
    while i < len(nodes):
        moved = _hoist_readers(graph, nodes, i)
        i += 1 + moved
    graph.nodes = nodes
    return graph


def _hoist_readers(graph: Graph, nodes: list[Node], i: int) -> int:
    """Move the later readers of nodes[i]'s in-place operand before it; how many moved."""
    node = nodes[i]
    spec = OPS[node.op]
    if not spec.writes_in_place:
        return 0
    out = graph.tensors[node.outputs[0]]
    ready = set(graph.inputs) | set(graph.constants) | {t for n in nodes[:i] for t in n.outputs}
    for operand in (node.inputs if spec.elementwise else node.inputs[:1]):
        if not operand or graph.is_constant(operand) or operand in graph.inputs + graph.outputs:
            continue
        tensor = graph.tensors[operand]
        if tensor.shape != out.shape or tensor.dtype != out.dtype:
            continue
        later = [n for n in nodes[i + 1:] if operand in n.inputs]
        if later and all(_movable(graph, n, ready, tensor.nbytes) for n in later):
            for n in later:
                nodes.remove(n)
            nodes[i:i] = later
            return len(later)
    return 0


def _movable(graph: Graph, node: Node, ready: set[str], budget: int) -> bool:
    """Computes from tensors already there, is a kernel (not a view), and its output is no
    larger than the operand whose life the move shortens."""
    return (not OPS[node.op].alias and all(not t or t in ready for t in node.inputs)
            and sum(graph.tensors[t].nbytes for t in node.outputs) <= budget)
