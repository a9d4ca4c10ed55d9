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
    fpu = _fpu_cases() if target in FPU_TARGETS else {}
    ops = {n.name: n.op for n in graph.nodes}
    # without a vector ISA the scalar FPU kernel where one takes the case, else the reference
    want = {name: f"{fpu[name]}_{dtype}_fpu" if name in fpu else
            f"{(kernel if suffix else None) or ops[name]}_{dtype}{suffix}"
            for name, kernel in cases.items()}
    assert {name: functions[name] for name in cases} == want


# Scalar FPU targets: the cases of a family's FPU_CASES (case -> kernel base name) run
# `<kernel>_<dtype>_fpu` there; on the vector targets their shapes take the vector kernel.


def _fpu_cases() -> dict:
    """Every family's FPU_CASES: case -> the `_fpu` kernel's base name."""
    cases = {}
    for family in FAMILIES:
        cases.update(getattr(family, "FPU_CASES", {}))
    return cases


def test_fpu_cases_run_the_fpu_kernel(results, request):
    """On the vector targets, a case of a family's SIMD_CASES runs the vector kernel, one of
    its FPU_ON_VECTOR (no vector kernel takes the shape) the `_fpu` kernel, any other the
    vector kernel of the op; on the host the reference."""
    target = request.node.callspec.params["results"][0]
    graph, _, dtype, functions, _ = results
    cases = _fpu_cases()
    assert cases
    ops = {n.name: n.op for n in graph.nodes}
    suffix = SIMD_KERNEL.get(target, "")
    simd = _simd_cases()
    on_vector = set().union(*(getattr(f, "FPU_ON_VECTOR", set()) for f in FAMILIES))
    if target in FPU_TARGETS:
        want = {name: f"{kernel}_{dtype}_fpu" for name, kernel in cases.items()}
    elif suffix:
        want = {name: f"{kernel}_{dtype}_fpu" if name in on_vector else
                f"{simd.get(name) or ops[name]}_{dtype}{suffix}" for name, kernel in cases.items()}
    else:
        want = {name: f"{ops[name]}_{dtype}" for name in cases}
    assert {name: functions[name] for name in cases} == want
