"""Train the photo denoiser: `python examples/photo_denoiser/train.py [--steps N] [--out PATH]`.

A DnCNN-class network (16 features, depth 5) on noisy 32x32 crops of scikit-image's photos
(sdk/denoise/photos.py TRAIN; the HELD_OUT ones are never seen), Gaussian noise sigma = 25
on 0..255, seed 0: a few minutes on 2 CPU cores with a progress bar. Writes the checkpoint
model.py loads (dncnn_photos.pt beside this file)."""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from sdk.denoise.photos import TRAIN, photos
from sdk.denoise.train import DenoiserConfig, save_denoiser, train_denoiser

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=DenoiserConfig.steps)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "dncnn_photos.pt")
    args = parser.parse_args()
    torch.set_num_threads(2)
    config = DenoiserConfig(steps=args.steps, seed=args.seed)
    model = train_denoiser(photos(TRAIN), config)
    print(f"wrote {save_denoiser(args.out, config, model, images=list(TRAIN))}")


if __name__ == "__main__":
    main()
