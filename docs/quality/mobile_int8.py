"""The docs/MOBILE_INT8.md quality table: a sampler checkpoint's samples with its step
function in torch FP32, as a float .tflite and as int8 .tflite variants (LiteRT reference
kernels, which TFLite Micro matches bit for bit), from the same noise, scored by `sdk eval`'s
metric (sdk/diffusion/quality.py).

    OMP_NUM_THREADS=1 .venv/bin/python docs/quality/mobile_int8.py build/q/pd/student_4steps.pt \\
        --n 256 --seeds 0 1 2 --calibration 64
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import litert_torch  # noqa: E402

from sdk.diffusion import sampling  # noqa: E402
from sdk.diffusion.checkpoint import load_checkpoint  # noqa: E402
from sdk.diffusion.quality import eval_cache_dir, evaluate_samples  # noqa: E402
from sdk.quant.calibration import calibration_inputs  # noqa: E402
from sdk.mobile.int8 import LiteRT, dequantize_outputs, quantize_inputs, quantize_tflite, summarize  # noqa: E402
from sdk.mobile.step import StepFunction, example_inputs  # noqa: E402
from sdk.models import load_model  # noqa: E402

# name → quantize_tflite options; the first is the shipped recipe, the others ablations.
VARIANTS = {
    "int8 (time path float, min/max over all steps)": {},
    "int8, time path int8 too": {"float_time_path": False},
    "int8, quantizer's moving-average ranges": {"envelope": False},
}


def tflite_sampler(path: Path, plan: sampling.SamplerPlan, noise: torch.Tensor) -> torch.Tensor:
    """sampling.sample with the model replaced by the .tflite, one sample at a time."""
    run, io = LiteRT(path), summarize(path)["io"]
    out = []
    for z in noise:
        x = z[None].float()
        for k in range(plan.steps):
            inputs = quantize_inputs(io, (x.numpy(), np.array([k], np.int32)))
            y = torch.from_numpy(dequantize_outputs(io, run(inputs))[0])
            x = sampling.update(plan, k, x, y)
        out.append(x.clamp(-1, 1))
    return torch.cat(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--calibration", type=int, default=64)
    parser.add_argument("--out", type=Path, default=Path("build") / "mobile_int8")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    spec = load_model(str(args.checkpoint))
    _, config, model = load_checkpoint(args.checkpoint)
    plan = spec.sampler
    float_path = args.out / "float.tflite"
    litert_torch.convert(StepFunction(spec).eval(), example_inputs(spec)).export(str(float_path))
    calibration = calibration_inputs(spec, args.calibration, seed=1000)  # not an eval seed
    models = {"fp32 .tflite": float_path}
    for i, (name, options) in enumerate(VARIANTS.items()):
        models[name] = args.out / f"int8_{i}.tflite"
        summary = quantize_tflite(float_path, calibration, models[name], **options)
        print(f"{name}: float ops {summary['float_ops']}")
    fd: dict[str, list[float]] = {"torch fp32": [], **{name: [] for name in models}}
    for seed in args.seeds:
        noise = torch.randn((args.n, *config.sample_shape), generator=torch.Generator().manual_seed(seed))
        fd["torch fp32"].append(evaluate_samples(sampling.sample(model, plan, noise),
                                                 config.dataset, eval_cache_dir()).fd)
        for name, path in models.items():
            fd[name].append(evaluate_samples(tflite_sampler(path, plan, noise), config.dataset,
                                             eval_cache_dir()).fd)
        print(f"seed {seed}: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in fd.items()), flush=True)
    base = fd["torch fp32"]
    print(f"\n| step function | FD per seed ({', '.join(map(str, args.seeds))}) | mean | FD / torch fp32 (worst seed) |")
    print("| --- | --- | --- | --- |")
    for name, values in fd.items():
        worst = max(v / b for v, b in zip(values, base))
        print(f"| {name} | {' / '.join(f'{v:.3f}' for v in values)} | {statistics.mean(values):.3f} "
              f"| {statistics.mean(values) / statistics.mean(base):.3f} ({worst:.3f}) |")


if __name__ == "__main__":
    main()
