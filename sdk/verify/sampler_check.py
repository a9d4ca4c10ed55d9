"""A diffusion build checked whole: the board samples with its own sampler and noise
generator, and each sample is compared with the host sampler's from the same noise
(sdk/verify/host_sample.py), within a tolerance derived from the per-call one
(sdk/verify/tolerance.py sample_tolerance) plus, for builds that take FP16 signs, the
sign-flip envelope of whole samples (sdk/verify/flip_envelope.py). A float build with int8
layers (manifest.int8_noise) adds their noise to every call's limit. An int8 build's samples
must instead equal, bit for bit, the host twin made from the build's graph in numpy
(sdk/verify/int8_sampler.py); their distance from torch's is reported, not a limit."""

from __future__ import annotations

import math
import statistics

import numpy as np
import torch

from codegen.ir import Graph

from sdk.compile.manifest import BuildManifest
from sdk.models import ModelSpec
from sdk.models.spec import INPUT_CHUNK
from sdk.runner.board_sampling import board_samples
from sdk.runner.client import DeviceClient
from sdk.target import counter_unit
from sdk.verify.flip_envelope import envelope, takes_half_signs
from sdk.verify.host_sample import host_sample
from sdk.verify.int8_reference import checked_bit_for_bit
from sdk.verify.int8_sampler import int8_host_sample
from sdk.verify.metrics import compare, first_nonfinite, nan_max
from sdk.verify.tolerance import int8_noise, output_tolerance, sample_tolerance


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
    """Board samples vs host samples from the same noise, each within its derived tolerance
    and without NaN/±inf the host sample lacks; made INPUT_CHUNK at a time."""
    plan = spec.sampler
    shape = tuple(manifest.inputs[0]["shape"])
    if checked_bit_for_bit(manifest):
        return _check_int8(manifest, spec, client, samples, seed, shape)
    rows, flips = [], 0.0
    for start in range(0, samples, INPUT_CHUNK):
        boards = board_samples(client, plan.steps, min(INPUT_CHUNK, samples - start), seed + start)
        flips = max(flips, sample_flip_envelope(manifest, spec, [b.seed for b in boards], shape))
        for board in boards:
            host = host_sample(spec.module, plan, board.seed, shape)
            rows.append({"seed": board.seed, **compare(board.sample, host.sample),
                         "tolerance": sample_tolerance(manifest.layers, plan, host.output_scales,
                                                       host.state_scales, host.float32_error,
                                                       noise=int8_noise(manifest.int8_noise)),
                         "instructions": board.instructions})
    for row in rows:
        row["tolerance"] += flips
    return {"kind": plan.kind, "prediction": plan.prediction, "steps": plan.steps,
            "samples": samples, "max_abs_error": nan_max(r["max_abs_error"] for r in rows),
            "instructions_per_image": int(statistics.median(r["instructions"] for r in rows)),
            "counter_unit": counter_unit(manifest.target),
            "passed": all(not r["nonfinite_elements"] and r["max_abs_error"] <= r["tolerance"] for r in rows),
            "nonfinite_elements": sum(r["nonfinite_elements"] for r in rows),
            "first_nonfinite": first_nonfinite(rows, "sample"),
            "tolerance_min": min(r["tolerance"] for r in rows), "per_sample": rows}


def _check_int8(manifest: BuildManifest, spec: ModelSpec, client: DeviceClient, samples: int, seed: int,
                shape: tuple[int, ...]) -> dict:
    """Each board sample against its int8 host twin, element for element (any difference
    fails); max_abs_error is the distance from torch's sample (information)."""
    plan = spec.sampler
    graph = Graph.load(manifest.directory / "gen" / "graph.json")
    rows = []
    for start in range(0, samples, INPUT_CHUNK):
        for board in board_samples(client, plan.steps, min(INPUT_CHUNK, samples - start), seed + start):
            twin = int8_host_sample(graph, plan, board.seed, shape).sample.astype(np.float32)
            made = board.sample.astype(np.float32).reshape(twin.shape)
            differ = int(np.count_nonzero(made.view(np.uint32) != twin.view(np.uint32)))
            torch_sample = host_sample(spec.module, plan, board.seed, shape).sample
            rows.append({"seed": board.seed, **compare(board.sample, torch_sample), "tolerance": math.inf,
                         "int8_mismatched_elements": differ, "instructions": board.instructions})
    return {"kind": plan.kind, "prediction": plan.prediction, "steps": plan.steps,
            "samples": samples, "max_abs_error": nan_max(r["max_abs_error"] for r in rows),
            "instructions_per_image": int(statistics.median(r["instructions"] for r in rows)),
            "counter_unit": counter_unit(manifest.target),
            "int8_mismatched_elements": sum(r["int8_mismatched_elements"] for r in rows),
            "passed": all(not r["int8_mismatched_elements"] for r in rows),
            "nonfinite_elements": sum(r["nonfinite_elements"] for r in rows),
            "first_nonfinite": first_nonfinite(rows, "sample"),
            "tolerance_min": math.inf, "per_sample": rows}
