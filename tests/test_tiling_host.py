"""Tiled C equals untiled C bit for bit on the build machine: the generated model with the
reference kernels and with the scalar FPU 3x3 kernel (portable C, compiled for the host: the
same loop order as on the boards), in bands thinner than the halo and in bands that do not
divide the height, on a width that leaves the FPU kernel a tail of single pixels."""

from __future__ import annotations

import numpy as np
import pytest

from codegen.plan import plan_memory
from codegen.tile import stage_kernels, tile_plan
from sdk.compile.lower import emit_graph
from tests.host_build import compile_model, run_model
from tests.tiling_models import lowered

pytestmark = [pytest.mark.kernel, pytest.mark.slow]


@pytest.mark.parametrize("name,features,bands", [
    ("dncnn", ["fpu"], (5,)), ("dncnn", [], (1, 2)), ("strided", ["fpu"], (1, 3)), ("strided", [], (3,))],
    ids=["dncnn-fpu", "dncnn-reference", "strided-fpu", "strided-reference"])
def test_tiled_c_equals_untiled_c(tmp_path, name, features, bands):
    graph, x = lowered(name)
    outputs, arenas = [], []
    for rows in (None, *bands):
        tiling = tile_plan(graph, stage_kernels(graph, features), rows) if rows else None
        plan = plan_memory(graph, features, tiling=tiling)
        out = tmp_path / f"rows{rows}"
        generated = emit_graph(graph, plan, out / "gen")
        if rows:
            assert set(plan.kernels.values()) >= ({"conv2d_f32_fpu"} if features else {"conv2d_f32"})
        outputs.append(run_model(compile_model(generated, out), generated, [x]))
        arenas.append(plan.arena_bytes)
    for tiled in outputs[1:]:
        assert np.array_equal(tiled.view(np.uint32), outputs[0].view(np.uint32))
    assert max(arenas[1:]) < arenas[0]
