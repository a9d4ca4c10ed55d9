"""The FP16 pointwise convolution of #14 that widens into scratch once per layer what the
lean kernel widens in every load, on the scalar FPU cores: conv2d_1x1_band_f16_fpu (the
weights of a block of 8 output channels, 4 below 8). It is an arena_optional override: the
memory planner takes it only where its scratch does not grow the arena (host checks on the
zoo UNet), and the case image below asks for it everywhere ("every") to check its numbers
on one board per ISA (rv32, cortex-m4) against float64 numpy with the derived bound of
tests/helpers/kernel_check.py: blocks of 4 and of 8 output channels, a last block and a
last tile that overlap the ones before, two images in a batch, each activation. The same
image checks conv2d_f16_fpu's paths, which no
optional kernel replaces on the 3x3 layers (its two-row tiles beat widening the input
first): tiles on both borders, one-channel blocks, pixels past the last full tile, odd
widths (unaligned rows for the Arm pair loads), a one-row image (padding rows above and
below), a one-channel output layer from pair loads, pair stores, and the two-row tiles with
the weights past the widened ones read as halves (on Arm as pairs)."""

from __future__ import annotations

import numpy as np
import pytest

from codegen.kernels.catalog import choose_function, choose_override
from codegen.plan import plan_memory
from sdk.compile.lower import lower
from sdk.compile.precision import PrecisionPolicy
from sdk.models import load_model
from sdk.target import load_target
from tests.helpers.kernel_check import case_failures, run_case_image
from tests.helpers.tools import require_target
from tests.kernel_cases import CaseBuilder

LEAN = "conv2d_f16_fpu"
PW_BAND = "conv2d_1x1_band_f16_fpu"


def _params(**kw) -> dict:
    p = dict(n=1, c_in=16, h_in=16, w_in=16, c_out=16, h_out=16, w_out=16, kernel_h=3,
             kernel_w=3, stride_h=1, stride_w=1, pad_h=1, pad_w=1, dilation_h=1, dilation_w=1,
             groups=1, act=0)
    p.update(kw)
    return p


@pytest.mark.unit
def test_the_catalog_offers_it_only_to_the_planner():
    """Without the planner's consent the lean kernel runs; the band kernel takes pointwise
    layers with at least 4 output channels; a 3x3 layer has no optional kernel."""
    assert choose_function("conv2d_f16", _params(), ["fpu"]) == LEAN
    for conv3x3 in (_params(), _params(c_in=64, c_out=64),
                    _params(stride_h=2, stride_w=2, h_out=8, w_out=8)):
        assert choose_override("conv2d_f16", conv3x3, ["fpu"], optional=True).function == LEAN
    pointwise = _params(kernel_h=1, kernel_w=1, pad_h=0, pad_w=0)
    assert choose_function("conv2d_f16", pointwise, ["fpu"]) == "conv2d_1x1_f16_fpu"
    assert choose_override("conv2d_f16", pointwise, ["fpu"], optional=True).function == PW_BAND
    assert choose_override("conv2d_f16", {**pointwise, "c_out": 3}, ["fpu"],
                           optional=True).function == "conv2d_1x1_f16_fpu"


@pytest.mark.unit
@pytest.mark.slow
def test_the_planner_takes_it_where_the_arena_does_not_grow():
    """zoo unet FP16 on rv32: the band kernel runs some pointwise layers, and the arena is
    the one the lean kernels alone give (the #14 goal, 43,000 B)."""
    spec = load_model("unet")
    features = load_target("rv32").isa_features
    graph, plan = lower(spec, PrecisionPolicy("fp16"), features)
    band = [layer for layer, f in plan.kernels.items() if f == PW_BAND]
    assert {PW_BAND, LEAN} <= set(plan.kernels.values()), plan.kernels
    lean = plan_memory(graph, features, optional_kernels="none")
    assert PW_BAND not in set(lean.kernels.values())
    assert plan.arena_bytes <= lean.arena_bytes <= 43_000
    for layer in band:
        assert plan.scratch[layer][1] > lean.scratch.get(layer, (0, 0))[1]


