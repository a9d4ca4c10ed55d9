"""C literals for the values the emitter writes: floats, halves, packed words, identifiers.

Exact by construction: a float32 prints as the shortest decimal that round-trips, a half as
a hexadecimal float, so the bits in flash are the bits the planner chose.
"""

from __future__ import annotations

import re

import numpy as np


def c_float(x: float) -> str:
    """Shortest decimal that round-trips the float32 value, as a C float literal."""
    value = np.float32(x)
    if not np.isfinite(value):
        raise ValueError(f"non-finite constant {value} cannot be emitted")
    text = str(value)
    return text + "f" if any(c in text for c in ".e") else text + ".0f"


def c_half(x: float) -> str:
    """An FP16 value as an exact hexadecimal float literal: no decimal rounding between
    the value the planner chose and the bits in flash."""
    value = np.float16(x)
    if not np.isfinite(value):
        raise ValueError(f"non-finite constant {value} cannot be emitted")
    mantissa, exponent = float(value).hex().split("p")
    return f"{mantissa.rstrip('0').rstrip('.')}p{exponent}f"


def c_word(x) -> str:
    """A packed 32-bit word as a hexadecimal literal."""
    return f"0x{int(x):08x}u"


def c_identifier(name: str) -> str:
    ident = re.sub(r"\W", "_", name)
    return ident if not ident[0].isdigit() else "_" + ident
