"""group_norm_f16_fpu's statistics rule on the scalar FPU cores (#14): FP16 storage takes one
statistics pass where M (c + 2 sqrt(c (1 + c))) <= 4096 and c = mean^2 / var <= 1, and
normalises those groups as x * scale + (shift - mean * scale); the other groups take the
second pass and subtract the mean first (internal/group_norm_fpu.h derives both). One
image per ISA (rv32, cortex-m4), checked against float64 numpy with the derived bound of
tests/helpers/kernel_check.py: a group with its mean half a standard deviation off zero
(one pass, SiLU), one near the rule's edge (c ~ 0.85, one pass), one past it (c ~ 2.5, two
passes, ReLU). The generic cases (tests/kernel_cases.py) keep a mean 30 deviations off."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers.kernel_check import case_failures, run_case_image
from tests.helpers.tools import require_target
from tests.kernel_cases import CaseBuilder

# name, shape (one group: M = C * H * W), offset of the mean in standard deviations,
# activation, one pass by the rule
CASES = [("gn_mean_half", (1, 4, 16, 16), 0.5, "silu", True),
         ("gn_mean_edge", (1, 2, 8, 16), 0.95, "none", True),
         ("gn_mean_past", (1, 4, 16, 16), 1.5, "relu", False)]


def one_pass(x: np.ndarray) -> bool:
    """The kernel's rule (group_one_pass_f16) on one group, in float64."""
    m, mean, var = x.size, float(x.mean()), float(x.var())
    c = mean * mean / var
    return c <= 1.0 and m * (c + 2.0 * np.sqrt(c * (1.0 + c))) <= 4096.0


def group_norm_case_graph(seed: int = 0):
    b = CaseBuilder(seed)
    for name, shape, offset, act, _ in CASES:
        x = b.input(f"{name}_x", shape)
        b.input_values[-1] += offset
        c = shape[1]
        b.op(name, "group_norm", [x, b.weight(f"{name}_g", (c,), 1.0), b.weight(f"{name}_b", (c,), 0.5)],
             shape, groups=1, eps=1e-5, act=act)
    return b.graph, b.input_values


@pytest.mark.unit
def test_the_cases_fall_on_both_sides_of_the_rule():
    _, inputs = group_norm_case_graph(seed=4)
    for (name, _, _, _, expected), x in zip(CASES, inputs):
        assert one_pass(x.astype(np.float16).astype(np.float64)) == expected, name


@pytest.fixture(scope="module", params=["rv32", "cortex-m4"])
def results(request, tmp_path_factory):
    graph, inputs = group_norm_case_graph(seed=4)
    return run_case_image(require_target(request.param), graph, inputs, "fp16",
                          tmp_path_factory.mktemp("gn16"))


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
def test_group_norm_cases_match_exact_arithmetic_on_the_board(results):
    graph, _, _, functions, _ = results
    assert {functions[n.name] for n in graph.nodes} == {"group_norm_f16_fpu"}, functions
    failures = case_failures(results)
    assert not failures, "\n".join(failures)
