"""Board profiles (targets that extend a core's target with a real chip's memory), the memory
map every link takes from target.toml, and the fit check before the final link."""

from __future__ import annotations

import re
import subprocess

import pytest

from sdk.compile.fit import DoesNotFit, check_fit, enlarged, region_use
from sdk.compile.firmware import sections_from_readelf
from sdk.compile.manifest import load_manifest
from sdk.compile.memory_map import memory_script
from sdk.target import isa_targets, known_targets, load_target
from tests.helpers.cli import sdk

BOARDS = {"nucleo-f446re": "cortex-m4", "nucleo-h743zi": "cortex-m7", "nrf5340-dk": "cortex-m33",
          "alif-e7-he": "cortex-m55"}
KIB = 1024
# validated on the emulator too: the smallest board, and the one whose arena is in another region
VALIDATED = {"nucleo-f446re", "nucleo-h743zi"}


@pytest.mark.unit
def test_a_board_is_its_core_target_with_the_chips_memory():
    board, base = load_target("nucleo-f446re"), load_target("cortex-m4")
    assert board.base == "cortex-m4" and board.board["chip"] == "STM32F446RE"
    assert (board.cflags, board.emulator_command, board.hal_sources, board.isa_features) == \
           (base.cflags, base.emulator_command, base.hal_sources, base.isa_features)
    assert all(p.is_file() for p in board.hal_sources) and board.linker_script.is_file()
    assert board.bootloader.linker_script == base.bootloader.linker_script
    assert board.regions() == {"flash": {"origin": 0, "length": 512 * KIB},
                               "ram": {"origin": 0x20000000, "length": 128 * KIB}}
    assert board.emulator_memory == base.memory  # what the machine has, for `sdk targets`
    assert set(BOARDS) <= set(known_targets()) and not set(BOARDS) & set(isa_targets())


@pytest.mark.unit
def test_the_memory_map_is_the_targets_data():
    text = memory_script(load_target("nucleo-h743zi").memory)
    assert "RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 0x20000" in text
    assert "AXI (rwx) : ORIGIN = 0x20100000, LENGTH = 0x80000" in text
    assert 'REGION_ALIAS("ARENA", AXI);' in text and "STACK_BYTES = 0x2000;" in text
    assert 'REGION_ALIAS("ARENA", RAM);' in memory_script(load_target("cortex-m4").memory)
    with pytest.raises(ValueError, match="arena_region = 'sram9' names no region"):
        memory_script({**load_target("cortex-m4").memory, "arena_region": "sram9"})


@pytest.mark.unit
@pytest.mark.parametrize("name", sorted(BOARDS) + ["cortex-m55", "rv32"])
def test_measuring_regions_never_overlap_and_start_where_the_real_ones_do(name):
    target = load_target(name)
    spans = target.regions(enlarged(target.memory))
    ordered = sorted(spans.values(), key=lambda r: r["origin"])
    for low, high in zip(ordered, ordered[1:]):
        assert low["origin"] + low["length"] <= high["origin"]
    for key, region in target.regions().items():
        assert spans[key]["origin"] == region["origin"] and spans[key]["length"] >= region["length"]


def _section(address: int, size: int, kind: str) -> dict:
    return {"address": address, "size": size, "kind": kind}


@pytest.mark.unit
def test_every_section_is_charged_to_its_region_and_data_to_flash_too():
    target = load_target("nucleo-f446re")
    sections = {".text": _section(0x40, 300 * KIB, "text"), ".rodata": _section(0x50000, 300 * KIB, "rodata"),
                ".data": _section(0x20000000, 16, "data"), ".arena": _section(0x20000010, 100 * KIB, "bss"),
                ".stack": _section(0x20019010, 8 * KIB, "stack")}
    flash, ram = region_use(target, sections)
    assert (flash.name, flash.used, flash.over) == ("flash", 600 * KIB + 16, 88 * KIB + 16)
    assert (ram.name, ram.used) == ("ram", 108 * KIB + 16) and ram.over < 0
    with pytest.raises(DoesNotFit) as error:
        check_fit(target, sections)
    table = error.value.table()
    assert "FLASH: 614,416 of 524,288 B — 90,128 B over" in table and "RAM: 110,608 of 131,072 B — fits" in table
    assert "initialised data (its initial values)" in table
    sections[".rodata"]["size"] = 200 * KIB
    assert [r.name for r in check_fit(target, sections)] == ["flash", "ram"]  # fits: no error


