"""`sdk validate --target onnx|tflite`: the exported file in its real runtime vs torch.

Per model call: the spec's validation inputs (noisy digits, or states on the sampler's own
trajectories for a checkpoint) through onnxruntime / LiteRT, compared with torch FP32,
within sdk/mobile/tolerance.py's limit for the file's precision. The report is the MCU
targets' ValidationReport, so the same table and JSON come out.

A diffusion checkpoint is also checked whole: N images sampled with the app's loop
(sdk/mobile/sampler.py) through the runtime and with sdk.diffusion.sampling through torch
from the same noise; each image within the per-call tolerance carried through the update
(sdk.verify.tolerance.sample_tolerance's argument), and the quality metric (FD of the feature
classifier, sdk eval's) of both sets side by side.

An int8 file is also run in TFLite Micro (the MCU interpreter) on the same quantized inputs:
max |LiteRT − TFLite Micro| in output steps.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import torch

from sdk.compile.manifest import DEFAULT_BUILD_ROOT, build_dir
from sdk.errors import UserError
from sdk.mobile import sampler as mobile_sampler
from sdk.mobile.card import file_sha256, load_card
from sdk.mobile.export import source_hash
from sdk.mobile.runtimes import open_runtime
from sdk.mobile.step import export_inputs
from sdk.mobile.tolerance import int8_tolerance, mobile_tolerance
from sdk.models import ModelSpec, load_model
from sdk.verify.metrics import compare, first_nonfinite, nan_max, summarize
from sdk.verify.tolerance import sampler_step_gain
from sdk.verify.validate import PICTURE_ROWS, SampleRecord, ValidationReport

QUALITY_SEED = 1000  # noise for the quality check, apart from the per-call inputs'


@dataclass
class MobileValidation:
    report: ValidationReport
    records: list[SampleRecord]
    extra: dict = field(default_factory=dict)  # "sampler" (with FD) and "tflite_micro" checks


def check_unchanged(spec: ModelSpec, card: dict, path: Path) -> None:
    model_hash, _ = source_hash(spec)
    rebuild = f"run `sdk build --target {card['target']} --precision {card['precision']} --model {card['model']}`"
    if model_hash != card["model_hash"]:
        raise UserError(f"the model {card['model']} changed since it was exported "
                        f"(hash {model_hash} vs {card['model_hash']}): {rebuild}")
    if file_sha256(path) != card["file_sha256"]:
        raise UserError(f"{path} is not the file its model card describes: {rebuild}")


def timed(runtime, arrays) -> tuple[np.ndarray, int]:
    start = time.perf_counter_ns()
    output = runtime(*arrays)
    return output, time.perf_counter_ns() - start


def check_sampler(card: dict, spec: ModelSpec, runtime, call_limit: Callable[[float], float], n: int) -> dict:
    """Runtime-driven app loop vs torch sampler from the same noise, and both sets' FD.
    call_limit: one model call's allowed max |runtime − torch| given torch's output scale."""
    from sdk.verify.host_sample import sample_from
    from sdk.diffusion.quality import eval_cache_dir, evaluate_samples
    from sdk.diffusion.trajectories import checkpoint_plan

    _, config, _, plan = checkpoint_plan(Path(card["model"]))
    shape = tuple(card["inputs"][0]["shape"])
    noise = torch.randn((n, *shape[1:]), generator=torch.Generator().manual_seed(QUALITY_SEED))
    mine, times, rows = [], [], []
    for i in range(n):
        start = time.perf_counter_ns()
        mine.append(mobile_sampler.sample(card, runtime, noise[i:i + 1].numpy()))
        times.append(time.perf_counter_ns() - start)
        host = sample_from(spec.module, plan, noise[i:i + 1])
        reference = host.sample
        limit = sum(sampler_step_gain(plan, k) * call_limit(s) for k, s in enumerate(host.output_scales))
        rows.append({"index": i, **compare(mine[-1], reference), "tolerance": limit, "torch": reference})
    ours = torch.from_numpy(np.concatenate(mine))
    theirs = torch.from_numpy(np.concatenate([r.pop("torch") for r in rows]))
    if config.dataset == "mnist1d":
        ours, theirs = ours[:, :, 0, :], theirs[:, :, 0, :]
    return {"kind": plan.kind, "prediction": plan.prediction, "steps": plan.steps, "samples": n,
            "where": f"app loop on {runtime.name}",
            "max_abs_error": nan_max(r["max_abs_error"] for r in rows),
            "tolerance_min": min(r["tolerance"] for r in rows),
            "passed": all(not r["nonfinite_elements"] and r["max_abs_error"] <= r["tolerance"] for r in rows),
            "nonfinite_elements": sum(r["nonfinite_elements"] for r in rows),
            "first_nonfinite": first_nonfinite(rows, "sample"),
            "instructions_per_image": int(statistics.median(times)), "counter_unit": "ns",
            # a set with NaN/inf has no FD (scipy's sqrtm refuses it); such an image already fails
            "fd_runtime": evaluate_samples(ours, config.dataset, eval_cache_dir()).fd if ours.isfinite().all() else math.nan,
            "fd_torch": evaluate_samples(theirs, config.dataset, eval_cache_dir()).fd,
            "per_sample": rows}


def check_tflite_micro(path: Path, runtime, inputs: Iterator[tuple[np.ndarray, ...]]) -> dict:
    """max |LiteRT − TFLite Micro| over the validation inputs, in output quantization steps.
    Passing means identical to LiteRT's reference kernels (the same integer arithmetic as
    TFLite Micro's); the default optimized kernels (what an app gets) round some
    requantizations differently, reported alongside."""
    from sdk.mobile.tflm import run_tflite_micro

    reference = open_runtime(path, reference_kernels=True)
    step = runtime.outputs[0].get("quantization", {}).get("scale", 0.0) or 1.0
    worst_ref = worst_default = 0.0
    for arrays in inputs:
        micro = runtime.decode(run_tflite_micro(path, runtime.encode(*arrays))[0])
        worst_ref = nan_max([worst_ref, float(np.abs(reference(*arrays) - micro).max())])
        worst_default = nan_max([worst_default, float(np.abs(runtime(*arrays) - micro).max())])
    return {"max_abs_error_reference_kernels": worst_ref, "max_abs_error_default_kernels": worst_default,
            "output_step": step, "passed": worst_ref == 0.0}


def call_limits(path: Path, card: dict, runtime, per_sample: list[dict],
                scale: float) -> tuple[float, float, Callable[[float], float]]:
    """(limit, worst error), both relative to the output scale, and the absolute limit of
    one call as a function of its output scale. int8's limit is absolute
    (sdk/mobile/tolerance.py), so it is shown relative to the set's largest output, scale
    (max |torch| over the set). A NaN error stays NaN."""
    if card["precision"] != "int8":
        limit = mobile_tolerance(path, card["precision"])
        return limit, nan_max(s["max_rel_error"] for s in per_sample), lambda scale: limit * scale
    absolute = int8_tolerance(path, runtime.outputs[0]["quantization"]["scale"])
    return absolute / scale, nan_max(s["max_abs_error"] for s in per_sample) / scale, lambda _: absolute


def runtime_inputs(spec: ModelSpec, samples: int, seed: int) -> Iterator[tuple[tuple, tuple[np.ndarray, ...]]]:
    """(spec inputs, the same in the exported dtypes) for each validation input, made
    INPUT_CHUNK at a time (ModelSpec.input_chunks)."""
    for chunk in spec.input_chunks(samples, seed):
        for inputs in chunk:
            yield inputs, tuple(x.numpy() for x in export_inputs(spec, inputs))


def validate_export(target: str, root: Path = DEFAULT_BUILD_ROOT, samples: int = 16, seed: int = 0,
                    quality_samples: int = 64) -> MobileValidation:
    card = load_card(target, root)
    path = build_dir(target, root) / card["file"]
    spec = load_model(card["model"])
    check_unchanged(spec, card, path)
    runtime = open_runtime(path)
    records, per_sample, times, scale = [], [], [], 0.0
    for i, (inputs, arrays) in enumerate(runtime_inputs(spec, samples, seed)):
        output, ns = timed(runtime, arrays)
        reference = spec.reference(inputs).numpy()
        per_sample.append({"index": i, "ns": ns, **compare(output, reference)})
        if len(records) < PICTURE_ROWS:
            records.append(SampleRecord(tuple(x.numpy() for x in inputs), reference, output))
        times.append(ns)
        scale = nan_max([scale, float(np.abs(reference).max())])
    tolerance_rel, worst, call_limit = call_limits(path, card, runtime, per_sample, scale)
    errors = {**summarize(per_sample, runtime.outputs[0]["name"]), "max_rel_error": worst}
    report = ValidationReport(
        target=target, model=card["model"], model_name=card["model_name"], model_hash=card["model_hash"],
        precision=card["precision"], build_id=card["file_sha256"][:16],
        port=f"{runtime.name} {runtime.version}, host CPU, 1 thread", samples=samples, seed=seed,
        tolerance_rel=tolerance_rel, **errors,
        instructions_per_inference=int(statistics.median(times)), counter_unit="ns (wall clock)",
        instructions_min=min(times), instructions_max=max(times), macs_per_inference=0,
        arena_bytes=0, arena_lower_bound_bytes=0, flash_bytes=card["file_bytes"], ram_bytes=0,
        passed=not errors["nonfinite_elements"] and worst <= tolerance_rel, per_sample=per_sample)
    result = MobileValidation(report, records)
    if card["precision"] == "int8":
        arrays = (a for _, a in runtime_inputs(spec, samples, seed))  # made again: not held
        result.extra["tflite_micro"] = check_tflite_micro(path, runtime, arrays)
        report.passed = report.passed and result.extra["tflite_micro"]["passed"]
    if card["sampler"] is not None and quality_samples > 0:
        report.sampler = check_sampler(card, spec, runtime, call_limit, quality_samples)
        report.passed = report.passed and report.sampler["passed"]
    return result
