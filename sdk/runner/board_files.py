"""An emulated board that powers up in its serial bootloader, as a real one does.

On targets whose emulated board has real flash (rv32, rv32v: two 32 MiB CFI pflash image
files), the board's state lives in build/<target>/board/: flash0.img holds the bootloader (the
hart starts there), flash1.img holds whatever app was flashed over serial, and QEMU writes to
them as the firmware programs them, so a stopped or killed emulator keeps its flash. Installing
the bootloader into flash0.img here stands in for the vendor's tool that puts a bootloader on a
new board once. On the Arm boards QEMU models no flash: the bootloader is loaded with -kernel
and the app flash is RAM, gone when the emulator stops.

The bootloader put on the board trusts one signing key, the public key of the build it will be
given (its manifest's signing_public_key), or by default the current directory's development
key: installing it is the one step that decides which key a board trusts, as the vendor tool
or a JTAG probe does on a real board (docs/HARDWARE.md)."""

from __future__ import annotations

from pathlib import Path

from sdk.compile.bootloader import build_bootloader
from sdk.runner.emulator import Emulator
from sdk.runner.image import elf_segments
from sdk.sign.keys import development_key
from sdk.target import Target

PFLASH_BYTES = 32 * 1024 * 1024  # QEMU virt accepts exactly this size per pflash unit
ERASED = 0xFF


def board_dir(build_directory: Path) -> Path:
    return Path(build_directory) / "board"


def _blank_flash(path: Path) -> None:
    with open(path, "wb") as f:
        chunk = bytes([ERASED]) * (1024 * 1024)
        for _ in range(PFLASH_BYTES // len(chunk)):
            f.write(chunk)


def install_bootloader(elf: Path, flash0: Path) -> bool:
    """Write the bootloader's segments into the pflash0 image (flash0's base is its lowest load
    address); True if anything changed."""
    _entry, segments = elf_segments(elf)
    base = segments[0].address
    if segments[-1].address + len(segments[-1].data) - base > PFLASH_BYTES:
        raise ValueError(f"{elf} does not fit in one {PFLASH_BYTES}-byte pflash")
    changed = False
    with open(flash0, "r+b") as f:
        for seg in segments:
            f.seek(seg.address - base)
            if f.read(len(seg.data)) != seg.data:
                f.seek(seg.address - base)
                f.write(seg.data)
                changed = True
    return changed


def prepare_board(target: Target, build_directory: Path, public_key: bytes | None = None) -> list[str]:
    """Build (or reuse) the bootloader trusting public_key (None: the development key), make
    the board's flash files if missing and put that bootloader in flash0; returns the emulator
    command line that powers the board up."""
    directory = board_dir(build_directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = public_key if public_key is not None else development_key().public
    bootloader = build_bootloader(target, directory / "bootloader", key)
    if not target.bootloader.persistent:
        return target.bootloader_argv(bootloader=bootloader.elf)
    flash0, flash1 = directory / "flash0.img", directory / "flash1.img"
    for path in (flash0, flash1):
        if not path.is_file() or path.stat().st_size != PFLASH_BYTES:
            _blank_flash(path)
    install_bootloader(bootloader.elf, flash0)
    return target.bootloader_argv(flash0=flash0, flash1=flash1)


def start_board(target: Target, build_directory: Path, start_timeout: float = 10.0,
                public_key: bytes | None = None, paused: bool = False) -> Emulator:
    """The emulated board powered up from its flash (not yet started: use it as a context),
    its bootloader trusting public_key (None: the development key). paused: its core waits
    for Emulator.resume() (Flasher.recover catches the recovery window so)."""
    return Emulator(target, None, start_timeout, argv=prepare_board(target, build_directory, public_key),
                    paused=paused)
