"""The bootloader's flash layout on every target with one (board profiles included): the
slot-state sectors, slot A, slot B and the rollback counter's area, in that order, in whole
sectors, none overlapping, the counter's area ending the flash. The firmware's own arithmetic
(firmware/bootloader/slot_layout.h, compiled for the build machine with the very -D flags the
bootloader gets) must give the same offsets as sdk/target.py, which the flasher and the tests
use; and a target.toml whose slots would run into the counter's area is refused."""

from __future__ import annotations

import ctypes
import tomllib
from pathlib import Path

import pytest

from sdk.compile.bootloader import BOOTLOADER_DIR, bootloader_defines
from sdk.target import TARGETS_DIR, _bootloader, known_targets, load_target
from tests.host_build import build_shared_library

pytestmark = [pytest.mark.kernel]

WITH_BOOTLOADER = [name for name in known_targets() if load_target(name).bootloader is not None]

PROBE = """#include <stdint.h>
#include "slot_layout.h"
uint32_t slot_offset(uint32_t slot) { return SLOT_OFFSET(slot); }
uint32_t slot_bytes(void) { return SLOT_BYTES; }
"""


def test_every_bootloader_target_is_checked():
    """The list below is not empty by accident: the emulated ISA targets and their boards."""
    assert {"rv32", "rv32v", "cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55"} <= set(WITH_BOOTLOADER)


@pytest.mark.parametrize("name", WITH_BOOTLOADER)
def test_state_slots_and_counter_do_not_overlap(name, tmp_path):
    spec = load_target(name).bootloader
    sector = spec.flash_sector
    regions = [(0, spec.slot_offset(0)), (spec.slot_offset(0), spec.slot_bytes),
               (spec.slot_offset(1), spec.slot_bytes), (spec.counter_offset, spec.counter_bytes)]
    assert regions[0][1] == spec.slot_state_sectors * sector > 0
    for (start, size), (next_start, _) in zip(regions, regions[1:]):
        assert start % sector == 0 and size % sector == 0 and size > 0
        assert start + size <= next_start, f"{name}: {regions}"
    assert spec.counter_offset + spec.counter_bytes == spec.flash_length
    assert spec.body_capacity == spec.slot_bytes - sector >= sector

    probe = tmp_path / "probe.c"
    probe.write_text(PROBE)
    flags = [d for d in bootloader_defines(load_target(name), bytes(32))
             if d.startswith(("-DEDGEDIFF_SLOT_STATE", "-DEDGEDIFF_FLASH_", "-DEDGEDIFF_COUNTER_"))]
    lib = ctypes.CDLL(str(build_shared_library([probe], [BOOTLOADER_DIR], tmp_path / "probe.so", flags)))
    lib.slot_offset.restype = lib.slot_bytes.restype = ctypes.c_uint32
    assert [lib.slot_offset(0), lib.slot_offset(1), lib.slot_bytes()] == \
        [spec.slot_offset(0), spec.slot_offset(1), spec.slot_bytes]


def test_slots_running_into_the_counter_are_refused():
    """Enough slot-state sectors that two one-sector-body slots no longer fit before the counter."""
    here = TARGETS_DIR / "rv32"
    table = tomllib.loads((here / "target.toml").read_text())["bootloader"]
    sectors = table["rollback_counter"]["offset"] // table["flash"]["sector"]
    table["slot_state_sectors"] = sectors - 3
    with pytest.raises(ValueError, match="do not fit before the rollback counter"):
        _bootloader(table, Path(here))
    table["slot_state_sectors"] = sectors - 4  # two slots of two sectors: fits exactly
    assert _bootloader(table, Path(here)).slot_offset(2) == table["rollback_counter"]["offset"]
