"""A build directory is replaced whole or not at all, by one build at a time.

A build writes into a fresh directory beside its final place (build/.rv32.tmp-<pid>, same
filesystem) and is renamed into place only once complete; the board's flash files
(build/<target>/board/, sdk/runner/board_files.py) move across to the new build. Any failure —
compiler error, unsupported op, full disk, Ctrl-C — removes the temporary directory and
leaves the previous build as it was, and the error says so. A lock (flock on
build/.rv32.lock, which holds the builder's pid) makes a second build into the same
directory wait for the first instead of mixing their files.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sdk.errors import UserError

log = logging.getLogger(__name__)

LOCK_TIMEOUT_S = 600.0  # longer than any build takes; a holder past it is stuck, not busy
LOCK_POLL_S = 0.2
KEPT = ("board",)  # state that belongs to the board, not to one build: carried into every new build


def _sibling(final: Path, suffix: str) -> Path:
    return final.parent / f".{final.name}.{suffix}"


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


@contextmanager
def build_lock(final: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the lock of build directory `final`, waiting (and saying so) while another
    process holds it; UserError after `timeout` seconds (default LOCK_TIMEOUT_S)."""
    timeout = LOCK_TIMEOUT_S if timeout is None else timeout
    path = _sibling(final, "lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline, announced = time.monotonic() + timeout, False
        while not _try_lock(fd):
            holder = path.read_text().strip() or "?"
            if not announced and holder != "?":
                log.warning("waiting for the build in %s by pid %s (up to %.0f s)", final, holder, timeout)
                announced = True
            if time.monotonic() > deadline:
                raise UserError(f"the build in {final} is still locked by pid {holder} after {timeout:.0f} s: "
                                f"let that build finish or stop it (kill {holder}), then build again")
            time.sleep(LOCK_POLL_S)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _move_kept(src: Path, dst: Path) -> None:
    for name in KEPT:
        if (src / name).exists() and not (dst / name).exists():
            dst.mkdir(exist_ok=True)
            (src / name).rename(dst / name)


def _recover(final: Path) -> None:
    """Undo a build that did not finish (we hold the lock, so no one else is building): put
    back a previous build caught between the two renames of a swap, give it back its board
    state, and delete the unfinished directories."""
    old = _sibling(final, "old")
    if old.exists() and not final.exists():
        old.rename(final)
    for stale in [old, *final.parent.glob(f".{final.name}.tmp-*")]:
        _move_kept(stale, final)
        shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def staged_build(final: Path) -> Iterator[Path]:
    """Yield an empty directory to build into; on success it becomes `final` (with the KEPT
    entries of the build it replaces), on failure it is removed and `final` is untouched."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(final):
        _recover(final)  # a builder killed outright (SIGKILL, power cut) left these
        had_build = final.exists()
        temp, old = _sibling(final, f"tmp-{os.getpid()}"), _sibling(final, "old")
        try:
            temp.mkdir()
            yield temp
            if had_build:
                _move_kept(final, temp)
                final.rename(old)
            temp.rename(final)
        except BaseException as e:
            _recover(final)
            note = (f"the previous build in {final} is unchanged" if had_build
                    else f"nothing was written to {final}")
            if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
                raise UserError(f"no space left on the device holding {final.parent} ({e.filename}): "
                                f"free some space and build again; {note}") from None
            e.add_note(note)
            raise
        shutil.rmtree(old, ignore_errors=True)
