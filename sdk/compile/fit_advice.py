"""What to do when a build does not fit its board (sdk/compile/fit.py): each suggestion with
the bytes it saves, computed on this model by lowering it again, never a generic hint.

- FP16: the arena and the weights of the FP32 layers halve; the saving is the planner's
  arena and the graph's constants in FP16 against the build's.
- `--precision auto --budget …`: when even all-FP16 fits, auto keeps the most sensitive
  layers in FP32 within the board's sizes (one RAM region only: the budget's RAM is one sum).
- A narrower student (`sdk distill --method width`) for a diffusion checkpoint.
- The stack and the largest kernel scratch alone over the RAM: the layer and kernel that
  need the scratch.
"""

from __future__ import annotations

import copy

from codegen.ir import Graph
from codegen.passes import PrecisionPolicy, run_passes
from codegen.plan import MemoryPlan, plan_memory
from sdk.compile.fit import DoesNotFit
from sdk.models.spec import ModelSpec

CODE_REGIONS = ("flash", "itcm")


def _weights(graph: Graph) -> int:
    return sum(int(v.nbytes) for v in graph.constants.values())


def advice(error: DoesNotFit, spec: ModelSpec, captured: Graph, schedule, graph: Graph, plan: MemoryPlan,
           policy: PrecisionPolicy, model_ref: str) -> list[str]:
    target = error.target
    over = {r.name: r.over for r in error.regions if r.over > 0}
    tips = []
    ram_regions = [n for n in target.regions() if n not in CODE_REGIONS]
    stack = target.memory["stack_bytes"]
    if plan.scratch and stack + plan.scratch_bytes > target.regions()[target.memory.get("arena_region", "ram")]["length"]:
        layer, (_, size) = max(plan.scratch.items(), key=lambda item: item[1][1])
        tips.append(f"the stack ({stack:,} B) and the largest kernel scratch alone exceed the RAM: layer {layer} "
                    f"runs {plan.kernels.get(layer, '?')}, which needs {size:,} B of scratch")
    # FP16 is no saving for an int8 build, and no option on a core without an FPU
    if (policy.default not in ("fp16", "int8") or policy.layers) and not target.integer_only:
        half = run_passes(copy.deepcopy(captured), PrecisionPolicy("fp16"), *schedule)
        half_plan = plan_memory(half, list(plan.isa_features))
        arena_saved = plan.arena_bytes - half_plan.arena_bytes
        weights_saved = _weights(graph) - _weights(half)
        arena_home = target.memory.get("arena_region", "ram")
        left = {name: over[name] - (arena_saved if name == arena_home else 0)
                - (weights_saved if name == "flash" else 0) for name in over}
        fits = all(v <= 0 for v in left.values())
        tips.append(f"--precision fp16 saves {arena_saved:,} B of arena ({arena_home.upper()}) and "
                    f"{weights_saved:,} B of weights (FLASH): "
                    + ("then it fits" if fits else "still over by " + ", ".join(
                        f"{v:,} B of {k.upper()}" for k, v in left.items() if v > 0)))
        if fits and len(ram_regions) == 1:
            sizes = target.regions()
            tips.append(f"--precision auto --budget ram={sizes[ram_regions[0]]['length']},flash="
                        f"{sizes['flash']['length']}: keeps the most sensitive layers in FP32 within "
                        "the board's sizes")
    if spec.sampler is not None and model_ref.endswith(".pt"):
        tips.append(f"a narrower student: sdk distill --method width --teacher {model_ref} --width 8 "
                    "(half the channels: about a quarter of the weights)")
    return tips
