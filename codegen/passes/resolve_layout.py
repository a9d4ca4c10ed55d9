"""Fix the memory layout of every tensor and resolve each op into the sizes and strides
its kernel walks.

Activations are dense row-major (NCHW for 4-D), the layout torch uses, so a reshape is
free (an alias in the memory plan). The pass then turns logical shapes into physical
parameters: broadcast strides for add/sub/mul (right-aligned to 4 dims, stride 0 where a
dim is broadcast), [outer][inner] blocks for concat, the spatial size of a norm or prelu,
whether prelu's slope is shared. After it the emitter only prints numbers; it never reasons
about shapes.
"""

from __future__ import annotations

import numpy as np

from codegen.ir import Graph

LAYOUTS = {1: "C", 2: "NC", 3: "NCW", 4: "NCHW"}
MAX_RANK = 4
MAX_CONCAT = 8


class LayoutError(ValueError):
    pass


def _broadcast_strides(shape: tuple[int, ...], out_shape: tuple[int, ...]) -> list[int]:
    padded = (1,) * (len(out_shape) - len(shape)) + tuple(shape)
    dense = [int(np.prod(padded[i + 1:], dtype=np.int64)) for i in range(len(padded))]
    return [0 if d == 1 and o != 1 else s for d, o, s in zip(padded, out_shape, dense)]


def _resolve_binary(graph: Graph, node) -> None:
    out = graph.tensors[node.outputs[0]].shape
    if len(out) > MAX_RANK:
        raise LayoutError(f"node {node.name}: {node.op} of rank {len(out)} > {MAX_RANK}")
    out4 = (1,) * (MAX_RANK - len(out)) + tuple(out)
    a, b = (graph.tensors[name].shape for name in node.inputs)
    node.attrs["out_shape"] = list(out4)
    node.attrs["a_strides"] = _broadcast_strides(a, out4)
    node.attrs["b_strides"] = _broadcast_strides(b, out4)


def _resolve_concat(graph: Graph, node) -> None:
    if len(node.inputs) > MAX_CONCAT:
        raise LayoutError(f"node {node.name}: concat of {len(node.inputs)} inputs > {MAX_CONCAT}")
    axis = node.attrs["axis"]
    out = graph.tensors[node.outputs[0]].shape
    node.attrs["outer"] = int(np.prod(out[:axis], dtype=np.int64))
    node.attrs["inner_sizes"] = [int(np.prod(graph.tensors[name].shape[axis:], dtype=np.int64))
                                 for name in node.inputs]


def _resolve_spatial(graph: Graph, node) -> None:
    shape = graph.tensors[node.inputs[0]].shape
    node.attrs["spatial"] = int(np.prod(shape[2:], dtype=np.int64))


def _resolve_prelu(graph: Graph, node) -> None:
    """The spatial size, and slope_stride 0 for one slope shared by all channels (nn.PReLU()'s
    default), 1 for one per channel."""
    _resolve_spatial(graph, node)
    node.attrs["slope_stride"] = 0 if int(np.prod(graph.tensors[node.inputs[1]].shape)) == 1 else 1


RESOLVERS = {"add": _resolve_binary, "sub": _resolve_binary, "mul": _resolve_binary,
             "concat": _resolve_concat, "group_norm": _resolve_spatial, "prelu": _resolve_prelu}


def run(graph: Graph) -> Graph:
    for tensor in graph.tensors.values():
        # Packed sign tensors (u32) are [N, H, W, words]: channels innermost, as bits.
        tensor.layout = "NHWC1" if tensor.dtype == "u32" else LAYOUTS.get(len(tensor.shape), "dense")
    for node in graph.nodes:
        resolver = RESOLVERS.get(node.op)
        if resolver:
            resolver(graph, node)
    return graph
