"""Kernel cases of the SIMD conv1d and layer norm overrides of #13 (mve/ and rvv/
conv1d_<dtype>_<isa>, layer_norm_<dtype>_<isa>): 1xK convolutions with K = 3, 5, 7 and 1,
stride 1 and 2, padding from none to more than the kernel's reach (outputs at both ends of a
row are then computed without some taps), output channels that leave a partial block, rows
shorter than a vector and widths that are not a multiple of one (4, 8 or 16 lanes), a 1xK
conv2d on a 2-D image (stride 2 over rows); layer norm along the last dim (inner == 1) and
over the channels of an image (inner > 1), with sizes and pixel counts that leave partial
vectors, with and without γ/β, with fused activations. Small: this image shares the
cortex-m55's RAM with the other families' cases.

SIMD_CASES: the cases that must run the ISA kernel on cortex-m55 and rv32v, each with the
kernel's base name where it is not the op's (a conv1d override serves the conv2d op)."""

from __future__ import annotations

import numpy as np

from codegen.ops import evaluate
from tests.kernel_cases import CaseBuilder


def _conv1xk(b: CaseBuilder, name, c_in, c_out, size, k, stride=1, pad=0, act="none", bias=True):
    """size: (w,) for conv1d (rank-3 tensors), (h, w) for a 1xK conv2d (stride over rows too)."""
    one_d = len(size) == 1
    x = b.input(f"{name}_x", (1, c_in, *size))
    kernel = (k,) if one_d else (1, k)
    wt = b.weight(f"{name}_w", (c_out, c_in, *kernel), 1 / np.sqrt(c_in * k))
    bs = b.weight(f"{name}_b", (c_out,), 0.1) if bias else ""
    w_out = (size[-1] + 2 * pad - k) // stride + 1
    out = (w_out,) if one_d else ((size[0] - 1) // stride + 1, w_out)
    b.op(name, "conv2d", [x, wt, bs], (1, c_out, *out), stride=[1 if one_d else stride, stride],
         padding=[0, pad], dilation=[1, 1], groups=1, act=act)


def _layer_norm(b: CaseBuilder, name, shape, axis, affine=True, act="none"):
    """Normalise dim `axis` (the last: nn.LayerNorm; 1 of an NCHW image: the channels)."""
    x = b.input(f"{name}_x", shape)
    c = shape[axis]
    bshape = (c,) + (1,) * (len(shape) - axis - 1)
    gamma = b.weight(f"{name}_g", bshape, 1.0) if affine else ""
    beta = b.weight(f"{name}_b", bshape, 0.5) if affine else ""
    b.input_values[-1] += 0.5  # a mean away from 0, so a dropped mean shows
    attrs = dict(axis=axis, ndim=1, eps=1e-5, act=act)
    out = evaluate("layer_norm", [b.input_values[-1], None, None], attrs).shape
    b.op(name, "layer_norm", [x, gamma, beta], out, **attrs)


SIMD_CASES = {
    "c1_k3": "conv1d", "c1_k5_s2": "conv1d", "c1_k7_p0": "conv1d", "c1_k7_s2_p3": "conv1d",
    "c1_k3_p2": "conv1d", "c1_short": "conv1d", "c1_one_out": "conv1d", "c1_k1_s2": "conv1d",
    "c1_2d_s2": "conv1d",
    "ln_last_odd": "layer_norm", "ln_last_64": "layer_norm", "ln_last_tiny": "layer_norm",
    "ln_channels": "layer_norm", "ln_channels_relu": "layer_norm",
    "ln_channels_one_pixel_short": "layer_norm",
}


def add_cases(b: CaseBuilder) -> None:
    _conv1xk(b, "c1_k3", 5, 7, (37,), 3, pad=1, act="silu")
    _conv1xk(b, "c1_k5_s2", 6, 4, (29,), 5, stride=2, pad=2, act="relu")
    _conv1xk(b, "c1_k7_p0", 3, 5, (21,), 7, bias=False)
    _conv1xk(b, "c1_k7_s2_p3", 4, 6, (26,), 7, stride=2, pad=3)
    _conv1xk(b, "c1_k3_p2", 4, 3, (19,), 3, pad=2)  # past the kernel's reach at both ends
    _conv1xk(b, "c1_short", 3, 5, (5,), 5, pad=2)  # one output with every tap inside
    _conv1xk(b, "c1_one_out", 6, 1, (33,), 5, stride=2, pad=1)
    _conv1xk(b, "c1_k1_s2", 5, 6, (17,), 1, stride=2)  # a 1x1 the conv2d override leaves
    _conv1xk(b, "c1_2d_s2", 3, 5, (5, 23), 3, stride=2, pad=1)
    _layer_norm(b, "ln_last_odd", (3, 37), 1)
    _layer_norm(b, "ln_last_64", (2, 3, 64), 2, act="silu")
    _layer_norm(b, "ln_last_tiny", (4, 3), 1, affine=False)
    _layer_norm(b, "ln_channels", (2, 12, 5, 7), 1)  # 35 pixels: a partial last vector
    _layer_norm(b, "ln_channels_relu", (1, 5, 4, 4), 1, affine=False, act="relu")
    _layer_norm(b, "ln_channels_one_pixel_short", (3, 4, 1, 3), 1, act="silu")

# The 1xK convolutions run conv1d_*_fpu on a scalar FPU target (#14).
FPU_CASES = {name: "conv1d" for name, kernel in SIMD_CASES.items() if kernel == "conv1d"}
