"""Tabulate the time path: a fixed sampling schedule turns the time MLP into table lookups.

Why: a diffusion sampler on the device only ever calls the model at the K timesteps of its
schedule, and everything computed from the timestep alone (the sinusoidal embedding, the
time MLP, each block's projection of it) is the same at every call with that timestep.
This pass evaluates that subgraph once per timestep at build time, stores each value the
rest of the network reads as a [K, ...] constant table, and replaces the timestep input by
a step index: at run time the time path is K-row table lookups, not an MLP.

First in the pipeline, so the folded tables go through precision assignment like any other
weight; it does nothing unless the options carry a schedule (time_input and timesteps),
which only a sampler build has.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from codegen.ir import Graph, Node, Tensor
from codegen.ops import evaluate
from codegen.passes.options import CompileOptions

STEP_INPUT = "step"


def time_only(graph: Graph, time_input: str) -> list[Node]:
    """The nodes whose operands are the time input, constants, or other such nodes' results."""
    timed, nodes = {time_input}, []
    for node in graph.nodes:
        operands = [t for t in node.inputs if t]
        if any(t in timed for t in operands) and all(t in timed or graph.is_constant(t) for t in operands):
            nodes.append(node)
            timed.update(node.outputs)
    return nodes


def run(graph: Graph, options: CompileOptions | str, timesteps: Sequence[float] | None = None) -> Graph:
    """The pipeline entry: tabulate options.time_input at options.timesteps, if set.

    run(graph, time_input, timesteps) is the older direct call (sdk/generate.py lower()
    makes it before run_passes); it is kept until that passes the schedule in the options."""
    if isinstance(options, str):
        return tabulate(graph, options, timesteps)
    if options.time_input is None:
        return graph
    return tabulate(graph, options.time_input, options.timesteps)


def tabulate(graph: Graph, time_input: str, timesteps: Sequence[float]) -> Graph:
    """Replace `time_input` by a float32 step index into `timesteps` (its [1] shape kept)."""
    if time_input not in graph.inputs:
        raise ValueError(f"{time_input!r} is not a graph input (inputs: {', '.join(graph.inputs)})")
    if graph.tensors[time_input].numel != 1:
        raise ValueError(f"time input {time_input!r} has shape {graph.tensors[time_input].shape}: "
                         "tabulating needs one timestep per call (batch 1)")
    nodes = time_only(graph, time_input)
    timed = {time_input, *(t for n in nodes for t in n.outputs)}
    outside = [n for n in graph.nodes if n not in nodes]
    if any(time_input in n.inputs for n in outside) or time_input in graph.outputs:
        raise ValueError(f"the time input {time_input!r} is read directly by the network, not only "
                         "through a time path: nothing to tabulate")
    read_outside = {t for n in outside for t in n.inputs} | set(graph.outputs)
    boundary = [t for n in nodes for t in n.outputs if t in read_outside]

    rows: dict[str, list[np.ndarray]] = {t: [] for t in boundary}
    shape = graph.tensors[time_input].shape
    for timestep in timesteps:
        values = dict(graph.constants)
        values[time_input] = np.full(shape, timestep, dtype=np.float32)
        for node in nodes:
            args = [values[t] if t else None for t in node.inputs]
            values[node.outputs[0]] = evaluate(node.op, args, node.attrs).astype(np.float32)
        for t in boundary:
            rows[t].append(values[t])

    graph.tensors[STEP_INPUT] = Tensor(STEP_INPUT, shape, "f32")
    graph.inputs = [STEP_INPUT if t == time_input else t for t in graph.inputs]
    lookups = {}
    for t in boundary:
        table = graph.add_constant(f"{t}_table", np.stack(rows[t]))
        lookups[t] = Node(f"{t}_lookup", "table_row", [table, STEP_INPUT], [t],
                          {"shape": list(graph.tensors[t].shape)}, graph.producer(t).source)
    # Each lookup takes the place of the node that computed its value.
    graph.nodes = [lookups.get(n.outputs[0], n) for n in graph.nodes
                   if n not in nodes or n.outputs[0] in lookups]
    del graph.tensors[time_input]
    graph.remove_unused()
    return graph
