"""`sdk validate`: stream inputs to the board, read outputs back, compare with torch.

An int8 build is checked against its own graph in numpy instead, element for element
(sdk/verify/int8_reference.py); its distance from torch is reported as information.

The golden model is the PyTorch module in FP32 on the host. Each sample's inputs are
written over serial, RUN on the device, the output read back and compared; the report
has errors, PSNR, instructions retired per inference, the image's flash and its RAM
(sdk/report/ram.py), whose stack part is the high-water the board measured over this run's
RUNs and SAMPLEs (read with STACK after each).
A diffusion build is also checked whole (sdk/verify/sampler_check.py): the board samples
with its own sampler and noise generator, and each sample is compared with the host
sampler's from the same noise. Whether the model changed since the build is a fingerprint
comparison (sdk/compile/fingerprint.py), not a second lowering.

A NaN or ±inf that torch does not have (or the reverse) fails the sample whatever its other
errors (sdk/verify/metrics.py). Inputs are made INPUT_CHUNK at a time, and only the samples the
picture shows are kept, so a long run holds a bounded amount.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field

import numpy as np
from rich.progress import Progress

from sdk.compile.fingerprint import model_fingerprint
from sdk.compile.manifest import BuildIdentity, BuildManifest
from sdk.errors import UserError
from sdk.models import ModelSpec, load_model
from sdk.report.ram import RamReport
from sdk.runner.client import DeviceClient
from sdk.target import counter_unit
from sdk.verify.flip_envelope import call_envelope, takes_half_signs
from sdk.verify.int8_reference import Int8Reference, checked_bit_for_bit
from sdk.verify.metrics import compare, output_scale, summarize
from sdk.verify.sampler_check import check_sampler
from sdk.verify.tolerance import int8_noise, output_tolerance

PICTURE_ROWS = 4  # samples kept for the picture (sdk/report/plots.py save_validation_grid)


@dataclass(kw_only=True)
class ValidationReport(BuildIdentity):
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
    ram_bytes: int  # .data + .bss + the measured stack high-water (ram["total_bytes"])
    passed: bool
    per_sample: list[dict] = field(default_factory=list)
    sampler: dict | None = None  # diffusion builds: the on-board sampler check (SamplerCheck)
    nonfinite_elements: int = 0  # elements where device and torch disagree on NaN/±inf, all samples
    first_nonfinite: dict | None = None  # the first such sample: index, output, element counts
    stack_bytes: int | None = None  # stack high-water after the RUNs; None: not measured (host)
    # RamReport.to_dict() (sdk/report/ram.py): arena, scratch, other .data/.bss, and the stack
    # high-water after everything (a diffusion build's SAMPLEs too, also in sampler["stack_bytes"])
    ram: dict | None = None
    # an int8 build: the board against the build's graph in numpy, element for element
    # (sdk/verify/int8_reference.py); the torch comparison above is then information only
    int8_reference: dict | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SampleRecord:
    """What a plot of one sample needs."""

    inputs: tuple[np.ndarray, ...]
    reference: np.ndarray
    output: np.ndarray


def check_model_unchanged(spec: ModelSpec, manifest: BuildManifest) -> None:
    """Compare the model's fingerprint now with the one the build recorded
    (sdk/compile/fingerprint.py): no capture, no passes."""
    if manifest.model_fingerprint is None:
        raise UserError(f"the build in {manifest.directory} was made by an older sdk that did not "
                        f"record its model's fingerprint: run `{manifest.command('build')}` again")
    now = model_fingerprint(manifest.model, spec, manifest.precision_policy)
    if now != manifest.model_fingerprint:
        raise UserError(f"the model {manifest.model} changed since it was built "
                        f"(fingerprint {now} vs {manifest.model_fingerprint}): "
                        f"run `{manifest.command('build')}` again")


def run_sample(client: DeviceClient, inputs) -> tuple[np.ndarray, int]:
    for index, x in enumerate(inputs):
        client.write_input(index, np.asarray(x))  # float32, or int32 for an integer input
    instructions = client.run()
    return client.read_output(0), instructions


def call_tolerance(manifest: BuildManifest, spec: ModelSpec, inputs: list) -> float:
    """Max |device − torch| / output scale for one model call: rounding (sdk/verify/tolerance.py),
    plus, when the build takes signs of FP16 values, the sign-flip envelope
    (sdk/verify/flip_envelope.py) over these inputs (validate takes the largest over its chunks)."""
    rounding = output_tolerance(manifest.layers)
    if not takes_half_signs(manifest.layers):
        return rounding
    return rounding + call_envelope([lambda x=x: spec.reference(x) for x in inputs], rounding)


def validate(manifest: BuildManifest, client: DeviceClient, samples: int,
             seed: int = 0) -> tuple[ValidationReport, list[SampleRecord]]:
    spec = load_model(manifest.model)
    check_model_unchanged(spec, manifest)
    records, per_sample, instructions, call = [], [], [], 0.0
    int8 = Int8Reference(manifest.directory) if checked_bit_for_bit(manifest) else None
    noise = int8_noise(manifest.int8_noise)  # int8 layers in a float build: absolute, per call
    with Progress(transient=True) as progress:
        task = progress.add_task(f"validating on {client.port_name}", total=samples)
        for chunk in spec.input_chunks(samples, seed):
            call = max(call, math.inf if int8 else call_tolerance(manifest, spec, chunk))
            for inputs in chunk:
                output, count = run_sample(client, [x.numpy() for x in inputs])
                if int8:
                    int8.check(len(per_sample), [x.numpy() for x in inputs], output)
                reference = spec.reference(inputs).numpy()
                # the int8 noise is absolute: relative to this sample's scale (compare's max |ref|)
                per_sample.append({"index": len(per_sample), "instructions": count, **compare(output, reference),
                                   "noise_rel": noise / output_scale(reference)})
                if len(records) < PICTURE_ROWS:
                    records.append(SampleRecord(tuple(x.numpy() for x in inputs), reference, output))
                instructions.append(count)
                progress.advance(task)
    for row in per_sample:  # each sample: the largest call tolerance over the chunks, plus its int8 noise
        row["tolerance_rel"] = call + row.pop("noise_rel")
    tolerance_rel = max(r["tolerance_rel"] for r in per_sample)
    after_runs = client.stack()
    errors = summarize(per_sample, manifest.outputs[0]["name"])
    report = ValidationReport(
        **asdict(manifest.identity), port=client.port_name, samples=samples, seed=seed,
        tolerance_rel=tolerance_rel, **errors,
        instructions_per_inference=int(statistics.median(instructions)),
        counter_unit=counter_unit(manifest.target),
        instructions_min=min(instructions), instructions_max=max(instructions),
        macs_per_inference=manifest.total_macs,
        arena_bytes=manifest.arena_bytes, arena_lower_bound_bytes=manifest.arena_lower_bound_bytes,
        flash_bytes=manifest.flash_bytes, ram_bytes=manifest.ram_bytes,
        passed=not errors["nonfinite_elements"] and all(r["max_rel_error"] <= r["tolerance_rel"] for r in per_sample),
        per_sample=per_sample, int8_reference=int8.to_dict() if int8 else None)
    if int8:
        report.passed = report.passed and int8.mismatched_elements == 0
    stack = after_runs
    if spec.sampler is not None:
        report.sampler = check_sampler(manifest, spec, client, samples, seed)
        report.passed = report.passed and report.sampler["passed"]
        stack = client.stack()  # the sampler's steps and update on top of the RUNs
        report.sampler["stack_bytes"] = stack.used_bytes if stack.measured else None
    ram = RamReport.of_build(manifest, stack)
    report.ram, report.ram_bytes = ram.to_dict(), ram.total_bytes
    report.stack_bytes = after_runs.used_bytes if after_runs.measured else None
    return report, records
