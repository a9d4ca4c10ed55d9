"""upsample_nearest2d: nearest-neighbour resize of H and W to attrs["size"], torch's index rule."""

from __future__ import annotations

import numpy as np

from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.spec import OpSpec, params_call


def _nearest_indices(size_in: int, size_out: int) -> np.ndarray:
    """torch's nearest rule: a float32 scale in/out, then floor(dst * scale)."""
    scale = np.float32(size_in) / np.float32(size_out)
    src = np.floor(np.arange(size_out, dtype=np.float32) * scale).astype(np.int64)
    return np.minimum(src, size_in - 1)


def reference(x, attrs):
    h_out, w_out = attrs["size"]
    h_in, w_in = x.shape[2:]
    ys = _nearest_indices(h_in, h_out)
    xs = _nearest_indices(w_in, w_out)
    return x[:, :, ys][:, :, :, xs]


def capture(args, kwargs, out_shape):
    scales = args[2] if len(args) > 2 else kwargs.get("scale_factors")
    if isinstance(scales, (list, tuple)) and any(float(s) != int(s) for s in scales):
        # torch maps rows with 1/scale_factor here, the kernel with in/out sizes; they
        # agree for integer factors only.
        raise UnsupportedOpError(f"non-integer scale_factor {list(scales)}: pass size= instead")
    return "upsample_nearest2d", [args[0]], {"size": [int(out_shape[2]), int(out_shape[3])]}


def params(graph, node):
    n, c, h_in, w_in = graph.tensors[node.inputs[0]].shape
    return "upsample_nearest2d_params_t", dict(n=n, channels=c, h_in=h_in, w_in=w_in,
                                               h_out=node.attrs["size"][0], w_out=node.attrs["size"][1])


SPECS = [OpSpec("upsample_nearest2d", 1, reference, params=params, call=params_call,
                captures={"aten.upsample_nearest2d.vec": capture,
                          "aten.upsample_nearest2d.default": capture})]
