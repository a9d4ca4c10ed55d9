"""Calibration of each board's instruction counter against loops of known length.

The counter_loop fixture runs, between layer marks, a loop of exactly 2 instructions per
iteration (1k, 1M and 10M iterations). Every layer pays the same fixed overhead (the mark
call, loop set-up), so:
- the 1k layer reads 2000 instructions plus a small overhead;
- the difference between two layers is exactly 2 * (difference in iterations): the
  counter's scale, which must be within 0.01% (rv32's and fe310's instret are exact; the Arm boards count
  SysTick ticks under -icount and convert, and 20M instructions cross the 24-bit wrap);
- the counts are the same on every run.
Targets whose counter is a clock (host: ns) are skipped: there is nothing to calibrate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sdk.compile.firmware import build_firmware
from sdk.runner import DeviceClient, Emulator
from sdk.target import integer_only_targets, isa_targets, load_target
from tests.helpers.tools import require_target

pytestmark = [pytest.mark.kernel, pytest.mark.hil, pytest.mark.slow]

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "counter_loop"
ITERATIONS = (1_000, 1_000_000, 10_000_000)
INSTRUCTIONS_PER_ITERATION = 2
SCALE_TOLERANCE = 1e-4  # relative error of the counter's scale
MAX_OVERHEAD = 100  # instructions per layer beyond the loop itself (mark call, set-up)


@pytest.fixture(scope="module", params=isa_targets() + integer_only_targets())
def board(request, tmp_path_factory):
    target = load_target(request.param)
    if not target.counter_deterministic:
        pytest.skip(f"{target.name} counts with a clock ({target.counter}), not instructions")
    require_target(target.name)
    image = build_firmware(target, [FIXTURE / "model.c"], [FIXTURE], tmp_path_factory.mktemp("fw"))
    with Emulator(target, image.elf) as emu:
        with DeviceClient(emu.port, timeout=5.0, retries=2) as client:
            client.wait_until_ready(deadline_s=15)
            yield client


def run_counts(board) -> tuple[int, list[int]]:
    board.write_input(0, np.ones(1, np.float32))
    total = board.run()
    return total, board.counters()


def test_known_loops_are_counted_within_tolerance(board):
    total, counts = run_counts(board)
    assert len(counts) == len(ITERATIONS)
    expected = [INSTRUCTIONS_PER_ITERATION * n for n in ITERATIONS]
    overhead = counts[0] - expected[0]
    assert 0 <= overhead <= MAX_OVERHEAD, counts
    for i in (1, 2):
        scale = (counts[i] - counts[0]) / (expected[i] - expected[0])
        assert abs(scale - 1) <= SCALE_TOLERANCE, (counts, scale)
    assert sum(counts) <= total <= sum(counts) + 10 * MAX_OVERHEAD


def test_counts_repeat_exactly(board):
    assert run_counts(board) == run_counts(board)
