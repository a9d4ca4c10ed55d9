"""The int8 ops: what codegen/passes/quantize_int8.py lowers float layers into.

TFLite's arithmetic (docs/INT8.md): activations int8 with a scale and zero point per tensor,
weights int8 symmetric per output channel, int32 biases, requantisation by an int32
multiplier and shift. Each op's numpy reference is codegen/int8/ (bit-exact with TFLite
Micro), its kernel the portable `_s8` C kernel of the same arithmetic; the quantisation
parameters are node attributes fixed at build time:
- quantize / dequantize (float32 <-> int8 at a graph's float boundary): scale, zero_point;
- conv2d_s8, linear_s8: the float op's attrs plus input_offset (minus the input zero point),
  output_offset, act_min/act_max; inputs x, int8 weight, int32 bias, int32 multiplier and
  shift per output channel (constants);
- add_s8, sub_s8: add_params' fields (sub negates the second input's multiplier: TFLite's
  SUB is ADD with the second scaled input subtracted, and the rounding of a multiply by a
  quantized multiplier is odd-symmetric, so the bytes are the same);
- lut_s8: any int8 -> int8 elementwise function as a 256-entry table (a constant input);
- requantize_s8 (int8 -> int8 at other parameters, a concat operand): multiplier, shift,
  input_offset, output_offset;
- group_norm_s8 (EdgeDiff's integer group norm, codegen/int8/group_norm.py): groups, the
  offsets and clamp, eps_term; inputs x and the int32 per-channel multiplier, shift, bias.
  In place: the kernels read a group's statistics, then each element before writing it.
concat and upsample_nearest2d need no entry of their own: with an int8 output their kernels
(concat_i8, upsample_nearest2d_i8) copy bytes.
"""

from __future__ import annotations

import numpy as np

from codegen.int8 import group_norm as q8gn
from codegen.int8 import ops as q8
from codegen.int8.params import AddParams
from codegen.ops import conv2d, elementwise_binary, linear
from codegen.ops.spec import CallSite, OpSpec, Precision, params_call

INT8 = Precision(output_dtype="i8")


def _quant(a: dict) -> dict:
    return dict(input_offset=a["input_offset"], output_offset=a["output_offset"],
                act_min=a["act_min"], act_max=a["act_max"])


# --- float boundaries ----------------------------------------------------------------------
def _quantize_ref(x, attrs):
    return q8.quantize(x, attrs["scale"], attrs["zero_point"])


def _dequantize_ref(x, attrs):
    return q8.dequantize(x, attrs["scale"], attrs["zero_point"])


def _scale_params(graph, node):
    count = int(np.prod(graph.tensors[node.outputs[0]].shape, dtype=np.int64))
    return "quantize_s8_params_t", dict(count=count, scale=np.float32(node.attrs["scale"]),
                                        zero_point=node.attrs["zero_point"])


# --- conv and linear -----------------------------------------------------------------------
def _conv_ref(x, w, b, m, s, attrs):
    if x.ndim == 3:  # conv1d: the bytes of a height-1 image (conv2d.py)
        return _conv_ref(x[:, :, None], w[:, :, None], b, m, s, attrs)[:, :, 0]
    return q8.conv2d(x, w, b, m, s, input_offset=attrs["input_offset"], output_offset=attrs["output_offset"],
                     stride=attrs["stride"], padding=attrs["padding"], dilation=attrs["dilation"],
                     groups=attrs["groups"], act_min=attrs["act_min"], act_max=attrs["act_max"])


def _conv_params(graph, node):
    _, fields = conv2d.params(graph, node)
    return "conv2d_s8_params_t", dict(conv=fields, q=_quant(node.attrs))


def _linear_ref(x, w, b, m, s, attrs):
    rows = x.reshape(-1, w.shape[1])
    out = q8.linear(rows, w, b, m, s, input_offset=attrs["input_offset"], output_offset=attrs["output_offset"],
                    act_min=attrs["act_min"], act_max=attrs["act_max"])
    return out.reshape(x.shape[:-1] + (w.shape[0],))


