"""Width distillation: a slimmer TinyUNet student that samples like its teacher.

The student is the teacher's config with fewer base channels (MACs shrink roughly with
the square of the width) and is sampled by the teacher's own sampler: the same plan, so
the same step count (`sampling_steps` of a distilled teacher; 50 DDIM steps, what `sdk
eval` uses, for a teacher without one) and the same times and coefficients.

Training inputs are the states the teacher's sampler visits from fresh noise: every step
of every trajectory, at exactly the times the student will be queried. These are the
inputs the student meets when it samples (as far as it follows the teacher), fresh noise
makes the data unlimited, and the teacher's outputs and features come out of the same
forward pass that advances the trajectory.

Loss per state:
- output: mean squared error in the model's own parametrisation. It is what the sampler
  consumes, it is defined for ε, v and flow alike, and for v it is the x̂0 error weighted
  by SNR + 1, so no step of the few is neglected;
- feature_weight · Σ_l ‖P_l(f_s,l) − f_t,l‖² / ‖f_t,l‖² over the output of every ResBlock
  (forward hooks), with P_l a learned 1×1 convolution from student to teacher channels.
  Dividing by the teacher feature's norm makes every layer count alike whatever its scale.
  Off by default: for a 16 → 8 student of the digits16 4-step teacher, weights 0.1 and
  0.01 both gave a worse FD than 0 on each of three seeds (likely because the term competes
  with the output loss for the half-width student's capacity);
- spectral · the spectrum-aware loss of Spectral Diffusion (Yang et al. 2022, "Diffusion
  Probabilistic Model Made Slim", arXiv:2211.17106) on x̂0: frequency errors weighted by
  the inverse of the teacher's spectrum amplitude, so the weak high frequencies that a
  slim network tends to lose count as much as the strong low ones (0 = off).

The student starts from a slice of the teacher, so with the teacher's filters rather than
from scratch (a random start was not compared): evenly spaced channels of every tensor,
which keeps whole GroupNorm groups together and follows channel concatenations.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch
from torch import nn

from sdk.diffusion.checkpoint import save_checkpoint
from sdk.diffusion.loop import Ema, fit, progress_bar, save_once, world
from sdk.diffusion.trajectories import (FeatureTap, checkpoint_plan, predicted_x0, teacher_states,
                                        trajectories_per_iteration)
from sdk.models.unet import ResBlock

SPECTRAL_ALPHA = 1.0  # weight ∝ 1 / (|F_teacher| + ε)^α
SPECTRAL_EPS = 0.1  # in orthonormal-FFT amplitude units; keeps empty bins from dominating


def feature_loss(projected: list[torch.Tensor], teacher: list[torch.Tensor]) -> torch.Tensor:
    """Σ over layers of the batch mean of ‖p − f‖² / ‖f‖² (norms per sample)."""
    total = projected[0].new_zeros(())
    for p, f in zip(projected, teacher):
        err = (p - f).flatten(1).pow(2).sum(1)
        total = total + (err / f.flatten(1).pow(2).sum(1).clamp(min=1e-12)).mean()
    return total


def spectral_loss(student_x0: torch.Tensor, teacher_x0: torch.Tensor, alpha: float = SPECTRAL_ALPHA,
                  eps: float = SPECTRAL_EPS) -> torch.Tensor:
    """Mean of w·|F_s − F_t|² over frequencies, w = (|F_t| + ε)^−α scaled to mean 1 per image.

    With an orthonormal FFT and w ≡ 1 this is the pixel MSE (Parseval), so the weighting
    only moves emphasis between frequencies, not the loss's overall scale.
    """
    f_s = torch.fft.fft2(student_x0, norm="ortho")
    f_t = torch.fft.fft2(teacher_x0, norm="ortho")
    w = (f_t.abs() + eps) ** -alpha
    w = (w / w.mean(dim=(-2, -1), keepdim=True)).detach()
    return torch.mean(w * (f_s - f_t).abs() ** 2)


def _blocks(unet: nn.Module) -> list[str]:
    """The ResBlocks' names, in forward order (down, mid, up): the points features are matched."""
    return [name for name, module in unet.named_modules() if isinstance(module, ResBlock)]


