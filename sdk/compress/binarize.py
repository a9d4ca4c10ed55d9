"""`sdk binarize`: 1-bit quantization-aware distillation of a diffusion model.

The student is the teacher itself with its chosen convolutions replaced by BinaryConv2d
(binary_layers.py), initialised from the teacher's weights, and sampled exactly like it:
same sampler plan, so the same step count (`sampling_steps` of a distilled teacher, else
the 50 DDIM steps `sdk eval` uses) and the same times.

Training inputs are the states the teacher's sampler visits from fresh noise, every step
of every trajectory: exactly the (x, t) the student will be queried at (as far as it
follows the teacher); fresh noise makes the data unlimited, and the teacher's outputs and
features come out of the same forward pass that advances the trajectory.

Loss per state:
- output: mean squared error between the student's and the teacher's x̂0 (unclipped);
- dmd_weight · direction matching (BiBERT's DMD, applied per spatial patch as in BiDM's
  space-patched distillation): every block holding a binary layer (its ResBlock, or the
  downsample conv itself) has its output F (B, C, H, W) cut into p×p patches; within a
  patch each position's C-vector is L2-normalised and the p²×p² Gram matrix of cosine
  similarities is formed; the loss is the MSE between student and teacher Grams, averaged
  over blocks. It asks the binary features to point where the float ones point, whatever
  their scale, which the RPReLU/shortcut parameters are then free to set.

ReSTE sharpness o goes linearly from 1 (the clipped STE: low-variance gradients while the
student is far from the teacher) to O_FINAL over training (a closer approximation of
sign as the student settles). Adam with a cosine learning-rate decay; no EMA, so the
saved weights are the ones whose signs were trained together.

Under torchrun every rank draws the same noise (seeded by seed and iteration), follows its
own slice of the trajectories, and DistributedDataParallel averages the gradients.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from sdk.compress.binary_layers import MODES, BinaryConv2d, binarize_model
from sdk.diffusion.checkpoint import save_checkpoint
from sdk.diffusion.loop import fit, progress_bar, save_once, world
from sdk.diffusion.trajectories import (FeatureTap, checkpoint_plan, predicted_x0, teacher_states,
                                        trajectories_per_iteration)
from sdk.models.unet import ResBlock

O_FINAL = 3.0  # ReSTE o at the last iteration
PATCH = 4  # DMD patch side (clipped to the feature map's height/width, so 1-D signals work)


def patch_gram(f: torch.Tensor, patch: int = PATCH) -> torch.Tensor:
    """(B, patches, p², p²): cosine similarities between the positions of every p×p patch."""
    b, c, h, w = f.shape
    ph, pw = min(patch, h), min(patch, w)
    cols = F.unfold(f, (ph, pw), stride=(ph, pw))  # (B, C·ph·pw, patches)
    x = F.normalize(cols.view(b, c, ph * pw, -1).permute(0, 3, 2, 1), dim=-1)
    return x @ x.transpose(-1, -2)


def dmd_loss(student: list[torch.Tensor], teacher: list[torch.Tensor], patch: int = PATCH) -> torch.Tensor:
    """Mean over blocks of the MSE between student and teacher patch Grams."""
    losses = [F.mse_loss(patch_gram(s, patch), patch_gram(t, patch)) for s, t in zip(student, teacher)]
    return torch.stack(losses).mean()


def feature_blocks(model: nn.Module, names: list[str]) -> list[str]:
    """The blocks whose outputs DMD compares: the ResBlock of each binary layer, or the layer."""
    blocks = []
    for name in names:
        parent = name.rpartition(".")[0]
        block = parent if isinstance(model.get_submodule(parent), ResBlock) else name
        if block not in blocks:
            blocks.append(block)
    return blocks


def binarize_distill(teacher_path: Path, mode: str, iterations: int, out_dir: Path, batch: int = 64,
                     seed: int = 0, layers: list[str] | None = None, lr: float = 2e-3,
                     dmd_weight: float = 1.0, patch: int = PATCH) -> Path:
    """Train a binarized copy of the teacher; saves out_dir/binary_{mode}_{steps}steps.pt.

    An iteration runs ceil(batch / steps) trajectories, so `batch` counts states.
    """
    if mode not in MODES:
        raise ValueError(f"--mode {mode!r} is not one of {', '.join(MODES)}")
    ckpt, config, teacher, plan = checkpoint_plan(teacher_path)
    if config.binary:
        raise ValueError(f"{teacher_path} is already binarized ({config.binary['mode']}): "
                         "binarize its float teacher instead")
    steps = plan.steps
    rank, size = world()
    trajectories = trajectories_per_iteration(batch, steps, size)
    torch.manual_seed(seed)
    student = copy.deepcopy(teacher)
    names = binarize_model(student, mode, layers)
    if not names:
        raise ValueError("no layer to binarize: every layer named by --layers stays float")
    binary_convs = [m for m in student.modules() if isinstance(m, BinaryConv2d)]
    blocks = feature_blocks(student, names)
    teacher.requires_grad_(False)
    teacher_tap, student_tap = FeatureTap(teacher, blocks), FeatureTap(student, blocks)
    student.train()

    def loss(net, it: int) -> torch.Tensor:
        o = 1.0 + (O_FINAL - 1.0) * it / max(iterations - 1, 1)
        for conv in binary_convs:
            conv.o = o
        progress.update(task, o=o)
        gen = torch.Generator().manual_seed(seed * 100003 + it)
        noise = torch.randn((trajectories, *config.sample_shape), generator=gen)[rank::size]
        x, t, target = teacher_states(teacher, plan, noise)
        output = net(x, t)
        value = F.mse_loss(predicted_x0(config.prediction, output, x, t),
                           predicted_x0(config.prediction, target, x, t))
        return value + dmd_weight * dmd_loss(student_tap.take(), teacher_tap.take(), patch)

    with progress_bar(rank, "loss", "o") as progress:
        task = progress.add_task(f"binarize {mode}, {len(names)} layers, {steps} steps",
                                 total=iterations, loss=float("nan"), o=1.0)
        fit(student, loss, iterations, lr, progress, task)
    path = Path(out_dir) / f"binary_{mode}_{steps}steps.pt"
    save_once(lambda: save_checkpoint(path, replace(config, binary={"mode": mode, "layers": names}),
                                      student.eval(), "student", sampling_steps=steps,
                                      method=f"binarize-{mode}", teacher=str(teacher_path),
                                      dmd_weight=dmd_weight))
    return path
