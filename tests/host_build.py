"""Compile C for the build machine into a shared library, for fast tests through ctypes;
a generated model compiled that way and run on torch inputs."""

from __future__ import annotations

import ctypes
import subprocess
from pathlib import Path

import numpy as np

from codegen.kernels.registry import INCLUDE_DIR, kernel_sources
from tests.helpers.tools import require_commands

STRICT_CFLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-Wdouble-promotion",
                 "-shared", "-fPIC"]


def build_shared_library(sources: list[Path], include_dirs: list[Path], out: Path,
                         extra_flags: list[str] = ()) -> Path:
    require_commands("a host build", ["cc"], "apt-get install -y gcc")
    cmd = (["cc", *STRICT_CFLAGS, *extra_flags, *[f"-I{d}" for d in include_dirs],
            *map(str, sources), "-o", str(out), "-lm"])
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"host compile failed:\n{' '.join(cmd)}\n{result.stderr}")
    return out


HARNESS = "#include <stdint.h>\nvoid model_layer_mark(int32_t layer) { (void)layer; }\n"


def compile_model(generated, tmp_path: Path) -> ctypes.CDLL:
    """Generated model C, its kernels and a stub layer mark, as a host library in tmp_path."""
    harness = tmp_path / "harness.c"
    harness.write_text(HARNESS)
    sources = [*generated.sources, harness, *kernel_sources(generated.emitted.kernel_functions)]
    return ctypes.CDLL(str(build_shared_library(sources, [INCLUDE_DIR, generated.directory],
                                                tmp_path / "model.so")))


def run_model(lib: ctypes.CDLL, generated, inputs) -> np.ndarray:
    """model_run on torch inputs (FP32); returns the first output."""
    out_shape = generated.graph.tensors[generated.graph.outputs[0]].shape
    out = np.zeros(out_shape, dtype=np.float32)
    ptr = ctypes.POINTER(ctypes.c_float)
    args = [np.ascontiguousarray(x.numpy(), dtype=np.float32) for x in inputs]
    lib.model_run(*[a.ctypes.data_as(ptr) for a in args], out.ctypes.data_as(ptr))
    return out
