"""The op families of tests/cases/ on every target and precision: one firmware image per
(target, precision) carries all their cases (tests/kernel_cases_ops.py), runs them once on the
emulated board through the serial path, and each result is checked against float64 numpy on
the same stored inputs with the bound tests/helpers/kernel_check.py derives for the op."""

from __future__ import annotations

import pytest

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
