"""What the students that keep their teacher's step count train on: the teacher's own
sampler trajectories.

Width distillation and binarization both query the student exactly where it will be
sampled: at every state the teacher's sampler visits from fresh noise, at the plan's
times. This module holds what they share: the checkpoint's plan, the states, the features
tapped on the way, and the clean-image estimate behind an output.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn

from sdk.diffusion import sampling
from sdk.diffusion.checkpoint import load_checkpoint
from sdk.diffusion.schedule import CosineSchedule
from sdk.errors import UserError

DEFAULT_STEPS = 50  # a teacher without sampling_steps samples like `sdk eval` samples it


def checkpoint_plan(path: Path) -> tuple[dict, object, nn.Module, sampling.SamplerPlan]:
    """(checkpoint, config, model, the plan it samples with)."""
    ckpt, config, model = load_checkpoint(path)
    try:
        plan = sampling.plan_for(config.prediction, int(ckpt.get("sampling_steps", DEFAULT_STEPS)))
    except ValueError as e:
        raise UserError(f"{path}: {e}") from None
    return ckpt, config, model, plan


def trajectories_per_iteration(batch: int, steps: int, processes: int) -> int:
    """Trajectories that give `batch` states; they must split evenly over the processes."""
    trajectories = math.ceil(batch / steps)
    if trajectories % processes:
        raise ValueError(f"--batch {batch} gives {trajectories} trajectories of {steps} steps per "
                         f"iteration, which do not divide evenly over {processes} processes")
    return trajectories


@torch.no_grad()
def teacher_states(teacher: nn.Module, plan: sampling.SamplerPlan,
                   noise: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Run the teacher's sampler from noise: (every state visited, its model time, the
    teacher's output there), steps × len(noise) rows each."""
    xs, ts, outs = [], [], []
    x = noise
    for step, time in enumerate(plan.times):
        t = torch.full((len(x),), float(time))
        out = teacher(x, t)
        xs.append(x), ts.append(t), outs.append(out)
        x = sampling.update(plan, step, x, out)
    return torch.cat(xs), torch.cat(ts), torch.cat(outs)


class FeatureTap:
    """Collects the outputs of named modules over forward passes (hooks leave the model as is)."""

    def __init__(self, model: nn.Module, names: list[str]):
        self.names = names
        self.outputs: dict[str, list[torch.Tensor]] = {name: [] for name in names}
        for name in names:
            model.get_submodule(name).register_forward_hook(
                lambda module, inputs, output, name=name: self.outputs[name].append(output))

    def take(self) -> list[torch.Tensor]:
        """Every tapped output since the last take, concatenated over passes, in `names` order."""
        features = [torch.cat(self.outputs[name]) for name in self.names]
        self.outputs = {name: [] for name in self.names}
        return features


def predicted_x0(prediction: str, output: torch.Tensor, x: torch.Tensor, t: torch.Tensor,
                 clip: bool = False) -> torch.Tensor:
    """The clean-image estimate behind a model output; clip as the sampler clips it (but
    unclipped, gradients flow everywhere)."""
    if prediction == "flow":
        x0 = x - (t / sampling.FLOW_TIME_SCALE).view(-1, *([1] * (x.dim() - 1))) * output
    else:
        x0, _ = CosineSchedule().to_x0_eps(prediction, output, x, t)
    return x0.clamp(-1, 1) if clip else x0
