"""Suite-wide set-up: test tiers, shared fixtures, and spreading the suite over xdist workers.

Tiers (registered in pyproject.toml, `--strict-markers`): every test is `unit`, `kernel` or
`hil` (at least one), and `slow` when it takes seconds on its own; `make test-fast` runs
`unit and not slow`. A test without a tier is a collection error, so none is forgotten.

A missing compiler, emulator or cross toolchain skips locally and fails with CI=true
(tests/helpers/tools.py).

Each test joins an xdist group: its module, split further by the per-target fixture
parameter where a module builds one firmware image per target (and precision). With
`--dist loadgroup` a group runs on one worker, so module-scoped builds and emulators are
made once, while different targets build and run in parallel.

Tests never write into the checkout: the feature classifier cache that `sdk eval` and the
mobile quality check keep in build/eval goes to a folder under the system temp dir instead
(EDGEDIFF_EVAL_CACHE, kept between runs: training it takes minutes; set it to choose another).
So does the development signing key (EDGEDIFF_DEV_KEY). Compiled objects
(sdk/compile/object_cache.py) are shared by the workers of one run and start
empty in every run, so the suite's time is what a fresh machine sees.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from rich.console import Console

from sdk.cli import commands as cli
from tests.helpers.tools import require_target

from sdk.compile.object_cache import CACHE_ENV as OBJECT_CACHE_ENV
from sdk.diffusion.quality import EVAL_CACHE_ENV
from sdk.sign.keys import DEVELOPMENT_KEY_ENV

os.environ.setdefault(EVAL_CACHE_ENV, str(Path(tempfile.gettempdir()) / "edgediff-tests" / "eval"))
# one folder per run (xdist gives the workers of a run one id); the folders of runs over a day
# old are removed
_TESTS_TMP = Path(tempfile.gettempdir()) / "edgediff-tests"
for _old in _TESTS_TMP.glob("objects-*"):
    try:
        if time.time() - _old.stat().st_mtime > 86_400:
            shutil.rmtree(_old, ignore_errors=True)
    except FileNotFoundError:  # another worker removed it first
        pass
_RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
os.environ.setdefault(OBJECT_CACHE_ENV, str(_TESTS_TMP / f"objects-{_RUN}"))
# the development signing key, made on first use, outside the checkout
os.environ.setdefault(DEVELOPMENT_KEY_ENV, str(_TESTS_TMP / "dev-signing-key.pem"))

PER_TARGET_FIXTURES = ("target", "config", "results")
TIERS = ("unit", "kernel", "hil")


def pytest_collection_modifyitems(items):
    untiered = [item.nodeid for item in items
                if not any(item.get_closest_marker(tier) for tier in TIERS)]
    if untiered:
        raise pytest.UsageError(f"tests without a tier marker ({', '.join(TIERS)}): "
                                + ", ".join(untiered))
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        group = item.module.__name__
        callspec = getattr(item, "callspec", None)
        if callspec is not None:
            for name in PER_TARGET_FIXTURES:
                if name in callspec.params:
                    group += f"[{callspec.params[name]}]"
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture
def wide_console(monkeypatch):
    """A console wide enough that no message is wrapped (capsys sees sys.stdout)."""
    monkeypatch.setattr(cli, "console", Console(width=10_000))


@pytest.fixture(scope="session")
def rv32_tools():
    """The emulated rv32 board's compiler and QEMU (skip locally, fail with CI=true). Session
    scope: it is set up before any module-scoped build that needs the tools."""
    require_target("rv32")
