"""A clean install prints nothing of its own when the mobile stack is imported.

torchao (pulled by litert-torch) must be its pure-Python wheel (pyproject.toml, extra
`mobile`): PyPI's x86-64 torchao wheel is built for CUDA torch, and its two C++ extensions
fail to load next to the CPU torch with "Failed to load ..._C_mxfp8.cpython-310-...so" on
every import. The import runs in a fresh interpreter, where those lines are printed.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

# Lines the imports still print, none of which an install can remove today: TensorFlow's C++
# logging inside litert-converter (absl before InitializeLog, oneDNN's INFO line), and torch
# 2.13's deprecation notice for the Enum torchao 0.17/0.18 register as a pytree constant.
KNOWN = ("All log messages before absl::InitializeLog() is called are written to STDERR",
         "oneDNN custom operations are on",
         "<enum 'KernelPreference'> is an Enum subclass")


def test_torchao_ships_no_compiled_extension():
    files = [str(f) for f in distribution("torchao").files if Path(str(f)).suffix == ".so"]
    assert files == [], f"torchao has CUDA-built extensions {files}: reinstall it from pyproject.toml's URL"


@pytest.mark.slow  # imports the mobile stack in a fresh interpreter
def test_importing_the_mobile_stack_prints_nothing_unexplained():
    result = subprocess.run([sys.executable, "-c", "import litert_torch, sdk.mobile.export, sdk.mobile.int8"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert not [line for line in lines if "Failed to load" in line], "\n".join(lines)
    assert [line for line in lines if not any(known in line for known in KNOWN)] == [], "\n".join(lines)
