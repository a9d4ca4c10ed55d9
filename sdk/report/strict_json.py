"""Reports as strict JSON: a non-finite number is written as the string "NaN", "Infinity" or
"-Infinity", never as the bare tokens Python's json emits, which other JSON parsers reject."""

from __future__ import annotations

import json
import math
from pathlib import Path

NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def _finite(value):
    if isinstance(value, float) or type(value).__module__ == "numpy" and hasattr(value, "dtype") \
            and value.dtype.kind == "f" and value.ndim == 0:
        value = float(value)
        return value if math.isfinite(value) else NON_FINITE[repr(value)]
    if isinstance(value, dict):
        return {key: _finite(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def dumps(obj) -> str:
    """Indented strict JSON with a final newline; raises if a non-finite number slips through."""
    return json.dumps(_finite(obj), indent=1, allow_nan=False) + "\n"


def write_json(path: Path | str, obj) -> None:
    Path(path).write_text(dumps(obj))


def _bare_constant(token: str):
    raise ValueError(f"not strict JSON: bare {token}")


def _restore(value):
    if isinstance(value, str) and value in NON_FINITE.values():
        return float(value)
    if isinstance(value, dict):
        return {key: _restore(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return value


def read_json(path: Path | str):
    """A report written by write_json, with its non-finite numbers back as floats; a bare NaN or
    Infinity token (not strict JSON) is an error."""
    return _restore(json.loads(Path(path).read_text(), parse_constant=_bare_constant))
