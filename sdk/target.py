"""Targets are data: each targets/<name>/target.toml becomes a Target, so adding a board
means adding a folder, never an `if target == ...` in the SDK."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

TARGETS_DIR = Path(__file__).resolve().parent.parent / "targets"


class UnknownTarget(ValueError):
    """The requested target has no folder under targets/."""


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    directory: Path
    isa_features: list[str]
    counter: str
    uart_kind: str
    uart_address: int
    memory: dict
    cc: str
    linker: str
    objcopy: str
    readelf: str
    cflags: list[str]
    ldflags: list[str]
    linker_script: Path
    toolchain_packages: list[str]
    libc_include_dirs: list[Path]
    libc_libs: list[Path]
    hal_sources: list[Path]
    hal_include_dirs: list[Path]
    emulator_command: list[str]
    emulator_packages: list[str]

    def emulator_argv(self, elf: Path) -> list[str]:
        """The emulator command line with {elf} filled in."""
        return [arg.format(elf=elf) for arg in self.emulator_command]


def known_targets() -> list[str]:
    return sorted(p.parent.name for p in TARGETS_DIR.glob("*/target.toml"))


def load_target(name: str) -> Target:
    path = TARGETS_DIR / name / "target.toml"
    if not path.is_file():
        raise UnknownTarget(f"unknown target {name!r}; known targets: {', '.join(known_targets())}")
    spec = tomllib.loads(path.read_text())
    here = path.parent
    toolchain = spec["toolchain"]
    return Target(
        name=spec["name"],
        description=spec["description"],
        directory=here,
        isa_features=list(spec["isa_features"]),
        counter=spec["counter"],
        uart_kind=spec["uart"]["kind"],
        uart_address=spec["uart"]["address"],
        memory=dict(spec["memory"]),
        cc=toolchain["cc"],
        linker=toolchain["linker"],
        objcopy=toolchain["objcopy"],
        readelf=toolchain["readelf"],
        cflags=list(toolchain["cflags"]),
        ldflags=list(toolchain["ldflags"]),
        linker_script=here / toolchain["linker_script"],
        toolchain_packages=list(toolchain["packages"]),
        libc_include_dirs=[Path(p) for p in spec["libc"]["include_dirs"]],
        libc_libs=[Path(p) for p in spec["libc"]["libs"]],
        hal_sources=[here / p for p in spec["hal"]["sources"]],
        hal_include_dirs=[here / p for p in spec["hal"]["include_dirs"]],
        emulator_command=list(spec["emulator"]["command"]),
        emulator_packages=list(spec["emulator"]["packages"]),
    )
