"""Turn permute(0, 2, 3, 1) -> layer norm over the last dim -> permute(0, 3, 1, 2) into one
layer norm over the channels of the NCHW image (the "LayerNorm2d" of ConvNeXt-style models).

Normalising the C values of each pixel needs no copy: the layer norm kernels take the input
as [outer][size][inner], and inner = H*W walks the channels of a pixel in place (the SIMD
overrides then vectorise over pixels). The two permutes are captured as strided copies
(codegen/ops/strided_copy.py), each a full pass over the tensor; both and the NHWC
intermediate go. Only done when the intermediates have no other reader and are no graph
outputs. A copy is recognised as the permute by what it does to the element indices, so any
merging of its dims at capture is seen through.
"""

from __future__ import annotations

import numpy as np

from codegen.ir import Graph, Node
from codegen.ops import evaluate
from codegen.passes.options import CompileOptions

TO_NHWC, TO_NCHW = (0, 2, 3, 1), (0, 3, 1, 2)


def _is_permute(graph: Graph, node: Node | None, perm: tuple[int, ...]) -> bool:
    """node is a strided copy whose output is its rank-4 input permuted by perm."""
    if node is None or node.op != "strided_copy":
        return False
    shape = graph.tensors[node.inputs[0]].shape
    if len(shape) != 4 or graph.tensors[node.outputs[0]].shape != tuple(shape[p] for p in perm):
        return False
    index = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    return np.array_equal(evaluate("strided_copy", [index], node.attrs), index.transpose(perm))


def _only_reader(graph: Graph, tensor: str, node: Node) -> bool:
    return tensor not in graph.outputs and graph.consumers(tensor) == [node]


def _match(graph: Graph, norm: Node) -> tuple[Node, Node] | None:
    """The (to NHWC, back to NCHW) copies around a last-dim layer norm, or None."""
    a = norm.attrs
    nhwc = norm.inputs[0]
    if a["ndim"] != 1 or a["axis"] != 3 or len(graph.tensors[nhwc].shape) != 4:
        return None
    before = graph.producer(nhwc)
    after = graph.consumers(norm.outputs[0])
    if (not _is_permute(graph, before, TO_NHWC) or len(after) != 1
            or not _is_permute(graph, after[0], TO_NCHW)
            or not _only_reader(graph, nhwc, norm)
            or not _only_reader(graph, norm.outputs[0], after[0])):
        return None
    return before, after[0]


def run(graph: Graph, options: CompileOptions) -> Graph:
    for norm in [n for n in graph.nodes if n.op == "layer_norm"]:
        found = _match(graph, norm)
        if found is None:
            continue
        before, after = found
        fused = Node(norm.name, "layer_norm", [before.inputs[0], *norm.inputs[1:]],
                     list(after.outputs), {**norm.attrs, "axis": 1}, norm.source)
        graph.nodes[graph.nodes.index(after)] = fused  # where its output is first needed
        graph.nodes.remove(before)
        graph.nodes.remove(norm)
    graph.remove_unused()
    return graph
