"""The check of an int8 build: the board against the build's own graph in numpy.

An int8 layer's output is a function of integers (codegen/int8, TFLite's arithmetic, bit-exact
with TFLite Micro's reference kernels); the C kernels compute the same bytes. So the board's
output is compared with the lowered graph (build/<target>/gen/graph.json) run in numpy on the
same inputs, element for element: an int8 build passes only if they are equal. Its distance
from torch in FP32 is the quantisation error, reported beside it, not part of the verdict
(that error is a property of the quantised model: issue 15's quality goal measures it as FD).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from codegen.interpret import run_graph
from codegen.ir import Graph


def is_int8_build(layers: list[dict]) -> bool:
    return any(layer["dtype"] == "i8" for layer in layers)


def checked_bit_for_bit(manifest) -> bool:
    """An int8 build, checked against its numpy graph element for element; a float build
    with int8 layers (manifest.int8_noise) is checked within a tolerance instead."""
    return is_int8_build(manifest.layers) and not manifest.int8_noise


class Int8Reference:
    """The build's graph, run in numpy, and the running count of mismatched elements."""

    def __init__(self, build_directory: Path):
        self.graph = Graph.load(Path(build_directory) / "gen" / "graph.json")
        self.mismatched_elements = 0
        self.samples_mismatched = 0
        self.first_mismatch: dict | None = None

    def check(self, index: int, inputs: list[np.ndarray], output: np.ndarray) -> np.ndarray:
        """Compare one board output with the numpy graph's; returns the reference."""
        expected = run_graph(self.graph, inputs)[0].astype(np.float32).reshape(output.shape)
        differ = int(np.count_nonzero(expected.view(np.uint32) != output.astype(np.float32).view(np.uint32)))
        if differ:
            self.mismatched_elements += differ
            self.samples_mismatched += 1
            if self.first_mismatch is None:
                where = int(np.flatnonzero(expected.view(np.uint32).ravel() != output.view(np.uint32).ravel())[0])
                self.first_mismatch = {"index": index, "elements": differ, "element": where,
                                       "board": float(output.ravel()[where]),
                                       "reference": float(expected.ravel()[where])}
        return expected

    def to_dict(self) -> dict:
        return {"mismatched_elements": self.mismatched_elements, "samples_mismatched": self.samples_mismatched,
                "first_mismatch": self.first_mismatch, "passed": self.mismatched_elements == 0}
