"""Instructions per model call of a precision assignment, for `--precision auto --budget
instructions=N`.

Counts are measured, not modelled: the FP32 build, a build with every candidate layer in
FP16 and one with every int8 candidate in int8 each run one model call on the target's
emulator, and the firmware's per-layer counters (the ones `sdk bench` prints) give each
layer's instructions in each precision. An assignment's estimate is the FP32 total plus, for
every layer it lowers, that layer's difference. What the estimate cannot see — the
conversions between a float layer and a neighbour in another precision, a layer fused
differently — the search corrects the way it corrects sizes: the chosen assignment is built
and run, and a miss is added to the estimate (sdk/compile/auto_precision.py).

Whether a step down saves instructions depends on the core: FP16 storage costs a little on a
scalar FPU core and saves much on Helium or RVV; int8 is faster than FP32 with DSP SMLAD and
slower on a core with an FPU but no integer SIMD.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from codegen.passes import PrecisionPolicy

# run(graph, plan) -> (instructions of one model call, {emitted layer name: instructions})
Run = Callable[..., tuple[int, dict[str, int]]]


@dataclass(frozen=True)
class InstructionCosts:
    fp32_total: int
    layers: dict[str, dict[str, int]]  # layer -> precision -> instructions, where measured

    @classmethod
    def measure(cls, run: Run, lowering, fp16: list[str], int8: list[str],
                progress=lambda text: None) -> InstructionCosts:
        """lowering: policy -> (graph, plan), with .fp32 (auto_precision._Lowering)."""
        progress("counting instructions per layer on the emulator: FP32")
        total, counts = run(*lowering.fp32)
        layers = {name: {"fp32": count} for name, count in counts.items()}
        for precision, names in (("fp16", fp16), ("int8", int8)):
            if not names:
                continue
            progress(f"counting instructions per layer on the emulator: {len(names)} layers in {precision}")
            _, counts = run(*lowering(PrecisionPolicy("fp32", {n: precision for n in names})))
            for name in names:
                if name in counts and name in layers:
                    layers[name][precision] = counts[name]
        return cls(total, layers)

    def delta(self, layer: str, current: str, to: str) -> int:
        """Instructions the layer gains going from `current` to `to` (negative: saves); 0 where
        either count is unknown (the confirming run corrects it)."""
        counts = self.layers.get(layer, {})
        return counts[to] - counts[current] if current in counts and to in counts else 0

    def estimate(self, assignment: dict[str, str]) -> int:
        return self.fp32_total + sum(self.delta(name, "fp32", p) for name, p in assignment.items())

    def fastest(self, layers: dict[str, list[str]]) -> dict[str, str]:
        """Each layer at its fastest of the precisions it may take (layer -> allowed lower ones)."""
        best = {}
        for name, allowed in layers.items():
            p = min(allowed, key=lambda p: self.delta(name, "fp32", p))
            if self.delta(name, "fp32", p) < 0:
                best[name] = p
        return best
