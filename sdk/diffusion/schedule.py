"""The cosine noise schedule (Nichol & Dhariwal 2021) and the ε/v parametrisations.

x_t = sqrt(ᾱ_t)·x0 + sqrt(1-ᾱ_t)·ε for integer t in [0, T). A network predicts ε or
v = sqrt(ᾱ)·ε - sqrt(1-ᾱ)·x0; both convert to (x0, ε), which is all a DDIM step needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

PREDICTIONS = ("eps", "v", "flow")  # flow: see sdk/diffusion/reflow.py, not this schedule


def _not_flow(prediction: str) -> None:
    if prediction == "flow":
        raise ValueError("a flow model (x_s = (1−s)·x0 + s·z, output z − x0) is not on the cosine "
                         "schedule: sample it with sampling.euler_plan, not DDIM")


@dataclass(frozen=True)
class CosineSchedule:
    steps: int = 1000
    offset: float = 0.008

    def alpha_bar(self, t: torch.Tensor) -> torch.Tensor:
        """ᾱ at (possibly fractional) timesteps t, clamped away from 0 at the end."""
        t = torch.as_tensor(t, dtype=torch.float32)
        f = torch.cos((t / self.steps + self.offset) / (1 + self.offset) * math.pi / 2) ** 2
        f0 = math.cos(self.offset / (1 + self.offset) * math.pi / 2) ** 2
        return (f / f0).clamp(min=1e-5, max=1.0)

    def add_noise(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        ab = self.alpha_bar(t).view(-1, *([1] * (x0.dim() - 1)))
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise

    def target(self, prediction: str, x0: torch.Tensor, t: torch.Tensor,
               noise: torch.Tensor) -> torch.Tensor:
        """What the network is trained to output."""
        _not_flow(prediction)
        if prediction == "eps":
            return noise
        ab = self.alpha_bar(t).view(-1, *([1] * (x0.dim() - 1)))
        return ab.sqrt() * noise - (1 - ab).sqrt() * x0

    def to_x0_eps(self, prediction: str, output: torch.Tensor, x_t: torch.Tensor,
                  t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        _not_flow(prediction)
        ab = self.alpha_bar(t).view(-1, *([1] * (x_t.dim() - 1)))
        if prediction == "eps":
            eps = output
            x0 = (x_t - (1 - ab).sqrt() * eps) / ab.sqrt()
        else:
            x0 = ab.sqrt() * x_t - (1 - ab).sqrt() * output
            eps = (1 - ab).sqrt() * x_t + ab.sqrt() * output
        return x0, eps
