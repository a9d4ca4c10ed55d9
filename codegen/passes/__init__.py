"""Graph-to-graph rewrites, one per file, run in PIPELINE order by run_passes().

The precision pass runs last: it needs the final op list (after folding and fusion) and
its casts must not be folded away or fused into.
"""

from __future__ import annotations

from codegen.ir import Graph
from codegen.passes import (assign_precision, eliminate_dead_nodes, fold_batch_norm,
                            fold_binary_output, fold_constants, fuse_activation,
                            lower_batch_norm, lower_binary_conv, resolve_layout)
from codegen.passes.assign_precision import PrecisionPolicy

PIPELINE = [fold_constants, fold_batch_norm, lower_batch_norm, lower_binary_conv, fold_binary_output,
            fuse_activation, eliminate_dead_nodes, resolve_layout]


def run_passes(graph: Graph, precision: PrecisionPolicy | None = None) -> Graph:
    for p in PIPELINE:
        graph = p.run(graph)
        graph.validate()
    graph = assign_precision.run(graph, precision or PrecisionPolicy())
    graph.validate()
    return graph
