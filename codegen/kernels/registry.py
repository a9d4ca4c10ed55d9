"""Where each kernel function's C source lives.

Layout under the kernel root: ``ref/<function>.c`` holds a portable reference kernel and
``<isa>/<function>.c`` an ISA override (e.g. ``mve/conv2d_f16_mve.c``); which function a
layer calls is decided by codegen/kernels/catalog.py. Only the files a model calls are
compiled, so an unused kernel never costs flash.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

KERNEL_ROOT = Path(__file__).resolve().parent
INCLUDE_DIR = KERNEL_ROOT / "include"
REF_DIR = KERNEL_ROOT / "ref"

# Names become path components, so reject anything that could escape the kernel root.
_NAME = re.compile(r"[a-z0-9_]+")


def all_reference_functions(kernel_root: Path = KERNEL_ROOT) -> list[str]:
    """Every kernel function that has a reference implementation, sorted."""
    return sorted(path.stem for path in (kernel_root / "ref").glob("*.c"))


def kernel_source(function: str, kernel_root: Path = KERNEL_ROOT) -> Path:
    """The one file defining ``function``: in ref/ or in an ISA folder."""
    if not _NAME.fullmatch(function):
        raise ValueError(f"invalid kernel function name {function!r}: expected [a-z0-9_]+")
    found = sorted(p for p in kernel_root.glob(f"*/{function}.c") if p.parent.name != "include")
    if len(found) != 1:
        where = ", ".join(str(p) for p in found) or f"no {function}.c under {kernel_root}"
        raise ValueError(f"kernel function {function!r} needs exactly one source file: {where}")
    return found[0]


def kernel_sources(functions: Iterable[str], kernel_root: Path = KERNEL_ROOT) -> list[Path]:
    """Source files for the given functions, deduplicated and sorted (reproducible builds)."""
    return sorted({kernel_source(f, kernel_root) for f in functions})
