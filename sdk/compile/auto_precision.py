"""`--precision auto --budget ram=…,flash=…`: each layer's precision (FP32, FP16 or int8)
chosen to fit a budget at the least predicted loss of quality.

Each layer's cost of rounding, Ω (sdk/compress/sensitivity.py: HAWQ-V2 sensitivities, a
Hutchinson estimate of the Gauss–Newton Hessian's diagonal weighted by the rounding error
of each precision), is compared with the bytes a step down saves: its weights and its output
tensor, 2 bytes per element from FP32 to FP16 and one more to int8. The steps are taken in
order of ΔΩ per byte saved, cheapest first, and the shortest prefix whose image fits the
budget wins — the fewest, least sensitive roundings. int8 is a choice for the layers that
have an int8 form (codegen/passes/quantize_int8.py), outside the time path; its ranges are
calibrated once, on the FP32 graph, with the inputs an int8 build calibrates on.
Sizes come from real builds: the FP32 build is compiled once to learn what the code, the I/O
buffers and the stack take besides the weights and the arena (the planner gives those for
each candidate without compiling), and the chosen assignment is compiled to confirm it; a
miss (FP16 and int8 kernels are other code) is added to that overhead and the search goes on.
An assignment that mixes int8 with float layers is checked against torch within a derived
tolerance, not bit for bit (sdk/verify/tolerance.py int8_noise).

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
from codegen.passes.quantize_int8 import lowerable, time_path
from codegen.plan import MemoryPlan, plan_memory
from sdk.compile.lower import compile_options, int8_ranges
from sdk.compile.instruction_costs import InstructionCosts
from sdk.compress.sensitivity import Sensitivities, estimate
from sdk.errors import UserError
from sdk.models.spec import ModelSpec

CALIBRATION_INPUTS = 8  # validation-style inputs the sensitivities are averaged over
PROBES = 4  # Rademacher vectors per input
CALIBRATION_SEED = 20261206  # not a validation seed: the choice is not fitted to what validate draws
RESOURCES = ("ram", "flash", "instructions")
UNITS = {"": 1, "b": 1, "k": 1024, "kib": 1024, "kb": 1000, "m": 1024 ** 2, "mib": 1024 ** 2, "mb": 1000 ** 2}
COUNTS = {"": 1, "k": 1000, "m": 1000 ** 2, "g": 1000 ** 3}  # instructions: K = 1000, M = 10^6
EXAMPLE = "ram=96K,flash=512K,instructions=20M"


@dataclass(frozen=True)
class Budget:
    ram: int | None = None
    flash: int | None = None
    instructions: int | None = None  # per model call, as `sdk bench` counts them (QEMU -icount)

    @classmethod
    def parse(cls, text: str) -> Budget:
        """'ram=96K,flash=512K,instructions=20M': sizes with K/KiB = 1024 bytes, KB = 1000,
        M/MiB, MB likewise; instruction counts with K = 1000, M = 10^6, G = 10^9."""
        values = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, _, value = part.partition("=")
            key = key.strip()
            units = COUNTS if key == "instructions" else UNITS
            match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-zA-Z]*)", value.strip())
            if key not in RESOURCES or not match or match.group(2).lower() not in units:
                raise UserError(f"--budget {text!r}: expected ram=SIZE,flash=SIZE,instructions=COUNT (e.g. "
                                f"{EXAMPLE}; K = 1024 bytes, but 1000 instructions), got {part!r}")
            values[key] = int(float(match.group(1)) * units[match.group(2).lower()])
        if not values:
            raise UserError(f"--budget needs at least one of ram=SIZE, flash=SIZE, instructions=COUNT (e.g. {EXAMPLE})")
        return cls(**values)

    def excess(self, sizes: dict[str, int]) -> dict[str, int]:
        """How far over the budget each resource is (only those over; instructions only when
        the sizes have them)."""
        limits = {"ram": self.ram, "flash": self.flash, "instructions": self.instructions}
        return {k: sizes[k] - v for k, v in limits.items() if v is not None and k in sizes and sizes[k] > v}

    def __str__(self) -> str:
        return ",".join(f"{k}={getattr(self, k)}" for k in RESOURCES if getattr(self, k) is not None)


@dataclass
class AutoChoice:
    """What the search chose and why, for `sdk build` to print and the manifest to keep."""
    policy: PrecisionPolicy
    budget: Budget
    sizes: dict[str, int]  # of the compiled image: ram, flash
    layers: dict[str, str]  # the layers not in FP32: name -> fp16 | int8
    candidates: int  # layers that could be lowered
    predicted_rel_error: float  # RMS output error / output scale, from Σ Ω
    measured_rel_error: float  # the same, measured: lowered graph in numpy vs torch
    most_sensitive: list[tuple[str, float]] = field(default_factory=list)  # kept FP32, by Ω
    ranges: dict | None = None  # the int8 ranges calibrated for the search, reused by the build

    @property
    def fp16_layers(self) -> list[str]:
        return [n for n, p in self.layers.items() if p == "fp16"]

    @property
    def int8_layers(self) -> list[str]:
        return [n for n, p in self.layers.items() if p == "int8"]

    def to_dict(self) -> dict:
        return {"budget": str(self.budget), "ram_bytes": self.sizes["ram"], "flash_bytes": self.sizes["flash"],
                "instructions": self.sizes.get("instructions"),
                "fp16_layers": self.fp16_layers, "int8_layers": self.int8_layers, "candidates": self.candidates,
                "predicted_rel_error": self.predicted_rel_error, "measured_rel_error": self.measured_rel_error}

    def config_toml(self) -> str:
        """The choice as a --precision-config file, to rebuild it or edit it."""
        lines = ["# chosen by sdk build --precision auto --budget " + str(self.budget),
                 'default = "fp32"', "[layers]"]
        return "\n".join(lines + [f'"{name}" = "{p}"' for name, p in self.layers.items()]) + "\n"


class _Lowering:
    """Capture once (and calibrate the int8 ranges once); run the passes and the planner per
    candidate assignment."""

    def __init__(self, spec: ModelSpec, isa_features: list[str], int8: bool = False):
        self.spec, self.isa_features = spec, isa_features
        self.captured = capture(spec.module, spec.example_inputs)
        self.ranges = None
        self.fp32 = self(PrecisionPolicy("fp32"))  # the start of every search; int8 calibrates on it
        self.ranges = int8_ranges(spec, self.fp32[0]) if int8 else None

    def __call__(self, policy: PrecisionPolicy) -> tuple[Graph, MemoryPlan]:
        options = compile_options(self.spec, self.captured, policy, ranges=self.ranges)
        graph = run_passes(copy.deepcopy(self.captured), options)
        return graph, plan_memory(graph, self.isa_features)


def weight_bytes(graph: Graph) -> int:
    return sum(int(v.nbytes) for v in graph.constants.values())


def _elements(sens: Sensitivities, name: str) -> int:
    layer = sens.layers[name]
    return layer.weight_elements + layer.output_elements


def order(sens: Sensitivities, graph: Graph) -> list[str]:
    """The FP32 graph's layers that have a sensitivity, by Ω(fp16) per byte FP16 saves."""
    names = [n.name for n in graph.nodes if n.name in sens.layers and _elements(sens, n.name) > 0]
    return sorted(names, key=lambda n: (sens.layers[n].omega("fp16") / (2 * _elements(sens, n)), n))


