"""Model → C, the code generator's driver: capture, passes and memory plan (lower(), once
per build), then the emitter (emit_graph()) writes the generated sources. (`sdk generate`,
which makes samples on a board, is sdk/verify/generate.py.)

Everything a target build needs lands in one folder: model.c/model.h, sampler.h (and
sampler.c for a diffusion model built with its sampler), the IR (graph.json, for
inspection and replay) and the memory plan (plan.json).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from codegen.capture import capture
from codegen.emit_c import EmittedModel, emit_c
from codegen.emit_sampler import emit_sampler
from codegen.ir import Graph
from codegen.passes import CompileOptions, PrecisionPolicy, run_passes
from codegen.passes.quantize_int8 import observe
from codegen.plan import MemoryPlan, plan_memory
from sdk.quant.calibration import calibration_inputs, calibration_size, covers_tails
from sdk.quant.ranges import covered_range
from sdk.models.spec import ModelSpec

# int8 layers: their ranges come from calibration_size(spec) inputs (a diffusion build's sampler
# states, every step equally; sdk/quant/calibration.py), drawn with a seed no validation uses
CALIBRATION_SEED = 7_000_001


@dataclass
class GeneratedModel:
    graph: Graph
    plan: MemoryPlan
    emitted: EmittedModel
    model_hash: str
    directory: Path
    has_sampler: bool = False

    @property
    def sources(self) -> list[Path]:
        """The generated C files a firmware build compiles."""
        return [self.directory / "model.c"] + ([self.directory / "sampler.c"] if self.has_sampler else [])


def lower(spec: ModelSpec, precision: PrecisionPolicy | None = None,
          isa_features: list[str] = (), int8_time_path: bool | None = None,
          ranges: dict | None = None) -> tuple[Graph, MemoryPlan]:
    """isa_features: the target's; the plan chooses each layer's kernel for them and places
    the kernels' scratch (() : the reference kernels). int8_time_path (CompileOptions): an
    int8 build's time MLP in int8 too, its embedding tabulated (default for a model with
    integer timesteps: 1000 rows of the 32-value embedding are 32 KB where the blocks'
    projections would be 128 KB, at the same measured error), or float and tabulated up to
    the blocks' projections (default with a sampler: 4 rows, and no MLP run at all).
    ranges: int8 ranges calibrated already (int8_ranges); None: calibrate if int8 is used."""
    graph = capture(spec.module, spec.example_inputs)
    graph = run_passes(graph, compile_options(spec, graph, precision or PrecisionPolicy(), int8_time_path, ranges))
    return graph, plan_memory(graph, isa_features)


def compile_options(spec: ModelSpec, captured: Graph, precision: PrecisionPolicy,
                    int8_time_path: bool | None = None, ranges: dict | None = None) -> CompileOptions:
    """The pipeline's options for a model: its sampler's schedule (tabulate_time turns the time
    input into a step index), and for int8 layers their calibration (or ranges given)."""
    schedule = (captured.inputs[1], spec.sampler.times) if spec.sampler is not None else (None, None)
    calibration, widen = int8_calibration(spec) if precision.uses("int8") and ranges is None else (None, None)
    time_steps = spec.time_steps if spec.sampler is None else None
    if int8_time_path is None:
        int8_time_path = spec.sampler is None
    return CompileOptions(precision, *schedule, calibration=calibration, calibration_widen=widen,
                          time_steps=time_steps, int8_time_path=int8_time_path, ranges=ranges)


def int8_calibration(spec: ModelSpec):
    """(inputs, widen) an int8 build calibrates its ranges on (quantize_int8.observe)."""
    return (calibration_inputs(spec, calibration_size(spec), CALIBRATION_SEED),
            covered_range if covers_tails(spec) else None)


def int8_ranges(spec: ModelSpec, fp32_graph: Graph) -> dict[str, tuple[float, float]]:
    """Every tensor's calibrated range on the model's lowered FP32 graph, as an int8 build
    calibrates: once, then given to many lowerings (CompileOptions.ranges)."""
    return observe(fp32_graph, *int8_calibration(spec))


def generate_c(spec: ModelSpec, out_dir: Path, precision: PrecisionPolicy | None = None,
               isa_features: list[str] = ()) -> GeneratedModel:
    graph, plan = lower(spec, precision, isa_features)
    return emit_graph(graph, plan, out_dir, spec.sampler)


def emit_graph(graph: Graph, plan: MemoryPlan, out_dir: Path, sampler=None) -> GeneratedModel:
    """Write the C for an already lowered graph and its plan (which chose the kernels; also
    used for hand-built kernel-test graphs). sampler: the SamplerPlan to emit
    model_sample() for, or None."""
    model_hash = graph.content_hash()
    emitted = emit_c(graph, plan, model_hash)
    emitted_sampler = emit_sampler(graph, sampler)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "model.h").write_text(emitted.header)
    (out_dir / "model.c").write_text(emitted.source)
    (out_dir / "sampler.h").write_text(emitted_sampler.header)
    (out_dir / "sampler.c").unlink(missing_ok=True)
    if emitted_sampler.source:
        (out_dir / "sampler.c").write_text(emitted_sampler.source)
    graph.save(out_dir / "graph.json")
    (out_dir / "plan.json").write_text(json.dumps({
        "arena_bytes": plan.arena_bytes,
        "lower_bound_bytes": plan.lower_bound_bytes,
        # the planner without group norm in place and concat slices, for comparison
        "baseline_arena_bytes": plan.baseline_arena_bytes,
        "baseline_lower_bound_bytes": plan.baseline_lower_bound_bytes,
        "elided_concats": sorted(plan.elided),
        "scratch_bytes": plan.scratch_bytes,
        # a stage run in bands (codegen/tile.py), or null
        "tiling": plan.tiling.to_dict() if plan.tiling else None,
        "isa_features": list(plan.isa_features),
        "scratch": {layer: {"offset": o, "bytes": n} for layer, (o, n) in plan.scratch.items()},
        "buffers": [{"name": b.name, "size": b.size, "first": b.first, "last": b.last,
                     "offset": b.offset, "members": b.members,
                     "member_offsets": b.member_offsets} for b in plan.buffers],
    }, indent=1, sort_keys=True))
    return GeneratedModel(graph, plan, emitted, model_hash, out_dir, emitted_sampler.source is not None)
