"""conv2d: 2-D convolution (NCHW, OIHW weights, optional bias), with a fusable activation.

conv1d is the same op on rank-3 tensors: [N, C, L] and [Co, Ci/g, K] are the bytes of
[N, C, 1, L] and [Co, Ci/g, 1, K], so a 1-D convolution is captured as conv2d with a height of
1 (stride, padding and dilation [1, s], [0, p], [1, d]) and runs every conv2d kernel and ISA
override whose predicate takes a 1xK window; nothing is copied or reshaped at run time.
"""

from __future__ import annotations

import numpy as np

from codegen.ops.activation import act_field, apply_activation
from codegen.ops.capture_util import UnsupportedOpError, pair
from codegen.ops.spec import OpSpec, params_call


def as_2d(shape) -> tuple[int, ...]:
    """A rank-3 (1-D) activation or weight shape as the 4-D one its kernel walks."""
    shape = tuple(shape)
    return shape[:2] + (1,) + shape[2:] if len(shape) == 3 else shape


def reference(x, w, b, attrs):
    one_d = x.ndim == 3
    x, w = x.reshape(as_2d(x.shape)), w.reshape(as_2d(w.shape))
    sh, sw = attrs["stride"]
    ph, pw = attrs["padding"]
    dh, dw = attrs["dilation"]
    groups = attrs["groups"]
    n, c_in, _, _ = x.shape
    c_out, c_in_g, kh, kw = w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    eff_h, eff_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    windows = np.lib.stride_tricks.sliding_window_view(xp, (eff_h, eff_w), axis=(2, 3))
    windows = windows[:, :, ::sh, ::sw, ::dh, ::dw]  # n, c, oh, ow, kh, kw
    out = []
    c_out_g = c_out // groups
    for g in range(groups):
        xs = windows[:, g * c_in_g:(g + 1) * c_in_g]
        ws = w[g * c_out_g:(g + 1) * c_out_g].astype(np.float64)
        out.append(np.einsum("ncyxij,ocij->noyx", xs, ws))
    y = np.concatenate(out, axis=1)
    if b is not None:
        y = y + b.astype(np.float64)[None, :, None, None]
    y = apply_activation(y.astype(np.float32), attrs.get("act", "none"))
    return y[:, :, 0] if one_d else y


def _fill(args, defaults) -> list:
    """ATen's positional arguments with the schema's defaults for the ones left out."""
    args = list(args)
    return args + list(defaults[len(args):])


def _same_padding(weight, dilation: list[int], stride: list[int]) -> list[int]:
    """padding='same' as symmetric padding: d*(k-1) split evenly, which needs it even."""
    if any(s != 1 for s in stride):
        raise UnsupportedOpError("padding='same' needs stride 1 (torch refuses it too)")
    kernel = [int(k) for k in weight.meta["val"].shape[2:]]
    total = [d * (k - 1) for d, k in zip(dilation, kernel)]
    if any(t % 2 for t in total):
        raise UnsupportedOpError(
            f"padding='same' with kernel {kernel} and dilation {dilation} pads one side more "
            "than the other, which conv2d kernels do not do: use an odd kernel size, or pad "
            "explicitly (F.pad) and use padding=0")
    return [t // 2 for t in total]


def _conv_attrs(weight, stride, padding, dilation, groups, one_d: bool) -> dict:
    if one_d:  # the 1-D window is the W axis of a height-1 image
        stride, dilation = [1, pair(stride)[-1]], [1, pair(dilation)[-1]]
        padding = padding if isinstance(padding, str) else [0, pair(padding)[-1]]
    else:
        stride, dilation = pair(stride), pair(dilation)
        padding = padding if isinstance(padding, str) else pair(padding)
    if padding == "valid":
        padding = [0, 0]
    elif padding == "same":
        padding = _same_padding(weight, dilation[1:] if one_d else dilation, stride)
        padding = [0] + padding if one_d else padding
    elif isinstance(padding, str):
        raise UnsupportedOpError(f"padding={padding!r}: use an int, a pair, 'same' or 'valid'")
    return {"stride": stride, "padding": padding, "dilation": dilation, "groups": int(groups),
            "act": "none"}


def _capturer(one_d: bool):
    def capture(args, kwargs, out_shape):
        x, w, b, stride, padding, dilation, groups = _fill(args, [None, None, None, 1, 0, 1, 1])[:7]
        return "conv2d", [x, w, b], _conv_attrs(w, stride, padding, dilation, groups, one_d)
    return capture


def capture_convolution(args, kwargs, out_shape):
    """aten.convolution: the generic form; conv_transpose2d.py takes transposed=True."""
    from codegen.ops.conv_transpose2d import capture_transposed

    x, w, b, stride, padding, dilation, transposed, output_padding, groups = args[:9]
    rank = len(out_shape)
    if rank not in (3, 4):
        raise UnsupportedOpError(f"a {rank - 2}-D convolution: only 1-D and 2-D ones lower")
    if transposed:
        return capture_transposed(x, w, b, stride, padding, output_padding, groups, dilation, rank == 3)
    return "conv2d", [x, w, b], _conv_attrs(w, stride, padding, dilation, groups, rank == 3)


def macs(inputs, output_shape, attrs):
    _, c_in_g, kh, kw = as_2d(inputs[1])
    return int(np.prod(output_shape)) * c_in_g * kh * kw


def params(graph, node):
    a = node.attrs
    n, c_in, h_in, w_in = as_2d(graph.tensors[node.inputs[0]].shape)
    _, c_out, h_out, w_out = as_2d(graph.tensors[node.outputs[0]].shape)
    _, _, kh, kw = as_2d(graph.tensors[node.inputs[1]].shape)
    return "conv2d_params_t", dict(
        n=n, c_in=c_in, h_in=h_in, w_in=w_in, c_out=c_out, h_out=h_out, w_out=w_out,
        kernel_h=kh, kernel_w=kw, stride_h=a["stride"][0], stride_w=a["stride"][1],
        pad_h=a["padding"][0], pad_w=a["padding"][1], dilation_h=a["dilation"][0],
        dilation_w=a["dilation"][1], groups=a["groups"], act=act_field(node))


CAPTURES = {"aten.conv2d.default": _capturer(False), "aten.conv2d.padding": _capturer(False),
            "aten.conv1d.default": _capturer(True), "aten.conv1d.padding": _capturer(True),
            "aten.convolution.default": capture_convolution}

SPECS = [OpSpec("conv2d", 2, reference, optional=1, captures=CAPTURES,
                macs=macs, params=params, call=params_call, fusable_activation=True)]
