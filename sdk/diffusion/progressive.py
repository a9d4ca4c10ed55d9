"""Progressive distillation (Salimans & Ho 2022): halve the DDIM step count round by round.

In a round the student (initialised from the current teacher) learns to land, in one DDIM
step from t to t'', where the teacher lands in two steps t -> t' -> t''. Since a DDIM step
is x'' = α''·x̂0 + σ''·(x_t - α·x̂0)/σ, the x̂0 that makes one step hit the teacher's x''
has a closed form; the student is trained towards it in its own parametrisation, weighted
by max(SNR, 1) ("truncated SNR") so that nearly-pure-noise timesteps still count.

Under torchrun the rounds run data parallel in the shared loop (loop.py): every rank draws
the same global batch and trains on its slice; DistributedDataParallel averages the
gradients. Adam at a constant learning rate, no EMA: each round's student is its weights.
"""

from __future__ import annotations

import copy
from pathlib import Path

import torch
from rich.progress import Progress

from sdk.diffusion import ddim
from sdk.diffusion.checkpoint import load_checkpoint, save_checkpoint
from sdk.diffusion.loop import check_batch, fit, progress_bar, save_once, world
from sdk.diffusion.schedule import CosineSchedule
from sdk.diffusion.train import training_data


def _alpha_sigma(schedule: CosineSchedule, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    ab = torch.where(t >= 0, schedule.alpha_bar(t.clamp(min=0)), torch.ones_like(t))
    return ab.sqrt(), (1 - ab).sqrt()


def distillation_target(schedule: CosineSchedule, x_t: torch.Tensor, x_next: torch.Tensor,
                        t: torch.Tensor, t_next: torch.Tensor) -> torch.Tensor:
    """The x̂0 for which one DDIM step from (x_t, t) lands on x_next at t_next."""
    view = (-1,) + (1,) * (x_t.dim() - 1)
    a, s = (v.view(view) for v in _alpha_sigma(schedule, t))
    a2, s2 = (v.view(view) for v in _alpha_sigma(schedule, t_next))
    ratio = s2 / s
    return (x_next - ratio * x_t) / (a2 - ratio * a)


def _ddim_to(schedule: CosineSchedule, prediction: str, output: torch.Tensor, x_t: torch.Tensor,
             t: torch.Tensor, t_next: torch.Tensor) -> torch.Tensor:
    """A DDIM step with a timestep per sample (t_next = -1 means the clean end)."""
    x0, eps = schedule.to_x0_eps(prediction, output, x_t, t)
    view = (-1,) + (1,) * (x_t.dim() - 1)
    a2, s2 = (v.view(view) for v in _alpha_sigma(schedule, t_next))
    return a2 * x0 + s2 * eps


@torch.no_grad()
def _teacher_two_steps(teacher, schedule, prediction, x_t, t, t_mid, t_next):
    x_mid = _ddim_to(schedule, prediction, teacher(x_t, t), x_t, t, t_mid)
    return _ddim_to(schedule, prediction, teacher(x_mid, t_mid), x_mid, t_mid, t_next)


def distill_loss(teacher, net, schedule: CosineSchedule, prediction: str,
                 data: torch.Tensor, student_steps: int, batch: int, gen: torch.Generator,
                 rank: int = 0, size: int = 1) -> torch.Tensor:
    """The loss of this rank's slice of the global batch of one step (draws it from gen)."""
    grid = torch.tensor(ddim.timesteps(schedule, 2 * student_steps) + [-1.0])
    x0 = data[torch.randint(len(data), (batch,), generator=gen)]
    i = 2 * torch.randint(student_steps, (batch,), generator=gen)
    noise = torch.randn(x0.shape, generator=gen)
    x0, i, noise = x0[rank::size], i[rank::size], noise[rank::size]
    t, t_mid, t_next = grid[i], grid[i + 1], grid[i + 2]
    x_t = schedule.add_noise(x0, t, noise)
    x_next = _teacher_two_steps(teacher, schedule, prediction, x_t, t, t_mid, t_next)
    target_x0 = distillation_target(schedule, x_t, x_next, t, t_next)
    pred_x0, _ = schedule.to_x0_eps(prediction, net(x_t, t), x_t, t)
    a, s = _alpha_sigma(schedule, t)
    weight = torch.clamp((a / s) ** 2, min=1.0).view(-1, *([1] * (x0.dim() - 1)))
    return torch.mean(weight * (pred_x0 - target_x0) ** 2)


def distill_round(teacher, schedule: CosineSchedule, prediction: str, data: torch.Tensor,
                  student_steps: int, iterations: int, batch: int, lr: float, seed: int,
                  progress: Progress) -> torch.nn.Module:
    """One round: a student doing in `student_steps` what the teacher does in twice as many."""
    rank, size = world()
    student = copy.deepcopy(teacher).train()
    gen = torch.Generator().manual_seed(seed)
    task = progress.add_task(f"distill {2 * student_steps}→{student_steps} steps", total=iterations,
                             loss=float("nan"))
    fit(student, lambda net, _: distill_loss(teacher, net, schedule, prediction, data, student_steps,
                                             batch, gen, rank, size),
        iterations, lr, progress, task, cosine_decay=False)
    return student.eval()


def progressive_distill(teacher_path: Path, start_steps: int, final_steps: int, iterations: int,
                        out_dir: Path, batch: int = 64, lr: float = 1e-4, seed: int = 0) -> list[Path]:
    """Rounds start_steps -> start_steps/2 -> ... -> final_steps; one checkpoint per round."""
    if start_steps & (start_steps - 1) or final_steps & (final_steps - 1) or final_steps >= start_steps:
        raise ValueError(f"progressive distillation halves the step count: {start_steps} → {final_steps} "
                         "needs powers of two with final < start")
    rank, size = world()
    check_batch(batch, size)
    _, config, teacher = load_checkpoint(teacher_path)
    data = training_data(config)
    schedule = CosineSchedule()
    paths, steps = [], start_steps
    with progress_bar(rank, "loss") as progress:
        while steps > final_steps:
            steps //= 2
            teacher = distill_round(teacher, schedule, config.prediction, data, steps, iterations,
                                    batch, lr, seed + steps, progress)
            path = Path(out_dir) / f"student_{steps}steps.pt"
            save_once(lambda: save_checkpoint(path, config, teacher, "student", sampling_steps=steps,
                                              method="progressive"))
            paths.append(path)
    return paths
