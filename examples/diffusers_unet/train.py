"""Train the UNet of model.py on the digits with diffusers' own noise schedule.

    python examples/diffusers_unet/train.py [--steps 2000] [--batch 32] [--seed 0]

The data is scikit-learn's 1,797 handwritten 8×8 digits upsampled to 16×16 and scaled to
[-1, 1] (sdk/data, no download). Each step noises a batch at uniformly drawn integer
timesteps with `add_noise` of a DDPMScheduler made from model.py's scheduler config (the
same betas the sampler on the board uses) and regresses the noise (the standard ε-loss, MSE).
Adam with cosine learning-rate decay; the weights saved are an exponential moving average of
the trained ones, stored as FP16 (half the file; model.py loads them into the FP32 UNet) in
unet.pt next to model.py.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from diffusers import DDPMScheduler
from tqdm import tqdm

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import model as example  # noqa: E402  (model.py next to this file)

from sdk.data.digits import load_digits_images  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=2000, help="optimiser steps")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--ema", type=float, default=0.995, help="EMA decay of the saved weights")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    images, _ = load_digits_images(16)
    noise_schedule = DDPMScheduler.from_config(example.scheduler.config)
    steps = noise_schedule.config.num_train_timesteps
    unet = example.make_unet().train()
    ema = copy.deepcopy(unet).eval().requires_grad_(False)
    optimizer = torch.optim.Adam(unet.parameters(), lr=args.lr)
    decay = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.steps)
    generator = torch.Generator().manual_seed(args.seed)

    start = time.monotonic()
    bar = tqdm(range(args.steps), desc="training", unit="step")
    for _ in bar:
        x0 = images[torch.randint(len(images), (args.batch,), generator=generator)]
        noise = torch.randn(x0.shape, generator=generator)
        t = torch.randint(steps, (args.batch,), generator=generator)
        loss = F.mse_loss(unet(noise_schedule.add_noise(x0, noise, t), t).sample, noise)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        decay.step()
        with torch.no_grad():
            for kept, trained in zip(ema.parameters(), unet.parameters()):
                kept.lerp_(trained, 1 - args.ema)
        bar.set_postfix(loss=f"{loss.item():.4f}")

    state = {name: value.half() for name, value in ema.state_dict().items()}
    torch.save(state, example.WEIGHTS)
    print(f"trained {args.steps} steps in {time.monotonic() - start:.0f} s; "
          f"weights: {example.WEIGHTS} ({example.WEIGHTS.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
