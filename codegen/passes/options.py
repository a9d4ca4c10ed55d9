"""CompileOptions: everything a pass may need beyond the graph, so every pass has one
signature, run(graph, options) -> graph, and the pipeline is one list (codegen/passes/__init__.py).

precision: the FP32/FP16 policy (assign_precision);
time_input, timesteps: a sampler's fixed schedule, for tabulate_time (None: a plain build,
the time path stays computed);
calibration: inputs for the int8 layers' ranges (quantize_int8);
time_steps: the time input (graph input 1) of a build without a sampler takes only the
integer values 0..time_steps-1 (a denoiser's timestep), so an int8 build tabulates its time
path (codegen/passes/int8_time_tables.py); int8_time_path: the time MLP itself in int8
(Q-Diffusion) rather than float up to its tables (TFMQ-DM, the default); ranges: the
calibrated ranges, given once for many lowerings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from codegen.passes.precision_policy import PrecisionPolicy


@dataclass(frozen=True)
class CompileOptions:
    precision: PrecisionPolicy = field(default_factory=PrecisionPolicy)
    time_input: str | None = None
    timesteps: Sequence[float] | None = None
    # int8 layers: the inputs their ranges are calibrated on (quantize_int8), one list of
    # arrays per model call, in the graph inputs' order
    calibration: Sequence[Sequence] | None = None
    # (per-input mins, maxs) -> (low, high) of a tensor's range; None: the min/max envelope
    calibration_widen: Callable | None = None
    time_steps: int | None = None
    int8_time_path: bool = False
    # int8 layers: tensor ranges already calibrated (on the FP32 graph, quantize_int8.observe),
    # so `--precision auto` calibrates once for all its candidates; None: calibrate here
    ranges: Mapping[str, tuple[float, float]] | None = None