@dataclass(frozen=True)
class Move:
    """One step of the search: a layer to a lower precision, at `cost` = ΔΩ per byte saved."""
    layer: str
    precision: str
    cost: float


def int8_candidates(graph: Graph) -> set[str]:
    """The FP32 graph's layers that have an int8 form, outside the time path (which stays float)."""
    time = time_path(graph)
    return {n.name for n in graph.nodes if n.name not in time and lowerable(graph, n)}


def bytes_saved(sens: Sensitivities):
    """saved(layer, from, to): FP32 → FP16 saves 2 bytes per weight and output element, FP16
    → int8 one more."""
    width = {"fp32": 4, "fp16": 2, "int8": 1}
    return lambda name, frm, to: (width[frm] - width[to]) * _elements(sens, name)


def moves(sens: Sensitivities, graph: Graph, int8: set[str], saved=None) -> list[Move]:
    """Every layer's steps down, cheapest ΔΩ per unit saved first (saved(layer, from, to):
    bytes_saved by default; a step that saves nothing is not a step). A layer whose int8 costs
    less per unit than its FP16 alone goes straight to int8 (the two-step order would be
    inverted)."""
    saved = saved or bytes_saved(sens)
    steps = []
    for name in order(sens, graph):
        layer = sens.layers[name]

        def step(to: str, frm: str = "fp32") -> Move | None:
            gain = saved(name, frm, to)
            rounding = layer.omega(to) - (layer.omega(frm) if frm != "fp32" else 0.0)
            return Move(name, to, rounding / gain) if gain > 0 else None

        half = step("fp16")
        whole = step("int8") if name in int8 else None
        second = step("int8", "fp16") if half is not None and whole is not None else None
        if half is None or whole is None:  # one way down at most
            steps += [m for m in (half, whole) if m is not None]
        elif whole.cost <= half.cost or (second is not None and second.cost < half.cost):
            steps.append(whole)
        else:  # FP16 first; int8 later if that second step saves too
            steps += [half] + ([second] if second is not None else [])
    return sorted(steps, key=lambda m: (m.cost, m.layer, m.precision))


