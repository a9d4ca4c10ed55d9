"""Spread the suite over pytest-xdist workers without building anything twice.

Each test joins an xdist group: its module, split further by the per-target fixture
parameter where a module builds one firmware image per target (and precision). With
`--dist loadgroup` a group runs on one worker, so module-scoped builds and emulators are
made once, while different targets build and run in parallel.

Tests never write into the checkout: the feature classifier cache that `sdk eval` and the
mobile quality check keep in build/eval goes to a folder under the system temp dir instead
(EDGEDIFF_EVAL_CACHE, kept between runs: training it takes minutes; set it to choose another).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from sdk.diffusion.quality import EVAL_CACHE_ENV

os.environ.setdefault(EVAL_CACHE_ENV, str(Path(tempfile.gettempdir()) / "edgediff-tests" / "eval"))

PER_TARGET_FIXTURES = ("target", "config", "results")


def pytest_collection_modifyitems(items):
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
