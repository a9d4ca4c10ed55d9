"""Lower an inference-mode batch_norm that fold_batch_norm could not fold (one that does not
follow a conv or linear: after an activation, an add, a concat ...) into a per-channel
scale and shift: mul(x, s) then add(·, beta - mean * s), s = gamma / sqrt(var + eps).

The constants are shaped [C, 1, ...] (one value per channel, dim 1 of x; [C] for an [N, C]
input) so the add/sub/mul kernels broadcast them over the batch and spatial dims in any
precision. The mul keeps the norm's name (precision overrides and `sdk bench` name it as
before); the add is `<name>_shift`, and a following ReLU/SiLU fuses into it. Runs after
fold_batch_norm; every batch_norm is gone after it.
"""

from __future__ import annotations

import numpy as np

from codegen.ir import Graph, Node, Tensor
from codegen.passes.fold_batch_norm import scale_shift
from codegen.passes.options import CompileOptions


def run(graph: Graph, options: CompileOptions) -> Graph:
    for bn in [n for n in graph.nodes if n.op == "batch_norm"]:
        x, y = bn.inputs[0], bn.outputs[0]
        shape = graph.tensors[x].shape
        per_channel = (shape[1],) + (1,) * (len(shape) - 2)
        scale, shift = (v.astype(np.float32).reshape(per_channel) for v in scale_shift(graph, bn))
        scaled = f"{bn.name}_scaled"
        graph.tensors[scaled] = Tensor(scaled, shape)
        at = graph.nodes.index(bn)
        graph.nodes[at:at + 1] = [
            Node(bn.name, "mul", [x, graph.add_constant(f"{bn.name}.scale", scale)], [scaled],
                 {"act": "none"}, bn.source),
            Node(f"{bn.name}_shift", "add", [scaled, graph.add_constant(f"{bn.name}.shift", shift)],
                 [y], {"act": "none"}, bn.source),
        ]
    graph.remove_unused()
    return graph
