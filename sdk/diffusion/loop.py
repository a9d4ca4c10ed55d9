"""The training loop every trainer shares: data parallel under torchrun, Adam, an optional
cosine learning-rate decay and EMA, a progress bar, and the checkpoint saved once.

The trainers (train.py, progressive.py, reflow.py, width.py, sdk/compress/binarize.py)
differ only in what they compute per iteration: each passes a `loss(net, step)` that draws
its global batch (the same on every rank, seeded by seed and step), takes this rank's slice
and returns the local loss. Under torchrun (WORLD_SIZE > 1) `net` is the model wrapped in
DistributedDataParallel on gloo, which averages the gradients, so N ranks take the step one
process takes on the whole batch (tests/test_ddp.py).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.distributed as dist
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from torch import nn

from sdk.errors import UserError


def world() -> tuple[int, int]:
    """(rank, world size), initialising the process group when launched by torchrun."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size > 1 and not dist.is_initialized():
        dist.init_process_group("gloo")
    return (dist.get_rank(), size) if size > 1 else (0, 1)


def check_batch(batch: int, size: int) -> None:
    if batch % size:
        raise UserError(f"--batch {batch} must divide evenly over {size} processes")


@torch.no_grad()
def update_ema(ema: nn.Module, model: nn.Module, decay: float) -> None:
    """ema ← decay·ema + (1 − decay)·model, parameter by parameter."""
    for e, p in zip(ema.parameters(), model.parameters()):
        e.lerp_(p, 1 - decay)


@dataclass
class Ema:
    """An exponential moving average of `source`'s weights, updated after every step."""

    average: nn.Module
    source: nn.Module
    decay: float

    @classmethod
    def of(cls, model: nn.Module, decay: float) -> Ema:
        return cls(copy.deepcopy(model).eval(), model, decay)

    def update(self) -> None:
        update_ema(self.average, self.source, self.decay)


def progress_bar(rank: int, *fields: str) -> Progress:
    """A bar with its task's description, count, the named float fields of its tasks (e.g.
    "loss") and time left; shown on rank 0 only."""
    extra = [TextColumn(f"{name} {{task.fields[{name}]:.{4 if name == 'loss' else 2}f}}")
             for name in fields]
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    *extra, TimeRemainingColumn(), disable=rank != 0)


def fit(model: nn.Module, loss: Callable[[nn.Module, int], torch.Tensor], iterations: int,
        lr: float, progress: Progress, task, *, cosine_decay: bool = True,
        ema: Ema | None = None) -> None:
    """Run `iterations` Adam steps of `loss(net, step)` on `model` (wrapped in DDP under
    torchrun), with a cosine learning-rate decay to 0 unless told otherwise and the EMA
    updated after each step; the bar's task advances with the local loss."""
    _, size = world()
    net = nn.parallel.DistributedDataParallel(model) if size > 1 else model
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    lr_decay = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, iterations) if cosine_decay else None
    for step in range(iterations):
        value = loss(net, step)
        optimizer.zero_grad(set_to_none=True)
        value.backward()
        optimizer.step()
        if lr_decay is not None:
            lr_decay.step()
        if ema is not None:
            ema.update()
        progress.update(task, advance=1, loss=value.item())


def save_once(save: Callable[[], object]) -> None:
    """Rank 0 writes the checkpoint; every rank waits for it before returning."""
    rank, size = world()
    if rank == 0:
        save()
    if size > 1:
        dist.barrier()
