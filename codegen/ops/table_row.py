"""table_row: the row of a constant table that a float index selects (clamped as the C
kernel clamps it). tabulate_time turns a sampler's time path into these lookups; the index
stays FP32 in every precision (it selects, it is not computed with).

nn.Embedding looked up by an integer model input with one index (a diffusers UNet2DModel's
class labels, `num_class_embeds`, or its `time_embedding_type="learned"` timestep) is the
same lookup: the index is the int32 input, converted to float once.
"""

from __future__ import annotations

import numpy as np

from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.spec import OpSpec, Precision, params_call


def reference(table, index, attrs):
    row = min(max(int(np.asarray(index).ravel()[0]), 0), table.shape[0] - 1)
    return table[row].reshape(attrs["shape"])


def capture_embedding(args, kwargs, out_shape):
    weight, indices = args[0], args[1]
    count = int(np.prod(indices.meta["val"].shape, dtype=np.int64))
    if count != 1:
        raise UnsupportedOpError(f"embedding of {count} indices: the board looks up one index per "
                                 "call (batch 1); look the others up on the host")
    return "table_row", [weight, indices], {"shape": [int(s) for s in out_shape]}


def params(graph, node):
    table = graph.tensors[node.inputs[0]].shape
    return "table_row_params_t", dict(rows=table[0], row_size=int(np.prod(table[1:])))


SPECS = [OpSpec("table_row", 2, reference, params=params, call=params_call,
                captures={"aten.embedding.default": capture_embedding},
                precision=Precision(fp32_operands=frozenset({1})))]
