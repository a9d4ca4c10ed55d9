"""Compile firmware/ + a target's HAL + generated model/kernel sources into one image.

Builds are reproducible: sources are compiled in a fixed order, paths are mapped away with
-ffile-prefix-map, and the build id is a hash of what went in (never a timestamp), so the
same inputs give a byte-identical ELF wherever they live on disk."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sdk.compile.fit import check_fit, enlarged
from sdk.compile.memory_map import memory_script
from sdk.compile.object_cache import compile_object
from sdk.compile.toolchain import require_tool
from sdk.target import Target

REPO_ROOT = Path(__file__).resolve().parents[2]
FIRMWARE_DIR = REPO_ROOT / "firmware"


class BuildFailed(RuntimeError):
    """The compiler or linker rejected the sources; the message carries its output."""


@dataclass(frozen=True)
class FirmwareImage:
    elf: Path
    bin: Path
    size_report: Path
    build_id: str
    text_bytes: int
    rodata_bytes: int
    data_bytes: int
    bss_bytes: int
    stack_bytes: int

    @property
    def flash_bytes(self) -> int:
        return self.text_bytes + self.rodata_bytes + self.data_bytes

    @property
    def ram_bytes(self) -> int:
        return self.data_bytes + self.bss_bytes


def firmware_sources() -> list[Path]:
    return sorted(FIRMWARE_DIR.glob("*.c"))


def _unique(paths: list[Path]) -> list[Path]:
    return list(dict.fromkeys(p.resolve() for p in paths))


def _prefix_maps(dirs: list[Path]) -> list[str]:
    """Map the repo to 'edgediff' and every other directory to a stable 'srcN' label."""
    maps = [f"-ffile-prefix-map={REPO_ROOT}=edgediff"]
    outside = [d for d in dict.fromkeys(dirs) if not d.is_relative_to(REPO_ROOT)]
    maps += [f"-ffile-prefix-map={d}=src{i}" for i, d in enumerate(outside)]
    return maps


C_TEXT_SUFFIXES = (".c", ".h", ".inc")  # what a C source can #include


def _reachable_files(sources: list[Path], include_dirs: list[Path]) -> list[tuple[str, bytes]]:
    """Every C file a compile can read: the sources and everything under the include dirs and
    under the sources' own folders (quote includes, e.g. codegen/kernels/mve/*.h, or a .c that
    includes another .c), recursively. A superset of what the preprocessor opens, so no edit to
    an included file can leave the build id unchanged; an edit to an unused file beside them
    only costs a rebuild. Keyed by the path under its folder and the content, not the absolute
    path, so the same tree elsewhere on disk hashes the same."""
    roots = list(dict.fromkeys([*include_dirs, *(src.parent for src in sources)]))
    files = {(str(f.relative_to(root)), f.read_bytes()) for root in roots for f in root.rglob("*")
             if f.suffix in C_TEXT_SUFFIXES and f.is_file()}
    return sorted(files)


def _build_id(target: Target, sources: list[Path], include_dirs: list[Path], defines: list[str],
              linker_script: Path | None, memory: str = "") -> str:
    """A hash of everything that goes into the image: flags, defines, link inputs, linker
    script and the memory map it includes, the ordered source list and every file a source
    can include."""
    digest = hashlib.sha256()
    link_inputs = [p.name for p in target.libc_libs] + list(target.ldlibs)
    digest.update(json.dumps([target.cflags, target.ldflags, defines, link_inputs]).encode())
    if linker_script is not None:
        digest.update(linker_script.read_bytes() + memory.encode())
    for src in sources:  # the compile order and which files are compiled
        digest.update(src.name.encode() + b"\0" + src.read_bytes() + b"\0")
    for name, content in _reachable_files(sources, include_dirs):
        digest.update(name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()[:16]


def _run(argv: list[str]) -> str:
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildFailed(f"{' '.join(argv)}\n{result.stdout}{result.stderr}")
    return result.stdout


_SECTION_ROW = re.compile(
    r"^\s*\[\s*\d+\]\s+(?P<name>\S+)\s+(?P<type>\S+)\s+(?P<address>[0-9a-f]+)\s+[0-9a-f]+\s+(?P<size>[0-9a-f]+)\s+[0-9a-f]+\s+(?P<flags>[A-Za-z]*)\s"
)


def _section_sizes_at(readelf: str, elf: Path) -> dict[str, dict]:
    """_section_sizes with each section's address: {name: {size, kind, address}}."""
    return sections_from_readelf(_run([readelf, "-S", "-W", str(elf)]), addresses=True)


def _section_sizes(readelf: str, elf: Path) -> dict[str, dict]:
    """Allocated sections from the ELF section headers: {name: {size, kind}}."""
    return sections_from_readelf(_run([readelf, "-S", "-W", str(elf)]))


def sections_from_readelf(text: str, addresses: bool = False) -> dict[str, dict]:
    """{name: {size, kind}} of the allocated, non-empty sections in `readelf -S -W` output
    (GNU and LLVM print the same columns): kind is stack (the linker script's .stack), text
    (executable), bss (NOBITS), data (writable) or rodata. The RAM report
    (sdk/report/ram.py) sums data and bss, and takes stack as the reserved stack."""
    sections = {}
    for line in text.splitlines():
        row = _SECTION_ROW.match(line)
        if not row or "A" not in row["flags"] or int(row["size"], 16) == 0:
            continue
        if row["name"] == ".stack":
            kind = "stack"
        elif "X" in row["flags"]:
            kind = "text"
        elif row["type"] == "NOBITS":
            kind = "bss"
        elif "W" in row["flags"]:
            kind = "data"
        else:
            kind = "rodata"
        sections[row["name"]] = {"size": int(row["size"], 16), "kind": kind}
        if addresses:
            sections[row["name"]]["address"] = int(row["address"], 16)
    return sections


