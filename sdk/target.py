"""Targets are data: each targets/<name>/target.toml becomes a Target, so adding a board
means adding a folder, never an `if target == ...` in the SDK."""

from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

TARGETS_DIR = Path(__file__).resolve().parent.parent / "targets"


class UnknownTarget(ValueError):
    """The requested target has no folder under targets/."""


@dataclass(frozen=True)
class BootloaderSpec:
    """A target's [bootloader] table: what to add to its HAL to build the serial bootloader,
    where the app flash is, and how the emulated board starts with the bootloader instead of
    an app (emulator_args replace "-kernel {elf}")."""
    sources: list[Path]
    linker_script: Path
    entry_symbol: str
    handoff: int
    flash_origin: int
    flash_length: int
    flash_sector: int
    persistent: bool
    emulator_args: list[str]
    # The slot-state log (firmware/bootloader/boot_state.c): the first sectors of the app flash.
    slot_state_sectors: int = 2
    # The recovery window at power-up (firmware/bootloader/recovery.h), in ms of the HAL
    # counter, which runs recovery_counts_per_ms per ms; 0: no window.
    recovery_window_ms: int = 0
    recovery_counts_per_ms: int = 1_000_000
    # rollback_counter = {offset, bytes}: the flash area (offset from the flash origin, whole
    # sectors, the last of the flash) where the bootloader keeps the highest security counter
    # it has booted (firmware/bootloader/image_counter.c); the second slot ends before it
    counter_offset: int = 0
    counter_bytes: int = 0

    @property
    def slot_bytes(self) -> int:
        """Each of the two image slots between the slot state and the rollback counter's area,
        in whole sectors (slot_layout.h)."""
        usable = self.counter_offset - self.slot_state_sectors * self.flash_sector
        return usable // 2 // self.flash_sector * self.flash_sector

    def slot_offset(self, slot: int) -> int:
        """Flash offset of a slot's header sector; its body starts one sector later."""
        return self.slot_state_sectors * self.flash_sector + slot * self.slot_bytes

    @property
    def body_capacity(self) -> int:
        return self.slot_bytes - self.flash_sector


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
    linker_script: Path | None  # None: the linker's default layout (host)
    toolchain_packages: list[str]
    libc_include_dirs: list[Path]
    libc_libs: list[Path]
    hal_sources: list[Path]
    hal_include_dirs: list[Path]
    emulator_command: list[str]
    emulator_packages: list[str]
    ldlibs: tuple[str, ...] = ()  # linker arguments after the objects and libc, e.g. -lm
    counter_deterministic: bool = True  # False where the counter is a clock (host: ns)
    fp16_arithmetic: str = "native"  # native | vector | storage (no FP16 ALU: convert, compute FP32)
    bootloader: BootloaderSpec | None = None  # None: no serial bootloader (host)
    # A board profile (targets/<board>/target.toml with `extends`): its [board] table (name,
    # chip, what the emulator stands in for) and the target it extends; None: an ISA target.
    board: dict | None = None
    base: str | None = None
    # The regions of the emulated machine, which a board's own [memory] cuts down; the same as
    # memory for an ISA target. The fit check links against these to measure what a build needs.
    emulator_memory: dict | None = None
    # No floating-point unit (fe310): a float build needs --soft-float (sdk/compile/integer_only.py).
    integer_only: bool = False

    def regions(self, memory: dict | None = None) -> dict[str, dict]:
        """The named regions (name -> {origin, length, ...}) of memory (default: the target's)."""
        memory = self.memory if memory is None else memory
        return {k: r for k, r in memory.items() if isinstance(r, dict) and "origin" in r}

    def fp16_note(self, precision: str) -> str | None:
        """What FP16 means on this target, when it is not plain FP16 arithmetic."""
        if precision == "fp16" and self.fp16_arithmetic == "storage":
            return (f"{self.name} has no FP16 arithmetic: FP16 weights and activations are stored "
                    "as halves (half the flash and RAM) and computed in FP32")
        return None

    def missing_tools(self) -> list[str]:
        """Compiler and emulator commands not on PATH (host: the built program is the board)."""
        tools = [self.cc] + [a for a in self.emulator_command[:1] if "{elf}" not in a]
        return [t for t in tools if shutil.which(t) is None]

    def install_command(self) -> str:
        return "apt-get install -y " + " ".join(self.toolchain_packages + self.emulator_packages)

    def emulator_argv(self, elf: Path) -> list[str]:
        """The emulator command line with {elf} filled in."""
        return [arg.format(elf=elf) for arg in self.emulator_command]

    def app_regions(self) -> list[tuple[int, int]]:
        """(origin, length) of every memory region an app image may load into."""
        return [(r["origin"], r["length"]) for r in self.memory.values()
                if isinstance(r, dict) and "origin" in r]

    def bootloader_argv(self, **paths: Path) -> list[str]:
        """The emulator command that starts the board with its bootloader: "-kernel {elf}"
        replaced by the [bootloader] emulator_args, with {flash0}, {flash1}, {bootloader} filled in."""
        if self.bootloader is None:
            raise ValueError(f"target {self.name} has no bootloader")
        argv = list(self.emulator_command)
        at = argv.index("-kernel")
        argv[at:at + 2] = self.bootloader.emulator_args
        return [arg.format(**paths) for arg in argv]


