"""Train a diffusion teacher: a TinyUNet predicting ε or v under the cosine schedule.

Single process by default; under torchrun (WORLD_SIZE > 1) the same loop runs data
parallel with DistributedDataParallel on gloo. Every rank draws the same global batch
(samples, timesteps and noise from a generator seeded by seed and step) and takes its own
slice, so N ranks compute the gradient one process computes on the whole batch.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.distributed as dist
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from sdk.compress.binary_layers import apply_binary
from sdk.data.datasets import load_dataset
from sdk.diffusion.checkpoint import save_checkpoint
from sdk.diffusion.schedule import PREDICTIONS, CosineSchedule
from sdk.errors import UserError
from sdk.models.unet import TinyUNet


@dataclass
class TeacherConfig:
    dataset: str = "digits16"
    prediction: str = "eps"
    # The zoo UNet's size: ~8 M MACs per step, trains in minutes on 2 CPU cores and fits an MCU.
    width: int = 16
    mults: list[int] = field(default_factory=lambda: [1, 2])
    emb_dim: int = 32
    groups: int = 4
    steps: int = 3000
    batch: int = 128
    lr: float = 2e-3
    ema_decay: float = 0.995
    seed: int = 0
    # A binarized model (`sdk binarize`): {"mode": "w1a1" | "w1a16", "layers": [module names]};
    # make_model rebuilds those layers as BinaryConv2d. None: a float model.
    binary: dict | None = None

    def __post_init__(self):
        if self.prediction not in PREDICTIONS:
            raise UserError(f"prediction {self.prediction!r} is not one of {', '.join(PREDICTIONS)}")

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """[C, H, W] of one sample as the UNet sees it (1-D signals are [1, 1, W])."""
        return {"digits8": (1, 8, 8), "digits16": (1, 16, 16), "mnist1d": (1, 1, 40)}[self.dataset]

    def make_model(self) -> TinyUNet:
        model = TinyUNet(in_channels=1, width=self.width, mults=tuple(self.mults),
                         emb_dim=self.emb_dim, groups=self.groups,
                         signal_1d=self.dataset == "mnist1d")
        if self.binary:
            apply_binary(model, self.binary["mode"], self.binary["layers"])
        return model


def training_data(config: TeacherConfig) -> torch.Tensor:
    """The dataset shaped as the UNet sees one sample (1-D signals as [N, 1, 1, W])."""
    data, _ = load_dataset(config.dataset)
    return data.reshape(len(data), *config.sample_shape)


def world() -> tuple[int, int]:
    """(rank, world size), initialising the process group when launched by torchrun."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size > 1 and not dist.is_initialized():
        dist.init_process_group("gloo")
    return (dist.get_rank(), size) if size > 1 else (0, 1)


def global_batch(data: torch.Tensor, batch: int, steps: int, seed: int, step: int):
    """(x0, t, noise) of the whole batch of one step, identical on every rank: a rank then
    takes its slice, so the split never changes what is computed."""
    gen = torch.Generator().manual_seed(seed * 100003 + step)
    x0 = data[torch.randint(len(data), (batch,), generator=gen)]
    t = torch.randint(0, steps, (batch,), generator=gen).float()
    return x0, t, torch.randn(x0.shape, generator=gen)


def diffusion_loss(model, schedule: CosineSchedule, prediction: str, x0: torch.Tensor,
                   t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    x_t = schedule.add_noise(x0, t, noise)
    return torch.mean((model(x_t, t) - schedule.target(prediction, x0, t, noise)) ** 2)


def train_step(model, optimizer, schedule, config: TeacherConfig, data: torch.Tensor, step: int,
               rank: int, size: int) -> float:
    """One optimizer step on this rank's slice of the global batch; returns the local loss."""
    x0, t, noise = (v[rank::size] for v in global_batch(data, config.batch, schedule.steps,
                                                         config.seed, step))
    loss = diffusion_loss(model, schedule, config.prediction, x0, t, noise)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.item()


@torch.no_grad()
def update_ema(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """ema ← decay·ema + (1 − decay)·model, parameter by parameter."""
    for e, p in zip(ema.parameters(), model.parameters()):
        e.lerp_(p, 1 - decay)


def train_teacher(config: TeacherConfig, out: Path) -> Path:
    rank, size = world()
    if config.batch % size:
        raise UserError(f"--batch {config.batch} must divide evenly over {size} processes")
    torch.manual_seed(config.seed)
    data = training_data(config)
    model = config.make_model()
    ema = copy.deepcopy(model).eval()
    net = torch.nn.parallel.DistributedDataParallel(model) if size > 1 else model
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr)
    lr_decay = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, config.steps)
    schedule = CosineSchedule()
    columns = [TextColumn("training teacher"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TextColumn("loss {task.fields[loss]:.4f}"), TimeRemainingColumn()]
    with Progress(*columns, disable=rank != 0) as progress:
        task = progress.add_task("train", total=config.steps, loss=float("nan"))
        for step in range(config.steps):
            loss = train_step(net, optimizer, schedule, config, data, step, rank, size)
            lr_decay.step()
            update_ema(ema, model, config.ema_decay)
            progress.update(task, advance=1, loss=loss)
    if rank == 0:
        save_checkpoint(out, config, ema, "teacher")
    if size > 1:
        dist.barrier()
    return Path(out)
