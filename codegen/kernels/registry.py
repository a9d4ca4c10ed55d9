"""Picks the C source file for each kernel function a generated model calls.

Layout under the kernel root: ``ref/<function>.c`` is the portable reference, and
``<isa>/<function>_<isa>.c`` an optional override with the same signature for targets that
have ISA feature ``<isa>`` (e.g. ``rvv/conv2d_f32_rvv.c``). Only the files actually called
are compiled, so an unused kernel never costs flash.
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


def _check_name(kind: str, name: str) -> None:
    if not _NAME.fullmatch(name):
        raise ValueError(f"invalid {kind} name {name!r}: expected [a-z0-9_]+")


def all_reference_functions(kernel_root: Path = KERNEL_ROOT) -> list[str]:
    """Every kernel function that has a reference implementation, sorted."""
    return sorted(path.stem for path in (kernel_root / "ref").glob("*.c"))


def select_kernel_sources(
    functions: Iterable[str],
    isa_features: Iterable[str] = (),
    kernel_root: Path = KERNEL_ROOT,
) -> list[Path]:
    """Source files implementing ``functions`` on a target with ``isa_features``.

    ``isa_features`` is in order of preference: the first feature with an override for a
    function wins, so pass the most specific extension first (e.g. ``["mve", "dsp"]``).
    Falls back to the reference file. Returns one file per distinct function, sorted by
    path so builds are reproducible. ``kernel_root`` is a parameter so tests can point it
    at a fake tree.
    """
    features = list(dict.fromkeys(isa_features))
    for feature in features:
        _check_name("ISA feature", feature)
    sources = []
    for function in sorted(set(functions)):
        _check_name("kernel function", function)
        reference = kernel_root / "ref" / f"{function}.c"
        if not reference.is_file():
            raise ValueError(
                f"no reference kernel for {function!r}: expected {reference}"
            )
        overrides = (
            kernel_root / feature / f"{function}_{feature}.c" for feature in features
        )
        sources.append(next((path for path in overrides if path.is_file()), reference))
    return sorted(sources)
