"""Run a tiled graph in numpy the way the board does: the stage's band tensors live only in
buffers of TilePlan.rows rows, each layer computes the rows of its Call from the rows its
operands' buffers hold then, and Shift moves kept rows to a buffer's front.

A row a buffer does not hold reads as NaN (buffers start as NaN and the rows a shift leaves
behind are set to NaN), so a schedule that reads a row it never made, or one it moved
away, gives NaN in the outputs instead of a plausible number: the tests compare the result
with codegen/interpret.py's untiled run bit for bit.
"""

from __future__ import annotations

import numpy as np

from codegen.ir import DTYPES, Graph
from codegen.ops import evaluate
from codegen.tile import Call, Shift, TilePlan


def run_tiled(graph: Graph, plan: TilePlan, inputs: list[np.ndarray]) -> list[np.ndarray]:
    values: dict[str, np.ndarray] = dict(graph.constants)
    for name, value in zip(graph.inputs, inputs):
        values[name] = np.asarray(value, dtype=DTYPES[graph.tensors[name].dtype]).reshape(graph.tensors[name].shape)
    stage = set(plan.nodes)
    nodes = {n.name: n for n in graph.nodes}
    buffers = {t: np.full((1, graph.tensors[t].shape[1], rows, graph.tensors[t].shape[3]), np.nan, np.float32)
               for t, rows in plan.rows.items()}
    base = {t: 0 for t in plan.rows}
    ran_stage = False
    for node in graph.nodes:
        if node.name in stage:
            if not ran_stage:
                _run_stage(graph, plan, nodes, values, buffers, base)
                ran_stage = True
            continue
        args = [values[x] if x else None for x in node.inputs]
        values[node.outputs[0]] = evaluate(node.op, args, node.attrs).astype(
            DTYPES[graph.tensors[node.outputs[0]].dtype])
    return [values[name] for name in graph.outputs]


def _rows_of(graph, values, buffers, base, tensor) -> np.ndarray:
    """The tensor at full height: its buffer's rows in place, NaN elsewhere (band tensors)."""
    if tensor not in buffers:
        return values[tensor]
    full = np.full(graph.tensors[tensor].shape, np.nan, np.float32)
    rows = buffers[tensor].shape[2]
    h = full.shape[2]
    n = min(rows, h - base[tensor])
    full[:, :, base[tensor]:base[tensor] + n] = buffers[tensor][:, :, :n]
    return full


def _run_stage(graph, plan, nodes, values, buffers, base) -> None:
    for name in {nodes[n].outputs[0] for n in plan.nodes} - set(plan.rows):
        values[name] = np.full(graph.tensors[name].shape, np.nan, np.float32)
    for event in plan.events:
        if isinstance(event, Shift):
            buf, src = buffers[event.tensor], event.src
            kept = buf[:, :, src:src + event.rows].copy()
            buf[:] = np.nan
            buf[:, :, :event.rows] = kept
            base[event.tensor] = event.row0
            continue
        assert isinstance(event, Call)
        node = nodes[event.node]
        args = [_rows_of(graph, values, buffers, base, x) if x else None for x in node.inputs]
        out = evaluate(node.op, args, node.attrs).astype(np.float32)
        rows = out[:, :, event.row0:event.row0 + event.rows]
        t = node.outputs[0]
        if t in buffers:
            at = event.row0 - base[t]
            assert 0 <= at and at + event.rows <= buffers[t].shape[2], (event, base[t])
            buffers[t][:, :, at:at + event.rows] = rows
        else:
            values[t][:, :, event.row0:event.row0 + event.rows] = rows