def known_targets() -> list[str]:
    """Every target, board profiles included."""
    return sorted(p.parent.name for p in TARGETS_DIR.glob("*/target.toml"))


def isa_targets() -> list[str]:
    """The targets that are not board profiles, one per core and emulator, and that have an
    FPU. Kernel and firmware tests and the benchmark matrix run on these (they build FP32 and
    FP16 images); a board profile runs the same code as the target it extends, with less
    memory (tests/test_boards.py), and an integer-only core has its own tests
    (tests/test_fe310.py)."""
    specs = {name: tomllib.loads((TARGETS_DIR / name / "target.toml").read_text()) for name in known_targets()}
    return [name for name, spec in specs.items() if "extends" not in spec and not spec.get("integer_only")]


def integer_only_targets() -> list[str]:
    """The cores without an FPU that are not board profiles (fe310): int8 and soft-float only."""
    targets = [load_target(name) for name in known_targets()]
    return [t.name for t in targets if t.integer_only and t.base is None]


def _counter_area(spec: dict) -> tuple[int, int]:
    """[bootloader] rollback_counter: whole sectors at the end of the flash, past sector 0."""
    flash, area = spec["flash"], spec.get("rollback_counter")
    if area is None:
        raise ValueError("[bootloader] needs rollback_counter = { offset = ..., bytes = ... } "
                         "(the flash area of the highest booted security counter)")
    offset, size, sector = area["offset"], area["bytes"], flash["sector"]
    if offset % sector or size % sector or size == 0 or offset <= sector or offset + size != flash["length"]:
        raise ValueError(f"[bootloader] rollback_counter {{offset = {offset:#x}, bytes = {size:#x}}} must be "
                         f"whole {sector:#x}-byte sectors ending the flash of {flash['length']:#x} bytes")
    return offset, size


def _bootloader(spec: dict | None, here: Path) -> BootloaderSpec | None:
    if spec is None:
        return None
    counter_offset, counter_bytes = _counter_area(spec)
    bootloader = BootloaderSpec(
        sources=[here / p for p in spec["sources"]],
        linker_script=here / spec["linker_script"],
        entry_symbol=spec["entry_symbol"],
        handoff=spec["handoff"],
        flash_origin=spec["flash"]["origin"],
        flash_length=spec["flash"]["length"],
        flash_sector=spec["flash"]["sector"],
        persistent=spec["persistent"],
        emulator_args=list(spec["emulator_args"]),
        slot_state_sectors=spec["slot_state_sectors"],
        recovery_window_ms=spec.get("recovery_window", {}).get("ms", 0),
        recovery_counts_per_ms=spec.get("recovery_window", {}).get("counts_per_ms", 1_000_000),
        counter_offset=counter_offset,
        counter_bytes=counter_bytes,
    )
    _check_layout(bootloader)
    return bootloader


