"""upsample_linear: linear (1-D, [N, C, W]) and bilinear (2-D, [N, C, H, W]) resize with
torch's CPU index and weight arithmetic, both align_corners.

Per output index d of a dim (torch's area_pixel_compute_scale, area_pixel_compute_source_index,
guard_index_and_lambda, all in float32): scale = (in-1)/(out-1) with align_corners (0 if
out == 1), else 1/scale_factor when the model gave one, else in/out; src = scale*d
(align_corners) or max(fma(scale, d + 0.5, -0.5), 0) (torch's CPU build fuses that
multiply-add: with two roundings some weights differ from torch's by ulps); i0 = min(floor(src), in-1),
i1 = i0 + (i0 < in-1), l1 = clamp(src - i0, 0, 1), l0 = 1 - l1; a dim whose size does not
change copies (l0 = 1, l1 = 0). Then, as torch sums: t(y) = in[y][x0]*l0x + in[y][x1]*l1x,
out = t(y0)*l0y + t(y1)*l1y. The scale is computed here at capture and passed as a float, so
the kernel only repeats the per-index float steps. A 1-D resize is the 2-D one with H = 1.
"""

from __future__ import annotations

import numpy as np

from codegen.c_literals import c_float
from codegen.ops.spec import OpSpec, params_call

f32 = np.float32


def scale(in_size: int, out_size: int, align_corners: bool, factor: float | None) -> float:
    """torch's area_pixel_compute_scale in float32 (the factor's reciprocal in double first)."""
    if align_corners:
        return float(f32(in_size - 1) / f32(out_size - 1)) if out_size > 1 else 0.0
    if factor is not None and factor > 0:
        return float(f32(1.0 / factor))
    return float(f32(in_size) / f32(out_size))


def indices_and_weights(in_size: int, out_size: int, s: float, align_corners: bool):
    """(i0, i1, l0, l1) per output index, float32 steps as torch's CPU kernel takes them."""
    d = np.arange(out_size)
    if in_size == out_size:
        return d, d, np.ones(out_size, f32), np.zeros(out_size, f32)
    s = f32(s)
    if align_corners:
        src = s * d.astype(f32)
    else:
        # one fused multiply-add, as torch's CPU build computes it: the float64 product of two
        # float32 values is exact, and so is adding 0.5 to it, so one rounding remains
        src = (np.float64(s) * (d.astype(f32) + f32(0.5)).astype(np.float64) - 0.5).astype(f32)
        src = np.where(src < 0, f32(0), src).astype(f32)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    l1 = np.clip(src - i0.astype(f32), f32(0), f32(1)).astype(f32)
    i1 = i0 + (i0 < in_size - 1)
    return i0, i1, (f32(1) - l1).astype(f32), l1


def reference(x, attrs):
    x4 = x.reshape(x.shape[0], x.shape[1], -1, x.shape[-1]).astype(np.float64)
    h_in, w_in = x4.shape[2:]
    h_out, w_out = attrs["size"]
    ac = attrs["align_corners"]
    y0, y1, ly0, ly1 = indices_and_weights(h_in, h_out, attrs["scales"][0], ac)
    x0, x1, lx0, lx1 = indices_and_weights(w_in, w_out, attrs["scales"][1], ac)
    rows = x4[:, :, :, x0] * lx0.astype(np.float64) + x4[:, :, :, x1] * lx1.astype(np.float64)
    out = rows[:, :, y0] * ly0.astype(np.float64)[:, None] + rows[:, :, y1] * ly1.astype(np.float64)[:, None]
    if x.ndim == 3:  # linear: H was 1
        out = out[:, :, 0]
    return out.astype(np.float32)


def _capture(dims: int, vec: bool):
    """.vec: (x, output_size, align_corners, scale_factors); .default: (x, output_size,
    align_corners, scales per dim)."""
    def capture(args, kwargs, out_shape):
        if vec:
            factors = args[3] if len(args) > 3 else kwargs.get("scale_factors")
        else:
            names = ["scales_h", "scales_w"] if dims == 2 else ["scales"]
            factors = [args[3 + i] if len(args) > 3 + i else kwargs.get(n) for i, n in enumerate(names)]
        align_corners = bool(args[2] if len(args) > 2 else kwargs.get("align_corners", False))
        in_shape = [int(s) for s in args[0].meta["val"].shape]
        sizes = [1] * (2 - dims) + [int(s) for s in out_shape[2:]]
        ins = [1] * (2 - dims) + in_shape[2:]
        factors = [None] * (2 - dims) + (list(factors) if factors is not None else [None] * dims)
        scales = [scale(i, o, align_corners, f) for i, o, f in zip(ins, sizes, factors)]
        return "upsample_linear", [args[0]], {"size": sizes, "scales": scales,
                                              "align_corners": align_corners}
    return capture


def params(graph, node):
    shape = graph.tensors[node.inputs[0]].shape
    a = node.attrs
    return "upsample_linear_params_t", dict(
        planes=int(shape[0] * shape[1]), h_in=int(np.prod(shape[2:-1], dtype=np.int64)), w_in=int(shape[-1]),
        h_out=a["size"][0], w_out=a["size"][1], scale_h=c_float(a["scales"][0]),
        scale_w=c_float(a["scales"][1]), align_corners=int(a["align_corners"]))


CAPTURES = {"aten.upsample_bilinear2d.vec": _capture(2, True),
            "aten.upsample_bilinear2d.default": _capture(2, False),
            "aten.upsample_linear1d.vec": _capture(1, True),
            "aten.upsample_linear1d.default": _capture(1, False)}

SPECS = [OpSpec("upsample_linear", 1, reference, captures=CAPTURES, params=params, call=params_call)]
