"""sum, mean, var: reduce a tensor over one or more dims (keepdim or not), torch semantics.

All three run one kernel, reduce_<dtype>, whose `mode` says which statistic; it sums in
float in FP16 too (a sum of M terms, so M MACs per output). Layout: the input's dims are
merged where neighbours are both kept or both reduced (size-1 dims drop out), right-aligned
to MAX_RANK; a reduction that still needs more dims than that is refused. keepdim changes
the output's shape, not its bytes.
"""

from __future__ import annotations

import numpy as np

from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.layout import MAX_RANK, LayoutError, numel
from codegen.ops.spec import OpSpec, params_call

MODES = {"sum": 0, "mean": 1, "var": 2}  # edgediff_reduce_t


def _dims(dim, rank: int) -> list[int]:
    """ATen's dim argument (None, an int or a list; empty means all) as sorted dims >= 0."""
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        return list(range(rank))
    dims = [dim] if isinstance(dim, int) else list(dim)
    return sorted({int(d) % max(rank, 1) for d in dims})


def _reference(op):
    def run(x, attrs):
        axes = tuple(attrs["dims"])
        x64 = x.astype(np.float64)
        if op == "sum":
            y = x64.sum(axis=axes, keepdims=True)
        elif op == "mean":
            y = x64.mean(axis=axes, keepdims=True)
        else:
            m = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
            y = ((x64 - x64.mean(axis=axes, keepdims=True)) ** 2).sum(axis=axes, keepdims=True)
            y = y / (m - attrs["correction"])
        if not attrs["keepdim"]:
            y = y.reshape([s for k, s in enumerate(x.shape) if k not in axes])
        return y.astype(np.float32)
    return run


def _check_dtype(dtype) -> None:
    if dtype is not None and "float32" not in str(dtype):
        raise UnsupportedOpError(f"a reduction to {dtype}: EdgeDiff reduces float tensors, "
                                 "drop the dtype argument")


def _rank(args) -> int:
    return len(args[0].meta["val"].shape)


def capture_dims(op):
    """aten.sum.dim_IntList / aten.mean.dim(x, dim, keepdim=False, dtype=None)."""
    def capture(args, kwargs, out_shape):
        _check_dtype(args[3] if len(args) > 3 else kwargs.get("dtype"))
        keepdim = bool(args[2]) if len(args) > 2 else bool(kwargs.get("keepdim", False))
        return op, [args[0]], {"dims": _dims(args[1], _rank(args)), "keepdim": keepdim,
                               "correction": 0}
    return capture


def capture_all(op):
    """aten.sum.default / aten.mean.default(x, dtype=None): every dim, to a scalar."""
    def capture(args, kwargs, out_shape):
        _check_dtype(args[1] if len(args) > 1 else kwargs.get("dtype"))
        return op, [args[0]], {"dims": _dims(None, _rank(args)), "keepdim": False, "correction": 0}
    return capture


def capture_var_dim(args, kwargs, out_shape):
    """aten.var.dim(x, dim, unbiased=True, keepdim=False)."""
    unbiased = bool(args[2]) if len(args) > 2 else bool(kwargs.get("unbiased", True))
    keepdim = bool(args[3]) if len(args) > 3 else bool(kwargs.get("keepdim", False))
    return "var", [args[0]], {"dims": _dims(args[1] if len(args) > 1 else None, _rank(args)),
                              "keepdim": keepdim, "correction": int(unbiased)}


def capture_var_correction(args, kwargs, out_shape):
    """aten.var.correction(x, dim=None, *, correction=None (1), keepdim=False)."""
    dim = args[1] if len(args) > 1 else kwargs.get("dim")
    correction = kwargs.get("correction", args[2] if len(args) > 2 else None)
    if correction is not None and float(correction) != int(correction):
        raise UnsupportedOpError(f"var with a fractional correction {correction}: use 0 or 1")
    return "var", [args[0]], {"dims": _dims(dim, _rank(args)),
                              "keepdim": bool(kwargs.get("keepdim", False)),
                              "correction": 1 if correction is None else int(correction)}


def layout(graph, node) -> None:
    shape = graph.tensors[node.inputs[0]].shape
    blocks: list[list[int]] = []  # [size, reduced]
    for k, size in enumerate(shape):
        if size == 1:
            continue
        reduced = int(k in node.attrs["dims"])
        if blocks and blocks[-1][1] == reduced:
            blocks[-1][0] *= size
        else:
            blocks.append([size, reduced])
    if len(blocks) > MAX_RANK:
        raise LayoutError(f"node {node.name}: {node.op} over dims {node.attrs['dims']} of a "
                          f"{list(shape)} tensor needs {len(blocks)} alternating blocks of dims "
                          f"> {MAX_RANK}: reduce in two steps")
    blocks = [[1, 0]] * (MAX_RANK - len(blocks)) + blocks
    node.attrs["in_shape"] = [b[0] for b in blocks]
    node.attrs["reduce"] = [b[1] for b in blocks]


def params(graph, node):
    a = node.attrs
    return "reduce_params_t", dict(in_shape=a["in_shape"], reduce=a["reduce"], mode=MODES[node.op],
                                   correction=a["correction"])


def kernel(graph, node) -> str:
    return f"reduce_{graph.tensors[node.outputs[0]].dtype}"


def macs(input_shapes, output_shape, attrs) -> int:
    """One add per input element (a variance's second pass is not counted)."""
    return numel(input_shapes[0])


SPECS = [
    OpSpec("sum", 1, _reference("sum"), macs=macs, layout=layout, params=params, kernel=kernel,
           call=params_call, captures={"aten.sum.dim_IntList": capture_dims("sum"),
                                       "aten.sum.default": capture_all("sum")}),
    OpSpec("mean", 1, _reference("mean"), macs=macs, layout=layout, params=params, kernel=kernel,
           call=params_call, captures={"aten.mean.dim": capture_dims("mean"),
                                       "aten.mean.default": capture_all("mean")}),
    OpSpec("var", 1, _reference("var"), macs=macs, layout=layout, params=params, kernel=kernel,
           call=params_call, captures={"aten.var.dim": capture_var_dim,
                                       "aten.var.correction": capture_var_correction}),
]
