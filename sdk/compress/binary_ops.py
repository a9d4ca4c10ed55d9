"""The binary activation op `edgediff::sign` and its Rectified Straight-Through Estimator.

A custom op rather than torch.sign for two reasons: torch.sign(0) = 0, a third value no
bit can hold (here sign(0) = +1, the bit a kernel stores for x >= 0); and torch.export
keeps a custom op as one node, `edgediff.sign.default`, which the code generator matches
instead of rediscovering a where/ge chain.

Backward is ReSTE (Wu et al. 2023, "Estimator Meets Equilibrium Perspective"): the
derivative of the rectified approximation sign(x)·|x|^(1/o) inside |x| <= 1,

    g(x) = (1/o)·max(|x|, ε)^(1/o − 1)  for |x| <= 1,   0 outside,

with the gradient capped at its value at |x| = ε = 0.1 (as the authors' code does): near 0
the derivative grows without bound for o > 1. o = 1 is the clipped STE (1 inside, 0
outside); a larger o is a closer approximation of sign with larger gradient variance,
which is why o is annealed upwards during training.
"""

from __future__ import annotations

import torch

RESTE_EPS = 0.1  # |x| below which the ReSTE gradient stops growing


@torch.library.custom_op("edgediff::sign", mutates_args=())
def sign(x: torch.Tensor, o: float) -> torch.Tensor:
    """+1 where x >= 0, −1 elsewhere, in x's dtype; o only shapes the gradient."""
    return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))


@sign.register_fake
def _sign_fake(x: torch.Tensor, o: float) -> torch.Tensor:
    return torch.empty_like(x)


def reste_grad(x: torch.Tensor, o: float) -> torch.Tensor:
    """d/dx of the ReSTE approximation, capped near 0 and zero outside |x| <= 1."""
    magnitude = x.abs()
    grad = magnitude.clamp(min=RESTE_EPS).pow(1.0 / o - 1.0) / o
    return torch.where(magnitude <= 1, grad, torch.zeros_like(grad))


def _setup_context(ctx, inputs, output) -> None:
    x, o = inputs
    ctx.save_for_backward(x)
    ctx.o = o


def _backward(ctx, grad_output: torch.Tensor):
    (x,) = ctx.saved_tensors
    return grad_output * reste_grad(x, ctx.o), None


sign.register_autograd(_backward, setup_context=_setup_context)
