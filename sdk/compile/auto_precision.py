"""`--precision auto --budget ram=…,flash=…`: each layer's precision chosen to fit a budget at
the least predicted loss of quality.

Each layer's cost of rounding, Ω (sdk/compress/sensitivity.py: HAWQ-V2 sensitivities, a
Hutchinson estimate of the Gauss–Newton Hessian's diagonal weighted by the rounding error),
is compared with the bytes it saves when it goes from FP32 to FP16: its weights and its
output tensor. Layers are lowered in order of Ω per byte saved, cheapest first, and the first
assignment whose image fits the budget wins — the fewest, least sensitive layers rounded.
Sizes come from real builds: the FP32 build is compiled once to learn what the code, the I/O
buffers and the stack take besides the weights and the arena (the planner gives those for
each candidate without compiling), and the chosen assignment is compiled to confirm it; a
miss (FP16 kernels are other code) is added to that overhead and the search goes on.

The budget counts flash as text + rodata + data and RAM as .data + .bss (the arena included)
plus the stack the linker script reserves — what a board must have free for the image.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from codegen.capture import capture
from codegen.interpret import run_graph
from codegen.ir import Graph
from codegen.passes import PrecisionPolicy, run_passes
from codegen.plan import MemoryPlan, plan_memory
from sdk.compress.sensitivity import Sensitivities, estimate
from sdk.errors import UserError
from sdk.models.spec import ModelSpec

CALIBRATION_INPUTS = 8  # validation-style inputs the sensitivities are averaged over
PROBES = 4  # Rademacher vectors per input
CALIBRATION_SEED = 20261206  # not a validation seed: the choice is not fitted to what validate draws
RESOURCES = ("ram", "flash")
UNITS = {"": 1, "b": 1, "k": 1024, "kib": 1024, "kb": 1000, "m": 1024 ** 2, "mib": 1024 ** 2, "mb": 1000 ** 2}


@dataclass(frozen=True)
class Budget:
    ram: int | None = None
    flash: int | None = None

    @classmethod
    def parse(cls, text: str) -> Budget:
        """'ram=96K,flash=512K': K/KiB = 1024 bytes, KB = 1000, M/MiB, MB likewise."""
        values = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, _, value = part.partition("=")
            match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]*)", value.strip())
            if key not in RESOURCES or not match or match.group(2).lower() not in UNITS:
                raise UserError(f"--budget {text!r}: expected ram=SIZE,flash=SIZE (e.g. ram=96K,flash=512K; "
                                f"K = 1024 bytes), got {part!r}")
            values[key] = int(float(match.group(1)) * UNITS[match.group(2).lower()])
        if not values:
            raise UserError("--budget needs at least one of ram=SIZE, flash=SIZE (e.g. ram=96K)")
        return cls(**values)

    def excess(self, sizes: dict[str, int]) -> dict[str, int]:
        """Bytes over the budget per resource (only those over)."""
        limits = {"ram": self.ram, "flash": self.flash}
        return {k: sizes[k] - v for k, v in limits.items() if v is not None and sizes[k] > v}

    def __str__(self) -> str:
        return ",".join(f"{k}={getattr(self, k)}" for k in RESOURCES if getattr(self, k) is not None)


@dataclass
class AutoChoice:
    """What the search chose and why, for `sdk build` to print and the manifest to keep."""
    policy: PrecisionPolicy
    budget: Budget
    sizes: dict[str, int]  # of the compiled image: ram, flash
    fp16_layers: list[str]
    candidates: int
    predicted_rel_error: float  # RMS output error / output scale, from Σ Ω
    measured_rel_error: float  # the same, measured: lowered graph in numpy vs torch
    most_sensitive: list[tuple[str, float]] = field(default_factory=list)  # kept FP32, by Ω

    def to_dict(self) -> dict:
        return {"budget": str(self.budget), "ram_bytes": self.sizes["ram"], "flash_bytes": self.sizes["flash"],
                "fp16_layers": self.fp16_layers, "candidates": self.candidates,
                "predicted_rel_error": self.predicted_rel_error, "measured_rel_error": self.measured_rel_error}

    def config_toml(self) -> str:
        """The choice as a --precision-config file, to rebuild it or edit it."""
        lines = ["# chosen by sdk build --precision auto --budget " + str(self.budget),
                 'default = "fp32"', "[layers]"]
        return "\n".join(lines + [f'"{name}" = "fp16"' for name in self.fp16_layers]) + "\n"


class _Lowering:
    """Capture once; run the passes and the planner per candidate assignment."""

    def __init__(self, spec: ModelSpec, isa_features: list[str]):
        self.spec, self.isa_features = spec, isa_features
        self.captured = capture(spec.module, spec.example_inputs)
        self.schedule = ((self.captured.inputs[1], spec.sampler.times) if spec.sampler is not None
                         else (None, None))

    def __call__(self, policy: PrecisionPolicy) -> tuple[Graph, MemoryPlan]:
        graph = run_passes(copy.deepcopy(self.captured), policy, *self.schedule)
        return graph, plan_memory(graph, self.isa_features)


def weight_bytes(graph: Graph) -> int:
    return sum(int(v.nbytes) for v in graph.constants.values())


def order(sens: Sensitivities, graph: Graph) -> list[str]:
    """The FP32 graph's layers that have a sensitivity, by Ω(fp16) per byte FP16 saves."""
    def saved(name: str) -> int:
        layer = sens.layers[name]
        return 2 * (layer.weight_elements + layer.output_elements)
    names = [n.name for n in graph.nodes if n.name in sens.layers and saved(n.name) > 0]
    return sorted(names, key=lambda n: (sens.layers[n].omega("fp16") / saved(n), n))


