"""What an int8 build left in float, and what its time tables cost: printed by `sdk build`.

A layer with no int8 form (an op quantize_int8 does not lower: mul, attention, …) stays float
and is named in a warning, so a user knows where the build is not int8; data movement, the
float boundaries (quantize, dequantize) and table lookups are not layers that compute. When
such a layer feeds an int8 one (quantize_int8.float_islands), the board cannot be checked bit
for bit (C's and numpy's float roundings may move a quantized byte): the warning says the
build is checked within the int8 noise limit instead (sdk/verify/tolerance.py). The time tables
(codegen/passes/int8_time_tables.py) are constants in flash, counted by the fit check like any
weight; their bytes are shown so their cost is visible.
"""

from __future__ import annotations

from codegen.ir import Graph
from codegen.passes import PrecisionPolicy
from codegen.passes.int8_time_tables import TIME_TABLE_SUFFIX
from codegen.passes.quantize_int8 import MOVES, float_islands, time_path

NOT_COMPUTING = MOVES | {"quantize", "dequantize", "table_row"}
TIME_HINT = (" (its time path is float: when the timestep takes whole values 0..T-1, `time_steps = T` in the "
             "model file makes it tables and the build whole int8)")


def float_layers(graph: Graph) -> list[str]:
    """The layers of an int8 build that compute in float."""
    return [n.name for n in graph.nodes
            if graph.tensors[n.outputs[0]].dtype in ("f32", "f16") and n.op not in NOT_COMPUTING]


def time_table_bytes(graph: Graph) -> int:
    return sum(v.nbytes for k, v in graph.constants.items() if k.endswith(TIME_TABLE_SUFFIX))


def int8_notes(manifest) -> list[str]:
    """What `sdk build` prints for an int8 build: its time tables' flash, its float layers."""
    from sdk.verify.int8_reference import is_int8_build
    if not is_int8_build(manifest.layers):
        return []
    graph = Graph.load(manifest.directory / "gen" / "graph.json")
    notes = []
    table = time_table_bytes(graph)
    if table:
        notes.append(f"int8 time tables: {table:,} B of the flash below (one row per timestep)")
    policy = PrecisionPolicy(**manifest.precision_policy)
    names = [n for n in float_layers(graph) if policy.for_node(n) == "i8"]  # not a float layer by choice
    if names:
        notes.append(f"[yellow]warning:[/yellow] {len(names)} layer(s) have no int8 form and stay float: "
                     f"{', '.join(names[:8])}{' …' if len(names) > 8 else ''}")
    islands = float_islands(graph)
    if islands and manifest.int8_noise:
        notes.append(f"[yellow]warning:[/yellow] float layers feed int8 ones ({', '.join(islands[:8])}"
                     f"{' …' if len(islands) > 8 else ''}): `sdk validate` checks this build against torch within "
                     f"the noise of its {manifest.int8_noise['roundings']} int8 roundings, not bit for bit against "
                     "its numpy int8 graph" + (TIME_HINT if any(n in time_path(graph) for n in islands) else ""))
    return notes
