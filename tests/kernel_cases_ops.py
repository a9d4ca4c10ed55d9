"""The second kernel-case image: every case of the op families in tests/cases/, in one graph
(the way tests/kernel_cases.py holds the first families' cases)."""

from __future__ import annotations

import numpy as np

from codegen.ir import Graph
from tests.cases import FAMILIES
from tests.kernel_cases import CaseBuilder


def ops_case_graph(seed: int = 0) -> tuple[Graph, list[np.ndarray]]:
    b = CaseBuilder(seed)
    for family in FAMILIES:
        family.add_cases(b)
    return b.graph, b.input_values
