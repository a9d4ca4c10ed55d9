"""Silence the converters' and runtimes' own output (progress bars, C++ INFO logs).

They write to the process's stdout/stderr file descriptors, not only to sys.stdout, so the
descriptors themselves are pointed at a scratch file; errors still arrive as exceptions.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile


@contextlib.contextmanager
def quiet():
    """stdout and stderr (descriptors and sys streams) go to a scratch file in the block."""
    with tempfile.TemporaryFile() as sink:
        saved = [os.dup(1), os.dup(2)]
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                os.dup2(sink.fileno(), 1)
                os.dup2(sink.fileno(), 2)
                yield
        finally:
            for fd, copy in zip((1, 2), saved):
                os.dup2(copy, fd)
                os.close(copy)
