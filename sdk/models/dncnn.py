"""A plain DnCNN-style denoiser (Zhang et al. 2017) without time input.

Conv-ReLU, then (Conv-BatchNorm-ReLU) x (depth-2), then Conv; the network predicts the
noise and the module returns x - noise (residual learning). BatchNorm is folded into the
preceding convolution at compile time.
"""

from __future__ import annotations

import torch
from torch import nn


class DnCNN(nn.Module):
    def __init__(self, channels: int = 1, features: int = 16, depth: int = 5):
        super().__init__()
        self.config = dict(channels=channels, features=features, depth=depth)
        layers: list[nn.Module] = [nn.Conv2d(channels, features, 3, padding=1), nn.ReLU()]
        for _ in range(depth - 2):
            layers += [nn.Conv2d(features, features, 3, padding=1, bias=False),
                       nn.BatchNorm2d(features), nn.ReLU()]
        layers.append(nn.Conv2d(features, channels, 3, padding=1))
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x - self.body(x)
