"""Tiled execution (codegen/tile.py) in numpy: the schedule run with band buffers that hold
only their rows (codegen/tile_interpret.py: a row a buffer does not hold reads as NaN) equals
the untiled graph bit for bit, every output row is computed exactly once, and the band
tensors' buffers are what the arena shrinks by; `sdk build`'s choice and advice."""

from __future__ import annotations

import numpy as np
import pytest

from codegen.interpret import run_graph
from codegen.plan import plan_memory
from codegen.tile import Call, TilingError, find_stage, schedule, stage_kernels, tile_plan
from codegen.tile_interpret import run_tiled
from sdk.compile import tiling as tiles
from sdk.compile.fit import DoesNotFit, RegionUse
from sdk.errors import UserError
from sdk.target import load_target
from tests.tiling_models import lowered

pytestmark = [pytest.mark.unit]

FEATURES = {"fpu": ["fpu"], "reference": []}


@pytest.fixture(scope="module", params=["dncnn", "strided"])
def model(request):
    return lowered(request.param)


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)


# 1 row: bands thinner than the halo (5 rows for the DnCNN); 5: 23 rows in bands of 5; 40: one band
@pytest.mark.parametrize("rows", [1, 2, 5, 40])
@pytest.mark.parametrize("kernels", sorted(FEATURES))
def test_tiled_equals_untiled_bit_for_bit(model, rows, kernels):
    graph, x = model
    plan = tile_plan(graph, stage_kernels(graph, FEATURES[kernels]), rows)
    assert len(plan.nodes) == len(graph.nodes)  # both models are one stage
    untiled = run_graph(graph, [x.numpy()])[0]
    assert np.array_equal(_bits(run_tiled(graph, plan, [x.numpy()])[0]), _bits(untiled))


@pytest.mark.parametrize("rows", [1, 3, 7])
def test_every_output_row_is_computed_once(model, rows):
    graph, _ = model
    plan = tile_plan(graph, stage_kernels(graph, ["fpu"]), rows)
    for node in graph.nodes:
        made = [r for e in plan.events if isinstance(e, Call) and e.node == node.name
                for r in range(e.row0, e.row0 + e.rows)]
        assert made == list(range(graph.tensors[node.outputs[0]].shape[2])), node.name


def test_the_dncnn_halo_is_its_receptive_field_and_the_arena_falls():
    graph, _ = lowered("dncnn")  # five 3x3 convolutions: 5 rows of halo
    kernels = stage_kernels(graph, ["fpu"])
    untiled = plan_memory(graph, ["fpu"]).arena_bytes
    arenas = []
    for rows in (1, 2, 4):
        plan = tile_plan(graph, kernels, rows)
        assert plan.halo == 5 and plan.bands == -(-23 // rows)
        # steady state: the band and the 2 rows of a 3x3 halo; the first step fills deeper
        assert all(rows + 2 <= r <= rows + 4 for t, r in plan.rows.items() if t != "conv2d_4")
        arenas.append(plan_memory(graph, ["fpu"], tiling=plan).arena_bytes)
    assert arenas == sorted(arenas) and arenas[0] < untiled / 3


def test_a_stride_2_layer_halves_the_rows_after_it():
    graph, _ = lowered("strided")
    plan = tile_plan(graph, stage_kernels(graph, ["fpu"]), 2)
    assert plan.bands == 6  # 11 rows after the stride-2 layer, 2 per band
    first_step = {e.node: e.rows for e in plan.events[:len(graph.nodes)] if isinstance(e, Call)}
    assert first_step["conv2d_3"] == 2 and first_step["conv2d"] > 4  # the input side runs ahead


def test_what_cannot_be_tiled_is_refused():
    graph, _ = lowered("dncnn")
    with pytest.raises(TilingError, match="no fully convolutional stage"):
        schedule(graph, [], 2)
    with pytest.raises(TilingError, match="at least 1 row"):
        tile_plan(graph, stage_kernels(graph, ["fpu"]), 0)
    # a convolution whose kernel takes no row window (a vector ISA's) ends the stage
    assert find_stage(graph, {n.name: "conv2d_f32_mve" for n in graph.nodes}) == []
    with pytest.raises(UserError, match="--tile rows=0"):
        tiles.parse_tile("rows=0")
    assert (tiles.parse_tile(None), tiles.parse_tile("off"), tiles.parse_tile("rows=3")) == ("auto", "off", 3)


def _over_ram(target, plan, over: int) -> DoesNotFit:
    return DoesNotFit(target, [RegionUse("flash", 512 * 1024, [("code", 1000)]),
                               RegionUse("ram", 128 * 1024, [("arena", plan.arena_bytes),
                                                             ("other", 128 * 1024 + over - plan.arena_bytes)])])


def test_the_fit_check_picks_the_tallest_band_that_fits():
    graph, _ = lowered("dncnn")
    untiled = plan_memory(graph, ["fpu"])
    target = load_target("nucleo-f446re")
    error = _over_ram(target, untiled, untiled.arena_bytes // 2)
    chosen = tiles.fitting(graph, untiled, error)
    assert chosen.arena_bytes <= untiled.arena_bytes // 2
    taller = tile_plan(graph, stage_kernels(graph, ["fpu"]), chosen.tiling.band_rows + 1)
    assert plan_memory(graph, ["fpu"], tiling=taller).arena_bytes > untiled.arena_bytes // 2
    assert tiles.fitting(graph, untiled, _over_ram(target, untiled, untiled.arena_bytes)) is None
    tip = tiles.advice(graph, untiled, _over_ram(target, untiled, untiled.arena_bytes), "off")[0]
    assert tip.startswith("--tile rows=1 runs the convolutional stage in 1-row bands: saves ") and "still over" in tip
