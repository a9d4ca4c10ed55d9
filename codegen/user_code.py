"""Where an exception raised while running a user's model came from, in the user's terms:
the traceback frames in their own files, not in torch, the standard library or EdgeDiff.
Error messages show these instead of a stack trace."""

from __future__ import annotations

import sysconfig
import traceback
from pathlib import Path

_EDGEDIFF = Path(__file__).resolve().parent.parent
_NOT_USER = tuple(str(p) for p in {*(Path(sysconfig.get_paths()[k]).resolve() for k in
                                     ("stdlib", "platstdlib", "purelib", "platlib")),
                                   _EDGEDIFF / "codegen", _EDGEDIFF / "sdk"})


def _is_user_file(filename: str) -> bool:
    return not filename.startswith("<") and not str(Path(filename).resolve()).startswith(_NOT_USER)


def user_frames(error: BaseException, limit: int = 4) -> list[str]:
    """The innermost `limit` frames of error's traceback in user files, as
    'file:line in function: code' (for a SyntaxError: the offending line)."""
    if isinstance(error, SyntaxError) and error.filename:
        return [f"{error.filename}:{error.lineno}: {(error.text or '').strip()}"]
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_user_file(f.filename)]
    return [f"{f.filename}:{f.lineno} in {f.name}: {(f.line or '').strip()}" for f in frames[-limit:]]


def describe(error: BaseException) -> str:
    """'Type: first line of the message', then the user frames, innermost last."""
    lines = str(error).strip().splitlines()
    head = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return "\n".join([head, *(f"  at {frame}" for frame in user_frames(error))])
