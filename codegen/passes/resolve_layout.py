"""Fix the memory layout of every tensor and resolve each op into the sizes and strides
its kernel walks.

Activations are dense row-major (NCHW for 4-D), the layout torch uses, so a reshape is
free (an alias in the memory plan). Each op's entry (codegen/ops/, `layout`) then turns
its logical shapes into physical parameters: broadcast strides for add/sub/mul, [outer]
[inner] blocks for concat, the spatial size of a norm or prelu, whether prelu's slope is
shared. After it the emitter only prints numbers; it never reasons about shapes.
"""

from __future__ import annotations

from codegen.ir import Graph
from codegen.ops import OPS
from codegen.ops.layout import LAYOUTS, MAX_CONCAT, MAX_RANK, LayoutError  # noqa: F401 (public here too)
from codegen.passes.options import CompileOptions


def run(graph: Graph, options: CompileOptions) -> Graph:
    for tensor in graph.tensors.values():
        # Packed sign tensors (u32) are [N, H, W, words]: channels innermost, as bits.
        tensor.layout = "NHWC1" if tensor.dtype == "u32" else LAYOUTS.get(len(tensor.shape), "dense")
    for node in graph.nodes:
        resolve = OPS[node.op].layout
        if resolve:
            resolve(graph, node)
    return graph
