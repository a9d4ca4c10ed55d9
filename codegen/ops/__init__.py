"""The IR's op set: one OpSpec per op (codegen/ops/spec.py), one file per op or small family.

Only ops registered here exist after capture. This module collects the entries into OPS and
derives what the rest of the compiler asks of them: the ATen capture table, the numpy
evaluator (the IR's golden reference, used by the interpreter, tabulate_time and the
tests, so nothing after capture needs torch) and MAC counts. Adding an op: README.md,
"Adding an op".
"""

from __future__ import annotations

import numpy as np

from codegen.ops import (attention, batch_norm, binarized, cast, concat, conv2d, conv_transpose2d,
                         elementwise_binary, elementwise_param, elementwise_unary, group_norm,
                         layer_norm, linear, matmul, pad, pool, prelu, quantized, reduce, reshape,
                         softmax, strided_copy, table_row, upsample_linear, upsample_nearest2d)
from codegen.ops.activation import ACTIVATIONS, apply_activation  # noqa: F401 (public)
from codegen.ops.spec import Capturer, OpSpec

FAMILIES = [conv2d, linear, group_norm, batch_norm, elementwise_binary, elementwise_unary, concat,
            upsample_nearest2d, reshape, cast, table_row, prelu, binarized,
            strided_copy, pad, upsample_linear,
            reduce, softmax, layer_norm, pool,
            conv_transpose2d,
            elementwise_param,
            matmul, attention,
            quantized]


def _register() -> dict[str, OpSpec]:
    ops: dict[str, OpSpec] = {}
    for family in FAMILIES:
        for spec in family.SPECS:
            if spec.name in ops:
                raise ValueError(f"op {spec.name!r} is defined twice ({family.__name__})")
            ops[spec.name] = spec
    return ops


OPS: dict[str, OpSpec] = _register()


def _capturers() -> dict[str, Capturer]:
    table: dict[str, Capturer] = {}
    for spec in OPS.values():
        for target, capturer in spec.captures.items():
            if target in table:
                raise ValueError(f"ATen target {target} is captured by two ops")
            table[target] = capturer
    return table


# ATen target -> capturer, for codegen/capture.py.
CAPTURERS: dict[str, Capturer] = _capturers()


def evaluate(op: str, inputs: list[np.ndarray | None], attrs: dict) -> np.ndarray:
    """Run one op in numpy (float64 inside, float32 out); FP16 operands are widened first,
    as the reference kernels do."""
    inputs = [x.astype(np.float32) if x is not None and x.dtype == np.float16 else x for x in inputs]
    return OPS[op].reference(*inputs, attrs)


def macs(op: str, input_shapes: list[tuple[int, ...]], output_shape: tuple[int, ...], attrs: dict) -> int:
    """Multiply-accumulates the op performs (0 for ops that are not a dot product)."""
    counter = OPS[op].macs
    return counter(input_shapes, output_shape, attrs) if counter else 0
