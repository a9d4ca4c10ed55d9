"""Train a diffusion teacher: a TinyUNet predicting ε or v under the cosine schedule.

Single process by default; under torchrun (WORLD_SIZE > 1) the same loop (loop.py) runs
data parallel with DistributedDataParallel on gloo. Every rank draws the same global batch
(samples, timesteps and noise from a generator seeded by seed and step) and takes its own
slice, so N ranks compute the gradient one process computes on the whole batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch

from sdk.compress.binary_layers import apply_binary
from sdk.data.datasets import load_dataset
from sdk.diffusion.checkpoint import save_checkpoint
from sdk.diffusion.loop import Ema, check_batch, fit, progress_bar, save_once, world
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


def teacher_loss(model, schedule: CosineSchedule, config: TeacherConfig, data: torch.Tensor,
                 step: int, rank: int, size: int) -> torch.Tensor:
    """The loss of this rank's slice of the global batch of one step."""
    x0, t, noise = (v[rank::size] for v in global_batch(data, config.batch, schedule.steps,
                                                         config.seed, step))
    return diffusion_loss(model, schedule, config.prediction, x0, t, noise)


def train_teacher(config: TeacherConfig, out: Path) -> Path:
    rank, size = world()
    check_batch(config.batch, size)
    torch.manual_seed(config.seed)
    data = training_data(config)
    model = config.make_model()
    ema = Ema.of(model, config.ema_decay)
    schedule = CosineSchedule()
    with progress_bar(rank, "loss") as progress:
        task = progress.add_task("training teacher", total=config.steps, loss=float("nan"))
        fit(model, lambda net, step: teacher_loss(net, schedule, config, data, step, rank, size),
            config.steps, config.lr, progress, task, ema=ema)
    save_once(lambda: save_checkpoint(out, config, ema.average, "teacher"))
    return Path(out)
