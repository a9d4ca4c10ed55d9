"""Memory planner: properties on random lifetimes (hypothesis) and on the real models."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codegen.plan import Buffer, lower_bound, place_greedy
from sdk.compile.lower import lower
from sdk.models import load_model

pytestmark = pytest.mark.unit


@st.composite
def buffer_sets(draw):
    count = draw(st.integers(1, 40))
    buffers = []
    for i in range(count):
        first = draw(st.integers(0, 30))
        last = first + draw(st.integers(0, 10))
        size = draw(st.integers(1, 64)) * 16
        buffers.append(Buffer(f"b{i}", size, first, last))
    return buffers


def _check(buffers, arena):
    for i, a in enumerate(buffers):
        assert a.offset >= 0 and a.offset % 16 == 0
        assert a.offset + a.size <= arena
        for b in buffers[i + 1:]:
            if a.overlaps_in_time(b):
                assert not a.overlaps_in_space(b), (a, b)
    assert arena >= lower_bound(buffers)


@settings(max_examples=300, deadline=None)
@given(buffer_sets())
def test_greedy_plan_never_overlaps_live_tensors(buffers):
    arena = place_greedy(buffers)
    _check(buffers, arena)


def random_buffers(rng: random.Random) -> list[Buffer]:
    """One case drawn as buffer_sets draws it, from a seeded generator."""
    buffers = []
    for i in range(rng.randint(1, 40)):
        first = rng.randint(0, 30)
        buffers.append(Buffer(f"b{i}", rng.randint(1, 64) * 16, first, first + rng.randint(0, 10)))
    return buffers


# Worst arena / lower bound over the 300 cases: 1.26-1.28 measured for seeds 0-4. A planner that
# stopped reusing dead buffers' space would be far above it.
WORST_RATIO = 1.5


def test_report_how_close_greedy_gets_to_the_bound():
    """The spread of arena / lower bound over 300 seeded random cases (printed, see -s): every
    plan valid and at or above the bound, none beyond WORST_RATIO. Its own cases, so it does
    not depend on another test having run first."""
    rng = random.Random(0)
    ratios = []
    for _ in range(300):
        buffers = random_buffers(rng)
        arena = place_greedy(buffers)
        _check(buffers, arena)
        ratios.append(arena / lower_bound(buffers))
    ratios.sort()
    print(f"\narena/lower-bound over {len(ratios)} random cases: "
          f"median {ratios[len(ratios) // 2]:.3f}, worst {ratios[-1]:.3f}")
    assert len(ratios) == 300
    assert ratios[0] >= 1.0
    assert ratios[-1] <= WORST_RATIO


def test_real_models_plan_is_valid_and_tight():
    for name in ("unet", "dncnn"):
        graph, plan = lower(load_model(name))
        _check(plan.buffers, plan.arena_bytes)
        # Every intermediate tensor has a home, and reshapes alias their input.
        for node in graph.nodes:
            for t in node.outputs:
                assert t in plan.locations
            if node.op == "reshape":
                assert plan.locations[node.outputs[0]] == plan.locations[node.inputs[0]]
        print(f"\n{name}: arena {plan.arena_bytes} B, lower bound {plan.lower_bound_bytes} B")


def test_in_place_elementwise_shares_the_dying_operand():
    graph, plan = lower(load_model("unet"))
    shared = [n for n in graph.nodes if n.op in ("add", "mul")
              and plan.locations[n.outputs[0]] in [plan.locations.get(i) for i in n.inputs]]
    assert shared, "expected at least one in-place residual add in the UNet"
