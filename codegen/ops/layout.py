"""Layout limits and helpers the ops' layout rules share (codegen/passes/resolve_layout.py).

Activations are dense row-major (NCHW for 4-D); kernels walk at most MAX_RANK dims and
concatenate at most MAX_CONCAT inputs (the C parameter structs' array sizes, kernels.h).
"""

from __future__ import annotations

import numpy as np

from codegen.kernels.limits import limit

LAYOUTS = {1: "C", 2: "NC", 3: "NCW", 4: "NCHW"}
MAX_RANK = limit("MAX_RANK")
MAX_CONCAT = limit("MAX_CONCAT")


class LayoutError(ValueError):
    pass


def numel(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


def spatial(graph, node) -> None:
    """attrs["spatial"]: the elements per (n, c) of the first input (a norm's or prelu's loop)."""
    node.attrs["spatial"] = numel(graph.tensors[node.inputs[0]].shape[2:])