class _Student(nn.Module):
    """The student UNet and its feature projections as one module, so DDP syncs both. Without
    feature distillation there are no projections (DDP rejects parameters without gradients)."""

    def __init__(self, unet: nn.Module, teacher: nn.Module, project: bool):
        super().__init__()
        self.unet = unet
        self.proj = nn.ModuleList(
            nn.Conv2d(unet.get_submodule(name).conv2.out_channels,
                      teacher.get_submodule(name).conv2.out_channels, 1)
            for name in _blocks(unet) if project)
        self.tap = FeatureTap(unet, _blocks(unet))

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        output = self.unet(x, t)
        return output, [p(f) for p, f in zip(self.proj, self.tap.take())]


@torch.no_grad()
def _slice_init(student: nn.Module, teacher: nn.Module) -> None:
    """Copy the teacher's weights into the student, keeping channels i·T//S of every axis
    the student has fewer of (T teacher, S student channels). Every UNet width is the base
    width times a multiplier, so the same pattern repeats in each part of a concatenated
    skip input, and with S, T multiples of the group count each group maps to one group."""
    source = teacher.state_dict()
    for name, value in student.state_dict().items():
        weight = source[name]
        for dim, (s, t) in enumerate(zip(value.shape, weight.shape)):
            if s != t:
                weight = weight.index_select(dim, torch.arange(s) * t // s)
        value.copy_(weight)


def _check_width(width: int, config) -> None:
    if not 0 < width < config.width:
        raise ValueError(f"--width {width}: a width-distilled student must be narrower than its "
                         f"teacher (width {config.width}), and at least 1")
    if width % config.groups:
        raise ValueError(f"--width {width} is not a multiple of the teacher's {config.groups} "
                         "GroupNorm groups: the student's GroupNorms would fall back to fewer "
                         "groups and normalise differently from the teacher's")


def width_distill(teacher_path: Path, width: int, iterations: int, out_dir: Path, batch: int = 64,
                  seed: int = 0, spectral: float = 0.0, feature_weight: float = 0.0,
                  lr: float = 1e-3, ema_decay: float = 0.995) -> list[Path]:
    """Train a width-`width` student; saves out_dir/width{width}_{steps}steps.pt (its EMA).

    An iteration runs ceil(batch / steps) trajectories, so `batch` counts states. Under
    torchrun every rank draws the same noise (seeded by seed and iteration) and follows its
    own slice of the trajectories.
    """
    _, config, teacher, plan = checkpoint_plan(teacher_path)
    _check_width(width, config)
    steps = plan.steps
    rank, size = world()
    trajectories = trajectories_per_iteration(batch, steps, size)
    torch.manual_seed(seed)
    student_config = replace(config, width=width)
    unet = student_config.make_model()
    _slice_init(unet, teacher)
    ema = Ema.of(unet, ema_decay)
    teacher.requires_grad_(False)
    teacher_tap = FeatureTap(teacher, _blocks(teacher))
    student = _Student(unet, teacher, project=feature_weight > 0).train()
    shape = config.sample_shape

    def loss(net, it: int) -> torch.Tensor:
        gen = torch.Generator().manual_seed(seed * 100003 + it)
        noise = torch.randn((trajectories, *shape), generator=gen)[rank::size]
        x, t, target = teacher_states(teacher, plan, noise)
        target_features = teacher_tap.take()
        output, projected = net(x, t)
        value = torch.mean((output - target) ** 2)
        if feature_weight:
            value = value + feature_weight * feature_loss(projected, target_features)
        if spectral:
            value = value + spectral * spectral_loss(
                predicted_x0(config.prediction, output, x, t, clip=True),
                predicted_x0(config.prediction, target, x, t, clip=True))
        return value

    with progress_bar(rank, "loss") as progress:
        task = progress.add_task(f"width {config.width}→{width}, {steps} steps", total=iterations,
                                 loss=float("nan"))
        fit(student, loss, iterations, lr, progress, task, ema=ema)
    path = Path(out_dir) / f"width{width}_{steps}steps.pt"
    save_once(lambda: save_checkpoint(path, student_config, ema.average, "student", sampling_steps=steps,
                                      method="width", teacher=str(teacher_path), spectral=spectral,
                                      feature_weight=feature_weight))
    return [path]
