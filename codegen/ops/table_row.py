"""table_row: the row of a constant table that a float index selects (clamped as the C
kernel clamps it). tabulate_time turns a sampler's time path into these lookups; the index
stays FP32 in every precision (it selects, it is not computed with)."""

from __future__ import annotations

import numpy as np

from codegen.ops.spec import OpSpec, Precision, params_call


def reference(table, index, attrs):
    row = min(max(int(np.asarray(index).ravel()[0]), 0), table.shape[0] - 1)
    return table[row].reshape(attrs["shape"])


def params(graph, node):
    table = graph.tensors[node.inputs[0]].shape
    return "table_row_params_t", dict(rows=table[0], row_size=int(np.prod(table[1:])))


SPECS = [OpSpec("table_row", 2, reference, params=params, call=params_call,
                precision=Precision(fp32_operands=frozenset({1})))]
