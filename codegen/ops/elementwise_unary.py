"""silu, relu, sin, cos, sign: one value in, one out; kernels take (x, y, count).

relu and silu are also activations: fuse_activation moves them into the op before them.
sin and cos run in FP32 with their argument (a timestep embedding: sin(t · f), t up to
~1000, is off by up to 0.25 rad in FP16). sign is the binarized layers' activation
(sdk/compress), ±1 with sign(0) = +1.
"""

from __future__ import annotations

import numpy as np

from codegen.ops.activation import silu
from codegen.ops.spec import OpSpec, Precision, count_call


def _capture(op: str):
    return lambda args, kwargs, out_shape: (op, [args[0]], {})


def _unary(name: str, reference, targets: list[str], **kw) -> OpSpec:
    return OpSpec(name, 1, reference, captures={t: _capture(name) for t in targets},
                  call=count_call, elementwise=True, **kw)


def _float64(fn):
    return lambda x, attrs: fn(x.astype(np.float64)).astype(np.float32)


SPECS = [
    _unary("silu", lambda x, attrs: silu(x).astype(np.float32),
           ["aten.silu.default", "aten.silu_.default"], activation=True),
    _unary("relu", lambda x, attrs: np.maximum(x, 0).astype(x.dtype),
           ["aten.relu.default", "aten.relu_.default"], activation=True),
    _unary("sin", _float64(np.sin), ["aten.sin.default"], precision=Precision(pinned_fp32=True)),
    _unary("cos", _float64(np.cos), ["aten.cos.default"], precision=Precision(pinned_fp32=True)),
    _unary("sign", lambda x, attrs: np.where(x >= 0, 1, -1).astype(np.float32),
           ["edgediff.sign.default"]),  # sdk/compress: the binarized layers' activations
]
