"""Spread the suite over pytest-xdist workers without building anything twice.

Each test joins an xdist group: its module, split further by the per-target fixture
parameter where a module builds one firmware image per target (and precision). With
`--dist loadgroup` a group runs on one worker, so module-scoped builds and emulators are
made once, while different targets build and run in parallel.
"""

from __future__ import annotations

import pytest

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
