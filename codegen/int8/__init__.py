"""TFLite's int8 arithmetic in numpy: the reference the int8 C kernels equal byte for byte.

`fixedpoint` holds the integer primitives (TFLite's QuantizeMultiplier and its double-rounding
MultiplyByQuantizedMultiplier, built from gemmlowp's SaturatingRoundingDoublingHighMul and
RoundingDivideByPOT); `params` derives an op's multipliers and shifts from the tensors' float
scales exactly as TFLite Micro's Prepare does; `ops` are the per-op references (conv2d,
depthwise conv2d, fully connected, add, mul, quantize, dequantize, requantize) and
`lut` the 256-entry tables of the int8 activations (logistic, tanh, hard swish), `softmax`
TFLite's fixed-point int8 softmax. Everything is exact integer arithmetic in int64 numpy
arrays holding int32 values, wrapped to int32 where the C code wraps, so results are bytes,
not approximations. docs/INT8.md lists what TFLite has.
"""
