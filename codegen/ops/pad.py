"""pad: widen (or crop) the last dims of a tensor with a constant, a reflection or the edge.

Captured from F.pad (aten.pad) and the ATen ops it becomes (constant_pad_nd,
reflection_pad1d/2d, replication_pad1d/2d). torch's pad list runs from the last dim
backwards, (before, after) per dim; here `before` is per output dim, left-aligned with the
tensor (0 for dims not padded), and the kernel maps each output index to its source:
i = o - before; outside [0, size) it is the constant (constant), -i or 2(size-1) - i
(reflect, the edge not repeated) or the nearest edge (replicate). A negative pad crops.
Every element is copied or is the constant: exact, FP16 copies halves.

The kernel sees the fewest dims: dims of size 1 that are not padded are dropped and runs of
neighbouring unpadded dims merged (`in_shape`, `padded_shape`, `before` per merged dim;
`output_shape` is the tensor's own). So a pad of a 5-D or 6-D view lowers when at most 4
dims remain, as diffusers' FIR up/downsampling (upfirdn2d_native, in SkipDownBlock2D and
SkipUpBlock2D) pads a [N·H, 1, W, 1, C] view to zero-stuff the image.
"""

from __future__ import annotations

import numpy as np

from codegen.c_literals import c_float
from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.layout import MAX_RANK
from codegen.ops.spec import OpSpec, params_call

MODES = {"constant": 0, "reflect": 1, "replicate": 2}


def source_index(out_size: int, in_size: int, before: int, mode: str) -> np.ndarray:
    """Per output index, the input index it copies (-1: the constant)."""
    i = np.arange(out_size) - before
    if mode == "constant":
        return np.where((i >= 0) & (i < in_size), i, -1)
    if mode == "reflect":
        i = np.abs(i)
        return np.where(i >= in_size, 2 * (in_size - 1) - i, i)
    return np.clip(i, 0, in_size - 1)


def merged_dims(in_shape, out_shape, before) -> list[tuple[int, int, int]]:
    """(in, out, before) per dim the kernel walks: unpadded size-1 dims dropped, neighbouring
    unpadded dims merged into one."""
    dims: list[tuple[int, int, int]] = []
    padded: list[bool] = []
    for i, o, b in zip(in_shape, out_shape, before):
        flat = i == o and b == 0
        if flat and i == 1:
            continue
        if flat and padded and not padded[-1]:
            dims[-1] = (dims[-1][0] * i, dims[-1][1] * o, 0)
            continue
        dims.append((int(i), int(o), int(b)))
        padded.append(not flat)
    return dims or [(1, 1, 0)]


def reference(x, attrs):
    out_shape = attrs.get("padded_shape", attrs["output_shape"])  # a node made without merging
    in_shape = attrs.get("in_shape", x.shape)
    y = np.asarray(x, dtype=np.float32).reshape(in_shape)
    inside = np.ones(out_shape, dtype=bool)
    for d, (size, before) in enumerate(zip(out_shape, attrs["before"])):
        idx = source_index(size, in_shape[d], before, attrs["mode"])
        y = np.take(y, np.maximum(idx, 0), axis=d)
        mask_shape = [1] * len(out_shape)
        mask_shape[d] = size
        inside &= (idx >= 0).reshape(mask_shape)
    y = np.where(inside, y, np.float32(attrs["value"])).astype(np.float32)
    return y.reshape(attrs["output_shape"])


def _capture(mode: str | None = None, default_value: float = 0.0):
    def capture(args, kwargs, out_shape):
        pads = [int(p) for p in args[1]]
        m = mode or (args[2] if len(args) > 2 else kwargs.get("mode", "constant"))
        value = args[3] if len(args) > 3 else kwargs.get("value", default_value)
        if mode == "constant" and len(args) > 2:  # constant_pad_nd(x, pad, value)
            value = args[2]
        if m not in MODES:
            raise UnsupportedOpError(f"pad mode {m!r}: supported modes are constant, reflect, replicate")
        rank = len(out_shape)
        before = [0] * rank
        for k in range(len(pads) // 2):
            before[rank - 1 - k] = pads[2 * k]
        in_shape = [int(s) for s in args[0].meta["val"].shape]
        dims = merged_dims(in_shape, out_shape, before)
        if len(dims) > MAX_RANK:
            raise UnsupportedOpError(f"pad of a {rank}-D tensor that stays {len(dims)}-D after merging "
                                     f"its unpadded dims: at most {MAX_RANK}")
        return "pad", [args[0]], {"mode": m, "value": float(value if value is not None else 0.0),
                                  "before": [d[2] for d in dims], "in_shape": [d[0] for d in dims],
                                  "padded_shape": [d[1] for d in dims],
                                  "output_shape": [int(s) for s in out_shape]}
    return capture


def params(graph, node):
    a = node.attrs
    in_shape = list(a.get("in_shape", graph.tensors[node.inputs[0]].shape))
    pad = MAX_RANK - len(in_shape)
    return "pad_params_t", dict(in_shape=[1] * pad + in_shape,
                                out_shape=[1] * pad + list(a.get("padded_shape", a["output_shape"])),
                                before=[0] * pad + a["before"], mode=MODES[a["mode"]],
                                value=c_float(a["value"]))


CAPTURES = {"aten.pad.default": _capture(),
            "aten.constant_pad_nd.default": _capture("constant"),
            "aten.reflection_pad1d.default": _capture("reflect"),
            "aten.reflection_pad2d.default": _capture("reflect"),
            "aten.replication_pad1d.default": _capture("replicate"),
            "aten.replication_pad2d.default": _capture("replicate")}

SPECS = [OpSpec("pad", 1, reference, captures=CAPTURES, params=params, call=params_call)]
