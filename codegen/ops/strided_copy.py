"""strided_copy: out[i] = in[offset + sum_d idx_d * strides_d], the one kernel behind every
op that only moves elements. attrs: the view's `shape`, `strides` (input elements) and
`offset`, merged to the fewest dims, and the output's own `output_shape`.

slice/narrow/select, the pieces of chunk/split/split_with_sizes/unbind, expand, repeat,
permute/transpose/t (and movedim, swapaxes, .mT, .T), repeat_interleave by a number and
pixel_shuffle/unshuffle are each captured as a strided view of
their input (codegen/ops/strided_view.py), merged to the fewest dims. One small gather
kernel then serves them all, where TFLite Micro has separate transpose, strided-slice,
tile and depth-to-space kernels. FP16 copies halves: exact in every precision.

A multi-output op (split) is captured per piece: capture skips the op and each `getitem`
becomes one strided copy of its piece (the `<target>[]` entries below).
"""

from __future__ import annotations

import numpy as np

from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.spec import OpSpec, params_call
from codegen.ops.strided_view import STRIDED_RANK, View, pixel_shuffle, pixel_unshuffle, repeat


def reference(x, attrs):
    flat = np.ascontiguousarray(x).reshape(-1)
    size = flat.itemsize
    view = np.lib.stride_tricks.as_strided(flat[attrs["offset"]:], shape=attrs["shape"],
                                           strides=[s * size for s in attrs["strides"]], writeable=False)
    return np.array(view).reshape(attrs["output_shape"])


def shape_of(node) -> tuple[int, ...]:
    """The traced shape of an fx node argument (torch.export's metadata)."""
    return tuple(int(s) for s in node.meta["val"].shape)


def _copy(x, view: View, out_shape):
    v = view.coalesced()
    if len(v.shape) > STRIDED_RANK:
        raise UnsupportedOpError(f"this copy walks {len(v.shape)} strided dims, more than the "
                                 f"{STRIDED_RANK} the kernel takes: split it into two ops")
    if int(np.prod(v.shape)) != int(np.prod(out_shape)):
        raise AssertionError(f"view {v} does not give {out_shape}")
    return "strided_copy", [x], {"shape": list(v.shape), "strides": list(v.strides), "offset": v.offset,
                                 "output_shape": [int(s) for s in out_shape]}


def _arg(args, kwargs, i, name, default=None):
    return args[i] if len(args) > i else kwargs.get(name, default)


def _view(args) -> View:
    return View.dense(shape_of(args[0]))


def capture_slice(args, kwargs, out_shape):
    dim, start = _arg(args, kwargs, 1, "dim", 0), _arg(args, kwargs, 2, "start")
    end, step = _arg(args, kwargs, 3, "end"), _arg(args, kwargs, 4, "step", 1)
    return _copy(args[0], _view(args).slice(dim, start, end, step), out_shape)


def capture_narrow(args, kwargs, out_shape):
    dim, start, length = int(args[1]), int(args[2]), int(args[3])
    size = shape_of(args[0])[dim]
    start = start + size if start < 0 else start
    return _copy(args[0], _view(args).slice(dim, start, start + length), out_shape)


def capture_select(args, kwargs, out_shape):
    return _copy(args[0], _view(args).select(args[1], args[2]), out_shape)


def _piece_bounds(sizes, index):
    start = sum(sizes[:index])
    return start, start + sizes[index]


def _split_sizes(size: int, split_size: int) -> list[int]:
    return [min(split_size, size - s) for s in range(0, size, split_size)] or [0]


def capture_split_piece(args, kwargs, out_shape):
    """getitem of aten.split.Tensor(x, split_size, dim) or split_with_sizes(x, sizes, dim)."""
    dim = int(_arg(args, kwargs, 2, "dim", 0))
    size = shape_of(args[0])[dim]
    sizes = args[1] if isinstance(args[1], (list, tuple)) else _split_sizes(size, int(args[1]))
    start, end = _piece_bounds([int(s) for s in sizes], kwargs["index"])
    return _copy(args[0], _view(args).slice(dim, start, end), out_shape)


