"""`sdk build`'s choice of tiled execution (codegen/tile.py): forced with `--tile rows=N`, or
chosen when the untiled image does not fit the board's RAM: the tallest band (fewest calls
and copies) whose arena is small enough for what the rest of the image leaves free.
`--tile off` never tiles.
"""

from __future__ import annotations

from codegen.ir import Graph
from codegen.plan import MemoryPlan, plan_memory
from codegen.tile import TilingError, find_stage, schedule, stage_kernels
from sdk.compile.fit import DoesNotFit
from sdk.errors import UserError

AUTO, OFF = "auto", "off"


def parse_tile(text: str | None) -> str | int:
    """`auto` (the default), `off` or `rows=N` → AUTO, OFF or N."""
    if text in (None, AUTO, OFF):
        return text or AUTO
    key, _, value = text.partition("=")
    if key != "rows" or not value.isdigit() or int(value) < 1:
        raise UserError(f"--tile {text}: use rows=N (N >= 1 output rows per band), auto or off")
    return int(value)


def tiled(graph: Graph, plan: MemoryPlan, rows: int) -> MemoryPlan:
    """The plan with the graph's fully convolutional stage run `rows` rows at a time."""
    features = list(plan.isa_features)
    kernels = stage_kernels(graph, features)
    try:
        tiling = schedule(graph, find_stage(graph, kernels), rows)
    except TilingError as error:
        raise UserError(f"--tile rows={rows}: {error}") from None
    return plan_memory(graph, features, tiling=tiling)


def fitting(graph: Graph, plan: MemoryPlan, error: DoesNotFit) -> MemoryPlan | None:
    """The tallest band whose arena leaves the arena's region within the board, or None
    when only another region is over, there is no stage, or no band is small enough."""
    home = error.target.memory.get("arena_region", "ram")
    over = {r.name: r.over for r in error.regions if r.over > 0}
    if set(over) - {home}:
        return None
    goal = plan.arena_bytes - over.get(home, 0)
    kernels = stage_kernels(graph, list(plan.isa_features))
    stage = find_stage(graph, kernels)
    if not stage:
        return None
    height = max(graph.tensors[n.outputs[0]].shape[2] for n in stage)
    for rows in range(height - 1, 0, -1):
        trial = plan_memory(graph, list(plan.isa_features), tiling=schedule(graph, stage, rows))
        if trial.arena_bytes <= goal:
            return trial
    return None


def smallest(graph: Graph, plan: MemoryPlan) -> MemoryPlan | None:
    """The plan with 1-row bands (the least arena tiling gives), or None without a stage."""
    stage = find_stage(graph, stage_kernels(graph, list(plan.isa_features)))
    return plan_memory(graph, list(plan.isa_features), tiling=schedule(graph, stage, 1)) if stage else None


def describe(plan: MemoryPlan, untiled: MemoryPlan) -> dict | None:
    """The manifest's record of the tiling: bands, halo, layers, arena before and after."""
    if plan.tiling is None:
        return None
    return {**plan.tiling.to_dict(), "arena_untiled_bytes": untiled.arena_bytes,
            "arena_bytes": plan.arena_bytes}



def advice(graph: Graph, untiled: MemoryPlan, error: DoesNotFit, tile: str | int) -> list[str]:
    """The fit check's tiling line: what 1-row bands (the least arena tiling gives) would
    save, and whether the arena's region would then fit."""
    home = error.target.memory.get("arena_region", "ram")
    over = next((r.over for r in error.regions if r.name == home), 0)
    best = smallest(graph, untiled) if over > 0 and tile != 1 else None
    if best is None:
        return []
    saved = untiled.arena_bytes - best.arena_bytes
    verdict = ("then it fits" if saved >= over else f"still over by {over - saved:,} B of {home.upper()}")
    return [f"--tile rows=1 runs the convolutional stage in 1-row bands: saves {saved:,} B of arena "
            f"({untiled.arena_bytes:,} → {best.arena_bytes:,} B): {verdict}"]
