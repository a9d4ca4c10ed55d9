"""Graph-to-graph rewrites, one per file, run in PIPELINE order by run_passes().

Every pass is `run(graph, options) -> graph` (options: codegen/passes/options.py) and runs
from PIPELINE; the graph is validated after each. Order matters:
- tabulate_time first (only with a sampler's schedule), so its tables are weights like any other;
- batch norms are folded or lowered before the binary convs are recognised, and those
  before activation fusion (nothing fuses into a binary conv; its own output steps fold);
- a channels layer norm between two permutes becomes one layer norm before activation
  fusion, so the activation after the second permute fuses into it;
- the layout pass fixes sizes and strides once the op list is final;
- the precision pass runs after them: it needs the final op list and its casts must not
  be fused into;
- quantize_int8 after it: an int8 layer is lowered from the FP32 form assign_precision gave
  it, with ranges calibrated on that float graph;
- schedule_in_place last: it only reorders the final op list (a tensor's other readers
  before the op that could then overwrite it in place, codegen/plan_alias.py).
There is no constant-folding pass: capture evaluates every node whose inputs are all
constants (with torch, so any ATen op), and no pass creates such a node.
"""

from __future__ import annotations

from collections.abc import Sequence

from codegen.ir import Graph
from codegen.passes import (assign_precision, eliminate_dead_nodes, fold_batch_norm,
                            fold_binary_output, fuse_activation, fuse_channels_layer_norm,
                            lower_batch_norm, lower_binary_conv, quantize_int8, resolve_layout,
                            schedule_in_place, tabulate_time)
from codegen.passes.options import CompileOptions
from codegen.passes.precision_policy import PrecisionPolicy

__all__ = ["PIPELINE", "CompileOptions", "PrecisionPolicy", "run_passes", "tabulate_time"]

PIPELINE = [tabulate_time, fold_batch_norm, lower_batch_norm, lower_binary_conv, fold_binary_output,
            fuse_channels_layer_norm, fuse_activation, eliminate_dead_nodes, resolve_layout,
            assign_precision, quantize_int8, schedule_in_place]


def run_passes(graph: Graph, precision: PrecisionPolicy | CompileOptions | None = None,
               time_input: str | None = None, timesteps: Sequence[float] | None = None) -> Graph:
    """Run PIPELINE. precision: the policy (or full CompileOptions); time_input and
    timesteps: a sampler's schedule for tabulate_time (None: the time path stays computed)."""
    if isinstance(precision, CompileOptions):
        options = precision
    else:
        options = CompileOptions(precision or PrecisionPolicy(), time_input, timesteps)
    for p in PIPELINE:
        graph = p.run(graph, options)
        graph.validate()
    return graph
