"""`sdk validate`: stream inputs to the board, read outputs back, compare with torch.

The golden model is the PyTorch module in FP32 on the host. Each sample's inputs are
written over serial, RUN on the device, the output read back and compared; the report
has errors, PSNR, instructions retired per inference and the image's RAM and flash.
A diffusion build is also checked whole: the board samples with its own sampler and noise
generator, and each sample is compared with the host sampler's from the same noise.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from rich.progress import Progress

from sdk.board_sampling import board_samples, host_sample
from sdk.build import BuildManifest
from sdk.errors import UserError
from sdk.flip_envelope import call_envelope, envelope, takes_half_signs
from sdk.generate import lower
from sdk.metrics import compare
from sdk.models import ModelSpec, load_model
from sdk.runner.client import DeviceClient
from sdk.target import load_target
from sdk.tolerance import output_tolerance, sample_tolerance

@dataclass
class ValidationReport:
    target: str
    model: str
    model_name: str
    model_hash: str
    precision: str
    build_id: str
    port: str
    samples: int
    seed: int
    tolerance_rel: float
    max_abs_error: float
    mean_abs_error: float
    max_rel_error: float
    min_psnr_db: float
    instructions_per_inference: int  # in counter_unit
    counter_unit: str
    instructions_min: int
    instructions_max: int
    macs_per_inference: int
    arena_bytes: int
    arena_lower_bound_bytes: int
    flash_bytes: int
    ram_bytes: int
    passed: bool
    per_sample: list[dict] = field(default_factory=list)
    sampler: dict | None = None  # diffusion builds: the on-board sampler check (SamplerCheck)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SampleRecord:
    """What a plot of one sample needs."""

    inputs: tuple[np.ndarray, ...]
    reference: np.ndarray
    output: np.ndarray


def counter_unit(target_name: str) -> str:
    """What the board's counter counts: instructions, or (host) nanoseconds of a clock."""
    target = load_target(target_name)
    return "instructions" if target.counter_deterministic else target.counter


def check_model_unchanged(spec: ModelSpec, manifest: BuildManifest) -> None:
    graph, _ = lower(spec, manifest.policy)
    if graph.content_hash() != manifest.model_hash:
        raise UserError(f"the model {manifest.model} changed since it was built "
                        f"(hash {graph.content_hash()} vs {manifest.model_hash}): "
                        f"run `{manifest.command('build')}` again")


def run_sample(client: DeviceClient, inputs) -> tuple[np.ndarray, int]:
    for index, x in enumerate(inputs):
        client.write_input(index, np.asarray(x, dtype=np.float32))
    instructions = client.run()
    return client.read_output(0), instructions


def call_tolerance(manifest: BuildManifest, spec: ModelSpec, inputs: list) -> float:
    """Max |device − torch| / output scale for one model call: rounding (sdk/tolerance.py),
    plus, when the build takes signs of FP16 values, the sign-flip envelope
    (sdk/flip_envelope.py) over the validation inputs."""
    rounding = output_tolerance(manifest.layers)
    if not takes_half_signs(manifest.layers):
        return rounding
    return rounding + call_envelope([lambda x=x: spec.reference(x) for x in inputs], rounding)


def sample_flip_envelope(manifest: BuildManifest, spec: ModelSpec, seeds: list[int],
                         shape: tuple[int, ...]) -> float:
    """The sign-flip envelope of whole samples (0 when the build has no FP16 signs)."""
    if not takes_half_signs(manifest.layers):
        return 0.0
    margin = output_tolerance(manifest.layers)
    return max(envelope(lambda s=s: torch.from_numpy(host_sample(spec.module, spec.sampler, s, shape).sample),
                        margin, seed=s) for s in seeds)


def check_sampler(manifest: BuildManifest, spec: ModelSpec, client: DeviceClient, samples: int,
                  seed: int) -> dict:
    """Board samples vs host samples from the same noise, each within its derived tolerance."""
    plan = spec.sampler
    shape = tuple(manifest.inputs[0]["shape"])
    rows = []
    boards = board_samples(client, plan.steps, samples, seed)
    flips = sample_flip_envelope(manifest, spec, [b.seed for b in boards], shape)
    for board in boards:
        host = host_sample(spec.module, plan, board.seed, shape)
        error = float(np.abs(board.sample.astype(np.float64) - host.sample).max())
        limit = sample_tolerance(manifest.layers, plan, host.output_scales) + flips
        rows.append({"seed": board.seed, "max_abs_error": error, "tolerance": limit,
                     "instructions": board.instructions})
    return {"kind": plan.kind, "prediction": plan.prediction, "steps": plan.steps,
            "samples": samples, "max_abs_error": max(r["max_abs_error"] for r in rows),
            "instructions_per_image": int(statistics.median(r["instructions"] for r in rows)),
            "counter_unit": counter_unit(manifest.target),
            "passed": all(r["max_abs_error"] <= r["tolerance"] for r in rows),
            "tolerance_min": min(r["tolerance"] for r in rows), "per_sample": rows}


def validate(manifest: BuildManifest, client: DeviceClient, samples: int,
             seed: int = 0) -> tuple[ValidationReport, list[SampleRecord]]:
    spec = load_model(manifest.model)
    check_model_unchanged(spec, manifest)
    sample_inputs = spec.sample_inputs(samples, seed)
    tolerance_rel = call_tolerance(manifest, spec, sample_inputs)
    records, per_sample, instructions = [], [], []
    with Progress(transient=True) as progress:
        task = progress.add_task(f"validating on {client.port_name}", total=samples)
        for i, inputs in enumerate(sample_inputs):
            output, count = run_sample(client, [x.numpy() for x in inputs])
            reference = spec.reference(inputs).numpy()
            per_sample.append({"index": i, "instructions": count, **compare(output, reference)})
            records.append(SampleRecord(tuple(x.numpy() for x in inputs), reference, output))
            instructions.append(count)
            progress.advance(task)
    worst_rel = max(s["max_rel_error"] for s in per_sample)
    report = ValidationReport(
        target=manifest.target, model=manifest.model, model_name=manifest.model_name,
        model_hash=manifest.model_hash, precision=manifest.precision,
        build_id=manifest.build_id, port=client.port_name, samples=samples, seed=seed,
        tolerance_rel=tolerance_rel,
        max_abs_error=max(s["max_abs_error"] for s in per_sample),
        mean_abs_error=float(np.mean([s["mean_abs_error"] for s in per_sample])),
        max_rel_error=worst_rel,
        min_psnr_db=min(s["psnr_db"] for s in per_sample),
        instructions_per_inference=int(statistics.median(instructions)),
        counter_unit=counter_unit(manifest.target),
        instructions_min=min(instructions), instructions_max=max(instructions),
        macs_per_inference=manifest.total_macs,
        arena_bytes=manifest.arena_bytes, arena_lower_bound_bytes=manifest.arena_lower_bound_bytes,
        flash_bytes=manifest.flash_bytes, ram_bytes=manifest.ram_bytes,
        passed=worst_rel <= tolerance_rel, per_sample=per_sample)
    if spec.sampler is not None:
        report.sampler = check_sampler(manifest, spec, client, samples, seed)
        report.passed = report.passed and report.sampler["passed"]
    return report, records
