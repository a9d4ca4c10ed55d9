"""The fit check: does a build fit the board's memory? Asked before the final link.

The image is first linked with every region enlarged (enlarged()); each allocated section is
then charged to the region its address falls in, and .data once more to the region it is
loaded from (flash).
A region over its length stops the build with a table of what takes what, instead of the
linker's "region `RAM' overflowed".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sdk.target import Target

WHAT = {".text": "code", ".rodata": "constants (weights, tables)", ".data": "initialised data",
        ".arena": "arena (activations + kernel scratch)", ".bss": "other zeroed data (I/O buffers, libc)",
        ".stack": "stack (reserved)", ".vectors": "vector table"}


@dataclass
class RegionUse:
    name: str
    length: int
    parts: list[tuple[str, int]] = field(default_factory=list)  # (what, bytes)

    @property
    def used(self) -> int:
        return sum(size for _, size in self.parts)

    @property
    def over(self) -> int:
        return self.used - self.length


class DoesNotFit(Exception):
    """The image needs more of a region than the board has; .regions says what takes what."""

    def __init__(self, target: Target, regions: list[RegionUse]):
        self.target, self.regions = target, regions
        super().__init__(self.table())

    def table(self) -> str:
        board = self.target.board or {}
        lines = [f"the build does not fit {board.get('name', self.target.name)} "
                 f"({self.target.name}):"]
        for region in self.regions:
            verdict = f"{region.over:,} B over" if region.over > 0 else "fits"
            lines.append(f"  {region.name.upper()}: {region.used:,} of {region.length:,} B — {verdict}")
            for what, size in sorted(region.parts, key=lambda p: -p[1]):
                lines.append(f"    {size:>10,} B  {what}")
        return "\n".join(lines)


def _describe(section: str) -> str:
    return WHAT.get(section, f"section {section}")


MEASURE_SPAN = 0x10000000  # 256 MiB: room for any image a build could make


def enlarged(memory: dict) -> dict:
    """memory with each region as long as it can be without reaching the next region's
    origin (at most MEASURE_SPAN): a link against it never overflows, and every section
    still lands in its own region's address range."""
    regions = {k: r for k, r in memory.items() if isinstance(r, dict) and "origin" in r}
    out = dict(memory)
    for name, region in regions.items():
        above = [r["origin"] for r in regions.values() if r["origin"] > region["origin"]]
        out[name] = {**region, "length": min([MEASURE_SPAN, *(o - region["origin"] for o in above)])}
    return out


def region_use(target: Target, sections: dict[str, dict]) -> list[RegionUse]:
    """What each of the target's regions holds, from sections linked against enlarged()."""
    board = target.regions()
    spans = target.regions(enlarged(target.memory))
    uses = {name: RegionUse(name, board[name]["length"]) for name in board}
    for section, info in sections.items():
        home = next((n for n, r in spans.items()
                     if r["origin"] <= info["address"] < r["origin"] + r["length"]), None)
        if home in uses:
            uses[home].parts.append((_describe(section), info["size"]))
        if info["kind"] == "data" and "flash" in uses and home != "flash":
            uses["flash"].parts.append((f"{_describe(section)} (its initial values)", info["size"]))
    return [u for u in uses.values() if u.parts]


def check_fit(target: Target, sections: dict[str, dict]) -> list[RegionUse]:
    regions = region_use(target, sections)
    if any(r.over > 0 for r in regions):
        raise DoesNotFit(target, regions)
    return regions