def _previous_image(out_dir: Path, name: str, build_id: str, binary: bool) -> FirmwareImage | None:
    """The image a previous build with the same build id left in out_dir, if it is complete."""
    report_path = out_dir / "size_report.json"
    elf, bin_path = out_dir / f"{name}.elf", out_dir / f"{name}.bin"
    if not (report_path.is_file() and elf.is_file() and (bin_path.is_file() or not binary)):
        return None
    report = json.loads(report_path.read_text())
    if report.get("build_id") != build_id:
        return None
    return FirmwareImage(
        elf=elf, bin=bin_path, size_report=report_path, build_id=build_id,
        **{f"{kind}_bytes": report[f"{kind}_bytes"] for kind in ("text", "rodata", "data", "bss", "stack")})


def app_defines(target: Target) -> list[str]:
    """Defines every image for target gets: its name, UART, and where a bootloader's handoff
    block is (so the app can find its way back to the bootloader)."""
    defines = [f'-DEDGEDIFF_TARGET_NAME="{target.name}"', f"-DEDGEDIFF_UART_BASE={target.uart_address:#x}u"]
    if target.bootloader is not None:
        defines.append(f"-DEDGEDIFF_BOOT_HANDOFF={target.bootloader.handoff:#x}u")
    return defines


def build_firmware(target: Target, sources: list[Path], include_dirs: list[Path], out_dir: Path, *,
                   portable_sources: list[Path] | None = None, linker_script: Path | None = None,
                   extra_defines: tuple[str, ...] = (), name: str = "firmware",
                   reuse: bool = False, binary: bool = True) -> FirmwareImage:
    """Compile and link; writes <name>.elf, <name>.bin and size_report.json into out_dir.
    The keyword arguments exist for the bootloader (sdk/compile/bootloader.py): other portable
    sources than firmware/*.c, its own linker script, its flash geometry, and reuse (skip the
    compiler when out_dir already holds an image with the same build id), binary=False (no .bin:
    objcopy would fill the gap between sections at 0x0 and 0x21000000 with half a GB of zeros)."""
    cc = require_tool(target.cc, target.toolchain_packages)
    linker = require_tool(target.linker, target.toolchain_packages)
    objcopy = require_tool(target.objcopy, target.toolchain_packages)
    readelf = require_tool(target.readelf, target.toolchain_packages)

    portable = firmware_sources() if portable_sources is None else list(portable_sources)
    all_sources = _unique(portable + target.hal_sources + list(sources))
    all_includes = _unique([FIRMWARE_DIR, *target.hal_include_dirs, *include_dirs])
    defines = [*app_defines(target), *extra_defines]
    script_path = linker_script if linker_script is not None else target.linker_script
    memory = memory_script(target.memory) if script_path is not None and linker_script is None else ""
    build_id = _build_id(target, all_sources, all_includes, defines, script_path, memory)

    out_dir = Path(out_dir).resolve()
    if reuse:
        previous = _previous_image(out_dir, name, build_id, binary)
        if previous is not None:
            return previous
    obj_dir = out_dir / "obj"
    obj_dir.mkdir(parents=True, exist_ok=True)
    cflags = [
        *target.cflags,
        *defines,
        f'-DEDGEDIFF_BUILD_ID="{build_id}"',
        *_prefix_maps([out_dir] + [s.parent for s in all_sources] + all_includes),
        *(f"-I{d}" for d in all_includes),
        *(f"-isystem{d}" for d in target.libc_include_dirs),
    ]
    objects = []
    for i, src in enumerate(all_sources):
        obj = obj_dir / f"{i:03d}_{src.stem}.o"
        compile_object(cc, cflags, src, obj, _run)
        objects.append(str(obj))

    elf = out_dir / f"{name}.elf"
    bin_path = out_dir / f"{name}.bin"
    script = ["-T", str(script_path)] if script_path is not None else []
    libs = ["--start-group", *map(str, target.libc_libs), "--end-group"] if target.libc_libs else []

    def link(memory_text: str, where: Path) -> None:
        if memory_text:
            (where / "memory.ld").write_text(memory_text)
        _run([linker, *target.ldflags, f"-L{where}", *script, *objects, *libs, *target.ldlibs, "-o", str(elf)])

    if memory:
        # link once with every region enlarged to measure what the image needs, and refuse it
        # with a table of what takes what before the linker would (sdk/compile/fit.py)
        measure_dir = obj_dir / "measure"
        measure_dir.mkdir(exist_ok=True)
        link(memory_script(enlarged(target.memory)), measure_dir)
        check_fit(target, _section_sizes_at(readelf, elf))
    link(memory, out_dir)
    if binary:
        _run([objcopy, "-O", "binary", str(elf), str(bin_path)])

    sections = _section_sizes(readelf, elf)
    totals = {kind: sum(s["size"] for s in sections.values() if s["kind"] == kind)
              for kind in ("text", "rodata", "data", "bss", "stack")}
    image = FirmwareImage(
        elf=elf, bin=bin_path, size_report=out_dir / "size_report.json", build_id=build_id,
        text_bytes=totals["text"], rodata_bytes=totals["rodata"], data_bytes=totals["data"],
        bss_bytes=totals["bss"], stack_bytes=totals["stack"],
    )
    report = {
        "target": target.name,
        "build_id": build_id,
        "sections": sections,
        **{f"{kind}_bytes": size for kind, size in totals.items()},
        "flash_bytes": image.flash_bytes,
        "ram_bytes": image.ram_bytes,
    }
    image.size_report.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return image
