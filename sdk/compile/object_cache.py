"""Compiled objects kept by what the compiler sees, so a kernel is compiled once, not once per
build (the same FP16 conv kernel takes ~2 s at -O2 and goes into every model that has a conv).

The key is ccache's "preprocessor mode": a hash of the compiler binary, the flags that change
code generation and the preprocessed text (`cc -E -P`), which already holds every header and
every -D the compile used. Include paths, defines and -ffile-prefix-map maps are left out of
the key because their whole effect is in that text (with the prefix maps, __FILE__ expands to
the same mapped name wherever the build lives), so the same kernel hits from any build folder.
No -g is used, so no absolute path reaches an object through debug info; the source's mapped
name is in the key all the same (it names the object's STT_FILE symbol).

Where: $EDGEDIFF_OBJECT_CACHE, else $XDG_CACHE_HOME/edgediff/objects (~/.cache/...);
EDGEDIFF_OBJECT_CACHE=off compiles everything every time. Entries are written to a temporary
name and renamed, so parallel builds (and xdist workers) share a cache safely. Deleting the
folder is always safe."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

CACHE_ENV = "EDGEDIFF_OBJECT_CACHE"
# flags whose effect is entirely in the preprocessed text, or that only name files
_PREPROCESSOR_ONLY = ("-I", "-isystem", "-D", "-U", "-ffile-prefix-map=", "-fmacro-prefix-map=")


def cache_dir() -> Path | None:
    value = os.environ.get(CACHE_ENV, "")
    if value == "off":
        return None
    if value:
        return Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "edgediff" / "objects"


def _compiler_identity(cc: str) -> bytes:
    path = Path(shutil.which(cc) or cc).resolve()
    stat = path.stat()
    return f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()


def _mapped(path: Path, cflags: list[str]) -> str:
    """path as -ffile-prefix-map writes it into the object (the longest matching map)."""
    text, best = str(path), ""
    for flag in cflags:
        if flag.startswith("-ffile-prefix-map="):
            old, _, new = flag.removeprefix("-ffile-prefix-map=").partition("=")
            if (text == old or text.startswith(old.rstrip("/") + "/")) and len(old) > len(best):
                best, result = old, new + text[len(old):]
    return result if best else text


def object_key(cc: str, cflags: list[str], source: Path, run: Callable[[list[str]], str]) -> str:
    digest = hashlib.sha256(_compiler_identity(cc))
    for flag in cflags:
        if not flag.startswith(_PREPROCESSOR_ONLY):
            digest.update(flag.encode() + b"\0")
    digest.update(_mapped(source, cflags).encode() + b"\0")
    digest.update(run([cc, *cflags, "-E", "-P", str(source)]).encode())
    return digest.hexdigest()


def compile_object(cc: str, cflags: list[str], source: Path, obj: Path,
                   run: Callable[[list[str]], str]) -> None:
    """obj from source: copied from the cache when the compiler would see the same text with
    the same flags, else compiled (and kept). run raises on a failed command, so a source the
    compiler rejects is never cached."""
    compile_argv = [cc, *cflags, "-c", str(source), "-o", str(obj)]
    directory = cache_dir()
    if directory is None:
        run(compile_argv)
        return
    key = object_key(cc, cflags, source, run)
    cached = directory / key[:2] / f"{key}.o"
    if cached.is_file():
        shutil.copyfile(cached, obj)
        return
    run(compile_argv)
    cached.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
    os.close(fd)
    shutil.copyfile(obj, temporary)
    os.replace(temporary, cached)
