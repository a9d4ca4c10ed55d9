"""A small time-conditioned UNet denoiser, sized for microcontrollers.

Every block is made of ops the EdgeDiff code generator lowers to C: Conv2d, GroupNorm,
SiLU, stride-2 convolution for downsampling, nearest upsampling, channel concat skips, and
a sinusoidal timestep embedding followed by an MLP.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class SinusoidalEmbedding(nn.Module):
    """Maps a float timestep to [sin(t*f_k), cos(t*f_k)] with geometric frequencies.

    The frequencies are a buffer rather than computed in forward so the exported graph is
    a single multiply, not an arange/exp chain the device would recompute every call.
    """

    def __init__(self, dim: int, max_period: float = 10000.0):
        super().__init__()
        half = dim // 2
        freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
        self.register_buffer("freqs", freqs[None, :])

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        angles = t[:, None] * self.freqs
        return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)


def _groups(channels: int, max_groups: int) -> int:
    """Largest group count ≤ max_groups that divides channels."""
    return next(g for g in range(min(max_groups, channels), 0, -1) if channels % g == 0)


def _conv3(c_in: int, c_out: int, signal_1d: bool, stride: int = 1) -> nn.Conv2d:
    """3x3 convolution, or 1x3 along the width for 1-D signals stored as [N, C, 1, W]."""
    if signal_1d:
        return nn.Conv2d(c_in, c_out, (1, 3), stride=(1, stride), padding=(0, 1))
    return nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1)


class ResBlock(nn.Module):
    """GroupNorm-SiLU-Conv twice, with the time embedding added in between."""

    def __init__(self, c_in: int, c_out: int, emb_dim: int, groups: int, signal_1d: bool = False):
        super().__init__()
        self.norm1 = nn.GroupNorm(_groups(c_in, groups), c_in)
        self.conv1 = _conv3(c_in, c_out, signal_1d)
        self.emb = nn.Linear(emb_dim, c_out)
        self.norm2 = nn.GroupNorm(_groups(c_out, groups), c_out)
        self.conv2 = _conv3(c_out, c_out, signal_1d)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()
        self.act = nn.SiLU()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(self.act(self.norm1(x)))
        h = h + self.emb(emb)[:, :, None, None]
        h = self.conv2(self.act(self.norm2(h)))
        return h + self.skip(x)


class TinyUNet(nn.Module):
    """UNet with `depth` resolution levels of `width * mult[i]` channels.

    forward(x, t): x is [N, C, H, W] (H, W divisible by 2**(depth-1)), t is [N] float
    timesteps; returns a tensor shaped like x (the predicted noise or clean image).
    signal_1d: x is a 1-D signal stored as [N, C, 1, W]; kernels are 1x3, resampling is
    along W only (same ops, so the same code generator and kernels serve it).
    """

    def __init__(self, in_channels: int = 1, width: int = 16, mults: tuple[int, ...] = (1, 2),
                 emb_dim: int = 32, groups: int = 4, signal_1d: bool = False):
        super().__init__()
        self.config = dict(in_channels=in_channels, width=width, mults=list(mults),
                           emb_dim=emb_dim, groups=groups, signal_1d=signal_1d)
        channels = [width * m for m in mults]
        self.time_embed = nn.Sequential(
            SinusoidalEmbedding(emb_dim), nn.Linear(emb_dim, emb_dim), nn.SiLU(),
            nn.Linear(emb_dim, emb_dim))
        self.stem = _conv3(in_channels, channels[0], signal_1d)
        self.down_blocks = nn.ModuleList()
        self.downsamples = nn.ModuleList()
        c = channels[0]
        for level, c_level in enumerate(channels):
            self.down_blocks.append(ResBlock(c, c_level, emb_dim, groups, signal_1d))
            c = c_level
            if level < len(channels) - 1:
                self.downsamples.append(_conv3(c, c, signal_1d, stride=2))
        self.mid = ResBlock(c, c, emb_dim, groups, signal_1d)
        self.up_blocks = nn.ModuleList()
        for level in reversed(range(len(channels))):
            skip_c = channels[level]
            self.up_blocks.append(ResBlock(c + skip_c, skip_c, emb_dim, groups, signal_1d))
            c = skip_c
        self.upsample = nn.Upsample(scale_factor=(1, 2) if signal_1d else 2, mode="nearest")
        self.out_norm = nn.GroupNorm(_groups(c, groups), c)
        self.out_conv = _conv3(c, in_channels, signal_1d)
        self.act = nn.SiLU()

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        emb = self.time_embed(t)
        h = self.stem(x)
        skips = []
        for level, block in enumerate(self.down_blocks):
            h = block(h, emb)
            skips.append(h)
            if level < len(self.downsamples):
                h = self.downsamples[level](h)
        h = self.mid(h, emb)
        for i, block in enumerate(self.up_blocks):
            if i > 0:
                h = self.upsample(h)
            h = block(torch.cat([h, skips.pop()], dim=1), emb)
        return self.out_conv(self.act(self.out_norm(h)))
