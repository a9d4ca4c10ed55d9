"""conv2d_band_f16_fpu (#14: FP16 storage at FP32 speed on the scalar FPU cores): the FP16
3x3 convolution that widens every weight and each input row once per layer into its
scratch, then runs the FP32 register tiles. It is an arena_optional override: the memory
planner takes it only where its scratch does not grow the arena (host checks on the zoo
models), and the case image below asks for it everywhere ("every") to check its numbers
on one board per ISA (rv32, cortex-m4) against float64 numpy with the derived bound of
tests/helpers/kernel_check.py: tiles on both borders, one-channel blocks, pixels past the
last full tile, odd widths (unaligned rows for the Arm pair loads), a one-row image
(padding rows above and below), two images in a batch, each activation."""

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

BAND = "conv2d_band_f16_fpu"


def _params(**kw) -> dict:
    p = dict(n=1, c_in=16, h_in=16, w_in=16, c_out=16, h_out=16, w_out=16, kernel_h=3,
             kernel_w=3, stride_h=1, stride_w=1, pad_h=1, pad_w=1, dilation_h=1, dilation_w=1,
             groups=1, act=0)
    p.update(kw)
    return p


@pytest.mark.unit
def test_the_catalog_offers_it_only_to_the_planner():
    """Without the planner's consent the lean kernel runs; the band kernel takes stride 1
    with at least 4 channels each way within its scratch budget."""
    assert choose_function("conv2d_f16", _params(), ["fpu"]) == "conv2d_f16_fpu"
    assert choose_override("conv2d_f16", _params(), ["fpu"], optional=True).function == BAND
    for refused in (_params(stride_h=2, stride_w=2, h_out=8, w_out=8), _params(c_in=1),
                    _params(c_out=1), _params(c_in=64, c_out=64)):
        assert choose_override("conv2d_f16", refused, ["fpu"], optional=True).function \
            == "conv2d_f16_fpu"
    assert choose_override("conv2d_f32", _params(), ["fpu"], optional=True).function \
        == "conv2d_f32_fpu"


@pytest.mark.unit
@pytest.mark.slow
def test_the_planner_takes_it_where_the_arena_does_not_grow():
    """zoo unet FP16 on rv32: the band kernel runs some 3x3 layers, and the arena is the one
    the lean kernels alone give (the #14 goal, 43,000 B)."""
    spec = load_model("unet")
    features = load_target("rv32").isa_features
    graph, plan = lower(spec, PrecisionPolicy("fp16"), features)
    band = [layer for layer, f in plan.kernels.items() if f == BAND]
    assert len(band) >= 2, plan.kernels
    lean = plan_memory(graph, features, optional_kernels="none")
    assert BAND not in lean.kernels.values()
    assert plan.arena_bytes <= lean.arena_bytes <= 43_000
    for layer in band:
        assert plan.scratch[layer][1] > lean.scratch[layer][1]


def band_case_graph(seed: int = 0):
    b = CaseBuilder(seed)

    def conv(name, c_in, c_out, h, w, act="none", bias=True, n=1):
        x = b.input(f"{name}_x", (n, c_in, h, w))
        wt = b.weight(f"{name}_w", (c_out, c_in, 3, 3), 1 / np.sqrt(c_in * 9))
        bs = b.weight(f"{name}_b", (c_out,), 0.1) if bias else ""
        b.op(name, "conv2d", [x, wt, bs], (n, c_out, h, w), stride=[1, 1], padding=[1, 1],
             dilation=[1, 1], groups=1, act=act)

    conv("band16", 16, 16, 8, 12, act="silu")  # the 4 x 4 tiles, both borders, 3 blocks
    conv("band_tail", 5, 6, 5, 9, act="relu", bias=False)  # 1-channel blocks, 1 pixel past, odd w
    conv("band_row", 4, 4, 1, 6)  # padding rows above and below, 2 pixels past the tile
    conv("band_batch", 4, 5, 3, 4, act="silu", n=2)  # one tile on both borders, batch of 2
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
    assert {functions[n.name] for n in graph.nodes} == {BAND}, functions
    failures = case_failures(results)
    assert not failures, "\n".join(failures)
