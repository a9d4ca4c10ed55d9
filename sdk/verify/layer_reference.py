"""What `sdk validate --layers` compares each board tensor with, and where to find it.

Where: the build's memory plan (gen/plan.json) puts every intermediate tensor at a byte
offset in the one arena (its buffer's offset plus its own inside it: a concat's slices), with the dtype the graph gives it (FP16 tensors are halves); a
tensor of a graph output's alias group lives in that output's buffer instead. Nothing is
planned again here: the offsets are the ones the build emitted.

What: the lowered graph (gen/graph.json) run in numpy from the same inputs, each op in float64
inside (codegen/ops references), and none of the FP16 roundings the device stores: a cast to
FP16 is kept at full precision. The weights are the graph's own (rounded to FP16 in an FP16
build), so a layer's difference is the device's arithmetic, not the weights. The graph's link
to torch is checked once, on the output (LoweringCheck in sdk/verify/layers.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from codegen.ir import DTYPES, Graph
from codegen.ops import OPS, evaluate

FLOAT_DTYPES = ("f32", "f16")


@dataclass(frozen=True)
class Location:
    """Where a tensor is after the layer that writes it: ("arena", byte offset) or ("output", index)."""

    kind: str
    where: int


def load_lowered(directory: Path) -> tuple[Graph, dict[str, Location]]:
    """The build's graph and where each tensor written by a layer lives (gen/ of a build)."""
    gen = Path(directory) / "gen"
    graph = Graph.load(gen / "graph.json")
    plan = json.loads((gen / "plan.json").read_text())
    return graph, tensor_locations(graph, plan["buffers"])


def tensor_locations(graph: Graph, buffers: list[dict]) -> dict[str, Location]:
    """Arena tensors from the plan's buffers; the tensors a graph output's buffer holds (the
    output and the views of it, which are the same bytes) from the graph."""
    locations = {name: Location("arena", buf["offset"] + buf.get("member_offsets", {}).get(name, 0))
                 for buf in buffers for name in buf["members"]}
    producers = {node.outputs[0]: node for node in graph.nodes}
    for index, name in enumerate(graph.outputs):
        while True:
            locations.setdefault(name, Location("output", index))
            node = producers.get(name)
            if node is None or not OPS[node.op].alias:
                break
            name = node.inputs[0]
    return locations


def reference_values(graph: Graph, inputs: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Every tensor of the graph for these inputs: floats as float64, without FP16 storage."""
    values: dict[str, np.ndarray] = dict(graph.constants)
    for name, value in zip(graph.inputs, inputs, strict=True):
        tensor = graph.tensors[name]
        values[name] = np.asarray(value, dtype=DTYPES[tensor.dtype]).reshape(tensor.shape)
    for node in graph.nodes:
        args = [values[name] if name else None for name in node.inputs]
        out = graph.tensors[node.outputs[0]]
        if node.op == "cast" and out.dtype in FLOAT_DTYPES:
            value = np.asarray(args[0], dtype=np.float64)  # the value, not its FP16 rounding
        else:
            value = evaluate(node.op, args, node.attrs)
        values[out.name] = (np.asarray(value, dtype=np.float64) if out.dtype in FLOAT_DTYPES
                            else np.asarray(value).astype(DTYPES[out.dtype])).reshape(out.shape)
    return values


def decode(raw: bytes, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """Board bytes (little-endian) of one tensor as numpy."""
    return np.frombuffer(raw, dtype=np.dtype(DTYPES[dtype]).newbyteorder("<")).astype(DTYPES[dtype]).reshape(shape)
