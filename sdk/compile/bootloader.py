"""Build a target's serial bootloader from the same portable firmware as the app: main.c's
framed request loop, COBS, CRC, frames and replies, with the bootloader's own command set
(firmware/bootloader/) in place of the model's, the target's HAL plus its flash driver, and
its own linker script. The app's command and model files are left out by what they include."""

from __future__ import annotations

from pathlib import Path

from sdk.compile.firmware import FIRMWARE_DIR, FirmwareImage, build_firmware, firmware_sources
from sdk.target import Target

BOOTLOADER_DIR = FIRMWARE_DIR / "bootloader"


def bootloader_sources() -> list[Path]:
    """firmware/*.c that do not need the generated model, then firmware/bootloader/*.c."""
    portable = [src for src in firmware_sources() if '#include "model.h"' not in src.read_text()]
    return portable + sorted(BOOTLOADER_DIR.glob("*.c"))


def bootloader_defines(target: Target) -> tuple[str, ...]:
    spec = target.bootloader
    regions = ",".join(f"{{{origin:#x}u,{length:#x}u}}" for origin, length in target.app_regions())
    return (
        f"-DEDGEDIFF_FLASH_BASE={spec.flash_origin:#x}u",
        f"-DEDGEDIFF_FLASH_BYTES={spec.flash_length:#x}u",
        f"-DEDGEDIFF_FLASH_SECTOR={spec.flash_sector:#x}u",
        f"-DEDGEDIFF_RESET_ENTRY={spec.entry_symbol}",
        f"-DEDGEDIFF_APP_REGIONS={regions}",
    )


def build_bootloader(target: Target, out_dir: Path) -> FirmwareImage:
    """bootloader.elf in out_dir (no .bin: the board is made from the ELF's segments); reused
    when nothing that goes into it changed."""
    if target.bootloader is None:
        raise ValueError(f"target {target.name} has no [bootloader] in its target.toml")
    return build_firmware(
        target, target.bootloader.sources, [BOOTLOADER_DIR], out_dir,
        portable_sources=bootloader_sources(), linker_script=target.bootloader.linker_script,
        extra_defines=bootloader_defines(target), name="bootloader", reuse=True,
        binary=False)