def within_instructions(steps: list[Move], costs: InstructionCosts, limit: int) -> list[Move]:
    """The steps in their order, less each that would take the estimate over limit (while the
    estimate is over, less each that does not save): once within, the estimate stays within,
    so the prefixes that fit every budget form a range the search can bisect."""
    current: dict[str, str] = {}
    estimate, kept = costs.fp32_total, []
    for move in steps:
        gain = costs.delta(move.layer, current.get(move.layer, "fp32"), move.precision)
        if gain > 0 and estimate + gain > limit:
            continue
        estimate += gain
        current[move.layer] = move.precision
        kept.append(move)
    return kept


def assignment(steps: list[Move], k: int) -> dict[str, str]:
    """The layers' precisions after the first k moves."""
    chosen: dict[str, str] = {}
    for move in steps[:k]:
        chosen[move.layer] = move.precision
    return chosen


def measured_rel_error(spec: ModelSpec, graph: Graph, inputs, scale: float) -> float:
    """RMS of (lowered graph in numpy − torch) over the inputs, relative to the output scale."""
    squares = []
    for sample in inputs:
        reference = spec.reference(sample).detach().double().numpy()
        out = run_graph(graph, [t.numpy() for t in sample])[0].astype(np.float64)
        squares.append(np.mean((out.reshape(reference.shape) - reference) ** 2))
    return float(np.sqrt(np.mean(squares)) / scale)


