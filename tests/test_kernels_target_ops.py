"""The op families of tests/cases/ on every target and precision: one firmware image per
(target, precision) carries all their cases (tests/kernel_cases_ops.py), runs them once on the
emulated board through the serial path, and each result is checked against float64 numpy on
the same stored inputs with the bound tests/helpers/kernel_check.py derives for the op."""

from __future__ import annotations

import pytest

from tests.cases import FAMILIES
from tests.helpers.kernel_check import case_failures, run_cases_for, target_precisions
from tests.kernel_cases_ops import ops_case_graph

pytestmark = [pytest.mark.kernel, pytest.mark.hil, pytest.mark.slow]


@pytest.fixture(scope="module", params=target_precisions(), ids=lambda tp: f"{tp[0]}-{tp[1]}")
def results(request, tmp_path_factory):
    return run_cases_for(request, tmp_path_factory, ops_case_graph, seed=2)


def test_every_case_matches_exact_arithmetic(results):
    graph = results[0]
    assert graph.nodes, "no op family has cases (tests/cases/__init__.py FAMILIES)"
    failures = case_failures(results)
    assert not failures, "\n".join(failures)


# The scalar FPU targets (isa feature "fpu" without a vector unit).
FPU_TARGETS = {"rv32", "cortex-m4", "cortex-m7", "cortex-m33"}

# The ISA kernel (suffix) the SIMD cases of a family (its SIMD_CASES) must run on each target.
SIMD_KERNEL = {"rv32v": "_rvv", "cortex-m55": "_mve"}


def _simd_cases() -> dict:
    """Every family's SIMD_CASES as case -> kernel base name (None: the op's own name); a
    family lists a set of cases, or a dict when an override has another name (conv1d_* for
    the conv2d op)."""
    cases = {}
    for family in FAMILIES:
        simd = getattr(family, "SIMD_CASES", ())
        cases.update(simd if isinstance(simd, dict) else dict.fromkeys(simd))
    return cases


def test_simd_cases_run_the_isa_kernel(results, request):
    target = request.node.callspec.params["results"][0]
    graph, _, dtype, functions, _ = results
    suffix = SIMD_KERNEL.get(target, "")
    cases = _simd_cases()
    if target in FPU_TARGETS:  # their FPU_CASES run the scalar kernel: the test below
        for family in FAMILIES:
            for name in getattr(family, "FPU_CASES", {}):
                cases.pop(name, None)
    ops = {n.name: n.op for n in graph.nodes}
    # without an ISA (and on a scalar FPU target, outside FPU_CASES) the reference runs
    want = {name: f"{(kernel if suffix else None) or ops[name]}_{dtype}{suffix}"
            for name, kernel in cases.items()}
    assert {name: functions[name] for name in cases} == want


# Scalar FPU targets: the cases of a family's FPU_CASES (case -> kernel base name) run
# `<kernel>_<dtype>_fpu` there; on the vector targets their shapes take the vector kernel.


def test_fpu_cases_run_the_fpu_kernel(results, request):
    target = request.node.callspec.params["results"][0]
    graph, _, dtype, functions, _ = results
    cases = {}
    for family in FAMILIES:
        cases.update(getattr(family, "FPU_CASES", {}))
    assert cases
    ops = {n.name: n.op for n in graph.nodes}
    if target in FPU_TARGETS:
        want = {name: f"{kernel}_{dtype}_fpu" for name, kernel in cases.items()}
    else:  # the vector kernel of the op, or (host) its reference
        want = {name: f"{ops[name]}_{dtype}{SIMD_KERNEL.get(target, '')}" for name in cases}
    assert {name: functions[name] for name in cases} == want
