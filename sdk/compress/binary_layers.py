"""BinaryConv2d (ReActNet-style) and the surgery that puts it into a TinyUNet.

Which layers become binary: by default the 3×3 convolutions of every ResBlock and the
stride-2 downsample convolutions: 94% of the zoo UNet's MACs (width 16). The stem (its
input is the 1-channel image), out_conv (its output is the prediction), the 1×1 skip
convolutions, the time embedding MLP, the `emb` linears and the norms stay float.

`layers` patterns (fnmatch, on module names such as `mid.conv1` or `downsamples.*`) may
choose differently. Any ungrouped, undilated Conv2d can be binarized: naming one the
default keeps float (stem, out_conv, a skip conv) binarizes it with a warning that it
usually costs quality. A Linear, a norm or a grouped/dilated conv has no binary form here
(no XNOR kernel exists for it), so naming one warns and keeps it float. Nothing is
skipped silently.
"""

from __future__ import annotations

import logging
from fnmatch import fnmatchcase

import torch
import torch.nn.functional as F
from torch import nn

from sdk.compress import binary_ops  # noqa: F401  (registers torch.ops.edgediff.sign)
from sdk.models.unet import ResBlock

MODES = ("w1a1", "w1a16")
log = logging.getLogger(__name__)


class BinaryConv2d(nn.Module):
    """A convolution with weights alpha[co]·sign(W) and, in W1A1, activations sign(x − beta).

    out = RPReLU(conv(a, alpha·sign(W)) + bias) + s·x, where
    - a = edgediff.sign(x − beta) (RSign: a learnable threshold per input channel) in W1A1,
      a = x in W1A16;
    - alpha = mean |W| per output channel, recomputed from W in forward: at export W is a
      constant, the whole weight expression folds into one conv weight that is exactly
      ±alpha[co] (sign(0) = +1, so no zero weights);
    - RPReLU(y) = prelu(y − gamma, slope) + zeta, per output channel: it moves the
      distribution the binary conv outputs to where the float layer's output was;
    - s·x: a learnable per-channel shortcut, when input and output have the same shape
      (stride 1, 'same' padding, c_in = c_out), carrying float information past the 1-bit
      bottleneck. A conv that changes the shape has none (a projection would itself be a
      float conv).
    The layer starts as close to the float conv as a binary one can: slope 1 (RPReLU is
    the identity), s = 0, beta = gamma = zeta = 0.
    """

    def __init__(self, conv: nn.Conv2d, mode: str):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"binary mode {mode!r} is not one of {', '.join(MODES)}")
        if _unsupported(conv):
            raise ValueError(f"cannot binarize {conv}: {_unsupported(conv)}")
        c_in, c_out = conv.in_channels, conv.out_channels
        self.mode = mode
        self.stride, self.padding = conv.stride, conv.padding
        self.weight = nn.Parameter(conv.weight.detach().clone())
        self.bias = nn.Parameter(conv.bias.detach().clone()) if conv.bias is not None else None
        self.beta = nn.Parameter(torch.zeros(1, c_in, 1, 1)) if mode == "w1a1" else None
        self.gamma = nn.Parameter(torch.zeros(1, c_out, 1, 1))
        self.slope = nn.Parameter(torch.ones(c_out))
        self.zeta = nn.Parameter(torch.zeros(1, c_out, 1, 1))
        same_shape = (c_in == c_out and all(s == 1 for s in conv.stride)
                      and all(2 * p == k - 1 for p, k in zip(conv.padding, conv.kernel_size)))
        self.scale = nn.Parameter(torch.zeros(1, c_out, 1, 1)) if same_shape else None
        self.o = 1.0  # ReSTE sharpness, set by the training loop; forward does not depend on it

    def binary_weight(self) -> torch.Tensor:
        """alpha·sign(W); the gradient reaches W straight through sign (and through alpha)."""
        w = self.weight
        alpha = w.abs().mean(dim=(1, 2, 3), keepdim=True)
        signs = torch.where(w >= 0, torch.ones_like(w), -torch.ones_like(w))
        return alpha * (signs + (w - w.detach()))  # w − w is exactly 0: the value stays ±alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = torch.ops.edgediff.sign(x - self.beta, self.o) if self.beta is not None else x
        y = F.conv2d(a, self.binary_weight(), self.bias, self.stride, self.padding)
        y = F.prelu(y - self.gamma, self.slope) + self.zeta
        return y + self.scale * x if self.scale is not None else y


def _unsupported(module: nn.Module) -> str:
    """Why a module has no binary form here ('' when it has one)."""
    if not isinstance(module, nn.Conv2d):
        return f"a {type(module).__name__} has no binary form (only Conv2d does)"
    if module.groups != 1 or module.dilation != (1, 1):
        return "grouped and dilated convolutions have no binary kernel"
    if module.padding_mode != "zeros" or isinstance(module.padding, str):
        return "only explicit zero padding is supported"
    return ""


def default_layers(model: nn.Module) -> list[str]:
    """The ResBlocks' 3×3 convs and the downsample convs, in module order."""
    names = []
    for name, module in model.named_modules():
        parent, _, leaf = name.rpartition(".")
        in_block = leaf in ("conv1", "conv2") and isinstance(model.get_submodule(parent), ResBlock)
        if isinstance(module, nn.Conv2d) and (in_block or parent == "downsamples"):
            names.append(name)
    return names


def select_layers(model: nn.Module, patterns: list[str] | None) -> list[str]:
    """Names of the layers `patterns` choose (None: the defaults), warning for each named
    layer that cannot be binarized or that the defaults keep float."""
    defaults = default_layers(model)
    if patterns is None:
        return defaults
    weighted = [name for name, m in model.named_modules()  # leaf modules with weights
                if next(m.children(), None) is None and next(m.parameters(recurse=False), None) is not None]
    for pattern in patterns:
        if not any(fnmatchcase(name, pattern) for name in weighted):
            raise ValueError(f"layer pattern {pattern!r} names no layer; the default binary layers "
                             f"are {', '.join(defaults)}")
    chosen = []
    for name in weighted:
        if not any(fnmatchcase(name, pattern) for pattern in patterns):
            continue
        module = model.get_submodule(name)
        if _unsupported(module):
            log.warning("warning: %s cannot be binarized (%s); it stays float", name, _unsupported(module))
            continue
        if name not in defaults:
            log.warning("warning: binarizing %s, which stays float by default (the stem reads the "
                        "image, out_conv writes the prediction, 1×1 skips carry the ResBlocks' float "
                        "path; all cost few MACs): expect a quality loss", name)
        chosen.append(name)
    return chosen


def apply_binary(model: nn.Module, mode: str, names: list[str]) -> nn.Module:
    """Replace the named convolutions by BinaryConv2d initialised from them, in place."""
    for name in names:
        parent, _, leaf = name.rpartition(".")
        setattr(model.get_submodule(parent), leaf, BinaryConv2d(model.get_submodule(name), mode))
    return model


def binarize_model(model: nn.Module, mode: str = "w1a1", layers: list[str] | None = None) -> list[str]:
    """Binarize the layers `layers` selects (default: all eligible) in place; returns their names."""
    if mode not in MODES:
        raise ValueError(f"binary mode {mode!r} is not one of {', '.join(MODES)}")
    names = select_layers(model, layers)
    apply_binary(model, mode, names)
    return names
