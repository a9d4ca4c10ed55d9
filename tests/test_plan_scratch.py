"""Kernel scratch in the memory plan: each layer whose kernel needs working memory gets a
buffer of the size its scratch rule says, live only during that layer's step, inside the one
arena and never over a tensor live at that step; the bound and the plan's scratch_bytes
count it."""

from __future__ import annotations

import pytest

from codegen.kernels.catalog import choose_override
from codegen.kernels.overrides.mve import conv_band_bytes
from codegen.ops import OPS
from codegen.plan import ALIGN, SCRATCH_SUFFIX, plan_memory
from sdk.compile.lower import lower
from sdk.models import load_model
from sdk.target import load_target

pytestmark = pytest.mark.unit


def _steps(graph) -> dict[str, int]:
    return {node.name: step for step, node in enumerate(graph.nodes)}


@pytest.mark.parametrize("target", ["cortex-m55", "rv32v"])
def test_scratch_lives_only_in_its_step_and_overlaps_no_live_tensor(target):
    features = load_target(target).isa_features
    graph, plan = lower(load_model("unet"), None, features)
    steps = _steps(graph)
    scratch = {b.name: b for b in plan.buffers if b.name.endswith(SCRATCH_SUFFIX)}
    assert scratch, "the UNet's 3x3 convolutions take scratch on this target"
    assert plan.scratch_bytes == max(n for _, n in plan.scratch.values()) > 0
    for layer, (offset, nbytes) in plan.scratch.items():
        if nbytes == 0:  # a 1x1 convolution: NULL, no buffer
            assert layer + SCRATCH_SUFFIX not in scratch
            continue
        buf = scratch[layer + SCRATCH_SUFFIX]
        assert (buf.first, buf.last) == (steps[layer], steps[layer])  # that layer's step only
        assert buf.offset == offset and offset % ALIGN == 0 and buf.size >= nbytes
        assert offset + nbytes <= plan.arena_bytes
        for other in plan.buffers:
            if other is not buf and other.first <= steps[layer] <= other.last:
                assert not buf.overlaps_in_space(other), (buf, other)
    # the bound counts the scratch: at a step with scratch, the live tensors plus it
    for buf in scratch.values():
        live = sum(b.size for b in plan.buffers if b.first <= buf.first <= b.last)
        assert plan.lower_bound_bytes >= live >= buf.size
    assert plan.arena_bytes >= plan.lower_bound_bytes


def test_scratch_is_what_the_chosen_kernel_needs():
    """A 3x3 convolution on cortex-m55 gets its zero-padded band: c_in input channels x 3
    rows x (w_out rounded to whole vectors + 2) elements, plus one vector."""
    features = load_target("cortex-m55").isa_features
    graph, plan = lower(load_model("unet"), None, features)
    convs = [n for n in graph.nodes if n.op == "conv2d" and n.name in plan.scratch
             and plan.scratch[n.name][1]]
    assert convs
    for node in convs:
        ctype, p = OPS[node.op].params(graph, node)
        assert plan.kernels[node.name] == choose_override(
            OPS[node.op].kernel(graph, node), p, features).function
        elem = 2 if plan.kernels[node.name] == "conv2d_f16_mve" else 4
        lanes = 16 // elem
        nvx = -(-p["w_out"] // lanes)
        row = nvx * lanes + 2 if p["stride_h"] == 1 else 2 * (nvx * lanes + 2)
        rows_in = ((2 if nvx == 1 and p["h_out"] > 1 else 1) - 1) * p["stride_h"] + 3
        assert plan.scratch[node.name][1] == (p["c_in"] * rows_in * row + lanes) * elem
        assert plan.scratch[node.name][1] == conv_band_bytes(
            p["c_in"], p["h_out"], p["w_out"], 3, p["stride_h"], elem)


def test_reference_kernels_take_no_scratch():
    graph, plan = lower(load_model("unet"))
    assert plan.scratch == {} and plan.scratch_bytes == 0
    assert not any(b.name.endswith(SCRATCH_SUFFIX) for b in plan.buffers)
    assert plan_memory(graph).arena_bytes == plan.arena_bytes
    assert set(plan.kernels.values()) <= {OPS[n.op].kernel(graph, n) for n in graph.nodes
                                          if not OPS[n.op].alias}
