"""Fuse a ReLU/SiLU into the op that produces its input (conv, linear, norm, add ...).

Why: the activation is then applied in the producer's output step while the value is
still in a register, saving a full read and write of the tensor and its arena slot.
Only when the producer's output has no other reader and is not a graph output.
"""

from __future__ import annotations

from codegen.ir import Graph
from codegen.ops import OPS
from codegen.passes.options import CompileOptions


def run(graph: Graph, options: CompileOptions) -> Graph:
    for act in [n for n in graph.nodes if OPS[n.op].activation]:
        (x,) = act.inputs
        producer = graph.producer(x)
        if (producer is None or not OPS[producer.op].fusable_activation
                or producer.attrs.get("act", "none") != "none"
                or len(graph.consumers(x)) != 1 or x in graph.outputs):
            continue
        producer.attrs["act"] = act.op
        del graph.tensors[x]
        producer.outputs = list(act.outputs)
        graph.nodes.remove(act)
    return graph
