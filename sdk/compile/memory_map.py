"""The MEMORY block of a target's linker script, from its target.toml [memory] table.

Every app linker script (targets/*/link.ld) says `INCLUDE memory.ld` where it would name its
regions; the build writes memory.ld into the image's folder from the target's data, so a
board profile that cuts the emulator's regions to a real chip's sizes needs no linker script
of its own. Region names are the table's keys in capitals (flash -> FLASH, ram -> RAM);
`arena_region` names the region the model's arena goes to (default ram: e.g. a Cortex-M7's
large AXI SRAM while data and stack stay in its DTCM), `stack_bytes` the reserved stack.
"""

from __future__ import annotations

EXECUTABLE = ("flash", "itcm")  # regions code may go to; the others hold data


def memory_script(memory: dict) -> str:
    regions = {k: r for k, r in memory.items() if isinstance(r, dict) and "origin" in r}
    lines = ["/* Written by sdk build from the target's [memory] table (sdk/compile/memory_map.py). */",
             "MEMORY", "{"]
    for name, region in regions.items():
        attrs = "rx" if name in EXECUTABLE else "rwx"
        lines.append(f"    {name.upper()} ({attrs}) : ORIGIN = {region['origin']:#010x}, "
                     f"LENGTH = {region['length']:#x}")
    lines.append("}")
    arena = memory.get("arena_region", "ram")
    if arena not in regions:
        raise ValueError(f"[memory] arena_region = {arena!r} names no region ({', '.join(regions)})")
    lines += [f'REGION_ALIAS("ARENA", {arena.upper()});', f"STACK_BYTES = {memory['stack_bytes']:#x};", ""]
    return "\n".join(lines)
