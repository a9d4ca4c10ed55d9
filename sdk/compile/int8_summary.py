"""What an int8 build left in float, and what its time tables cost: printed by `sdk build`.

A layer with no int8 form (an op quantize_int8 does not lower: mul, attention, …) stays float
and is named in a warning, so a user knows where the build is not int8; data movement, the
float boundaries (quantize, dequantize) and table lookups are not layers that compute. A float
layer that feeds an int8 one is refused instead (quantize_int8.float_islands). The time tables
(codegen/passes/int8_time_tables.py) are constants in flash, counted by the fit check like any
weight; their bytes are shown so their cost is visible.
"""

from __future__ import annotations

from codegen.ir import Graph
from codegen.passes.int8_time_tables import TIME_TABLE_SUFFIX
from codegen.passes.quantize_int8 import MOVES

NOT_COMPUTING = MOVES | {"quantize", "dequantize", "table_row"}


def float_layers(graph: Graph) -> list[str]:
    """The layers of an int8 build that compute in float."""
    return [n.name for n in graph.nodes
            if graph.tensors[n.outputs[0]].dtype in ("f32", "f16") and n.op not in NOT_COMPUTING]


def time_table_bytes(graph: Graph) -> int:
    return sum(v.nbytes for k, v in graph.constants.items() if k.endswith(TIME_TABLE_SUFFIX))
