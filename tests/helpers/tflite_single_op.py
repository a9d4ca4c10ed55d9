"""One-op int8 .tflite flatbuffers, written directly with the LiteRT schema, and run on the
tflite-micro wheel (TFLite Micro's interpreter and reference kernels).

Writing the flatbuffer by hand (not converting a torch model) lets a test choose every
scale, zero point, weight and bias, including the edges a converter would never produce, and
know exactly which TFLite op runs. The quantization parameters are read back from the
serialized model (`tensor_quant`), so the numpy reference and TFLite Micro use the same
float32 values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ai_edge_litert import schema_py_generated as fb
from ai_edge_litert.tools import flatbuffer_utils
from tflite_micro.python.tflite_micro import runtime

TYPES = {np.int8: fb.TensorType.INT8, np.int32: fb.TensorType.INT32,
         np.float32: fb.TensorType.FLOAT32}
ACTIVATIONS = {"NONE": fb.ActivationFunctionType.NONE, "RELU": fb.ActivationFunctionType.RELU,
               "RELU6": fb.ActivationFunctionType.RELU6,
               "RELU_N1_TO_1": fb.ActivationFunctionType.RELU_N1_TO_1}


@dataclass
class Tensor:
    shape: tuple
    dtype: type
    scale: list | None = None  # None: a float tensor
    zero_point: list | None = None
    axis: int = 0
    data: np.ndarray | None = None  # a constant


@dataclass
class SingleOp:
    """An op (or a short chain) over tensors; `inputs`/`outputs` index `tensors`."""

    op: int  # fb.BuiltinOperator
    tensors: list[Tensor]
    inputs: list[int]
    outputs: list[int]
    options_type: int = fb.BuiltinOptions.NONE
    options: object = None
    graph_inputs: list[int] = field(default_factory=list)
    # further ops run after the first, as (op, inputs, outputs, options_type, options); the
    # graph's output is then the last op's
    then: list[tuple] = field(default_factory=list)

    def serialize(self) -> bytes:
        buffers = [fb.BufferT()]
        tensors = []
        for i, t in enumerate(self.tensors):
            tt = fb.TensorT()
            tt.shape = list(t.shape)
            tt.type = TYPES[t.dtype]
            tt.name = f"t{i}"
            tt.buffer = 0
            if t.data is not None:
                buf = fb.BufferT()
                buf.data = np.frombuffer(np.ascontiguousarray(t.data, dtype=t.dtype).tobytes(),
                                         dtype=np.uint8)
                buffers.append(buf)
                tt.buffer = len(buffers) - 1
            if t.scale is not None:
                qp = fb.QuantizationParametersT()
                qp.scale = [float(s) for s in t.scale]
                qp.zeroPoint = [int(z) for z in t.zero_point]
                qp.quantizedDimension = t.axis
                tt.quantization = qp
            tensors.append(tt)
        codes, operators = [], []
        for kind, inputs, outputs, options_type, options in [
                (self.op, self.inputs, self.outputs, self.options_type, self.options), *self.then]:
            if kind not in [c.builtinCode for c in codes]:
                code = fb.OperatorCodeT()
                code.builtinCode = kind
                code.deprecatedBuiltinCode = min(kind, 127)
                code.version = 1
                codes.append(code)
            op = fb.OperatorT()
            op.opcodeIndex = [c.builtinCode for c in codes].index(kind)
            op.inputs, op.outputs = list(inputs), list(outputs)
            op.builtinOptionsType = options_type
            op.builtinOptions = options
            operators.append(op)
        graph = fb.SubGraphT()
        graph.tensors = tensors
        graph.inputs = list(self.graph_inputs)
        graph.outputs = list(operators[-1].outputs)
        graph.operators = operators
        graph.name = "main"
        model = fb.ModelT()
        model.version = 3
        model.operatorCodes = codes
        model.subgraphs = [graph]
        model.buffers = buffers
        model.description = "edgediff single-op int8 test"
        return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def tensor_quant(model: bytes, index: int) -> tuple[np.ndarray, np.ndarray]:
    """(scales float32, zero points) of tensor `index` as stored in the serialized model."""
    t = flatbuffer_utils.convert_bytearray_to_object(model).subgraphs[0].tensors[index]
    return (np.asarray(t.quantization.scale, dtype=np.float32),
            np.asarray(t.quantization.zeroPoint, dtype=np.int64))


def run_tflm(model: bytes, inputs: list[np.ndarray]) -> np.ndarray:
    """TFLite Micro's output 0 for `inputs` (an arena of 4x the tensors' bytes + 64 KiB)."""
    arena = 4 * sum(x.nbytes for x in inputs) + (1 << 16)
    interp = runtime.Interpreter.from_bytes(model, arena_size=arena)
    for i, x in enumerate(inputs):
        interp.set_input(np.ascontiguousarray(x), i)
    interp.invoke()
    return np.array(interp.get_output(0))


def conv_options(stride: int, same: bool, act: str, depthwise_multiplier: int | None = None):
    o = fb.DepthwiseConv2DOptionsT() if depthwise_multiplier else fb.Conv2DOptionsT()
    o.padding = fb.Padding.SAME if same else fb.Padding.VALID
    o.strideH = o.strideW = stride
    o.dilationHFactor = o.dilationWFactor = 1
    o.fusedActivationFunction = ACTIVATIONS[act]
    if depthwise_multiplier:
        o.depthMultiplier = depthwise_multiplier
    return o


def fc_options(act: str):
    o = fb.FullyConnectedOptionsT()
    o.fusedActivationFunction = ACTIVATIONS[act]
    o.keepNumDims = False
    return o


def binary_options(op: int, act: str):
    o = fb.AddOptionsT() if op == fb.BuiltinOperator.ADD else fb.MulOptionsT()
    o.fusedActivationFunction = ACTIVATIONS[act]
    return o
