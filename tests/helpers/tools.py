"""Tests that need a compiler, an emulator or a cross toolchain ask for it here.

Locally a missing tool skips the test with the command that installs it. With CI=true (as
CI services set it) a missing tool fails the test instead: a CI machine that lacks QEMU
must not pass by skipping every board test.
"""

from __future__ import annotations

import os
import shutil

import pytest

from sdk.target import Target, load_target


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def require_tools(what: str, missing: list[str], install: str) -> None:
    """Skip (fail under CI=true) when `missing` is not empty; `install` is the command to run."""
    if not missing:
        return
    message = f"{what} needs {', '.join(missing)}: {install}"
    if in_ci():
        pytest.fail(f"CI=true and a tool is missing: {message}", pytrace=False)
    pytest.skip(message)


def require_commands(what: str, commands: list[str], install: str) -> None:
    """require_tools for the commands in `commands` that are not on PATH."""
    require_tools(what, [c for c in commands if shutil.which(c) is None], install)


def require_target(name: str) -> Target:
    """The target, once its compiler and emulator are on PATH."""
    target = load_target(name)
    require_tools(target.name, target.missing_tools(), target.install_command())
    return target
