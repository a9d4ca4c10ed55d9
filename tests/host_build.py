"""Compile C for the build machine into a shared library, for fast tests through ctypes."""

from __future__ import annotations

import subprocess
from pathlib import Path

STRICT_CFLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-Wdouble-promotion",
                 "-shared", "-fPIC"]


def build_shared_library(sources: list[Path], include_dirs: list[Path], out: Path,
                         extra_flags: list[str] = ()) -> Path:
    cmd = (["cc", *STRICT_CFLAGS, *extra_flags, *[f"-I{d}" for d in include_dirs],
            *map(str, sources), "-o", str(out), "-lm"])
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"host compile failed:\n{' '.join(cmd)}\n{result.stderr}")
    return out
