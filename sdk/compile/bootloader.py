"""Build a target's serial bootloader from the same portable firmware as the app: main.c's
framed request loop, COBS, CRC, frames and replies, with the bootloader's own command set
(firmware/bootloader/) in place of the model's, the Ed25519 verifier (firmware/crypto/), the
target's HAL plus its flash driver, and its own linker script. The app's command and model
files are left out by what they include.

The bootloader carries one public key, given at build time, and boots only images that key's
private key signed (firmware/bootloader/image_signature.c): the key is part of the build id, so
a bootloader built for another key is another build."""

from __future__ import annotations

from pathlib import Path

from sdk.compile.firmware import FIRMWARE_DIR, FirmwareImage, build_firmware, firmware_sources
from sdk.target import Target, isa_targets, load_target

BOOTLOADER_DIR = FIRMWARE_DIR / "bootloader"
CRYPTO_DIR = FIRMWARE_DIR / "crypto"


def bootloader_sources() -> list[Path]:
    """firmware/*.c that do not need the generated model, then firmware/bootloader/*.c and
    firmware/crypto/*.c."""
    portable = [src for src in firmware_sources() if '#include "model.h"' not in src.read_text()]
    return portable + sorted(BOOTLOADER_DIR.glob("*.c")) + sorted(CRYPTO_DIR.glob("*.c"))


def riscv_extensions(target: Target) -> int | None:
    """The misa bits a RISC-V target's images need (one per single-letter extension: I, M, A,
    F, C from "rv32imafc", V from "rvv"); None for other ISAs."""
    base = target.isa_features[0] if target.isa_features else ""
    if not base.startswith("rv32"):
        return None
    letters = set(base[4:]) | ({"v"} if "rvv" in target.isa_features else set())
    return sum(1 << (ord(letter) - ord("a")) for letter in letters)


# The bits targets/cortex-m/hal/protect_mpu.c hal_core_features() reads from the core's ID
# registers (ARM_FEATURE_*), for each isa_features name of an Arm target. An architecture
# includes the ones before it (as the core reports them), so a target's mask is also what its
# own core has and a newer core runs an older core's images.
ARM_FEATURE_BITS = {
    "armv7em": 1 << 0,
    "armv8m_main": 1 << 0 | 1 << 1,
    "armv8.1m": 1 << 0 | 1 << 1 | 1 << 2,
    "dsp": 1 << 3,
    "fpu": 1 << 4,
    "fpv4_sp": 1 << 4,
    "fpv5_sp": 1 << 4 | 1 << 5,
    "fpv5": 1 << 4 | 1 << 5 | 1 << 6,  # with double precision (the M55 images' multilib: +dp)
    "fp16": 1 << 7,
    "mve": 1 << 8,
    "mve_f": 1 << 8 | 1 << 9,
    "mve_f16": 1 << 8 | 1 << 9,
}
ARM_ARCHITECTURES = ("armv7em", "armv8m_main", "armv8.1m")


def arm_features(target: Target) -> int | None:
    """The ARM_FEATURE_BITS an Arm target's images need (its isa_features; a name the table
    does not know needs nothing the bootloader can check); None for other ISAs."""
    if not target.isa_features or target.isa_features[0] not in ARM_ARCHITECTURES:
        return None
    mask = 0
    for name in target.isa_features:
        mask |= ARM_FEATURE_BITS.get(name, 0)
    return mask


def required_features(target: Target) -> int | None:
    """misa bits on RISC-V, ARM_FEATURE_BITS on Arm, None where the bootloader reads none."""
    extensions = riscv_extensions(target)
    return extensions if extensions is not None else arm_features(target)


def image_target_features(target: Target) -> str | None:
    """EDGEDIFF_IMAGE_TARGET_FEATURES: every target of this target's ISA family with the
    extensions its images need, so the bootloader can refuse an image the core cannot run
    (firmware/bootloader/image_features.h)."""
    if required_features(target) is None:
        return None
    family = riscv_extensions if riscv_extensions(target) is not None else arm_features
    rows = [(name, family(load_target(name))) for name in isa_targets()]
    return ",".join(f'{{"{name}",{mask:#x}u}}' for name, mask in rows if mask is not None)


def bootloader_defines(target: Target, public_key: bytes) -> tuple[str, ...]:
    if len(public_key) != 32:
        raise ValueError(f"an Ed25519 public key is 32 bytes, not {len(public_key)}")
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
        f"-DEDGEDIFF_COUNTER_OFFSET={spec.counter_offset:#x}u",
        f"-DEDGEDIFF_COUNTER_BYTES={spec.counter_bytes:#x}u",
        "-DEDGEDIFF_SIGNING_PUBLIC_KEY=" + ",".join(f"{b:#04x}" for b in public_key),
    )


def build_bootloader(target: Target, out_dir: Path, public_key: bytes) -> FirmwareImage:
    """bootloader.elf in out_dir (no .bin: the board is made from the ELF's segments), trusting
    public_key; reused when nothing that goes into it (the key included) changed."""
    if target.bootloader is None:
        raise ValueError(f"target {target.name} has no [bootloader] in its target.toml")
    return build_firmware(
        target, target.bootloader.sources, [BOOTLOADER_DIR, CRYPTO_DIR], out_dir,
        portable_sources=bootloader_sources(), linker_script=target.bootloader.linker_script,
        extra_defines=bootloader_defines(target, public_key), name="bootloader", reuse=True,
        binary=False)
