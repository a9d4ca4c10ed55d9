"""`sdk bench`: instructions per inference and per layer on the emulated board.

Speed is instructions retired under QEMU `-icount shift=0`, read by the firmware around
every layer (rdinstret on RISC-V): deterministic for a given image and input, unlike
wall-clock time on a shared machine. MACs per layer come from the IR. RAM is counted by
sdk/report/ram.py, with the stack high-water the board reports after the RUN (and the SAMPLE).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from codegen.passes import PrecisionPolicy
from sdk.compile.manifest import BuildIdentity
from sdk.compile.build import build
from sdk.models import load_model
from sdk.models.op_bench import OP_BENCH_TARGETS, OP_BENCHES
from sdk.report.ram import RamReport
from sdk.runner.board import open_board
from sdk.verify.metrics import compare
from sdk.verify.validate import run_sample

BENCH_SEED = 0


@dataclass(kw_only=True)
class BenchResult(BuildIdentity):
    kernels: str
    instructions: int
    macs: int
    arena_bytes: int
    arena_lower_bound_bytes: int
    flash_bytes: int
    ram_bytes: int  # .data + .bss + the measured stack high-water (sdk/report/ram.py)
    max_rel_error: float
    layers: list[dict]
    instructions_per_image: int | None = None  # diffusion builds: the whole on-board sampler
    nonfinite_elements: int = 0  # output elements NaN/±inf where torch is finite, or the reverse
    stack_bytes: int | None = None  # stack high-water after the RUN and the SAMPLE; None: not measured
    ram: dict | None = None  # RamReport.to_dict(): arena, scratch, other .data/.bss, stack

    @property
    def macs_per_instruction(self) -> float:
        return self.macs / self.instructions if self.instructions else 0.0

    def to_dict(self) -> dict:
        return {**asdict(self), "macs_per_instruction": self.macs_per_instruction}


def bench(model_ref: str, target: str, build_root: Path, precision: PrecisionPolicy | None = None,
          reference_kernels: bool = False, budget=None) -> BenchResult:
    """budget: a --precision auto build for it (sdk/compile/auto_precision.py Budget)."""
    manifest = build(model_ref, target, build_root, precision, reference_kernels, budget=budget)
    spec = load_model(manifest.model)
    inputs = spec.sample_inputs(1, BENCH_SEED)[0]
    with open_board(manifest, emulator=True, port=None) as client:
        output, instructions = run_sample(client, [x.numpy() for x in inputs])
        counts = client.counters()
        per_image = (client.sample(BENCH_SEED, steps=manifest.sampler["steps"])
                     if manifest.sampler else None)
        ram = RamReport.of_build(manifest, client.stack())
    layers = [{"name": layer["name"], "op": layer["op"], "function": layer["function"],
               "macs": layer["macs"], "instructions": count,
               "macs_per_instruction": layer["macs"] / count if count else 0.0}
              for layer, count in zip(manifest.layers, counts)]
    errors = compare(output, spec.reference(inputs).numpy())  # NaN/inf: non-finite values torch lacks
    return BenchResult(
        **asdict(manifest.identity), kernels=manifest.kernels, instructions=instructions,
        macs=manifest.total_macs, arena_bytes=manifest.arena_bytes,
        arena_lower_bound_bytes=manifest.arena_lower_bound_bytes,
        flash_bytes=manifest.flash_bytes, ram_bytes=ram.total_bytes,
        max_rel_error=errors["max_rel_error"], layers=layers, instructions_per_image=per_image,
        nonfinite_elements=errors["nonfinite_elements"], stack_bytes=ram.stack_used_bytes,
        ram=ram.to_dict())


MATRIX_MODELS = ["unet", "unet_w1a1", "unet_w1a16", "dncnn"]
INT8_MODELS = {"unet", "dncnn"}  # the float zoo models: int8 on every target (the binary ones have no int8 form)
# `--precision auto` under a RAM budget halfway between the int8 and the FP16 image (FP16 does
# not fit): on the scalar cores most boards have
AUTO_TARGETS = {"rv32", "cortex-m4"}


def has_overrides(isa_features: list[str]) -> bool:
    from codegen.kernels.catalog import OVERRIDES

    return any(o.feature in isa_features for lst in OVERRIDES.values() for o in lst)


def matrix_configs(isa_features: list[str], model: str = "") -> list[tuple[str, bool]]:
    """(precision, reference_kernels) per target: the portable FP32 baseline (only when the
    target has optimized kernels to compare), then FP32, FP16 and (INT8_MODELS) int8 with the
    target's kernels."""
    baseline = [("fp32", True)] if has_overrides(isa_features) else []
    return baseline + [("fp32", False), ("fp16", False)] + ([("int8", False)] if model in INT8_MODELS else [])


