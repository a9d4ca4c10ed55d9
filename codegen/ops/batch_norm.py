"""batch_norm (inference): (x - mean) / sqrt(var + eps) · γ + β per channel.

It has no kernel: fold_batch_norm absorbs it into the conv/linear before it, and
lower_batch_norm turns any other into a mul and an add (codegen/passes/).
"""

from __future__ import annotations

import numpy as np

from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.spec import OpSpec


def reference(x, mean, var, gamma, beta, attrs):
    bshape = (1, -1) + (1,) * (x.ndim - 2)
    y = (x.astype(np.float64) - mean.reshape(bshape)) / np.sqrt(var.reshape(bshape) + attrs["eps"])
    if gamma is not None:
        y = y * gamma.reshape(bshape)
    if beta is not None:
        y = y + beta.reshape(bshape)
    return y.astype(np.float32)


def capture(args, kwargs, out_shape):
    x, gamma, beta, mean, var, training, _momentum, eps = args[:8]
    if training:
        raise UnsupportedOpError("batch_norm in training mode: call model.eval() before building")
    return "batch_norm", [x, mean, var, gamma, beta], {"eps": float(eps)}


SPECS = [OpSpec("batch_norm", 3, reference, optional=2, captures={"aten.batch_norm.default": capture})]
