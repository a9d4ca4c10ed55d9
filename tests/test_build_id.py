"""The build id changes with every file a compile can read (sdk/compile/firmware.py): a header
under an -I folder, a file a source includes from its own folder (also a .c), and not with
where the tree lives on disk."""

from __future__ import annotations

import shutil

import pytest

from sdk.compile.firmware import _build_id
from sdk.target import load_target

pytestmark = pytest.mark.unit


def _tree(root):
    (root / "src").mkdir(parents=True)
    (root / "inc" / "sub").mkdir(parents=True)
    (root / "src" / "main.c").write_text('#include "helper.c"\n#include "sub/deep.h"\n')
    (root / "src" / "helper.c").write_text("static int helper(void) { return 1; }\n")
    (root / "inc" / "sub" / "deep.h").write_text("#define DEEP 1\n")
    return [root / "src" / "main.c"], [root / "inc"]


def _id(root):
    sources, includes = _tree(root) if not (root / "src").exists() else ([root / "src" / "main.c"], [root / "inc"])
    return _build_id(load_target("host"), sources, includes, [], None)


def test_same_tree_elsewhere_same_id(tmp_path):
    assert _id(tmp_path / "a") == _id(tmp_path / "b")


def test_included_c_file_changes_the_id(tmp_path):
    before = _id(tmp_path)
    (tmp_path / "src" / "helper.c").write_text("static int helper(void) { return 2; }\n")
    assert _id(tmp_path) != before


def test_nested_header_under_include_dir_changes_the_id(tmp_path):
    before = _id(tmp_path)
    (tmp_path / "inc" / "sub" / "deep.h").write_text("#define DEEP 2\n")
    assert _id(tmp_path) != before


def test_moved_header_changes_the_id(tmp_path):
    before = _id(tmp_path)
    shutil.move(tmp_path / "inc" / "sub" / "deep.h", tmp_path / "inc" / "deep.h")
    assert _id(tmp_path) != before
