"""upsample_nearest2d: nearest-neighbour resize of H and W to attrs["size"], torch's index rule.

Also runs 1-D nearest resize ([N, C, W], upsample_nearest1d) as the 2-D one with H = 1:
size [1, W_out], the same kernel and its overrides (which take exact 2x in both dims only,
so a 1-D resize keeps the reference)."""

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
    x4 = x.reshape(x.shape[0], x.shape[1], -1, x.shape[-1])
    h_in, w_in = x4.shape[2:]
    ys = _nearest_indices(h_in, h_out)
    xs = _nearest_indices(w_in, w_out)
    y = x4[:, :, ys][:, :, :, xs]
    return y[:, :, 0] if x.ndim == 3 else y


def capture(args, kwargs, out_shape):
    # .vec: (x, output_size, scale_factors); .default: (x, output_size, scales per dim)
    raw = list(args[2:]) or [kwargs.get("scale_factors")]
    scales = raw[0] if isinstance(raw[0], (list, tuple)) else raw
    scales = [s for s in (scales or []) if s is not None]
    if any(float(s) != int(s) for s in scales):
        # torch maps rows with 1/scale_factor here, the kernel with in/out sizes; they
        # agree for integer factors only.
        raise UnsupportedOpError(f"non-integer scale_factor {list(scales)}: pass size= instead")
    return "upsample_nearest2d", [args[0]], {"size": [int(s) for s in ((1,) + out_shape[2:])[-2:]]}


def params(graph, node):
    n, c, *spatial = graph.tensors[node.inputs[0]].shape
    h_in, w_in = ([1] + spatial)[-2:]
    return "upsample_nearest2d_params_t", dict(n=n, channels=c, h_in=h_in, w_in=w_in,
                                               h_out=node.attrs["size"][0], w_out=node.attrs["size"][1])


SPECS = [OpSpec("upsample_nearest2d", 1, reference, params=params, call=params_call,
                captures={"aten.upsample_nearest2d.vec": capture,
                          "aten.upsample_nearest2d.default": capture,
                          "aten.upsample_nearest1d.vec": capture,
                          "aten.upsample_nearest1d.default": capture})]
