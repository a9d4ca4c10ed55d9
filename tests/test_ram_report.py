"""The RAM report (sdk/report/ram.py): .data + .bss from the ELF's section table, the arena
inside it, and the stack high-water the board sends (STACK); and what a host does with a board
whose firmware predates STACK."""

from __future__ import annotations

import struct

import pytest
import serial

from sdk.compile.firmware import sections_from_readelf
from sdk.compile.manifest import BuildManifest
from sdk.report.ram import RamReport
from sdk.runner import protocol as p
from sdk.runner.client import DeviceClient

pytestmark = pytest.mark.unit

# `llvm-readelf -S -W` of an rv32 image and `arm-none-eabi-readelf -S -W` of a cortex-m4 one
# (the tiny fixture model), cut to the section rows.
LLVM_RV32 = """\
  [Nr] Name              Type            Address  Off    Size   ES Flg Lk Inf Al
  [ 0]                   NULL            00000000 000000 000000 00      0   0  0
  [ 1] .text             PROGBITS        80000000 001000 001524 00  AX  0   0  4
  [ 2] .rodata           PROGBITS        80001528 002528 0004e0 00 AMS  0   0  8
  [ 3] .sdata            PROGBITS        80001a08 002a08 000010 00  WA  0   0  8
  [ 4] .bss              NOBITS          80001a10 002a10 001cc8 00  WA  0   0 16
  [ 5] .stack            NOBITS          800036e0 002a10 010000 00  WA  0   0 16
  [ 6] .debug_line       PROGBITS        00000000 002a10 000194 00      0   0  1
  [15] .symtab           SYMTAB          00000000 003158 000fc0 10     17 199  4
"""
GNU_M4 = """\
  [Nr] Name              Type            Addr     Off    Size   ES Flg Lk Inf Al
  [ 0]                   NULL            00000000 000000 000000 00      0   0  0
  [ 1] .vectors          PROGBITS        00000000 001000 000040 00   A  0   0 128
  [ 2] .text             PROGBITS        00000040 001040 00106c 00  AX  0   0  8
  [ 3] .rodata           PROGBITS        000010b0 0020b0 0004e0 00   A  0   0  8
  [ 4] .data             PROGBITS        20000000 002590 000000 00  WA  0   0  8
  [ 5] .bss              NOBITS          20000000 003000 001ce0 00  WA  0   0 16
  [ 6] .stack            NOBITS          20001ce0 002ce0 010000 00  WA  0   0  8
  [ 7] .debug_info       PROGBITS        00000000 002590 000230 00      0   0  1
"""


def test_sections_of_an_rv32_image_read_by_llvm_readelf():
    assert sections_from_readelf(LLVM_RV32) == {
        ".text": {"size": 0x1524, "kind": "text"}, ".rodata": {"size": 0x4E0, "kind": "rodata"},
        ".sdata": {"size": 0x10, "kind": "data"}, ".bss": {"size": 0x1CC8, "kind": "bss"},
        ".stack": {"size": 0x10000, "kind": "stack"}}


def test_sections_of_an_arm_image_read_by_gnu_readelf_skip_empty_and_debug_ones():
    assert sections_from_readelf(GNU_M4) == {
        ".vectors": {"size": 0x40, "kind": "rodata"}, ".text": {"size": 0x106C, "kind": "text"},
        ".rodata": {"size": 0x4E0, "kind": "rodata"}, ".bss": {"size": 0x1CE0, "kind": "bss"},
        ".stack": {"size": 0x10000, "kind": "stack"}}


def manifest(**sizes) -> BuildManifest:
    fields = dict(target="rv32", model="unet", model_name="unet", model_hash="0", precision="fp32",
                  precision_policy={}, kernels="target", build_id="0", elf="/x/firmware.elf",
                  arena_bytes=100_000, arena_lower_bound_bytes=90_000, flash_bytes=0, ram_bytes=0,
                  text_bytes=0, rodata_bytes=0, data_bytes=16, bss_bytes=107_000, kernel_sources=[],
                  layers=[], inputs=[], outputs=[], scratch_bytes=12_288, stack_bytes=65_536)
    return BuildManifest(**{**fields, **sizes})


def test_ram_is_data_and_bss_plus_the_measured_stack_with_the_arena_inside():
    ram = RamReport.of_build(manifest(), p.StackUsage(reserved_bytes=65_536, used_bytes=2_340))
    assert ram.other_static_bytes == 16 + 107_000 - 100_000
    assert ram.total_bytes == 16 + 107_000 + 2_340  # arena and scratch are in .bss: not added again
    assert dict(ram.rows())["RAM: stack high-water"] == "2,340 B of 65,536 B reserved"
    assert dict(ram.rows())["RAM: arena"] == "100,000 B (12,288 B kernel scratch)"
    assert ram.line() == ("RAM 109,356 B = arena 100,000 (scratch 12,288) + other .data/.bss 7,016 + "
                          "stack 2,340 (high-water; 65,536 reserved)")
    assert RamReport.from_dict(ram.to_dict()) == ram
    assert ram.to_dict()["total_bytes"] == 109_356


def test_a_build_alone_has_only_the_reserved_stack():
    ram = RamReport.of_build(manifest())
    assert (ram.stack_reserved_bytes, ram.stack_used_bytes, ram.total_bytes) == (65_536, None, 107_016)
    assert dict(ram.rows())["RAM total (static)"] == "107,016 B + stack"
    assert "validate" in dict(ram.rows())["RAM: stack reserved"]


def test_a_board_without_a_stack_region_leaves_it_unmeasured():
    ram = RamReport.of_build(manifest(stack_bytes=0), p.StackUsage(reserved_bytes=0, used_bytes=0))
    assert (ram.stack_used_bytes, ram.total_bytes) == (None, 107_016)
    assert dict(ram.rows())["RAM: stack"].startswith("not measured")


def test_stack_reply_layout_is_checked():
    assert p.parse_stack(struct.pack("<II", 65_536, 1_144)) == p.StackUsage(65_536, 1_144)
    with pytest.raises(p.ProtocolError):
        p.parse_stack(struct.pack("<I", 65_536))
    with pytest.raises(p.ProtocolError):
        p.parse_stack(struct.pack("<III", 65_536, 1_144, 0))


def test_firmware_older_than_stack_is_refused_with_what_to_do():
    with DeviceClient(serial.serial_for_url("loop://", timeout=0.1)) as client:
        client._info = p.DeviceInfo(1, p.PROTO_MAX_PAYLOAD, "rv32", "b", "m", 0, 0, [], [])
        with pytest.raises(p.ProtocolError, match="protocol version 1.*rebuild the image"):
            client.stack()
        assert client.stats["requests"] == 0  # refused before a request it cannot answer
