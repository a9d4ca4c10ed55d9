"""The object cache (sdk/compile/object_cache.py) compiles a source again whenever the compiler
would see something else — a header's content, a define, a code-generation flag — and never
keeps a source the compiler rejects; the same source built from another folder is a hit."""

from __future__ import annotations

import shutil

import pytest

from sdk.compile.firmware import BuildFailed, _run
from sdk.compile.object_cache import CACHE_ENV, compile_object

pytestmark = pytest.mark.unit

CC = shutil.which("clang") or shutil.which("cc")


@pytest.fixture
def compiles(tmp_path, monkeypatch):
    """Compile sources under tmp_path with a fresh cache; returns (build, compiled argvs)."""
    if CC is None:
        pytest.fail("no host C compiler (clang) on PATH: `make test` installs it")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    calls: list[list[str]] = []

    def run(argv):
        if "-c" in argv:
            calls.append(argv)
        return _run(argv)

    def build(tree, *flags, name="a.o"):
        obj = tmp_path / name
        cflags = ["-O2", *flags, f"-I{tree / 'inc'}", f"-ffile-prefix-map={tree}=src0"]
        compile_object(CC, cflags, tree / "main.c", obj, run)
        return obj.read_bytes()

    return build, calls


def _tree(root, value=1):
    (root / "inc").mkdir(parents=True)
    (root / "inc" / "value.h").write_text(f"#define VALUE {value}\n")
    (root / "main.c").write_text('#include "value.h"\nint value(void) { return VALUE + OFFSET; }\n')
    return root


def test_same_source_from_another_folder_is_a_hit(tmp_path, compiles):
    build, calls = compiles
    first = build(_tree(tmp_path / "one"), "-DOFFSET=0")
    assert build(_tree(tmp_path / "two"), "-DOFFSET=0", name="b.o") == first
    assert len(calls) == 1


@pytest.mark.parametrize("change", ["header", "define", "flag"])
def test_what_the_compiler_sees_changes_recompile(tmp_path, compiles, change):
    build, calls = compiles
    tree = _tree(tmp_path / "t")
    first = build(tree, "-DOFFSET=0")
    if change == "header":
        (tree / "inc" / "value.h").write_text("#define VALUE 2\n")
        again = build(tree, "-DOFFSET=0")
    elif change == "define":
        again = build(tree, "-DOFFSET=5")
    else:
        again = build(tree, "-DOFFSET=0", "-O0")
    assert len(calls) == 2
    assert again != first


def test_a_rejected_source_is_not_kept(tmp_path, compiles):
    build, calls = compiles
    tree = _tree(tmp_path / "t")
    (tree / "main.c").write_text('#include "value.h"\nint value(void) { return VALUE + ; }\n')
    for _ in range(2):
        with pytest.raises(BuildFailed):
            build(tree, "-DOFFSET=0")
    assert len(calls) == 2
    assert not list((tmp_path / "cache").rglob("*.o"))


def test_off_compiles_every_time(tmp_path, compiles, monkeypatch):
    build, calls = compiles
    monkeypatch.setenv(CACHE_ENV, "off")
    tree = _tree(tmp_path / "t")
    build(tree, "-DOFFSET=0")
    build(tree, "-DOFFSET=0")
    assert len(calls) == 2
    assert not (tmp_path / "cache").exists()
