"""matmul: a @ b of two activations (torch.matmul, `@`, bmm, mm), torch's broadcasting rules.

The last two dims multiply ([..., M, K] @ [..., K, N] -> [..., M, N]); the dims before them
are batch dims that broadcast (a [B, M, K] times a [K, N] operand repeats it for every b).
A 1-D operand is a row (left) or a column (right) whose dim torch then drops: the kernel
computes the same numbers with M or N = 1, and dropping a dim of length 1 leaves the bytes
where they are. A matmul by a weight that nn.Linear holds is captured as `linear`
(codegen/ops/linear.py); a constant operand here (x @ self.w) is simply a constant input.
"""

from __future__ import annotations

import numpy as np

from codegen.kernels.limits import limit
from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.spec import OpSpec, params_call

MAX_BATCH_DIMS = limit("MATMUL_BATCH_DIMS")  # the kernel's batch loops (matmul_params_t)


def reference(a, b, attrs):
    return (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32)


def _as_matrices(a_shape, b_shape):
    """(a batch dims, M, K), (b batch dims, K, N) with torch's 1-D promotion."""
    a_shape, b_shape = tuple(a_shape), tuple(b_shape)
    if len(a_shape) == 1:
        a_shape = (1,) + a_shape
    if len(b_shape) == 1:
        b_shape = b_shape + (1,)
    return (a_shape[:-2], a_shape[-2], a_shape[-1]), (b_shape[:-2], b_shape[-2], b_shape[-1])


def _batch_shape(a_batch, b_batch) -> tuple[int, ...]:
    return tuple(int(s) for s in np.broadcast_shapes(a_batch, b_batch))


def capture(args, kwargs, out_shape):
    a, b = args[0], args[1]
    (a_batch, _, _), (b_batch, _, _) = _as_matrices(a.meta["val"].shape, b.meta["val"].shape)
    batch = _batch_shape(tuple(int(s) for s in a_batch), tuple(int(s) for s in b_batch))
    if len(batch) > MAX_BATCH_DIMS:
        raise UnsupportedOpError(f"matmul with {len(batch)} batch dims {list(batch)}; at most "
                                 f"{MAX_BATCH_DIMS} are supported: merge batch dims with a reshape")
    return "matmul", [a, b], {}


def macs(inputs, output_shape, attrs):
    (_, _, k), _ = _as_matrices(inputs[0], inputs[1])
    return int(np.prod(output_shape, dtype=np.int64)) * k


def _batch_strides(batch, out_batch, matrix_size) -> list[int]:
    """Element strides of an operand's batch dims, right-aligned to the output's two batch
    dims; 0 where the operand broadcasts (its dim is 1 or absent)."""
    batch = (1,) * (MAX_BATCH_DIMS - len(batch)) + tuple(batch)
    strides, step = [0] * MAX_BATCH_DIMS, matrix_size
    for i in reversed(range(MAX_BATCH_DIMS)):
        strides[i] = step if batch[i] == out_batch[i] and batch[i] > 1 else 0
        step *= batch[i]
    return strides


def params(graph, node):
    (a_batch, m, k), (b_batch, _, n) = _as_matrices(graph.tensors[node.inputs[0]].shape,
                                                    graph.tensors[node.inputs[1]].shape)
    batch = _batch_shape(a_batch, b_batch)
    batch = (1,) * (MAX_BATCH_DIMS - len(batch)) + batch
    return "matmul_params_t", dict(batch=list(batch),
                                   a_batch_strides=_batch_strides(a_batch, batch, m * k),
                                   b_batch_strides=_batch_strides(b_batch, batch, k * n),
                                   m=m, k=k, n=n)


CAPTURES = {t: capture for t in ("aten.matmul.default", "aten.bmm.default", "aten.mm.default")}

SPECS = [OpSpec("matmul", 2, reference, captures=CAPTURES, macs=macs, params=params,
                call=params_call)]
