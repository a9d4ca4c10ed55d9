"""Run a Graph in numpy: the IR's golden reference, independent of torch and of C."""

from __future__ import annotations

import numpy as np

from codegen.ir import DTYPES, Graph
from codegen.ops import evaluate


def run_graph(graph: Graph, inputs: list[np.ndarray]) -> list[np.ndarray]:
    if len(inputs) != len(graph.inputs):
        raise ValueError(f"graph takes {len(graph.inputs)} inputs, got {len(inputs)}")
    values: dict[str, np.ndarray] = dict(graph.constants)
    for name, value in zip(graph.inputs, inputs):
        tensor = graph.tensors[name]
        values[name] = np.asarray(value, dtype=DTYPES[tensor.dtype]).reshape(tensor.shape)
    for node in graph.nodes:
        args = [values[name] if name else None for name in node.inputs]
        out = node.outputs[0]
        # Round to the tensor's storage type: an FP16 tensor holds what the device stores.
        values[out] = evaluate(node.op, args, node.attrs).astype(DTYPES[graph.tensors[out].dtype])
    return [values[name] for name in graph.outputs]
