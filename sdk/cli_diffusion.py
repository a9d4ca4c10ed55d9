"""`sdk train` and `sdk eval`: the diffusion teacher and the quality metric."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import torch
from rich.console import Console
from rich.table import Table

from sdk.diffusion import ddim
from sdk.diffusion.checkpoint import load_checkpoint
from sdk.diffusion.quality import evaluate_samples, save_grid
from sdk.diffusion.schedule import CosineSchedule
from sdk.diffusion.train import TeacherConfig, train_teacher
from sdk.errors import UserError

console = Console()
EVAL_CACHE = Path("build") / "eval"


def model_input_shape(dataset: str) -> tuple[int, ...]:
    """[C, H, W] the UNet sees: images, or 1-D signals stored as [1, 1, W]."""
    return {"digits8": (1, 8, 8), "digits16": (1, 16, 16), "mnist1d": (1, 1, 40)}[dataset]


def _relaunch_with_torchrun(nproc: int) -> int:
    """Run this same command under torchrun on nproc local processes (DDP, gloo)."""
    argv = list(sys.argv[1:])
    i = argv.index("--nproc")
    del argv[i:i + 2]
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone",
           f"--nproc_per_node={nproc}", "-m", "sdk.cli", *argv]
    return subprocess.call(cmd)


def cmd_train(args) -> int:
    if args.nproc > 1 and "WORLD_SIZE" not in os.environ:
        return _relaunch_with_torchrun(args.nproc)
    config = TeacherConfig(dataset=args.dataset, prediction=args.prediction, width=args.width,
                           steps=args.steps, batch=args.batch, seed=args.seed)
    out = train_teacher(config, args.out)
    if int(os.environ.get("RANK", "0")) == 0:
        console.print(f"teacher checkpoint: {out}")
    return 0


def cmd_eval(args) -> int:
    ckpt, config, model = load_checkpoint(args.checkpoint)
    args.steps = args.steps or ckpt.get("sampling_steps", 50)
    gen = torch.Generator().manual_seed(args.seed)
    noise = torch.randn((args.n, *model_input_shape(config.dataset)), generator=gen)
    samples = ddim.sample(model, CosineSchedule(), config.prediction, noise, args.steps)
    if config.dataset == "mnist1d":
        samples = samples[:, :, 0, :]
    report = evaluate_samples(samples, config.dataset, EVAL_CACHE)
    table = Table(title=f"sdk eval: {args.checkpoint} ({args.steps} DDIM steps, N={args.n}, seed {args.seed})",
                  show_header=False)
    for key, value in report.to_dict().items():
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    console.print(table)
    png = save_grid(samples[:64], Path(args.png or Path(args.checkpoint).with_suffix(".png")))
    if args.json:
        Path(args.json).write_text(json.dumps({"checkpoint": str(args.checkpoint), "steps": args.steps,
                                               "seed": args.seed, **report.to_dict()}, indent=1) + "\n")
    console.print(f"samples: {png}")
    return 0


def cmd_distill(args) -> int:
    from sdk.diffusion.progressive import progressive_distill

    try:
        paths = progressive_distill(args.teacher, args.start_steps, args.steps, args.iterations,
                                    args.out, batch=args.batch, seed=args.seed)
    except ValueError as e:
        raise UserError(str(e)) from None
    for path in paths:
        console.print(f"student: {path}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a diffusion teacher (TinyUNet) on bundled data")
    p.add_argument("--dataset", default="digits16", choices=["digits8", "digits16", "mnist1d"])
    p.add_argument("--prediction", default="eps", choices=["eps", "v"])
    p.add_argument("--width", type=int, default=TeacherConfig.width)
    p.add_argument("--steps", type=int, default=TeacherConfig.steps)
    p.add_argument("--batch", type=int, default=TeacherConfig.batch)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--nproc", type=int, default=1, help="data-parallel processes (torchrun + DDP)")
    p.add_argument("--out", type=Path, default=Path("build/teacher.pt"))
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("distill", help="progressive distillation: halve the DDIM steps per round")
    p.add_argument("--teacher", type=Path, required=True)
    p.add_argument("--steps", type=int, required=True, help="final sampling steps (power of two)")
    p.add_argument("--start-steps", type=int, default=64, help="the teacher's DDIM steps")
    p.add_argument("--iterations", type=int, default=1000, help="optimizer steps per round")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=Path("build/students"))
    p.set_defaults(func=cmd_distill)

    p = sub.add_parser("eval", help="sample a checkpoint and measure quality (FD, KID, ...)")
    p.add_argument("--checkpoint", type=Path, required=True)
    p.add_argument("--steps", type=int, help="DDIM steps (default: a student's own, else 50)")
    p.add_argument("--n", type=int, default=256, help="number of samples")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--png")
    p.add_argument("--json")
    p.set_defaults(func=cmd_eval)
