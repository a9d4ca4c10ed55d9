"""Kernel cases of the reductions, softmax, layer norm and pooling (codegen/ops/reduce.py,
softmax.py, layer_norm.py, pool.py): one dim and several, keepdim, the channels of an image,
1-D and 2-D windows with padding and stride. Small: they share the image's RAM."""

from __future__ import annotations

from codegen.ops import evaluate


def _case(b, name, op, shape, *weights, **attrs):
    """An input of `shape`, optional constant operands (shape or "" for absent), one output
    whose shape the op's own reference gives."""
    x = b.input(f"{name}_x", shape)
    operands = [b.weight(f"{name}_w{i}", w, 1.0) if w else "" for i, w in enumerate(weights)]
    out_shape = evaluate(op, [b.input_values[-1]] + [b.graph.constants[w] if w else None
                                                      for w in operands], attrs).shape
    b.op(name, op, [x, *operands], out_shape, **attrs)


def _pool_attrs(kernel, stride, padding, out_hw, dims=2, count_include_pad=True, divisor=0):
    return dict(spatial_dims=dims, kernel=kernel, stride=stride, padding=padding, out_hw=out_hw,
                count_include_pad=count_include_pad, divisor_override=divisor)


def add_cases(b) -> None:
    _case(b, "sum_last", "sum", (1, 3, 5, 7), dims=[3], keepdim=False, correction=0)
    _case(b, "mean_hw_keepdim", "mean", (1, 4, 3, 5), dims=[2, 3], keepdim=True, correction=0)
    _case(b, "mean_all", "mean", (3, 5), dims=[0, 1], keepdim=True, correction=0)
    _case(b, "sum_outer_dims", "sum", (3, 4, 5), dims=[0, 2], keepdim=False, correction=0)
    _case(b, "var_channels", "var", (2, 5, 3, 3), dims=[1], keepdim=True, correction=1)
    _case(b, "softmax_channels", "softmax", (2, 5, 3), dim=1)
    _case(b, "softmax_last", "softmax", (3, 7), dim=1)
    _case(b, "layer_norm_last", "layer_norm", (2, 3, 8), (8,), (8,), axis=2, ndim=1, eps=1e-5,
          act="none")
    _case(b, "layer_norm_plain_silu", "layer_norm", (3, 10), "", "", axis=1, ndim=1, eps=1e-5,
          act="silu")
    # the "channels LayerNorm": normalise the C values of each pixel of an NCHW image
    _case(b, "layer_norm_channels", "layer_norm", (1, 6, 3, 4), (6, 1, 1), (6, 1, 1), axis=1,
          ndim=1, eps=1e-6, act="none")
    _case(b, "avg_pool2d_pad", "avg_pool2d", (1, 3, 7, 6),
          **_pool_attrs([3, 3], [2, 2], [1, 1], [4, 3], count_include_pad=False))
    _case(b, "avg_pool1d", "avg_pool2d", (2, 3, 10), **_pool_attrs([1, 3], [1, 2], [0, 1], [1, 5], 1))
    _case(b, "global_avg_pool", "avg_pool2d", (1, 4, 5, 3), **_pool_attrs([5, 3], [5, 3], [0, 0], [1, 1]))
    _case(b, "max_pool2d", "max_pool2d", (1, 3, 7, 8), **_pool_attrs([3, 3], [2, 2], [1, 1], [4, 4]))
    _case(b, "max_pool1d", "max_pool2d", (2, 3, 9), **_pool_attrs([1, 2], [1, 2], [0, 0], [1, 4], 1))
