"""Train a DnCNN-class denoiser on noisy crops of photos: residual learning (the network
predicts the noise, the module returns x - noise: sdk/models/dncnn.py), MSE to the clean
crop, Adam with the rate halved for the last quarter. Seeded (torch, numpy, the crops and
the noise) and sized for a few minutes on 2 CPU cores: 16 features, depth 5, 6,000 steps of
16 crops of 32x32 (about 40 ms of CPU a step: 4 minutes).
The checkpoint is written by the SDK's one writer (sdk/diffusion/checkpoint.py: config,
weights and their SHA-256), kind "denoiser"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from sdk.denoise.patches import SIGMA, add_noise, random_crops
from sdk.diffusion.checkpoint import read_checkpoint, save_checkpoint
from sdk.errors import UserError
from sdk.models.dncnn import DnCNN

KIND = "denoiser"


@dataclass
class DenoiserConfig:
    features: int = 16
    depth: int = 5
    crop: int = 32
    batch: int = 16
    steps: int = 6000
    lr: float = 2e-3
    sigma: float = SIGMA
    seed: int = 0


def train_denoiser(images: list[np.ndarray], config: DenoiserConfig, progress: bool = True) -> DnCNN:
    """The trained model (eval mode). images: 2-D float arrays in [0, 1], each at least
    config.crop on a side."""
    if any(min(im.shape) < config.crop for im in images) or not images:
        raise UserError(f"training needs images of at least {config.crop}x{config.crop}")
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    model = DnCNN(channels=1, features=config.features, depth=config.depth)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, [config.steps * 3 // 4], 0.5)
    model.train()
    bar = tqdm(range(config.steps), desc="training denoiser", unit="step", disable=not progress)
    for _ in bar:
        clean = random_crops(images, config.crop, config.batch, rng)
        noisy = add_noise(clean, rng, config.sigma)
        loss = torch.nn.functional.mse_loss(model(torch.from_numpy(noisy)), torch.from_numpy(clean))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        bar.set_postfix(psnr=f"{10 * np.log10(1 / max(loss.item(), 1e-12)):.2f} dB")
    return model.eval()


def save_denoiser(path: Path, config: DenoiserConfig, model: DnCNN, **extra) -> Path:
    return save_checkpoint(path, config, model, KIND, **extra)


def load_denoiser(path: Path) -> tuple[DenoiserConfig, DnCNN]:
    """(its config, the model in eval mode), verified against the checkpoint's digests."""
    if not Path(path).is_file():
        raise UserError(f"denoiser checkpoint {path} does not exist: train one with "
                        "`python examples/photo_denoiser/train.py`")
    ckpt = read_checkpoint(Path(path))
    if ckpt.get("kind") != KIND:
        raise UserError(f"{path} is a {ckpt.get('kind')!r} checkpoint, not a denoiser")
    config = DenoiserConfig(**ckpt["config"])
    model = DnCNN(channels=1, features=config.features, depth=config.depth)
    model.load_state_dict(ckpt["state_dict"])
    return config, model.eval()