def band_case_graph(seed: int = 0):
    b = CaseBuilder(seed)

    def conv(name, c_in, c_out, h, w, act="none", bias=True, n=1, k=3, stride=1):
        x = b.input(f"{name}_x", (n, c_in, h, w))
        wt = b.weight(f"{name}_w", (c_out, c_in, k, k), 1 / np.sqrt(c_in * k * k))
        bs = b.weight(f"{name}_b", (c_out,), 0.1) if bias else ""
        h_out, w_out = (h - 1) // stride + 1, (w - 1) // stride + 1
        b.op(name, "conv2d", [x, wt, bs], (n, c_out, h_out, w_out), stride=[stride, stride],
             padding=[k // 2, k // 2], dilation=[1, 1], groups=1, act=act)

    conv("lean16", 16, 16, 8, 12, act="silu")  # two-row tiles, both borders, 8 blocks
    conv("lean_tail", 5, 6, 5, 9, act="relu", bias=False)  # odd h: 2 x 8 tiles, 1 pixel past, odd w
    conv("lean_row", 4, 4, 1, 6)  # padding rows above and below, 2 pixels past the tile
    conv("lean_batch", 4, 5, 4, 4, act="silu", n=2)  # one tile on both borders, a 1-channel block
    conv("lean_s2", 40, 6, 7, 10, act="relu", stride=2)  # 4 x 4 tiles, weights past 13 as halves
    conv("pw_band", 16, 8, 4, 8, k=1)  # pointwise: 2 blocks, aligned rows (Arm pair loads)
    conv("pw_band_tail", 5, 6, 3, 5, k=1, act="silu", bias=False)  # 15 pixels, overlapping block
    conv("pw_band_batch", 3, 4, 2, 2, k=1, act="relu", n=2)
    # blocks of 8 output channels (rv32: 8 x 3 tiles; Arm: 4 x 4 tiles on each half): an
    # odd c_in, a last block overlapping the one before, a last tile overlapping the one
    # before (10 pixels), SiLU through the array; ReLU from the registers in a batch of 2;
    # fewer pixels than a tile (one at a time)
    conv("pw_band8_silu", 9, 10, 2, 5, k=1, act="silu")
    conv("pw_band8_relu", 6, 8, 3, 3, k=1, act="relu", n=2)
    conv("pw_band8_short", 7, 12, 1, 2, k=1)
    # conv2d_f16_fpu's Arm paths: a one-channel output layer from pair loads, and the pair
    # stores of the stride-1 pair-load tiles (even widths)
    conv("lean_out1", 8, 1, 6, 10, act="relu")
    conv("lean_pairs", 3, 2, 5, 8, n=2)
    # its two-row tiles: input channels past the widened weights' 26 (27: read as halves;
    # 28: on Arm as pairs of input channels), a one-channel last block, 2 pixels past the
    # last tile, padding rows above and below, SiLU through the out-of-line store, ReLU with
    # pair stores, a batch of 2
    conv("lean_rows2_halves", 27, 3, 4, 10, act="silu")
    conv("lean_rows2_pairs", 28, 2, 2, 8, bias=False)
    conv("lean_rows2_relu", 4, 2, 6, 8, act="relu", n=2)
    return b.graph, b.input_values


@pytest.fixture(scope="module", params=["rv32", "cortex-m4"])
def results(request, tmp_path_factory):
    graph, inputs = band_case_graph(seed=3)
    return run_case_image(require_target(request.param), graph, inputs, "fp16",
                          tmp_path_factory.mktemp("band"), optional_kernels="every")


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_band_cases_match_exact_arithmetic_on_the_board(results):
    graph, _, _, functions, _ = results
    want = {n.name: PW_BAND if n.name.startswith("pw_") else LEAN for n in graph.nodes}
    assert {n.name: functions[n.name] for n in graph.nodes} == want, functions
    failures = case_failures(results)
    assert not failures, "\n".join(failures)