def _check_layout(spec: BootloaderSpec) -> None:
    """The flash in order: slot state, slot A, slot B, rollback counter; each slot at least a
    header sector and a body sector, the two slots ending before the counter's area."""
    slots_end = spec.slot_offset(2)
    if spec.slot_state_sectors < 1 or spec.body_capacity < spec.flash_sector or slots_end > spec.counter_offset:
        raise ValueError(f"[bootloader] {spec.slot_state_sectors} slot-state sectors and two slots of "
                         f"{spec.slot_bytes:#x} bytes do not fit before the rollback counter at "
                         f"{spec.counter_offset:#x} (sectors of {spec.flash_sector:#x} bytes)")


# Keys whose values are paths relative to the target.toml that names them.
_PATH_KEYS = {("toolchain", "linker_script"), ("hal", "sources"), ("hal", "include_dirs"),
              ("bootloader", "sources"), ("bootloader", "linker_script")}


def _absolute(spec: dict, here: Path) -> dict:
    """spec with every relative path made absolute against `here`, so a board that extends it
    finds the base's files."""
    out = {key: dict(value) if isinstance(value, dict) else value for key, value in spec.items()}
    for table, key in _PATH_KEYS:
        value = out.get(table, {}).get(key)
        if isinstance(value, list):
            out[table][key] = [str(here / p) for p in value]
        elif value:
            out[table][key] = str(here / value)
    return out


def _read_spec(name: str) -> dict:
    """targets/<name>/target.toml, paths absolute. A board profile (`extends = "<base>"`) is the
    base target with the board's tables merged over it key by key, except [memory], which
    the board replaces whole (the chip's regions, not the emulator's)."""
    path = TARGETS_DIR / name / "target.toml"
    if not path.is_file():
        raise UnknownTarget(f"unknown target {name!r}; known targets: {', '.join(known_targets())}")
    spec = _absolute(tomllib.loads(path.read_text()), path.parent)
    base_name = spec.get("extends")
    if base_name is None:
        return spec
    base = _read_spec(base_name)
    merged = {**base, "base_memory": base.get("base_memory", base["memory"])}
    for key, value in spec.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and key != "memory":
            merged[key] = {**base[key], **value}
        else:
            merged[key] = value
    return merged


def load_target(name: str) -> Target:
    spec = _read_spec(name)
    here = TARGETS_DIR / name
    toolchain = spec["toolchain"]
    libc = spec.get("libc", {})
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
        linker_script=here / toolchain["linker_script"] if toolchain.get("linker_script") else None,
        toolchain_packages=list(toolchain["packages"]),
        libc_include_dirs=[Path(p) for p in libc.get("include_dirs", [])],
        libc_libs=[Path(p) for p in libc.get("libs", [])],
        hal_sources=[here / p for p in spec["hal"]["sources"]],
        hal_include_dirs=[here / p for p in spec["hal"]["include_dirs"]],
        emulator_command=list(spec["emulator"]["command"]),
        emulator_packages=list(spec["emulator"]["packages"]),
        ldlibs=tuple(toolchain.get("ldlibs", ())),
        counter_deterministic=spec.get("counter_deterministic", True),
        fp16_arithmetic=spec.get("fp16_arithmetic", "native"),
        bootloader=_bootloader(spec.get("bootloader"), here),
        board=dict(spec["board"]) if "board" in spec else None,
        base=spec.get("extends"),
        emulator_memory=dict(spec.get("base_memory", spec["memory"])),
        integer_only=spec.get("integer_only", False),
    )


def counter_unit(target_name: str) -> str:
    """What the board's counter counts: instructions, or (host) nanoseconds of a clock."""
    target = load_target(target_name)
    return "instructions" if target.counter_deterministic else target.counter
