"""How a command's output files are replaced: all of one run or none."""

from __future__ import annotations

import contextlib
from pathlib import Path


@contextlib.contextmanager
def fresh_outputs(*paths: Path):
    """Remove an earlier run's outputs before this run, and this run's own if it stops before
    the end (error, Ctrl-C), so a file found there is always the whole result of the last run."""
    for path in paths:
        path.unlink(missing_ok=True)
    try:
        yield
    except BaseException:
        for path in paths:
            path.unlink(missing_ok=True)
        raise
