"""The op families of tests/cases/ on every target and precision: one firmware image per
(target, precision) carries all their cases (tests/kernel_cases_ops.py), runs them once on the
emulated board through the serial path, and each result is checked against float64 numpy on
the same stored inputs with the bound tests/helpers/kernel_check.py derives for the op."""

from __future__ import annotations

import pytest

from sdk.target import known_targets
from tests.helpers.kernel_check import case_failures, run_case_image
from tests.helpers.tools import require_target
from tests.kernel_cases_ops import ops_case_graph

pytestmark = [pytest.mark.kernel, pytest.mark.hil, pytest.mark.slow]


@pytest.fixture(scope="module", params=[(t, p) for t in known_targets() for p in ("fp32", "fp16")],
                ids=lambda tp: f"{tp[0]}-{tp[1]}")
def results(request, tmp_path_factory):
    target = require_target(request.param[0])
    graph, inputs = ops_case_graph(seed=2)
    return run_case_image(target, graph, inputs, request.param[1], tmp_path_factory.mktemp("ops"))


def test_every_case_matches_exact_arithmetic(results):
    graph = results[0]
    assert graph.nodes, "no op family has cases (tests/cases/__init__.py FAMILIES)"
    failures = case_failures(results)
    assert not failures, "\n".join(failures)


# The fused attention's SIMD kernel each target must run (suffix); elsewhere the reference.
ATTENTION_KERNEL = {"rv32v": "_rvv", "cortex-m55": "_mve"}


def test_attention_runs_the_isa_kernel(results, request):
    target = request.node.callspec.params["results"][0]
    graph, _, dtype, functions, _ = results
    ran = {n.name: functions[n.name] for n in graph.nodes if n.op == "attention"}
    assert ran and set(ran.values()) == {f"attention_{dtype}{ATTENTION_KERNEL.get(target, '')}"}, ran
