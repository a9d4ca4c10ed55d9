"""`sdk build`: model → generated C → firmware image for a target, plus a manifest.

build/<target>/ holds gen/ (model.c, model.h, graph.json, plan.json), firmware.elf/.bin,
size_report.json and build.json — the manifest every later command (flash, validate,
bench) reads, so they act on exactly what was built. A build is written beside
build/<target>/ and swapped in whole once complete, one build at a time (sdk/compile/staging.py):
a failed build leaves the previous one as it was; the board's flash files (board/) are
carried over.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from codegen.kernels.registry import INCLUDE_DIR, kernel_sources
from codegen.passes import PrecisionPolicy
from sdk.errors import UserError
from codegen.ir import Graph
from codegen.plan import plan_memory
from sdk.compile.firmware import FirmwareImage, build_firmware
from sdk.compile.lower import GeneratedModel, emit_graph, lower
from sdk.models import load_model
from sdk.models.spec import ModelSpec
from sdk.compile.precision import describe
from sdk.compile.staging import staged_build
from sdk.target import Target, load_target

DEFAULT_BUILD_ROOT = Path("build")


@dataclass
class BuildManifest:
    target: str
    model: str
    model_name: str
    model_hash: str
    precision: str
    precision_policy: dict
    kernels: str
    build_id: str
    elf: str
    arena_bytes: int
    arena_lower_bound_bytes: int
    flash_bytes: int
    ram_bytes: int
    text_bytes: int
    rodata_bytes: int
    data_bytes: int
    bss_bytes: int
    kernel_sources: list[str]
    layers: list[dict]
    inputs: list[dict]
    outputs: list[dict]
    sampler: dict | None = None  # a diffusion build's SamplerPlan (sdk/diffusion/sampling.py)

    @property
    def directory(self) -> Path:
        return Path(self.elf).parent

    def command(self, name: str) -> str:
        """The `sdk` command line that acts on this build (for messages that say what to run)."""
        root = self.directory.parent
        build_dir = "" if root.resolve() == DEFAULT_BUILD_ROOT.resolve() else f" --build-dir {root}"
        model = f" --model {self.model}" if name in ("build", "bench") else ""
        return f"sdk{build_dir} {name} --target {self.target}{model}"

    @property
    def policy(self) -> PrecisionPolicy:
        return PrecisionPolicy(**self.precision_policy)

    @property
    def total_macs(self) -> int:
        return sum(layer["macs"] for layer in self.layers)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> BuildManifest:
        return cls(**json.loads(path.read_text()))


def build_dir(target: str, root: Path = DEFAULT_BUILD_ROOT) -> Path:
    return Path(root) / target


def load_manifest(target: str, root: Path = DEFAULT_BUILD_ROOT) -> BuildManifest:
    path = build_dir(target, root) / "build.json"
    if not path.is_file():
        raise UserError(f"no build for target {target!r} in {path.parent}: "
                        f"run `sdk build --target {target} --model <model>` first")
    return BuildManifest.load(path)


def model_reference(ref: str) -> str:
    """How the manifest names the model: zoo names as they are, files as absolute paths."""
    path = Path(ref)
    return str(path.resolve()) if path.is_file() else ref


def build_graph(graph: Graph, target: Target, out: Path, isa_features: list[str],
                sampler=None) -> tuple[GeneratedModel, FirmwareImage]:
    """Plan, emit and compile a lowered graph (and its sampler, if any) into an image in out/."""
    generated = emit_graph(graph, plan_memory(graph), out / "gen", isa_features, sampler)
    kernels = kernel_sources(generated.emitted.kernel_functions)
    image = build_firmware(target, [*generated.sources, *kernels], [INCLUDE_DIR, generated.directory], out)
    return generated, image


def build(model_ref: str, target_name: str, root: Path = DEFAULT_BUILD_ROOT,
          precision: PrecisionPolicy | None = None, reference_kernels: bool = False) -> BuildManifest:
    """reference_kernels: use only the portable kernels (the baseline benchmarks compare to)."""
    target = load_target(target_name)
    precision = precision or PrecisionPolicy()
    spec = load_model(model_ref)  # a bad --model is refused before the build directory is touched
    final = build_dir(target_name, root)
    with staged_build(final) as out:
        manifest = _build_into(out, final, model_ref, spec, target, precision, reference_kernels)
        manifest.save(out / "build.json")
    return manifest


def _build_into(out: Path, final: Path, model_ref: str, spec: ModelSpec, target: Target,
                precision: PrecisionPolicy, reference_kernels: bool) -> BuildManifest:
    """Build into out/, which becomes final/: every path the manifest records is under final."""
    graph, _ = lower(spec, precision)
    unmatched = precision.unmatched_patterns(graph)
    if unmatched:
        raise UserError(f"precision overrides match no layer: {', '.join(unmatched)}; the layer "
                        f"names are the ones `sdk bench` prints")
    generated, image = build_graph(graph, target, out, [] if reference_kernels else target.isa_features,
                                   spec.sampler)
    kernels = kernel_sources(generated.emitted.kernel_functions)
    return BuildManifest(
        target=final.name, model=model_reference(model_ref), model_name=spec.name,
        model_hash=generated.model_hash, precision=describe(precision),
        precision_policy={"default": precision.default, "layers": precision.layers},
        kernels="reference" if reference_kernels else "target",
        build_id=image.build_id, elf=str((final / image.elf.name).resolve()),
        arena_bytes=generated.plan.arena_bytes,
        arena_lower_bound_bytes=generated.plan.lower_bound_bytes,
        flash_bytes=image.flash_bytes, ram_bytes=image.ram_bytes, text_bytes=image.text_bytes,
        rodata_bytes=image.rodata_bytes, data_bytes=image.data_bytes, bss_bytes=image.bss_bytes,
        kernel_sources=[str(k.relative_to(INCLUDE_DIR.parent)) for k in kernels],
        layers=[{"name": layer.name, "op": layer.op, "macs": layer.macs, "dtype": layer.dtype,
                 "function": layer.function, "accumulation": layer.accumulation}
                for layer in generated.emitted.layers],
        inputs=[{"name": n, "shape": list(graph.tensors[n].shape)} for n in graph.inputs],
        outputs=[{"name": n, "shape": list(graph.tensors[n].shape)} for n in graph.outputs],
        sampler=spec.sampler.to_dict() if spec.sampler else None,
    )