def choose(spec: ModelSpec, isa_features: list[str], budget: Budget, compile_sizes,
           progress=lambda text: None, int8: bool = True, run=None) -> AutoChoice:
    """compile_sizes(graph, plan) -> {"ram": …, "flash": …} of the compiled image (a real build).
    int8: int8 is a third choice for the layers that have an int8 form. run(graph, plan) ->
    (instructions, {layer: instructions}) of one model call on the emulator: needed when the
    budget counts instructions (sdk/compile/instruction_costs.py)."""
    progress("calibrating int8 ranges" if int8 else "capturing")
    lowering = _Lowering(spec, isa_features, int8)
    progress("measuring the FP32 build")
    graph, plan = lowering.fp32
    sizes = compile_sizes(graph, plan)
    overhead = {"flash": sizes["flash"] - weight_bytes(graph), "ram": sizes["ram"] - plan.arena_bytes,
                "instructions": 0}
    inputs = spec.sample_inputs(CALIBRATION_INPUTS, CALIBRATION_SEED)
    progress(f"sensitivities on {CALIBRATION_INPUTS} calibration inputs")
    sens = estimate(spec, inputs, probes=PROBES)
    int8_layers = int8_candidates(graph) if int8 else set()
    steps = moves(sens, graph, int8_layers)
    costs = None
    if budget.instructions is not None:
        costs = InstructionCosts.measure(run, lowering, sorted({m.layer for m in steps}), sorted(int8_layers),
                                         progress)
        sizes["instructions"] = costs.fp32_total
    memory_over = any(k != "instructions" for k in budget.excess(sizes))

    def ordered() -> list[Move]:
        """Steps by ΔΩ per byte while a memory budget is over (less those the instruction
        budget cannot take), else by ΔΩ per instruction saved."""
        if costs is None:
            return steps
        limit = budget.instructions - overhead["instructions"]
        if memory_over:
            return within_instructions(steps, costs, limit)
        return moves(sens, graph, int8_layers, lambda name, frm, to: -costs.delta(name, frm, to))

    def estimated(k: int, order: list[Move]) -> dict[str, int]:
        layers = assignment(order, k)
        graph, plan = lowering(PrecisionPolicy("fp32", layers))
        need = {"flash": weight_bytes(graph) + overhead["flash"], "ram": plan.arena_bytes + overhead["ram"]}
        if costs is not None:
            need["instructions"] = costs.estimate(layers) + overhead["instructions"]
        return need

    k, chosen, order = 0, None, steps
    if not budget.excess(sizes):
        chosen = (graph, sizes)
    while chosen is None:
        order = ordered()
        k = _first_fitting(lambda k: budget.excess(estimated(k, order)), 1, len(order))
        if k is None:
            break
        layers = assignment(order, k)
        progress(f"compiling: {sum(p == 'fp16' for p in layers.values())} layers in FP16, "
                 f"{sum(p == 'int8' for p in layers.values())} in int8")
        graph, plan = lowering(PrecisionPolicy("fp32", layers))
        sizes = compile_sizes(graph, plan)
        if costs is not None:
            progress("counting its instructions on the emulator")
            sizes["instructions"] = run(graph, plan)[0]
        miss = budget.excess(sizes)
        if not miss:
            chosen = (graph, sizes)
        expected = estimated(k, order) if miss else {}
        for resource in miss:  # the estimate was short by at least this much
            overhead[resource] += max(sizes[resource] - expected[resource], 1)
    if chosen is None:
        _refuse(budget, lowering, assignment(steps, len(steps)), overhead, int8, costs, steps)
    graph, sizes = chosen
    layers = assignment(order, k)
    kept = sorted(((n, sens.layers[n].omega("fp16")) for n in {m.layer for m in steps} - set(layers)),
                  key=lambda item: -item[1])
    return AutoChoice(PrecisionPolicy("fp32", layers), budget, sizes, layers, len({m.layer for m in steps}),
                      sens.predicted_rel_error(layers),
                      measured_rel_error(spec, graph, inputs, sens.output_scale), kept[:5], lowering.ranges)


def _first_fitting(excess, lo: int, hi: int) -> int | None:
    """The smallest k in lo..hi whose estimate fits (the estimates shrink as k grows), or None."""
    if excess(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if excess(mid):
            lo = mid + 1
        else:
            hi = mid
    return lo


def _refuse(budget: Budget, lowering: _Lowering, layers: dict[str, str], overhead: dict[str, int], int8: bool,
            costs: InstructionCosts | None, steps: list[Move]):
    """No assignment fits: say by how much at best, and what budget would fit."""
    graph, plan = lowering(PrecisionPolicy("fp32", layers))
    need = {"flash": weight_bytes(graph) + overhead["flash"], "ram": plan.arena_bytes + overhead["ram"]}
    if costs is not None:
        allowed: dict[str, list[str]] = {}
        for move in steps:
            allowed.setdefault(move.layer, []).append(move.precision)
        need["instructions"] = costs.estimate(costs.fastest(allowed)) + overhead["instructions"]
    over = budget.excess(need)
    kinds = f"FP32/FP16{'/int8' if int8 else ''}"
    if not over:
        raise UserError(f"no {kinds} assignment fits --budget {budget} at once: each limit alone can be met, but "
                        "the layers that save the memory cost instructions on this core; raise one of the limits")
    lowest = "FP16 or int8 where a layer has an int8 form" if int8 else "FP16"
    said = []
    memory = {k: v for k, v in over.items() if k != "instructions"}
    if memory:
        said.append(f"with every layer in {lowest} the image needs "
                    + ", ".join(f"{k} {need[k]:,} B ({v:,} B over)" for k, v in memory.items()))
    if "instructions" in over:
        said.append(f"with every layer at its fastest precision a model call takes {need['instructions']:,} "
                    f"instructions ({over['instructions']:,} over)")
    raise UserError(f"no {kinds} assignment fits --budget {budget}: " + "; ".join(said)
                    + "; raise the budget to at least " + ",".join(f"{k}={need[k]}" for k in over)
                    + ", or use a narrower model (sdk distill)")


def save_config(choice: AutoChoice, path: Path) -> None:
    path.write_text(choice.config_toml())