def measured_rel_error(spec: ModelSpec, graph: Graph, inputs, scale: float) -> float:
    """RMS of (lowered graph in numpy − torch) over the inputs, relative to the output scale."""
    squares = []
    for sample in inputs:
        reference = spec.reference(sample).detach().double().numpy()
        out = run_graph(graph, [t.numpy() for t in sample])[0].astype(np.float64)
        squares.append(np.mean((out.reshape(reference.shape) - reference) ** 2))
    return float(np.sqrt(np.mean(squares)) / scale)


def choose(spec: ModelSpec, isa_features: list[str], budget: Budget, compile_sizes,
           progress=lambda text: None) -> AutoChoice:
    """compile_sizes(graph, plan) -> {"ram": …, "flash": …} of the compiled image (a real build)."""
    lowering = _Lowering(spec, isa_features)
    progress("measuring the FP32 build")
    graph, plan = lowering(PrecisionPolicy("fp32"))
    sizes = compile_sizes(graph, plan)
    overhead = {"flash": sizes["flash"] - weight_bytes(graph), "ram": sizes["ram"] - plan.arena_bytes}
    inputs = spec.sample_inputs(CALIBRATION_INPUTS, CALIBRATION_SEED)
    progress(f"sensitivities on {CALIBRATION_INPUTS} calibration inputs")
    sens = estimate(spec, inputs, probes=PROBES)
    names = order(sens, graph)
    k, chosen = 0, None
    if not budget.excess(sizes):
        chosen = (graph, sizes)
    while chosen is None and k < len(names):
        k += 1
        policy = PrecisionPolicy("fp32", {n: "fp16" for n in names[:k]})
        graph, plan = lowering(policy)
        estimate_sizes = {"flash": weight_bytes(graph) + overhead["flash"], "ram": plan.arena_bytes + overhead["ram"]}
        if budget.excess(estimate_sizes):
            continue
        progress(f"compiling {k} of {len(names)} layers in FP16")
        sizes = compile_sizes(graph, plan)
        miss = budget.excess(sizes)
        if not miss:
            chosen = (graph, sizes)
        for resource, over in miss.items():  # the estimate was short by at least this much
            overhead[resource] += over
    if chosen is None:
        _refuse(budget, lowering, names, overhead)
    graph, sizes = chosen
    fp16 = names[:k]
    kept = sorted(((n, sens.layers[n].omega("fp16")) for n in names[k:]), key=lambda item: -item[1])
    return AutoChoice(PrecisionPolicy("fp32", {n: "fp16" for n in fp16}), budget, sizes, fp16, len(names),
                      sens.predicted_rel_error({n: "fp16" for n in fp16}),
                      measured_rel_error(spec, graph, inputs, sens.output_scale), kept[:5])


def _refuse(budget: Budget, lowering: _Lowering, names: list[str], overhead: dict[str, int]):
    graph, plan = lowering(PrecisionPolicy("fp32", {n: "fp16" for n in names}))
    need = {"flash": weight_bytes(graph) + overhead["flash"], "ram": plan.arena_bytes + overhead["ram"]}
    over = budget.excess(need)
    raise UserError("no FP32/FP16 assignment fits --budget " + str(budget) + ": with every layer in FP16 "
                    "the image needs " + ", ".join(f"{k} {need[k]:,} B ({over[k]:,} B over)" for k in over)
                    + "; raise the budget to at least " + ",".join(f"{k}={need[k]}" for k in over)
                    + ", or use a narrower model (sdk distill)")


def save_config(choice: AutoChoice, path: Path) -> None:
    path.write_text(choice.config_toml())