def capture_chunk_piece(args, kwargs, out_shape):
    """getitem of aten.chunk(x, chunks, dim): torch's pieces are ceil(size / chunks) long."""
    dim = int(_arg(args, kwargs, 2, "dim", 0))
    size = shape_of(args[0])[dim]
    split_size = -(-size // int(args[1]))
    start, end = _piece_bounds(_split_sizes(size, split_size), kwargs["index"])
    return _copy(args[0], _view(args).slice(dim, start, end), out_shape)


def capture_unbind_piece(args, kwargs, out_shape):
    return _copy(args[0], _view(args).select(_arg(args, kwargs, 1, "dim", 0), kwargs["index"]),
                 out_shape)


def capture_expand(args, kwargs, out_shape):
    return _copy(args[0], _view(args).expand(out_shape), out_shape)


def capture_repeat(args, kwargs, out_shape):
    return _copy(args[0], repeat(_view(args), args[1]), out_shape)


def capture_permute(args, kwargs, out_shape):
    return _copy(args[0], _view(args).permute(args[1]), out_shape)


def capture_transpose(args, kwargs, out_shape):
    return _copy(args[0], _view(args).transpose(args[1], args[2]), out_shape)


def capture_t(args, kwargs, out_shape):
    v = _view(args)
    return _copy(args[0], v.transpose(0, 1) if len(v.shape) == 2 else v, out_shape)


def capture_movedim(args, kwargs, out_shape):
    """torch.movedim(x, source, destination), one dim or lists of them."""
    rank = len(shape_of(args[0]))
    source, destination = args[1], args[2]
    source = [source] if isinstance(source, int) else list(source)
    destination = [destination] if isinstance(destination, int) else list(destination)
    source, destination = [d % rank for d in source], [d % rank for d in destination]
    order = [None] * rank
    for s, d in zip(source, destination):
        order[d] = s
    rest = iter(d for d in range(rank) if d not in source)
    return capture_permute([args[0], [d if d is not None else next(rest) for d in order]], {}, out_shape)


def capture_matrix_transpose(args, kwargs, out_shape):
    """x.mT: the last two dims swapped; x.T (numpy_T): all dims reversed."""
    return _copy(args[0], _view(args).transpose(-2, -1), out_shape)


def capture_numpy_t(args, kwargs, out_shape):
    rank = len(shape_of(args[0]))
    return _copy(args[0], _view(args).permute(list(range(rank))[::-1]), out_shape)


def capture_repeat_interleave(args, kwargs, out_shape):
    """x.repeat_interleave(r, dim) with a number r: each element of dim r times, i.e. dim d
    split into (size, r) with strides (stride, 0); without dim, of the flattened tensor."""
    repeats, dim = args[1], _arg(args, kwargs, 2, "dim")
    v = _view(args)
    if dim is None:
        v = View.dense((int(np.prod(v.shape)),))
        dim = 0
    dim = v._dim(int(dim))
    shape = list(v.shape[:dim + 1]) + [int(repeats)] + list(v.shape[dim + 1:])
    strides = list(v.strides[:dim + 1]) + [0] + list(v.strides[dim + 1:])
    return _copy(args[0], View(tuple(shape), tuple(strides), v.offset), out_shape)


def capture_pixel_shuffle(args, kwargs, out_shape):
    return _copy(args[0], pixel_shuffle(_view(args), int(args[1])), out_shape)


def capture_pixel_unshuffle(args, kwargs, out_shape):
    return _copy(args[0], pixel_unshuffle(_view(args), int(args[1])), out_shape)


def params(graph, node):
    a = node.attrs
    pad = STRIDED_RANK - len(a["shape"])
    return "strided_copy_params_t", dict(shape=[1] * pad + a["shape"], strides=[0] * pad + a["strides"],
                                         offset=a["offset"])


CAPTURES = {
    "aten.slice.Tensor": capture_slice,
    "aten.narrow.default": capture_narrow,
    "aten.select.int": capture_select,
    "aten.expand.default": capture_expand,
    "aten.expand_as.default": capture_expand,
    "aten.repeat.default": capture_repeat,
    "aten.permute.default": capture_permute,
    "aten.transpose.int": capture_transpose,
    "aten.t.default": capture_t,
    "aten.movedim.int": capture_movedim,
    "aten.movedim.intlist": capture_movedim,
    "aten.swapaxes.default": capture_transpose,
    "aten.swapdims.default": capture_transpose,
    "aten.mT.default": capture_matrix_transpose,
    "aten.numpy_T.default": capture_numpy_t,
    "aten.repeat_interleave.self_int": capture_repeat_interleave,
    "aten.pixel_shuffle.default": capture_pixel_shuffle,
    "aten.pixel_unshuffle.default": capture_pixel_unshuffle,
    # multi-output ops: one strided copy per getitem (codegen/capture.py)
    "aten.split.Tensor[]": capture_split_piece,
    "aten.split_with_sizes.default[]": capture_split_piece,
    "aten.chunk.default[]": capture_chunk_piece,
    "aten.unbind.int[]": capture_unbind_piece,
}

SPECS = [OpSpec("strided_copy", 1, reference, captures=CAPTURES, params=params, call=params_call)]
