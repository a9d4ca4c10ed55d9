"""`sdk train` and `sdk eval`: the diffusion teacher and the quality metric."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sdk.diffusion.evaluate import evaluate_checkpoint
from sdk.diffusion.quality import save_grid
from sdk.diffusion.train import TeacherConfig, train_teacher
from sdk.errors import UserError
from sdk.report.strict_json import write_json

console = Console()


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
    result = evaluate_checkpoint(args.checkpoint, args.n, args.steps, args.seed, args.samples)
    table = Table(title=f"sdk eval: {result.how}, N={len(result.samples)}", show_header=False)
    for key, value in result.report.to_dict().items():
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    console.print(table)
    png = save_grid(result.samples[:64], Path(args.png or Path(args.checkpoint).with_suffix(".png")))
    if args.json:
        write_json(args.json, {"checkpoint": str(args.checkpoint), "steps": result.steps,
                               "seed": args.seed, **result.report.to_dict()})
    console.print(f"samples: {png}")
    return 0


def cmd_distill(args) -> int:
    if args.nproc > 1 and "WORLD_SIZE" not in os.environ:
        return _relaunch_with_torchrun(args.nproc)
    if args.method != "width" and not args.steps:
        raise UserError(f"--method {args.method} needs --steps (the student's sampling steps)")
    if args.method == "width" and not args.width:
        raise UserError("--method width needs --width (the student's base channel count)")
    try:
        if args.method == "progressive":
            from sdk.diffusion.progressive import progressive_distill

            paths = progressive_distill(args.teacher, args.start_steps, args.steps, args.iterations,
                                        args.out, batch=args.batch, seed=args.seed)
        elif args.method == "reflow":
            from sdk.diffusion.reflow import reflow_distill

            paths = reflow_distill(args.teacher, args.steps, args.iterations, args.out,
                                   batch=args.batch, seed=args.seed, pairs=args.pairs,
                                   teacher_steps=args.start_steps)
        else:
            from sdk.diffusion.width import width_distill

            paths = width_distill(args.teacher, args.width, args.iterations, args.out,
                                  batch=args.batch, seed=args.seed, spectral=args.spectral,
                                  feature_weight=args.feature_weight)
    except ValueError as e:
        raise UserError(str(e)) from None
    if int(os.environ.get("RANK", "0")) == 0:
        for path in paths:
            console.print(f"student: {path}")
    return 0


def cmd_binarize(args) -> int:
    if args.nproc > 1 and "WORLD_SIZE" not in os.environ:
        return _relaunch_with_torchrun(args.nproc)
    from sdk.compress.binarize import binarize_distill

    try:
        path = binarize_distill(args.teacher, args.mode, args.iterations, args.out, batch=args.batch,
                                seed=args.seed, layers=args.layers, lr=args.lr,
                                dmd_weight=args.dmd_weight)
    except ValueError as e:
        raise UserError(str(e)) from None
    if int(os.environ.get("RANK", "0")) == 0:
        console.print(f"binarized student: {path}")
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

    p = sub.add_parser("distill", help="distill a teacher: fewer sampling steps or fewer channels")
    p.add_argument("--teacher", type=Path, required=True)
    p.add_argument("--method", default="progressive", choices=["progressive", "reflow", "width"],
                   help="progressive: halve DDIM steps per round; reflow: a rectified-flow student "
                        "on teacher (noise, sample) pairs, Euler steps; width: a slimmer student at "
                        "the teacher's step count")
    p.add_argument("--steps", type=int, help="final sampling steps (progressive: a power of two)")
    p.add_argument("--start-steps", type=int, default=64,
                   help="the teacher's DDIM steps (progressive: first round; reflow: pair generation)")
    p.add_argument("--width", type=int, help="width: the student's base channel count")
    p.add_argument("--spectral", type=float, default=0.0,
                   help="width: weight of the spectrum-aware (inverse-amplitude) frequency loss")
    p.add_argument("--feature-weight", type=float, default=0.0,
                   help="width: weight of the normalised feature distillation loss (0 = off)")
    p.add_argument("--pairs", type=int, default=4096, help="reflow: (noise, sample) pairs to draw")
    p.add_argument("--iterations", type=int, default=1000, help="optimizer steps (per round)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--nproc", type=int, default=1, help="data-parallel processes (torchrun + DDP)")
    p.add_argument("--out", type=Path, default=Path("build/students"))
    p.set_defaults(func=cmd_distill)

    p = sub.add_parser("eval", help="sample a checkpoint and measure quality (FD, KID, ...)")
    p.add_argument("--checkpoint", type=Path, required=True)
    p.add_argument("--steps", type=int, help="DDIM steps (default: a student's own, else 50)")
    p.add_argument("--n", type=int, default=256, help="number of samples")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--samples", type=Path,
                   help="measure these samples (.npy, e.g. from `sdk generate`) instead of sampling")
    p.add_argument("--png")
    p.add_argument("--json")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("binarize", help="1-bit quantization-aware distillation of a diffusion model")
    p.add_argument("--teacher", type=Path, required=True, help="float checkpoint (e.g. a 4-step student)")
    p.add_argument("--mode", required=True, choices=["w1a1", "w1a16"],
                   help="w1a1: binary weights and activations; w1a16: binary weights only")
    p.add_argument("--layers", nargs="+", metavar="PATTERN",
                   help="module-name globs of the layers to binarize (default: every ResBlock 3x3 "
                        "conv and downsample conv)")
    p.add_argument("--iterations", type=int, default=1000, help="optimizer steps")
    p.add_argument("--batch", type=int, default=64, help="sampler states per step")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--dmd-weight", type=float, default=1.0,
                   help="weight of the patch Gram direction-matching loss")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--nproc", type=int, default=1, help="data-parallel processes (torchrun + DDP)")
    p.add_argument("--out", type=Path, default=Path("build/binary"))
    p.set_defaults(func=cmd_binarize)
