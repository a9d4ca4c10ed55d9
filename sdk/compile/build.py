"""`sdk build`: model → generated C → firmware image for a target, plus a manifest.

build/<target>/ holds gen/ (model.c, model.h, graph.json, plan.json), firmware.elf/.bin,
size_report.json, firmware.img (the signed image `sdk flash` writes, on targets with a serial
bootloader) and build.json — the manifest (sdk/compile/manifest.py) every later command
(flash, validate, bench) reads, so they act on exactly what was built. The model is lowered
once (sdk/compile/lower.py: capture, passes, memory plan) and that graph and plan are what is
emitted, compiled and recorded. A build is written beside
build/<target>/ and swapped in whole once complete, one build at a time (sdk/compile/staging.py):
a failed build leaves the previous one as it was; the board's flash files (board/) are
carried over.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from codegen.capture import capture
from codegen.ir import Graph
from codegen.kernels.catalog import accumulates_in_half
from codegen.kernels.registry import INCLUDE_DIR, kernel_sources
from codegen.passes import PrecisionPolicy
from codegen.plan import MemoryPlan
from sdk.compile.auto_precision import Budget, choose, save_config
from codegen.passes.quantize_int8 import float_islands, int8_noise
from sdk.compile.fingerprint import model_fingerprint
from sdk.compile.fit import DoesNotFit
from sdk.compile.fit_advice import CODE_REGIONS, advice
from sdk.compile.firmware import FirmwareImage, build_firmware
from sdk.compile.integer_only import check_int8_graph, check_policy
from sdk.compile.lower import GeneratedModel, emit_graph, lower
from sdk.compile.manifest import DEFAULT_BUILD_ROOT, BuildManifest, build_dir, model_reference
from sdk.compile.precision import describe
from sdk.compile.staging import staged_build
from sdk.compile import tiling as tiles
from sdk.errors import UserError
from sdk.models import load_model
from sdk.models.spec import ModelSpec
from sdk.runner.image import make_image, save_image
from sdk.sign.keys import SigningKey, development_key
from sdk.target import Target, load_target
from sdk.verify.int8_sampler import TWINNED_KINDS

IMAGE_FILE = "firmware.img"


def build_graph(graph: Graph, plan: MemoryPlan, target: Target, out: Path,
                sampler=None) -> tuple[GeneratedModel, FirmwareImage]:
    """Emit and compile a lowered graph with its memory plan (and its sampler, if any) into an
    image in out/. The plan chose the kernels (plan_memory(graph, isa_features))."""
    generated = emit_graph(graph, plan, out / "gen", sampler)
    kernels = kernel_sources(generated.emitted.kernel_functions)
    image = build_firmware(target, [*generated.sources, *kernels], [INCLUDE_DIR, generated.directory], out)
    return generated, image


def build(model_ref: str, target_name: str, root: Path = DEFAULT_BUILD_ROOT,
          precision: PrecisionPolicy | None = None, reference_kernels: bool = False,
          budget: Budget | None = None, progress=lambda text: None,
          signing_key: SigningKey | None = None, security_counter: int = 0,
          soft_float: bool = False, tile: str | int = "auto") -> BuildManifest:
    """reference_kernels: use only the portable kernels (the baseline benchmarks compare to).
    signing_key: signs the image (None: the project's development key, sdk/sign/keys.py), with
    security_counter in its header (the bootloader refuses one below the highest it booted).
    budget: `--precision auto`: choose each layer's precision to fit it
    (sdk/compile/auto_precision.py); the choice is recorded in the manifest and written to
    build/<target>/precision.toml. soft_float: allow float layers on a target without an FPU
    (sdk/compile/integer_only.py). tile: "auto" (tile a fully convolutional stage when the
    untiled image does not fit the board's RAM), "off", or output rows per band
    (sdk/compile/tiling.py)."""
    target = load_target(target_name)
    precision = precision or PrecisionPolicy()
    check_policy(target, precision, soft_float, auto=budget is not None)
    spec = load_model(model_ref)  # a bad --model is refused before the build directory is touched
    if precision.default == "int8" and spec.sampler is not None and spec.sampler.kind not in TWINNED_KINDS:
        raise UserError(f"{model_ref} has a {spec.sampler.kind} sampler: int8 with an on-board sampler needs "
                        f"one the host repeats bit for bit ({', '.join(TWINNED_KINDS)}); build it in fp32 or "
                        "fp16, or --target tflite --precision int8")
    final = build_dir(target_name, root)
    with staged_build(final) as out:
        choice = None
        if budget is not None:
            trials = _Trials(target, out / "trial", spec)
            choice = choose(spec, [] if reference_kernels else target.isa_features, budget, trials.sizes,
                            progress, run=trials.instructions)
            precision = choice.policy
            shutil.rmtree(out / "trial", ignore_errors=True)
            save_config(choice, out / "precision.toml")
        manifest = _build_into(out, final, model_ref, spec, target, precision, reference_kernels, soft_float, tile,
                               choice.ranges if choice is not None else None)
        if target.bootloader is not None:
            _sign(manifest, out, final, signing_key or development_key(), security_counter)
        if choice is not None:
            manifest.auto_precision = choice.to_dict()
        manifest.save(out / "build.json")
    return manifest


def _sign(manifest: BuildManifest, out: Path, final: Path, key: SigningKey, security_counter: int) -> None:
    """The signed image (header + body) beside the ELF, and what the manifest says of it."""
    image = make_image(out / Path(manifest.elf).name, manifest.target, manifest.build_id, key, security_counter)
    save_image(image, out / IMAGE_FILE)
    manifest.image = str((final / IMAGE_FILE).resolve())
    manifest.signing_public_key = key.public.hex()
    manifest.signing_key = str(key.path)
    manifest.development_key = key.development
    manifest.security_counter = security_counter


class _Trials:
    """The candidate images `--precision auto` compiles into out/: the sizes of each, and for a
    budget that counts instructions, one model call of some on the emulator. The search asks
    for an image's instructions right after its sizes, so the last image built is kept and
    not compiled twice."""

    def __init__(self, target: Target, out: Path, spec: ModelSpec):
        self.target, self.out, self.spec = target, out, spec
        self._last = None  # (graph, plan, (generated, image))

    def _build(self, graph: Graph, plan: MemoryPlan):
        if self._last is None or self._last[0] is not graph or self._last[1] is not plan:
            self._last = None  # a candidate that does not fit leaves nothing to reuse
            self._last = (graph, plan, build_graph(graph, plan, self.target, self.out, self.spec.sampler))
        return self._last[2]

    def sizes(self, graph: Graph, plan: MemoryPlan) -> dict[str, int]:
        """The flash and RAM (static + reserved stack) of a compiled candidate image; for one a
        board cannot hold, what the fit check measured (flash: the code regions, RAM: the rest)."""
        try:
            _, image = self._build(graph, plan)
        except DoesNotFit as error:
            code = sum(r.used for r in error.regions if r.name in CODE_REGIONS)
            return {"flash": code, "ram": sum(r.used for r in error.regions) - code}
        return {"flash": image.flash_bytes, "ram": image.ram_bytes + image.stack_bytes}

    def instructions(self, graph: Graph, plan: MemoryPlan) -> tuple[int, dict[str, int]]:
        """Instructions of one model call of a candidate image on the target's emulator, in all
        and per emitted layer (the counters `sdk bench` reads), for `--budget instructions=`."""
        from sdk.runner.board import BOOT_DEADLINE_S
        from sdk.runner.client import DeviceClient
        from sdk.runner.emulator import Emulator
        from sdk.verify.validate import run_sample

        try:
            generated, image = self._build(graph, plan)
        except DoesNotFit as error:
            raise UserError(f"--budget instructions=…: the instructions are counted on the emulated "
                            f"{self.target.name}, and a candidate image does not fit that board:\n{error.table()}\n"
                            "drop instructions= from the budget, or build for a target with more memory") from None
        inputs = self.spec.sample_inputs(1, 0)[0]  # the counts do not depend on the values
        with Emulator(self.target, image.elf) as emulator, DeviceClient(emulator.port) as client:
            client.wait_until_ready(deadline_s=BOOT_DEADLINE_S)
            _, total = run_sample(client, [x.numpy() for x in inputs])
            counts = client.counters()
        return total, {layer.name: count for layer, count in zip(generated.emitted.layers, counts)}


def _build_into(out: Path, final: Path, model_ref: str, spec: ModelSpec, target: Target,
                precision: PrecisionPolicy, reference_kernels: bool, soft_float: bool = False,
                tile: str | int = "auto", ranges: dict | None = None) -> BuildManifest:
    """Build into out/, which becomes final/: every path the manifest records is under final.
    ranges: int8 ranges calibrated already (by --precision auto's search)."""
    # the plan chooses each layer's kernel (and places its scratch): for the target's ISA
    # features, or none for the reference baseline
    graph, plan = lower(spec, precision, [] if reference_kernels else target.isa_features, ranges=ranges)
    # an int8 build is checked bit for bit against its numpy graph; one where a float layer (no
    # int8 form) feeds int8 ones cannot be (C's and numpy's float roundings may move a quantized
    # byte), so it is checked like a float build with int8 layers (--precision auto, a
    # --precision-config): within a tolerance that counts its int8 roundings
    # (sdk/verify/tolerance.py int8_noise), and `sdk build` says so (sdk/compile/int8_summary.py)
    mixed = precision.default != "int8" or bool(float_islands(graph))
    if precision.uses("int8"):
        check_int8_graph(target, graph, soft_float)
    unmatched = precision.unmatched_patterns(graph)
    if unmatched:  # a layer the lowering removed (an int8 build's time path became tables) was named rightly
        unmatched = precision.unmatched_patterns(capture(spec.module, spec.example_inputs))
    if unmatched:
        raise UserError(f"precision overrides match no layer: {', '.join(unmatched)}; the layer "
                        f"names are the ones `sdk bench` prints")
    untiled = plan
    if isinstance(tile, int):
        plan = tiles.tiled(graph, plan, tile)
    try:
        try:
            generated, image = build_graph(graph, plan, target, out, spec.sampler)
        except DoesNotFit as error:
            smaller = tiles.fitting(graph, plan, error) if tile == tiles.AUTO else None
            if smaller is None:
                raise
            plan = smaller  # the untiled image does not fit: run its convolutional stage in bands
            generated, image = build_graph(graph, plan, target, out, spec.sampler)
    except DoesNotFit as error:
        captured = capture(spec.module, spec.example_inputs)
        schedule = (captured.inputs[1], spec.sampler.times) if spec.sampler is not None else (None, None)
        tips = advice(error, spec, captured, schedule, graph, plan, precision, model_ref)
        tips += tiles.advice(graph, untiled, error, tile)
        raise UserError(error.table() + "".join(f"\n  try: {tip}" for tip in tips)) from None
    kernels = kernel_sources(generated.emitted.kernel_functions)
    policy = {"default": precision.default, "layers": precision.layers}
    return BuildManifest(
        target=final.name, model=model_reference(model_ref), model_name=spec.name,
        model_hash=generated.model_hash, precision=describe(precision),
        precision_policy=policy,
        kernels="reference" if reference_kernels else "target",
        build_id=image.build_id, elf=str((final / image.elf.name).resolve()),
        arena_bytes=generated.plan.arena_bytes,
        arena_lower_bound_bytes=generated.plan.lower_bound_bytes,
        scratch_bytes=generated.plan.scratch_bytes,
        flash_bytes=image.flash_bytes, ram_bytes=image.ram_bytes, text_bytes=image.text_bytes,
        rodata_bytes=image.rodata_bytes, data_bytes=image.data_bytes, bss_bytes=image.bss_bytes,
        kernel_sources=[str(k.relative_to(INCLUDE_DIR.parent)) for k in kernels],
        layers=layer_records(graph, generated.emitted.layers),
        inputs=[{"name": n, "shape": list(graph.tensors[n].shape), "dtype": graph.tensors[n].dtype}
                for n in graph.inputs],
        outputs=[{"name": n, "shape": list(graph.tensors[n].shape)} for n in graph.outputs],
        sampler=spec.sampler.to_dict() if spec.sampler else None,
        model_fingerprint=model_fingerprint(model_ref, spec, policy),
        stack_bytes=image.stack_bytes,
        arena_baseline_bytes=generated.plan.baseline_arena_bytes,
        arena_baseline_lower_bound_bytes=generated.plan.baseline_lower_bound_bytes,
        tiling=tiles.describe(generated.plan, untiled),
        int8_noise=int8_noise(graph) if precision.uses("int8") and mixed else None,
    )


def layer_records(graph: Graph, layers) -> list[dict]:
    """The manifest's rows, one per emitted kernel call (codegen/emit_c.py Layer): what it
    computes and how, as built. input_dtype and accumulation_dtype are the facts the
    tolerances are derived from (sdk/verify/)."""
    nodes = {node.name: node for node in graph.nodes}
    return [_layer_record(graph, nodes[layer.name], layer) for layer in layers]


def _layer_record(graph: Graph, node, layer) -> dict:
    first_input = graph.tensors[node.inputs[0]].dtype if node.inputs and node.inputs[0] else layer.dtype
    return {"name": layer.name, "op": layer.op, "macs": layer.macs, "dtype": layer.dtype,
            "function": layer.function, "accumulation": layer.accumulation, "input_dtype": first_input,
            "accumulation_dtype": "f16" if accumulates_in_half(layer.function) else "f32"}
