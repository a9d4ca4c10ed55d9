"""The RAM a firmware image needs, counted one way for `sdk build`, `sdk validate` and `sdk bench`.

RAM = .data + .bss of the linked ELF + the stack high-water measured on the board.
.data + .bss (section sizes read from the ELF at build time, sdk/compile/firmware.py) hold the
model's arena, one static array from the memory planner (codegen/plan.py) of which the
kernels' working memory (scratch) is a part, and everything else static: the I/O tensors, the
protocol's frame buffers, libc. The stack is the linker script's .stack: a build can only say
how much is reserved; the board says how deep it ever went (firmware/stack_watermark.c paints
it at boot and RESET, the STACK request scans it), so validate and bench, which have run the
model (and the sampler), report the measured figure. On the host target the stack is the
process's and is not measured.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from sdk.compile.manifest import BuildManifest
from sdk.runner.protocol import StackUsage


@dataclass(frozen=True)
class RamReport:
    arena_bytes: int  # the planner's static arena, scratch included (it lies in .bss)
    scratch_bytes: int  # the part of the arena the kernels use as working memory
    data_bss_bytes: int  # .data + .bss of the ELF, the arena included
    stack_reserved_bytes: int  # .stack in the linker script; 0: no stack of ours (host)
    stack_used_bytes: int | None = None  # measured high-water; None: not measured

    @classmethod
    def of_build(cls, manifest: BuildManifest, stack: StackUsage | None = None) -> RamReport:
        """The build's static RAM, plus the board's stack reply when there is one."""
        measured = stack is not None and stack.measured
        return cls(arena_bytes=manifest.arena_bytes, scratch_bytes=manifest.scratch_bytes,
                   data_bss_bytes=manifest.data_bytes + manifest.bss_bytes,
                   stack_reserved_bytes=stack.reserved_bytes if measured else manifest.stack_bytes,
                   stack_used_bytes=stack.used_bytes if measured else None)

    @property
    def other_static_bytes(self) -> int:
        """.data + .bss besides the arena."""
        return self.data_bss_bytes - self.arena_bytes

    @property
    def total_bytes(self) -> int:
        """.data + .bss + the measured stack; without a measurement, .data + .bss alone."""
        return self.data_bss_bytes + (self.stack_used_bytes or 0)

    def _stack_row(self) -> tuple[str, str]:
        if self.stack_used_bytes is not None:
            return ("RAM: stack high-water",
                    f"{self.stack_used_bytes:,} B of {self.stack_reserved_bytes:,} B reserved")
        if self.stack_reserved_bytes:
            return "RAM: stack reserved", f"{self.stack_reserved_bytes:,} B (high-water: validate, bench)"
        return "RAM: stack", "not measured (a host process)"

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) rows for the commands' tables."""
        scratch = f" ({self.scratch_bytes:,} B kernel scratch)" if self.scratch_bytes else ""
        measured = self.stack_used_bytes is not None
        return [("RAM: arena", f"{self.arena_bytes:,} B{scratch}"),
                ("RAM: other .data/.bss", f"{self.other_static_bytes:,} B"),
                self._stack_row(),
                ("RAM total" if measured else "RAM total (static)",
                 f"{self.total_bytes:,} B" if measured else f"{self.total_bytes:,} B + stack")]

    def line(self) -> str:
        """One line: RAM and its parts."""
        scratch = f" (scratch {self.scratch_bytes:,})" if self.scratch_bytes else ""
        if self.stack_used_bytes is not None:
            stack = f"stack {self.stack_used_bytes:,} (high-water; {self.stack_reserved_bytes:,} reserved)"
        elif self.stack_reserved_bytes:
            stack = f"stack not measured ({self.stack_reserved_bytes:,} reserved)"
        else:
            stack = "stack not measured (a host process)"
        return (f"RAM {self.total_bytes:,} B = arena {self.arena_bytes:,}{scratch} + other .data/.bss "
                f"{self.other_static_bytes:,} + {stack}")

    def to_dict(self) -> dict:
        return {**asdict(self), "other_static_bytes": self.other_static_bytes,
                "total_bytes": self.total_bytes}

    @classmethod
    def from_dict(cls, data: dict) -> RamReport:
        """Back from to_dict() (a report's "ram"), its derived totals dropped."""
        return cls(**{f.name: data[f.name] for f in fields(cls)})
