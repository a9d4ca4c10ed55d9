"""CompileOptions: everything a pass may need beyond the graph, so every pass has one
signature, run(graph, options) -> graph, and the pipeline is one list (codegen/passes/__init__.py).

precision: the FP32/FP16 policy (assign_precision);
time_input, timesteps: a sampler's fixed schedule, for tabulate_time (None: a plain build,
the time path stays computed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from codegen.passes.precision_policy import PrecisionPolicy


@dataclass(frozen=True)
class CompileOptions:
    precision: PrecisionPolicy = field(default_factory=PrecisionPolicy)
    time_input: str | None = None
    timesteps: Sequence[float] | None = None