def _readelf(elf) -> dict[str, dict]:
    tool = "riscv64-unknown-elf-readelf" if "rv32" in str(elf) else "arm-none-eabi-readelf"
    return sections_from_readelf(subprocess.run([tool, "-S", "-W", str(elf)], capture_output=True,
                                                text=True, check=True).stdout, addresses=True)


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
@pytest.mark.parametrize("board", sorted(BOARDS))
def test_the_zoo_unet_fits_each_board_and_validates_on_its_core(capsys, tmp_path, board):
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", board, "--model", "unet")
    assert code == 0, out
    manifest = load_manifest(board, tmp_path)
    target = load_target(board)
    regions = target.regions()
    for name, info in _readelf(manifest.elf).items():
        inside = [k for k, r in regions.items()
                  if r["origin"] <= info["address"] and info["address"] + info["size"] <= r["origin"] + r["length"]]
        assert inside, f"{name} at {info['address']:#x} (+{info['size']:#x}) lies outside {board}'s regions"
        if name == ".arena":
            assert inside == [target.memory.get("arena_region", "ram")]
    if board in VALIDATED:  # the others run their base target's code on its emulator, as tested there
        code, out = sdk(capsys, "--build-dir", tmp_path, "validate", "--target", board, "--emulator", "--samples", 2)
        assert code == 0 and "PASS" in out, out


@pytest.mark.kernel
@pytest.mark.slow
def test_a_model_too_big_for_the_board_is_refused_with_what_takes_what_and_what_would_fit(capsys, tmp_path):
    """The diffusers example in FP32 needs ~672 KB of flash; the F446RE has 512 KiB. The build
    stops before the final link with the table and an FP16 suggestion that then fits."""
    model = "examples/diffusers_unet/model.py"
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", "nucleo-f446re", "--model", model)
    assert code == 2, out
    assert "does not fit NUCLEO-F446RE" in out and "B over" in out and "constants (weights, tables)" in out
    assert "region `FLASH' overflowed" not in out and "Traceback" not in out
    assert "--precision fp16 saves" in out and "then it fits" in out
    assert not (tmp_path / "nucleo-f446re").exists()
    budget = re.search(r"--precision auto --budget (ram=\d+,flash=\d+)", " ".join(out.split())).group(1)
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", "nucleo-f446re", "--model", model,
                    "--precision", "fp16")
    assert code == 0, out
    assert load_manifest("nucleo-f446re", tmp_path).flash_bytes <= 512 * KIB
    # the auto suggestion builds too: its FP32 trial does not fit the board and is measured, not fatal
    code, out = sdk(capsys, "--build-dir", tmp_path / "auto", "build", "--target", "nucleo-f446re", "--model",
                    model, "--precision", "auto", "--budget", budget)
    assert code == 0, out
    auto = load_manifest("nucleo-f446re", tmp_path / "auto")
    assert auto.flash_bytes <= 512 * KIB and auto.auto_precision["fp16_layers"]


@pytest.mark.unit
def test_sdk_targets_lists_every_target_and_board_with_its_memory(capsys):
    code, out = sdk(capsys, "targets")
    assert code == 0
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 5}
    assert set(known_targets()) <= set(rows)
    assert "128 KiB ram" in rows["nucleo-h743zi"] and "2,048 KiB" in rows["nucleo-h743zi"]
    assert "128 KiB" in rows["nucleo-f446re"] and "512 KiB" in rows["nucleo-f446re"]
    assert "131,072 KiB" in rows["rv32"]