def _bench_in(build_root: Path, model: str, target: str, precision: str, reference: bool) -> BenchResult:
    root = Path(build_root) / "bench" / model / f"{precision}-{'ref' if reference else 'isa'}"
    return bench(model, target, root, PrecisionPolicy(precision), reference)


def bench_matrix(build_root: Path, targets, on_result=lambda r: None) -> list[BenchResult]:
    """The example models on every target (matrix_configs), then the op models (bench_ops)."""
    results = []
    for model in MATRIX_MODELS:
        for target in targets:
            for precision, reference in matrix_configs(target.isa_features, model):
                results.append(_bench_in(build_root, model, target.name, precision, reference))
                on_result(results[-1])
            if model in INT8_MODELS and target.name in AUTO_TARGETS:
                results.append(_bench_auto(build_root, model, target.name))
                on_result(results[-1])
                faster = _bench_auto_instructions(build_root, model, target.name, results)
                if faster is not None:
                    results.append(faster)
                    on_result(results[-1])
    return results + bench_ops(build_root, targets, on_result)


def _bench_auto(build_root: Path, model: str, target: str) -> BenchResult:
    """`--precision auto --budget ram=…` halfway between this run's int8 and FP16 images
    (static RAM + the stack the linker reserves, what the budget counts)."""
    from sdk.compile.auto_precision import Budget
    from sdk.compile.manifest import load_manifest

    need = [load_manifest(target, Path(build_root) / "bench" / model / f"{p}-isa") for p in ("fp16", "int8")]
    budget = Budget(ram=sum(m.ram_bytes + m.stack_bytes for m in need) // 2)
    result = bench(model, target, Path(build_root) / "bench" / model / "auto-isa", budget=budget)
    result.precision = f"auto ram={budget.ram}"
    return result


def _bench_auto_instructions(build_root: Path, model: str, target: str, results) -> BenchResult | None:
    """`--precision auto --budget instructions=…` halfway between this run's FP32 count and the
    fastest other precision's, where one is faster than FP32 on this core (else None)."""
    from sdk.compile.auto_precision import Budget

    counts = {r.precision: r.instructions for r in results
              if r.model == model and r.target == target and r.kernels == "target"}
    fastest = min(counts.get("fp16", counts["fp32"]), counts.get("int8", counts["fp32"]))
    if fastest >= counts["fp32"]:
        return None
    budget = Budget(instructions=(counts["fp32"] + fastest) // 2)
    result = bench(model, target, Path(build_root) / "bench" / model / "auto-instructions", budget=budget)
    result.precision = f"auto instructions={budget.instructions}"
    return result


# Every op model in both precisions, with the portable kernels and with the target's.
OP_BENCH_CONFIGS = [("fp32", True), ("fp32", False), ("fp16", True), ("fp16", False)]


def bench_ops(build_root: Path, targets, on_result=lambda r: None) -> list[BenchResult]:
    """The single-op models (sdk/models/op_bench.py) on those of targets that OP_BENCH_TARGETS
    names, reference and SIMD kernels in FP32 and FP16: the rows of the page's op-kernel
    table. A few seconds each (a build and one run of one layer)."""
    results = []
    for op in OP_BENCHES:
        for target in targets:
            if target.name not in OP_BENCH_TARGETS:
                continue
            for precision, reference in OP_BENCH_CONFIGS:
                results.append(_bench_in(build_root, op.name, target.name, precision, reference))
                on_result(results[-1])
    return results
