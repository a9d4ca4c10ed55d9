"""The 1-bit ops lower_binary_conv produces (codegen/binary.py holds their bit arithmetic).

sign_pack: sign(x − threshold) packed 32 channels per u32 word ([N, H, W, words]); its
  output is bits in every precision, its kernel is named after what it reads.
binary_conv2d (W1A1): XOR-popcount of packed activations and packed weights, then
  · scale[c] + bias[c] and the folded output steps.
binary_weight_conv2d (W1A16): float activations, ±1 packed weights, same output step.
Inputs of both convs: x, weight bits, scale; optional bias and the folded steps shift_in,
slope, shift_out, res_scale, residual (codegen/passes/fold_binary_output.py).
"""

from __future__ import annotations

import numpy as np

from codegen import binary
from codegen.ops.conv2d import reference as conv2d_reference
from codegen.ops.spec import OpSpec, Precision, params_call


def _binary_conv2d(packed, packed_weight, scale, bias, *post_and_attrs):
    """post: shift_in, slope, shift_out, res_scale, residual (binary.post_output), any None."""
    *post, attrs = post_and_attrs
    dot = binary.binary_dot(packed, packed_weight, attrs["channels"], attrs["stride"],
                            attrs["padding"], attrs["out_size"])
    return binary.post_output(binary.scale_output(dot, scale, bias), *post)


def _binary_weight_conv2d(x, packed_weight, scale, bias, *post_and_attrs):
    """A float convolution with ±1 weights, then · scale[c] + bias[c] (float64 inside,
    rounded once to float32), then the folded steps (binary.post_output)."""
    *post, attrs = post_and_attrs
    signs = binary.unpack_signs(packed_weight, x.shape[1]).astype(np.float64)
    conv_attrs = dict(stride=attrs["stride"], padding=attrs["padding"], dilation=[1, 1], groups=1)
    y = conv2d_reference(x, signs, None, conv_attrs).astype(np.float64)
    y = y * scale.astype(np.float64).reshape(1, -1, 1, 1)
    y = (y if bias is None else y + bias.astype(np.float64).reshape(1, -1, 1, 1)).astype(np.float32)
    return binary.post_output(y, *post)


def _macs(inputs, output_shape, attrs):
    """Binary MACs: one ±1 product per input channel and tap (32 per XOR-popcount word)."""
    _, kh, kw, _ = inputs[1]
    return int(np.prod(output_shape)) * attrs["channels"] * kh * kw


def _conv_params(graph, node):
    a = node.attrs
    c_out, kh, kw, words = graph.tensors[node.inputs[1]].shape
    n, _, h_out, w_out = graph.tensors[node.outputs[0]].shape
    x = graph.tensors[node.inputs[0]].shape
    h_in, w_in = x[1:3] if node.op == "binary_conv2d" else x[2:]  # packed [N, H, W, words]
    return "binary_conv2d_params_t", dict(
        n=n, c_in=a["channels"], h_in=h_in, w_in=w_in, c_out=c_out, h_out=h_out, w_out=w_out,
        kernel_h=kh, kernel_w=kw, stride_h=a["stride"][0], stride_w=a["stride"][1],
        pad_h=a["padding"][0], pad_w=a["padding"][1], words=words)


def _sign_pack_params(graph, node):
    n, c, h, w = graph.tensors[node.inputs[0]].shape
    words = graph.tensors[node.outputs[0]].shape[3]
    return "sign_pack_params_t", dict(n=n, channels=c, h=h, w=w, words=words)


def _sign_pack_kernel(graph, node) -> str:
    return f"sign_pack_{graph.tensors[node.inputs[0]].dtype}"


SPECS = [
    OpSpec("sign_pack", 1, lambda x, t, a: binary.sign_pack(x, t), optional=1,
           params=_sign_pack_params, kernel=_sign_pack_kernel, call=params_call,
           precision=Precision(output_dtype="u32")),
    OpSpec("binary_conv2d", 3, _binary_conv2d, optional=6, macs=_macs, params=_conv_params,
           call=params_call),
    OpSpec("binary_weight_conv2d", 3, _binary_weight_conv2d, optional=6, macs=_macs,
           params=_conv_params, call=params_call),
]
