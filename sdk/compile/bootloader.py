"""Build a target's serial bootloader from the same portable firmware as the app: main.c's
framed request loop, COBS, CRC, frames and replies, with the bootloader's own command set
(firmware/bootloader/) in place of the model's, the target's HAL plus its flash driver, and
its own linker script. The app's command and model files are left out by what they include."""

from __future__ import annotations

from pathlib import Path

from sdk.compile.firmware import FIRMWARE_DIR, FirmwareImage, build_firmware, firmware_sources
from sdk.target import Target, isa_targets, load_target

BOOTLOADER_DIR = FIRMWARE_DIR / "bootloader"


def bootloader_sources() -> list[Path]:
    """firmware/*.c that do not need the generated model, then firmware/bootloader/*.c."""
    portable = [src for src in firmware_sources() if '#include "model.h"' not in src.read_text()]
    return portable + sorted(BOOTLOADER_DIR.glob("*.c"))


def riscv_extensions(target: Target) -> int | None:
    """The misa bits a RISC-V target's images need (one per single-letter extension: I, M, A,
    F, C from "rv32imafc", V from "rvv"); None for other ISAs."""
    base = target.isa_features[0] if target.isa_features else ""
    if not base.startswith("rv32"):
        return None
    letters = set(base[4:]) | ({"v"} if "rvv" in target.isa_features else set())
    return sum(1 << (ord(letter) - ord("a")) for letter in letters)


def image_target_features(target: Target) -> str | None:
    """EDGEDIFF_IMAGE_TARGET_FEATURES: every target of this target's ISA family with the
    extensions its images need, so the bootloader can refuse an image the core cannot run
    (firmware/bootloader/image_features.h)."""
    if riscv_extensions(target) is None:
        return None
    rows = [(name, riscv_extensions(load_target(name))) for name in isa_targets()]
    return ",".join(f'{{"{name}",{mask:#x}u}}' for name, mask in rows if mask is not None)


def bootloader_defines(target: Target) -> tuple[str, ...]:
    spec = target.bootloader
    regions = ",".join(f"{{{origin:#x}u,{length:#x}u}}" for origin, length in target.app_regions())
    features = image_target_features(target)
    return (*([f"-DEDGEDIFF_IMAGE_TARGET_FEATURES={features}"] if features else []),
        f"-DEDGEDIFF_SLOT_STATE_SECTORS={spec.slot_state_sectors}u",
        f"-DEDGEDIFF_RECOVERY_WINDOW_MS={spec.recovery_window_ms}u",
        f"-DEDGEDIFF_RECOVERY_COUNTS_PER_MS={spec.recovery_counts_per_ms}u",
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
