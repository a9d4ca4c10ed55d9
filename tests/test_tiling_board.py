"""A 64x64 DnCNN-class denoiser on NUCLEO-F446RE (128 KiB SRAM): its untiled FP32 arena is
512 KiB, so `sdk build` tiles it on its own (the fit check's choice); on the emulated board it
returns the untiled cortex-m4 build's output bit for bit (the same core with 4 MiB of RAM) in
at most 1.15x its instructions (tests/fixtures/tiled_dncnn.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sdk.compile.build import build
from sdk.runner.board import open_board
from tests.helpers.tools import require_target

pytestmark = [pytest.mark.kernel, pytest.mark.hil, pytest.mark.slow]

MODEL = str(Path(__file__).resolve().parent / "fixtures" / "tiled_dncnn.py")
BOARD, CORE = "nucleo-f446re", "cortex-m4"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiled")
    x = np.random.default_rng(3).random((1, 1, 64, 64), dtype=np.float32)
    result = {}
    for target in (CORE, BOARD):
        require_target(target)
        manifest = build(MODEL, target, root)
        with open_board(manifest, True, None, timeout=60) as client:
            client.write_input(0, x)
            instructions = client.run()
            result[target] = (manifest, instructions, client.read_output(0))
    return result


def test_the_fit_check_tiles_what_the_board_cannot_hold(runs):
    untiled, tiled = runs[CORE][0], runs[BOARD][0]
    assert untiled.tiling is None and untiled.arena_bytes == 2 * 64 * 64 * 16 * 4
    t = tiled.tiling
    assert t["halo"] == 5 and t["bands"] * t["band_rows"] >= 64 and t["arena_untiled_bytes"] == untiled.arena_bytes
    assert tiled.arena_bytes == t["arena_bytes"] < 128 * 1024 - tiled.stack_bytes


def test_tiled_on_the_board_equals_untiled_bit_for_bit_within_115_percent(runs):
    (_, n_untiled, y_untiled), (_, n_tiled, y_tiled) = runs[CORE], runs[BOARD]
    assert np.array_equal(y_tiled.view(np.uint32), y_untiled.view(np.uint32))
    assert n_tiled <= 1.15 * n_untiled
