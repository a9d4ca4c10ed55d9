"""The kernels' limits and tiling budgets, read from the one C header that defines them.

include/edgediff/limits.h holds every number both the C kernels and the Python side need
(register counts, counter widths, tiling budgets). Python never types them again: LIMITS
is that header's `#define EDGEDIFF_<NAME> <integer>` lines, and limit("NAME") looks one up
by the name after the prefix, e.g. limit("RVV_CONV_MAX_W_IN").
"""

from __future__ import annotations

import re
from pathlib import Path

from codegen.kernels.registry import INCLUDE_DIR

LIMITS_HEADER = INCLUDE_DIR / "edgediff" / "limits.h"
_DEFINE = re.compile(r"^#define EDGEDIFF_([A-Z0-9_]+)[ \t]+(\d+)[ \t]*(?:/\*.*)?$", re.M)


def read_limits(header: Path = LIMITS_HEADER) -> dict[str, int]:
    """Every `#define EDGEDIFF_<NAME> <decimal>` of the header: NAME -> value."""
    return {name: int(value) for name, value in _DEFINE.findall(header.read_text())}


LIMITS: dict[str, int] = read_limits()


def limit(name: str) -> int:
    """The value of EDGEDIFF_<name> in limits.h (KeyError names what is missing)."""
    try:
        return LIMITS[name]
    except KeyError:
        raise KeyError(f"EDGEDIFF_{name} is not defined in {LIMITS_HEADER}") from None
