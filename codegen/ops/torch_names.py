"""ATen targets in the names a PyTorch user writes: `aten.gelu.default` → `torch.nn.functional.gelu`
(`nn.GELU`).

The unsupported-op table (codegen/unsupported.py) and `sdk ops` (sdk/report/ops_doc.py) show
these names; the ATen target stays beside them for the precise form. A static table rather
than torch's own lookup, so the names do not change with the installed torch and the page
docs/OPS.md is the same on every machine. An op missing here is shown as `torch.<name>`.
"""

from __future__ import annotations

import re

F = "torch.nn.functional."

# ATen base name (no namespace, no overload, no trailing _) -> (function, modules).
NAMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "conv1d": (F + "conv1d", ("nn.Conv1d",)),
    "conv2d": (F + "conv2d", ("nn.Conv2d",)),
    "convolution": (F + "conv2d", ("nn.Conv2d", "nn.ConvTranspose2d")),
    "conv_transpose1d": (F + "conv_transpose1d", ("nn.ConvTranspose1d",)),
    "conv_transpose2d": (F + "conv_transpose2d", ("nn.ConvTranspose2d",)),
    "linear": (F + "linear", ("nn.Linear",)),
    "addmm": (F + "linear", ("nn.Linear",)),
    "matmul": ("torch.matmul", ()),
    "bmm": ("torch.bmm", ()),
    "mm": ("torch.mm", ()),
    "group_norm": (F + "group_norm", ("nn.GroupNorm",)),
    "native_group_norm": (F + "group_norm", ("nn.GroupNorm",)),
    "layer_norm": (F + "layer_norm", ("nn.LayerNorm",)),
    "native_layer_norm": (F + "layer_norm", ("nn.LayerNorm",)),
    "batch_norm": (F + "batch_norm", ("nn.BatchNorm1d", "nn.BatchNorm2d")),
    "_native_batch_norm_legit_no_training": (F + "batch_norm", ("nn.BatchNorm1d", "nn.BatchNorm2d")),
    "instance_norm": (F + "instance_norm", ("nn.InstanceNorm1d", "nn.InstanceNorm2d")),
    "add": ("torch.add (+)", ()),
    "sub": ("torch.sub (-)", ()),
    "rsub": ("torch.rsub (number - tensor)", ()),
    "mul": ("torch.mul (*)", ()),
    "div": ("torch.div (/)", ()),
    "neg": ("torch.neg (unary -)", ()),
    "abs": ("torch.abs", ()),
    "exp": ("torch.exp", ()),
    "log": ("torch.log", ()),
    "sqrt": ("torch.sqrt", ()),
    "rsqrt": ("torch.rsqrt", ()),
    "pow": ("torch.pow (**)", ()),
    "sin": ("torch.sin", ()),
    "cos": ("torch.cos", ()),
    "sign": ("torch.sign", ()),
    "relu": (F + "relu", ("nn.ReLU",)),
    "silu": (F + "silu", ("nn.SiLU",)),
    "gelu": (F + "gelu", ("nn.GELU",)),
    "tanh": ("torch.tanh", ("nn.Tanh",)),
    "sigmoid": ("torch.sigmoid", ("nn.Sigmoid",)),
    "leaky_relu": (F + "leaky_relu", ("nn.LeakyReLU",)),
    "elu": (F + "elu", ("nn.ELU",)),
    "hardswish": (F + "hardswish", ("nn.Hardswish",)),
    "hardtanh": (F + "hardtanh", ("nn.Hardtanh", "nn.ReLU6")),
    "mish": (F + "mish", ("nn.Mish",)),
    "prelu": (F + "prelu", ("nn.PReLU",)),
    "_prelu_kernel": (F + "prelu", ("nn.PReLU",)),
    "clamp": ("torch.clamp", ()),
    "softmax": ("torch.softmax", ("nn.Softmax",)),
    "_softmax": ("torch.softmax", ("nn.Softmax",)),
    "scaled_dot_product_attention": (F + "scaled_dot_product_attention", ()),
    "mean": ("torch.mean", ()),
    "sum": ("torch.sum", ()),
    "cat": ("torch.cat", ()),
    "concat": ("torch.cat", ()),
    "stack": ("torch.stack", ()),
    "slice": ("tensor[a:b] (slicing)", ()),
    "narrow": ("torch.narrow", ()),
    "chunk": ("torch.chunk", ()),
    "split": ("torch.split", ()),
    "split_with_sizes": ("torch.split", ()),
    "select": ("tensor[i] (indexing)", ()),
    "index": ("tensor[index_tensor] (advanced indexing)", ()),
    "repeat": ("Tensor.repeat", ()),
    "expand": ("Tensor.expand", ()),
    "permute": ("torch.permute", ()),
    "transpose": ("torch.transpose", ()),
    "t": ("Tensor.t", ()),
    "pad": (F + "pad", ()),
    "constant_pad_nd": (F + "pad (constant)", ()),
    "reflection_pad1d": (F + "pad (reflect)", ("nn.ReflectionPad1d",)),
    "reflection_pad2d": (F + "pad (reflect)", ("nn.ReflectionPad2d",)),
    "replication_pad1d": (F + "pad (replicate)", ("nn.ReplicationPad1d",)),
    "replication_pad2d": (F + "pad (replicate)", ("nn.ReplicationPad2d",)),
    "avg_pool1d": (F + "avg_pool1d", ("nn.AvgPool1d",)),
    "avg_pool2d": (F + "avg_pool2d", ("nn.AvgPool2d",)),
    "max_pool1d": (F + "max_pool1d", ("nn.MaxPool1d",)),
    "max_pool2d": (F + "max_pool2d", ("nn.MaxPool2d",)),
    "adaptive_avg_pool2d": (F + "adaptive_avg_pool2d", ("nn.AdaptiveAvgPool2d",)),
    "pixel_shuffle": (F + "pixel_shuffle", ("nn.PixelShuffle",)),
    "pixel_unshuffle": (F + "pixel_unshuffle", ("nn.PixelUnshuffle",)),
    "upsample_nearest1d": (F + "interpolate (nearest)", ("nn.Upsample",)),
    "upsample_nearest2d": (F + "interpolate (nearest)", ("nn.Upsample",)),
    "upsample_bilinear2d": (F + "interpolate (bilinear)", ("nn.Upsample",)),
    "upsample_linear1d": (F + "interpolate (linear)", ("nn.Upsample",)),
    "reshape": ("torch.reshape", ()),
    "view": ("Tensor.view", ()),
    "_unsafe_view": ("Tensor.view", ()),
    "unsqueeze": ("torch.unsqueeze", ()),
    "squeeze": ("torch.squeeze", ()),
    "flatten": ("torch.flatten", ("nn.Flatten",)),
    "to": ("Tensor.to (dtype)", ()),
    "_to_copy": ("Tensor.to (dtype)", ()),
    "type_as": ("Tensor.type_as", ()),
    "embedding": (F + "embedding", ("nn.Embedding",)),
    "_adaptive_avg_pool2d": (F + "adaptive_avg_pool2d", ("nn.AdaptiveAvgPool2d",)),
    "adaptive_avg_pool1d": (F + "adaptive_avg_pool1d", ("nn.AdaptiveAvgPool1d",)),
    "max_pool1d_with_indices": (F + "max_pool1d", ("nn.MaxPool1d",)),
    "max_pool2d_with_indices": (F + "max_pool2d", ("nn.MaxPool2d",)),
    "clamp_min": ("torch.clamp (min only)", ()),
    "clamp_max": ("torch.clamp (max only)", ()),
    "expand_as": ("Tensor.expand_as", ()),
    "reciprocal": ("torch.reciprocal (1 / x)", ()),
    "relu6": (F + "relu6", ("nn.ReLU6",)),
    "square": ("torch.square", ()),
    "true_divide": ("torch.true_divide (/)", ()),
    "var": ("torch.var", ()),
    "unbind": ("torch.unbind", ()),
    "mT": ("Tensor.mT", ()),
    "numpy_T": ("Tensor.T", ()),
    "view_as": ("Tensor.view_as", ()),
    "reshape_as": ("Tensor.reshape_as", ()),
    "repeat_interleave": ("Tensor.repeat_interleave", ()),
    "swapaxes": ("torch.swapaxes", ()),
    "swapdims": ("torch.swapdims", ()),
}

_TARGET = re.compile(r"^(?:(\w+)\.)?(\w+?)(?:\.\w+)?$")


def base_name(target: str) -> str:
    """`aten.silu_.default` → `silu` (the in-place and out= variants are the same op to a user;
    `aten.split.Tensor[]`, a multi-output op's capture key, → `split`)."""
    match = _TARGET.match(target.removesuffix("[]"))
    name = match.group(2) if match else target
    return name[:-1] if name.endswith("_") and not name.startswith("_") else name


def torch_name(target: str) -> str:
    """The function a user calls for an ATen target, e.g. `torch.nn.functional.gelu`."""
    base = base_name(target)
    return NAMES[base][0] if base in NAMES else f"torch.{base}"


def torch_modules(target: str) -> tuple[str, ...]:
    """The nn modules that produce it (may be empty), e.g. (`nn.GELU`,)."""
    return NAMES.get(base_name(target), ("", ()))[1]


def readable(target: str) -> str:
    """`torch.nn.functional.gelu / nn.GELU`: the function and its modules, for tables."""
    return " / ".join([torch_name(target), *torch_modules(target)])
