"""Graph-to-graph rewrites, one per file, run in PIPELINE order by run_passes()."""

from __future__ import annotations

from codegen.ir import Graph
from codegen.passes import (eliminate_dead_nodes, fold_batch_norm, fold_constants,
                            fuse_activation, resolve_layout)

PIPELINE = [fold_constants, fold_batch_norm, fuse_activation, eliminate_dead_nodes, resolve_layout]


def run_passes(graph: Graph) -> Graph:
    for p in PIPELINE:
        graph = p.run(graph)
        graph.validate()
    return graph
