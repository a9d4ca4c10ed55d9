"""Lower binarized convolutions to bit-packed XOR-popcount kernels.

A binarized layer (sdk/compress) exports as plain ops: its weight is folded to ±alpha per
output channel, and in W1A1 its input is sign(x − threshold). This pass recognises both:
- conv2d whose weight is ±alpha[c_out] and whose input is `sign` (optionally of x minus a
  per-channel constant) → sign_pack(x, threshold) + binary_conv2d: activations become
  1-bit words, the conv XOR and popcount, alpha and the bias the output step;
- any other conv2d whose weight is ±alpha[c_out] → binary_weight_conv2d (W1A16): float
  activations, 1-bit weights.
Either way the weight is stored as packed bits (32 per word, 1/16 of FP16) plus one scale
per output channel. Grouped, dilated and activation-fused convs are left as they are.
Runs before activation fusion, which has nothing to fuse into a binary conv.
"""

from __future__ import annotations

import numpy as np

from codegen.binary import pack_weights, words_for
from codegen.ir import Graph, Node, Tensor
from codegen.passes.options import CompileOptions


def _binary_weight(graph: Graph, name: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(packed signs, alpha per output channel) when the constant is ±alpha[c_out]."""
    if not graph.is_constant(name) or graph.constants[name].ndim != 4:
        return None
    w = graph.constants[name].astype(np.float32)
    magnitude = np.abs(w).reshape(w.shape[0], -1)
    if (magnitude[:, 0] == 0).any() or not np.all(magnitude == magnitude[:, :1]):
        return None
    return pack_weights(w), magnitude[:, 0].copy()


def _only_reader(graph: Graph, tensor: str, node: Node) -> bool:
    return graph.consumers(tensor) == [node] and tensor not in graph.outputs


def _threshold(graph: Graph, sign: Node, channels: int) -> tuple[str, str, Node | None]:
    """(the tensor whose sign is taken, its per-channel threshold or "", the sub to remove)."""
    source = sign.inputs[0]
    sub = graph.producer(source)
    if sub is None or sub.op != "sub" or not _only_reader(graph, source, sign):
        return source, "", None
    x, beta = sub.inputs
    if not graph.is_constant(beta) or graph.constants[beta].size != channels:
        return source, "", None
    shape = graph.constants[beta].shape
    if len(shape) == 4 and shape[1] != channels:
        return source, "", None
    threshold = graph.add_constant(f"{sub.name}_threshold", graph.constants[beta].reshape(channels))
    return x, threshold, sub


def run(graph: Graph, options: CompileOptions) -> Graph:
    for conv in [n for n in graph.nodes if n.op == "conv2d"]:
        a = conv.attrs
        if a["groups"] != 1 or a["dilation"] != [1, 1] or a.get("act", "none") != "none":
            continue
        weight = _binary_weight(graph, conv.inputs[1])
        if weight is None:
            continue
        bits, scale = weight
        x = conv.inputs[0]
        n, channels, h, w = graph.tensors[x].shape
        out_size = list(graph.tensors[conv.outputs[0]].shape[2:])
        bias = conv.inputs[2] if len(conv.inputs) > 2 else ""
        packed_weight = graph.add_constant(f"{conv.name}_weight_bits", bits)
        scales = graph.add_constant(f"{conv.name}_scale", scale)
        attrs = {"channels": channels, "stride": a["stride"], "padding": a["padding"],
                 "out_size": out_size}
        sign = graph.producer(x)
        if sign is not None and sign.op == "sign" and _only_reader(graph, x, conv):
            source, threshold, sub = _threshold(graph, sign, channels)
            packed = f"{conv.name}_signs"
            graph.tensors[packed] = Tensor(packed, (n, h, w, words_for(channels)), "u32")
            del graph.tensors[x]
            sign.op, sign.inputs, sign.outputs, sign.attrs = "sign_pack", [source, threshold], [packed], {}
            if sub is not None:
                graph.nodes.remove(sub)
            conv.op, conv.inputs = "binary_conv2d", [packed, packed_weight, scales, bias]
        else:
            conv.op, conv.inputs = "binary_weight_conv2d", [x, packed_weight, scales, bias]
        conv.attrs = attrs
    graph.remove_unused()
    return graph
