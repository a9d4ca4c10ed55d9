"""The feature table the SDK compiles into each bootloader (EDGEDIFF_IMAGE_TARGET_FEATURES):
on Arm, each target's isa_features as the ARM_FEATURE_* bits targets/cortex-m/hal/protect_mpu.c
reads from the core's ID registers. The hil tests (test_flash_mpu.py) check the core side;
these check that the masks order the Arm cores as their instruction sets do."""

from __future__ import annotations

import pytest

from sdk.compile.bootloader import ARM_FEATURE_BITS, arm_features, image_target_features, riscv_extensions
from sdk.target import load_target

pytestmark = [pytest.mark.unit]

ARM = ("cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55")


def mask(name: str) -> int:
    return arm_features(load_target(name))


def covers(core: str, image: str) -> bool:
    """The bootloader's test: every bit the image's target needs is one the core has."""
    return mask(image) & ~mask(core) == 0


def test_each_core_runs_its_own_and_older_images_and_refuses_newer_ones():
    runs = {core: {image for image in ARM if covers(core, image)} for core in ARM}
    assert runs == {
        "cortex-m4": {"cortex-m4"},
        "cortex-m7": {"cortex-m4", "cortex-m7"},
        "cortex-m33": {"cortex-m4", "cortex-m7", "cortex-m33"},
        "cortex-m55": set(ARM),
    }


def test_mve_is_what_the_m55_adds_and_other_isas_get_no_arm_bits():
    assert mask("cortex-m55") & ARM_FEATURE_BITS["mve_f16"] and not mask("cortex-m33") & ARM_FEATURE_BITS["mve"]
    assert arm_features(load_target("rv32")) is None and riscv_extensions(load_target("cortex-m4")) is None


def test_the_table_lists_every_arm_target_with_its_mask():
    table = image_target_features(load_target("cortex-m4"))
    for name in ARM:
        assert f'{{"{name}",{mask(name):#x}u}}' in table
    assert "rv32" not in table
