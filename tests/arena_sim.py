"""Check a memory plan two ways, for the planner tests (tests/test_plan_alias.py).

run_in_arena(): execute the graph with every tensor at the plan's location in one byte
array (numpy), each op modelled by codegen.ops.evaluate reading all its operands before it
writes its output (what an in-place-safe kernel does), views and elided concats running
nothing. Any two tensors the plan overlaps while both are needed make the result differ
from plain evaluation (codegen.interpret.run_graph).

overlapping_values(): the same question without arithmetic: two values live at one step
whose bytes intersect, unless declared: an in-place pair (the output of an op whose entry
allows in place, over the operand it is the last reader of, the same bytes) or a concat's
input inside the concat's output when the plan elided that concat. Kernel scratch must not
meet any value live at its layer's step.
"""

from __future__ import annotations

import numpy as np

from codegen.ir import DTYPES, Graph
from codegen.ops import OPS, evaluate
from codegen.plan import MemoryPlan


def run_in_arena(graph: Graph, plan: MemoryPlan, inputs: list[np.ndarray], seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    arena = rng.integers(0, 256, plan.arena_bytes, dtype=np.uint8)  # garbage, as after a reset
    ins = [np.ascontiguousarray(x, dtype=DTYPES[graph.tensors[n].dtype]).copy()
           for n, x in zip(graph.inputs, inputs, strict=True)]
    outs = [np.full(graph.tensors[n].shape, np.nan, DTYPES[graph.tensors[n].dtype]) for n in graph.outputs]

    def view(name: str) -> np.ndarray:
        tensor = graph.tensors[name]
        if graph.is_constant(name):
            return graph.constants[name]
        kind, where = plan.locations[name]
        if kind == "arena":
            return arena[where:where + tensor.nbytes].view(DTYPES[tensor.dtype]).reshape(tensor.shape)
        return (ins if kind == "input" else outs)[where].reshape(tensor.shape)

    for node in graph.nodes:
        if OPS[node.op].alias or node.name in plan.elided:
            continue
        args = [view(n).copy() if n else None for n in node.inputs]  # every read before the write
        out = node.outputs[0]
        view(out)[...] = evaluate(node.op, args, node.attrs).astype(DTYPES[graph.tensors[out].dtype])
    for i, name in enumerate(graph.outputs):  # an output held in another buffer: the emitter's copy
        if plan.locations[name] != ("output", i):
            outs[i][...] = view(name)
    return outs


def overlapping_values(graph: Graph, plan: MemoryPlan) -> list[tuple[str, str]]:
    """Pairs of arena values (named by the tensor that first holds them) that the plan lets
    overwrite each other while both are live, other than the declared pairs."""
    value: dict[str, str] = {}  # tensor -> the value it is (a reshape is its input's)
    write, last = {}, {}
    inside: dict[str, set[str]] = {}  # value -> the elided concats whose bytes contain it
    in_place_over: dict[str, set[str]] = {}  # value -> the operands its op may overwrite
    for step, node in enumerate(graph.nodes):
        for name in node.inputs:
            if name and name in value:
                last[value[name]] = step
        out = node.outputs[0]
        if OPS[node.op].alias:
            value[out] = value.get(node.inputs[0], out)
            continue
        value[out], write[out] = out, step
        if node.name in plan.elided:
            for name in node.inputs:
                for v in [value[name]] + [v for v, c in inside.items() if value[name] in c]:
                    inside.setdefault(v, set()).add(out)
        if OPS[node.op].writes_in_place:
            in_place_over[out] = {value[n] for n in node.inputs if n in value}
    arena_values = [v for v in write if plan.locations[v][0] == "arena"]
    span = {v: (plan.locations[v][1], plan.locations[v][1] + graph.tensors[v].nbytes) for v in arena_values}
    live = {v: (write[v], last.get(v, write[v])) for v in arena_values}
    bad = []
    for i, a in enumerate(arena_values):
        for b in arena_values[i + 1:]:
            (a0, a1), (b0, b1) = live[a], live[b]
            if not (a0 <= b1 and b0 <= a1) or not (span[a][0] < span[b][1] and span[b][0] < span[a][1]):
                continue
            if (b in inside.get(a, ()) and span[b][0] <= span[a][0] and span[a][1] <= span[b][1]) or \
                    (a in inside.get(b, ()) and span[a][0] <= span[b][0] and span[b][1] <= span[a][1]):
                continue  # a concat's input in its slice of the concat's bytes
            if a in in_place_over.get(b, ()) and a1 == b0 and span[a] == span[b]:
                continue  # b written over a by a's last reader
            bad.append((a, b))
    steps = {node.name: step for step, node in enumerate(graph.nodes)}
    for layer, (offset, nbytes) in plan.scratch.items():
        for v in arena_values:
            if nbytes and live[v][0] <= steps[layer] <= live[v][1] \
                    and offset < span[v][1] and span[v][0] < offset + nbytes:
                bad.append((layer + ":scratch", v))
    return bad
