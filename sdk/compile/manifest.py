"""build/<target>/build.json: the manifest of one build, which every later command (flash,
validate, bench, generate) reads so they act on exactly what was built.

Besides sizes and paths it records what later stages would otherwise have to recompute or
guess: the model fingerprint (sdk/compile/fingerprint.py: has the model changed since?) and,
per layer, the kernel function that ran, the dtype it read, and the dtype it accumulated in
(the tolerances of sdk/verify/ are derived from these)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from codegen.passes import PrecisionPolicy
from sdk.errors import UserError

DEFAULT_BUILD_ROOT = Path("build")


@dataclass(kw_only=True)
class BuildIdentity:
    """Which build a result is about: the fields every report (sdk validate, sdk bench, the
    mobile reports) carries first, named and filled the same way everywhere."""

    target: str
    model: str  # as the manifest names it: a zoo name, or a model file's absolute path
    model_name: str
    model_hash: str
    precision: str
    build_id: str


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
    model_fingerprint: str | None = None  # None: written by an sdk from before it was recorded
    # the largest working memory a layer's kernel takes from the arena (part of arena_bytes,
    # placed by the memory planner); 0: no layer's kernel takes scratch, or an older sdk
    scratch_bytes: int = 0
    stack_bytes: int = 0  # the stack the linker script reserves (.stack); 0: none (host, old builds)
    # the arena and its lower bound the planner gives without group norm in place and concat
    # slices (codegen/plan.py baseline), for comparison; 0: an older sdk
    arena_baseline_bytes: int = 0
    arena_baseline_lower_bound_bytes: int = 0
    # `--precision auto`: the budget, the sizes and the predicted and measured quality of the
    # assignment chosen (sdk/compile/auto_precision.py AutoChoice.to_dict); None: not auto
    auto_precision: dict | None = None
    # a float build with int8 layers: {"roundings": its int8 roundings, "output_range": the
    # output's calibrated [lo, hi]}, what its tolerance is derived from (sdk/verify/tolerance.py
    # int8_noise); None: no int8 layer, or an int8 build (checked bit for bit instead)
    int8_noise: dict | None = None
    # the signed image `sdk flash` writes (build/<target>/firmware.img, sdk/runner/image.py), the
    # public key that verifies it (hex), which key signed it (a path; never the key itself),
    # whether that is the project's development key, and its security counter; "" / False / 0:
    # no bootloader on the target, or an sdk from before signed images
    image: str = ""
    signing_public_key: str = ""
    signing_key: str = ""
    development_key: bool = False
    security_counter: int = 0
    # tiled execution of a fully convolutional stage (sdk/compile/tiling.py describe: bands,
    # band_rows, halo, nodes, arena_untiled_bytes, arena_bytes); None: untiled
    tiling: dict | None = None

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
    def identity(self) -> BuildIdentity:
        return BuildIdentity(**{f.name: getattr(self, f.name) for f in fields(BuildIdentity)})

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
