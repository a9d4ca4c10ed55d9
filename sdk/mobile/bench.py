"""`sdk bench --target onnx|tflite`: latency of one step on the host CPU, next to our C.

Every row is timed the same way: the model called from Python on one validation input,
5 warm-up calls, then the median of 50 timed calls (time.perf_counter_ns around the call),
one thread everywhere (onnxruntime intra-op threads, LiteRT num_threads; our C is single
threaded), so the numbers compare engines, not core counts, on a shared machine.

Our C row is `sdk build --target host`'s generated code (gen/model.c and the kernels it
uses) compiled with the host target's own flags (-O2) into a shared library and called
through ctypes' model_run_v. The host *firmware* reports its own clock over the pty, but
one RUN request per inference adds serial round trips to nothing it measures and gives
one sample per request; the library runs the identical C without them. ctypes adds about
a microsecond per call, which the table's precision ignores.
"""

from __future__ import annotations

import ctypes
import platform
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from codegen.kernels.registry import INCLUDE_DIR
from sdk.compile.build import build
from sdk.compile.manifest import build_dir
from sdk.compile.precision import load_policy
from sdk.errors import UserError
from sdk.mobile.export import PRECISIONS, export
from sdk.mobile.runtimes import open_runtime
from sdk.mobile.step import export_inputs
from sdk.models import load_model
from sdk.target import load_target
from sdk.verify.metrics import compare

# The firmware reads its clock at every layer boundary (per-layer counters); the timing
# library does not, so it times the model alone.
NO_LAYER_MARKS = "#include <stdint.h>\nvoid model_layer_mark(int32_t layer) { (void)layer; }\n"
WARMUP = 5
RUNS = 50
BENCH_SEED = 0


@dataclass
class LatencyRow:
    engine: str
    precision: str
    file: str
    file_bytes: int
    median_us: float
    min_us: float
    max_us: float
    max_rel_error: float  # vs torch FP32 on the timed input

    def to_dict(self) -> dict:
        return asdict(self)


def median_latency(call, runs: int = RUNS) -> tuple[float, float, float]:
    """(median, min, max) microseconds per call after WARMUP calls."""
    for _ in range(WARMUP):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        call()
        times.append((time.perf_counter_ns() - start) / 1e3)
    return statistics.median(times), min(times), max(times)


def bench_export(model: str, target: str, precision: str, root: Path) -> LatencyRow:
    card = export(model, target, precision, root)
    spec = load_model(model)
    inputs = spec.sample_inputs(1, BENCH_SEED)[0]
    arrays = tuple(x.numpy() for x in export_inputs(spec, inputs))
    runtime = open_runtime(build_dir(target, root) / card["file"], threads=1)
    error = compare(runtime(*arrays), spec.reference(inputs).numpy())["max_rel_error"]
    return LatencyRow(f"{runtime.name} {runtime.version}", precision, card["file"], card["file_bytes"],
                      *median_latency(lambda: runtime(*arrays)), error)


def host_library(model: str, precision: str, root: Path) -> tuple[ctypes.CDLL, object]:
    """`sdk build --target host`'s C as a shared library (with the target's cflags)."""
    manifest = build(model, "host", root, load_policy(precision))
    target = load_target("host")
    gen = manifest.directory / "gen"
    library = manifest.directory / "bench" / f"libmodel_{precision}.so"  # dlopen caches by path
    library.parent.mkdir(exist_ok=True)
    marks = library.with_name("no_layer_marks.c")
    marks.write_text(NO_LAYER_MARKS)
    sources = [gen / "model.c", marks, *(INCLUDE_DIR.parent / k for k in manifest.kernel_sources)]
    command = [target.cc, *target.cflags, "-shared", "-fPIC", f"-I{INCLUDE_DIR}",
               f"-I{gen}", *map(str, sources), "-o", str(library), "-lm"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise UserError(f"compiling the host C for timing failed:\n{' '.join(command)}\n{result.stderr}")
    return ctypes.CDLL(str(library)), manifest


def bench_host_c(model: str, precision: str, root: Path) -> LatencyRow:
    library, manifest = host_library(model, precision, root)
    spec = load_model(model)
    inputs = spec.sample_inputs(1, BENCH_SEED)[0]
    arrays = [np.ascontiguousarray(x.numpy(), dtype=np.float32) for x in inputs]
    output = np.zeros(manifest.outputs[0]["shape"], dtype=np.float32)
    pointer = ctypes.POINTER(ctypes.c_float)
    ins = (pointer * len(arrays))(*[a.ctypes.data_as(pointer) for a in arrays])
    outs = (pointer * 1)(output.ctypes.data_as(pointer))
    library.model_run_v(ins, outs)
    error = compare(output, spec.reference(inputs).numpy())["max_rel_error"]
    return LatencyRow("EdgeDiff C (sdk build --target host)", precision, f"libmodel_{precision}.so (gen/model.c)",
                      manifest.flash_bytes, *median_latency(lambda: library.model_run_v(ins, outs)), error)


def bench_mobile(model: str, targets: list[str], precisions: list[str] | None, root: Path) -> list[LatencyRow]:
    """Each target at each of its precisions (or the ones asked for), then our C at the
    precisions it has (fp32, fp16)."""
    rows = []
    for target in targets:
        for precision in precisions or PRECISIONS[target]:
            rows.append(bench_export(model, target, precision, root))
    for precision in [p for p in (precisions or ["fp32", "fp16"]) if p in ("fp32", "fp16")]:
        rows.append(bench_host_c(model, precision, root))
    return rows


def host_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {platform.system()} {platform.release()}"


def render(model: str, rows: list[LatencyRow], command: str) -> str:
    lines = ["# Mobile runtimes: latency per step on the host CPU", "",
             f"Generated by `{command}` (sdk/mobile/bench.py); do not edit by hand.", "",
             f"Model `{model}`, one model call (one sampler step) on one validation input. "
             f"{WARMUP} warm-up calls, then the median (min–max) of {RUNS} timed calls; every engine "
             "on one thread. Host: " + host_description() + ". The machine is shared, so absolute "
             "numbers move between runs; rows of one run are comparable.", "",
             "| engine | precision | file | bytes | median µs | min–max µs | max error / output scale |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r.engine} | {r.precision} | {r.file} | {r.file_bytes:,} | {r.median_us:,.0f} | "
                     f"{r.min_us:,.0f}–{r.max_us:,.0f} | {r.max_rel_error:.1e} |")
    lines += ["", "- bytes: the model file; for our C the firmware's flash bytes (weights and code).",
              "- fp16 on TFLite is float16 weights with float32 compute on the CPU; on ONNX float16 "
              "storage, with onnxruntime's CPU provider computing ops it has no float16 kernel for "
              "in float32 (docs/MOBILE.md).",
              "- Our fp16 C uses the compiler's `_Float16`; built with the host target's generic "
              "x86-64 flags (no F16C) every conversion is a libgcc call, so it is slow here. It is "
              "meant for MCUs with FP16 hardware (Zfh, Helium).",
              "- int8 keeps the time path float only behind an int32 step index (a diffusion "
              "checkpoint); a model with a float time input, such as the zoo `unet`, gets that "
              "input quantized too (one step ≈ 4 time units), so its int8 row is not what a checkpoint "
              "gets (docs/MOBILE.md).", ""]
    return "\n".join(lines)
