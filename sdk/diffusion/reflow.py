"""Rectified flow with one reflow round (Liu et al. 2023): a student sampled by Euler steps.

The teacher's deterministic DDIM sampler is already a flow: an ODE that carries noise z to a
sample x0. Drawing (z, x0) pairs with it and training a student on the straight lines
between them, x_s = (1−s)·x0 + s·z with velocity z − x0, is one reflow round on the
teacher's coupling. Because each z has one x0, the lines of different pairs rarely cross,
so the student's flow is nearly straight and a few Euler steps (even one) follow it well;
the student can be sampled at any step count (see sampling.euler_plan for the convention
the board's C sampler shares).

The student starts from the teacher's weights: same TinyUNet, and it already knows the
time embedding (a flow model sees s·999, the teacher's time units).
"""

from __future__ import annotations

import copy
import math
from dataclasses import replace
from pathlib import Path

import torch
import torch.distributed as dist

from sdk.diffusion import sampling
from sdk.diffusion.checkpoint import load_checkpoint, save_checkpoint
from sdk.diffusion.loop import Ema, check_batch, fit, progress_bar, save_once, world

# Density of s ∝ cosh(a·(2s − 1)): U-shaped, ~3.8× denser at the ends than in the middle.
# The Euler sampler queries s = 1 at every step count (at one step that query is the whole
# sample), and the ends are where the velocity is hardest to predict: the whole image from
# pure noise at s = 1, the noise from a nearly clean image at s = 0 (Lee et al. 2024,
# "Improving the training of rectified flows"). Not ablated against uniform s here.
TIME_SHARPNESS = 2.0


def sample_time(n: int, gen: torch.Generator, a: float = TIME_SHARPNESS) -> torch.Tensor:
    """n values of s in [0, 1] with density ∝ cosh(a·(2s − 1)), by inverting its CDF."""
    u = torch.rand(n, generator=gen, dtype=torch.float64)
    s = (torch.asinh((2 * u - 1) * math.sinh(a)) / a + 1) / 2
    return s.float()


@torch.no_grad()
def make_pairs(teacher: torch.nn.Module, prediction: str, shape: tuple[int, ...], pairs: int,
               teacher_steps: int, seed: int, rank: int = 0, size: int = 1,
               chunk: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """(z, x0): seeded noise and the teacher's DDIM samples from it. Under DDP each rank
    samples a contiguous share and a sum all-reduce fills in the rest (other slots are 0)."""
    z = torch.randn((pairs, *shape), generator=torch.Generator().manual_seed(seed))
    x0 = torch.zeros_like(z)
    plan = sampling.plan_for(prediction, teacher_steps)
    lo, hi = rank * pairs // size, (rank + 1) * pairs // size
    with progress_bar(rank) as progress:
        task = progress.add_task(f"teacher pairs ({teacher_steps} DDIM steps)", total=hi - lo)
        for start in range(lo, hi, chunk):
            end = min(start + chunk, hi)
            x0[start:end] = sampling.sample(teacher, plan, z[start:end])
            progress.advance(task, end - start)
    if size > 1:
        dist.all_reduce(x0)
    return z, x0


def flow_loss(model, z: torch.Tensor, x0: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """Mean squared error of the predicted velocity on the straight line from x0 to z."""
    s_ = s.view(-1, *([1] * (z.dim() - 1)))
    x_s = (1 - s_) * x0 + s_ * z
    return torch.mean((model(x_s, s * sampling.FLOW_TIME_SCALE) - (z - x0)) ** 2)


def train_flow(student: torch.nn.Module, z: torch.Tensor, x0: torch.Tensor, iterations: int,
               batch: int, lr: float, ema_decay: float, seed: int, rank: int = 0,
               size: int = 1) -> torch.nn.Module:
    """Adam with cosine decay on the pairs; returns the EMA of the student's weights. Every
    rank draws the same global batch (generator seeded by seed and step) and takes its slice."""
    ema = Ema.of(student, ema_decay)
    student.train()

    def loss(net, step: int) -> torch.Tensor:
        gen = torch.Generator().manual_seed(seed * 100003 + step)
        i = torch.randint(len(z), (batch,), generator=gen)
        s = sample_time(batch, gen)
        return flow_loss(net, z[i][rank::size], x0[i][rank::size], s[rank::size])

    with progress_bar(rank, "loss") as progress:
        task = progress.add_task("training flow student", total=iterations, loss=float("nan"))
        fit(student, loss, iterations, lr, progress, task, ema=ema)
    return ema.average


def reflow_distill(teacher_path: Path, steps: int, iterations: int, out_dir: Path, batch: int = 64,
                   seed: int = 0, pairs: int = 4096, teacher_steps: int = 64, lr: float = 1e-3,
                   ema_decay: float = 0.998) -> list[Path]:
    """Train a flow student on `pairs` teacher samples; saves out_dir/reflow_{steps}steps.pt
    (sampled with `steps` Euler steps by default, any count works)."""
    if steps < 1:
        raise ValueError(f"--steps {steps}: a flow student needs at least 1 Euler step")
    _, config, teacher = load_checkpoint(teacher_path)
    if config.prediction == "flow":
        raise ValueError(f"{teacher_path} is already a flow model: reflow needs a DDIM (eps or v) "
                         "teacher whose samples define the coupling")
    rank, size = world()
    check_batch(batch, size)
    z, x0 = make_pairs(teacher, config.prediction, config.sample_shape, pairs,
                       teacher_steps, seed, rank, size)
    student = train_flow(copy.deepcopy(teacher), z, x0, iterations, batch, lr, ema_decay, seed,
                         rank, size)
    path = Path(out_dir) / f"reflow_{steps}steps.pt"
    save_once(lambda: save_checkpoint(path, replace(config, prediction="flow"), student, "student",
                                      sampling_steps=steps, method="reflow",
                                      teacher_steps=teacher_steps, pairs=pairs))
    return [path]
