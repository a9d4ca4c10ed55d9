"""prelu: x where positive, slope[c] · x elsewhere (channel dim 1, as torch.prelu).

Layout: the spatial size per (n, c), and slope_stride 0 for one slope shared by all
channels (nn.PReLU()'s default), 1 for one per channel.
"""

from __future__ import annotations

import numpy as np

from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.layout import spatial
from codegen.ops.spec import OpSpec, params_call


def reference(x, slope, attrs):
    s = slope.astype(np.float64).reshape((1, -1) + (1,) * (x.ndim - 2))
    x64 = x.astype(np.float64)
    return np.where(x64 > 0, x64, s * x64).astype(np.float32)


def capture(args, kwargs, out_shape):
    if len(out_shape) < 2:
        raise UnsupportedOpError(f"prelu of a {len(out_shape)}-D tensor (it has no channel dim): "
                                 "reshape it to [1, N] first")
    return "prelu", [args[0], args[1]], {}


def layout(graph, node) -> None:
    spatial(graph, node)
    node.attrs["slope_stride"] = 0 if int(np.prod(graph.tensors[node.inputs[1]].shape)) == 1 else 1


def params(graph, node):
    shape = graph.tensors[node.inputs[0]].shape
    return "prelu_params_t", dict(n=shape[0], channels=shape[1], spatial=node.attrs["spatial"],
                                  slope_stride=node.attrs["slope_stride"])


SPECS = [OpSpec("prelu", 2, reference, layout=layout, params=params, call=params_call,
                captures={"aten.prelu.default": capture, "aten._prelu_kernel.default": capture})]
