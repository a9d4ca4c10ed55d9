"""The time path of an int8 build as int8 tables: exact on the board and in numpy.

A denoiser's time path (what it computes from the timestep alone: the sinusoidal embedding,
the time MLP, each block's projection) is float arithmetic, sin and cos among it, whose C and
numpy roundings may differ; where its result is quantized for an int8 layer a difference can
move a byte, and the board could no longer be checked against the numpy int8 reference bit
for bit (quantize_int8.float_islands). When the time input only takes the integer values
0..T-1 (the zoo unet's timesteps 0..999, a sampler build's step index 0..K-1 after
tabulate_time), every such quantize is a function of that integer alone: it is evaluated
here for every value at build time, in numpy, and becomes a [T, ...] int8 constant read by a
table_row_i8 lookup. The float layers behind it then have no reader and are dropped. The
lookup copies bytes, so the board and numpy agree by construction.

Where the cut falls is quantize_int8's choice (CompileOptions.int8_time_path): with the time
path kept float (TFMQ-DM), the quantizes are where each block's projection meets the int8
image path, and the tables hold those projections (sum of the blocks' channels per row);
with the time MLP in int8 (Q-Diffusion), the quantize is the embedding's, before the MLP's
first linear, and the table holds the embedding.

The ranges of the time-only tensors come from all T values (time_ranges): the calibration
over timesteps is then uniform and complete, and no timestep is ever clipped.
"""

from __future__ import annotations

import numpy as np

from codegen.ir import DTYPES, Graph, Node
from codegen.ops import evaluate
from codegen.passes import eliminate_dead_nodes
from codegen.passes.tabulate_time import time_only

TIME_TABLE_SUFFIX = ".time_table"  # the tables' constant names end so (sdk/compile/int8_summary.py)



def time_values(graph: Graph, time_input: str, steps: int, nodes: list[Node],
                pre: bool = False) -> dict[str, np.ndarray]:
    """Each time-only tensor for every time value 0..steps-1, stacked on a new first axis.
    pre: also "<node>:pre", the output before a fused activation (quantize_int8.observe)."""
    shape = graph.tensors[time_input].shape
    rows: dict[str, list[np.ndarray]] = {}
    for t in range(steps):
        values = dict(graph.constants)
        values[time_input] = np.full(shape, t, dtype=DTYPES[graph.tensors[time_input].dtype])
        for node in nodes:
            args = [values[name] if name else None for name in node.inputs]
            out = node.outputs[0]
            values[out] = evaluate(node.op, args, node.attrs).astype(DTYPES[graph.tensors[out].dtype])
            rows.setdefault(out, []).append(values[out])
            if pre and node.attrs.get("act", "none") != "none":
                rows.setdefault(f"{node.name}:pre", []).append(
                    evaluate(node.op, args, {**node.attrs, "act": "none"}))
    return {name: np.stack(r) for name, r in rows.items()}


def time_ranges(graph: Graph, time_input: str, steps: int) -> dict[str, tuple[float, float]]:
    """The exact (min, max) of every time-only float tensor over all time values."""
    values = time_values(graph, time_input, steps, time_only(graph, time_input), pre=True)
    return {name: (float(v.min()), float(v.max())) for name, v in values.items() if v.dtype.kind == "f"}


def tabulate_quantizes(graph: Graph, time_input: str, steps: int) -> list[str]:
    """Replace every quantize whose input depends on the time input alone by a table_row_i8
    lookup of its bytes for each time value; drop what then has no reader. Returns the
    tables' names (their bytes are flash: steps × the quantized tensor's elements)."""
    nodes = time_only(graph, time_input)
    quantizes = [n for n in nodes if n.op == "quantize"]
    if not quantizes:
        return []
    values = time_values(graph, time_input, steps, nodes)
    lookups, tables = {}, []
    for node in quantizes:
        out = node.outputs[0]
        table = graph.add_constant(f"{out}{TIME_TABLE_SUFFIX}", values[out].astype(np.int8))
        tables.append(table)
        lookups[node.name] = Node(f"{out}_lookup", "table_row", [table, time_input], [out],
                                  {**node.attrs, "shape": list(graph.tensors[out].shape)}, node.source)
    graph.nodes = [lookups.get(n.name, n) for n in graph.nodes]
    eliminate_dead_nodes.run(graph, None)  # the float time path behind the tables
    return tables