def _linear_params(graph, node):
    _, fields = linear.params(graph, node)
    return "linear_s8_params_t", dict(linear=fields, q=_quant(node.attrs))


# --- add / sub -----------------------------------------------------------------------------
ADD_FIELDS = ("input1_offset", "input2_offset", "output_offset", "left_shift", "input1_multiplier",
              "input1_shift", "input2_multiplier", "input2_shift", "output_multiplier", "output_shift",
              "act_min", "act_max")


def _add_ref(a, b, attrs):
    return q8.add(a, b, AddParams(**{k: attrs[k] for k in ADD_FIELDS}))


def _add_params(graph, node):
    _, shape = elementwise_binary.params(graph, node)
    return "binary_s8_params_t", dict(shape=shape, **{k: node.attrs[k] for k in ADD_FIELDS})


# --- tables --------------------------------------------------------------------------------
def _lut_ref(x, table, attrs):
    return np.asarray(table, dtype=np.int8)[x.astype(np.int64) + 128]


def _lut_call(site: CallSite) -> list[str]:
    return [f"{site.function}({site.inputs[1]}, {site.inputs[0]}, {site.output}, {site.count});"]


# --- requantize, group norm ---------------------------------------------------------------
def _requantize_ref(x, attrs):
    return q8.requantize(x, attrs["multiplier"], attrs["shift"], -attrs["input_offset"], attrs["output_offset"])


def _requantize_params(graph, node):
    count = int(np.prod(graph.tensors[node.outputs[0]].shape, dtype=np.int64))
    a = node.attrs
    return "requantize_s8_params_t", dict(count=count, input_offset=a["input_offset"], output_offset=a["output_offset"],
                                          multiplier=a["multiplier"], shift=a["shift"])


def _group_norm_ref(x, m, s, b, attrs):
    p = q8gn.GroupNormS8Params(np.asarray(m), np.asarray(s), np.asarray(b), attrs["eps_term"])
    return q8gn.group_norm(x, attrs["groups"], p, input_offset=attrs["input_offset"],
                           output_offset=attrs["output_offset"], act_min=attrs["act_min"], act_max=attrs["act_max"])


def _group_norm_params(graph, node):
    n, c, *rest = graph.tensors[node.inputs[0]].shape
    a = node.attrs
    return "group_norm_s8_params_t", dict(n=n, channels=c, spatial=int(np.prod(rest, dtype=np.int64)),
                                          groups=a["groups"], **_quant(a), eps_term=a["eps_term"])


def _fixed(name: str):
    return lambda graph, node: name


SPECS = [
    OpSpec("quantize", 1, _quantize_ref, params=_scale_params, call=params_call,
           kernel=_fixed("quantize_f32_to_s8"),
           precision=Precision(fp32_operands=frozenset({0}), output_dtype="i8")),
    OpSpec("dequantize", 1, _dequantize_ref, params=_scale_params, call=params_call,
           kernel=_fixed("dequantize_s8_to_f32"), precision=Precision(output_dtype="f32")),
    OpSpec("conv2d_s8", 5, _conv_ref, macs=conv2d.macs, params=_conv_params, call=params_call,
           kernel=_fixed("conv2d_s8"), precision=INT8),
    OpSpec("linear_s8", 5, _linear_ref, macs=linear.macs, params=_linear_params, call=params_call,
           kernel=_fixed("linear_s8"), precision=INT8),
    OpSpec("add_s8", 2, _add_ref, layout=elementwise_binary.layout, params=_add_params, call=params_call,
           kernel=_fixed("add_s8"), precision=INT8, elementwise=True),
    OpSpec("requantize_s8", 1, _requantize_ref, params=_requantize_params, call=params_call,
           kernel=_fixed("requantize_s8"), precision=INT8, elementwise=True),
    OpSpec("group_norm_s8", 4, _group_norm_ref, params=_group_norm_params, call=params_call,
           kernel=_fixed("group_norm_s8"), precision=INT8, in_place=True),
    OpSpec("lut_s8", 2, _lut_ref, call=_lut_call, kernel=_fixed("lut_s8"), precision=INT8, elementwise=True),
]
