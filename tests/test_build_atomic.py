"""A build replaces build/<target>/ whole or not at all (sdk/compile/staging.py): a failed or
interrupted build leaves the previous one byte for byte and says so, two builds into one
directory take turns, the board's flash files survive a rebuild, and the manifest points at
the final directory, never at the temporary one. The `host` target: the fastest build."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sdk.compile.build
from sdk.compile import staging
from sdk.compile.manifest import load_manifest
from sdk.errors import UserError
from sdk.compile.firmware import BuildFailed
from tests.helpers.cli import UNSUPPORTED_SOURCE, write_net
from tests.helpers.cli import sdk as run_sdk

pytestmark = pytest.mark.usefixtures("wide_console")  # no message is wrapped

REPO = Path(__file__).resolve().parent.parent
TARGET = "host"


def tree(directory: Path) -> dict[str, str]:
    """Every file under directory (relative path → SHA-256 of its bytes)."""
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if ".tmp-" in p.name or p.name.endswith(".old"))


def build(capsys, root: Path, model: Path) -> tuple[int, str]:
    return run_sdk(capsys, "--build-dir", root, "build", "--target", TARGET, "--model", model)


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("models")
    unsupported = directory / "unsupported_net.py"
    unsupported.write_text(UNSUPPORTED_SOURCE)
    return {"a": write_net(directory, "net_a.py", seed=1), "b": write_net(directory, "net_b.py", seed=2),
            "unsupported": unsupported}


def half_written_link(exception: BaseException):
    """A build_firmware that dies after writing part of the ELF, as a killed linker does."""
    def fail(target, sources, include_dirs, out_dir, **kwargs):
        (Path(out_dir) / "firmware.elf").write_bytes(b"\x7fELF half")
        raise exception
    return fail


@pytest.mark.kernel
@pytest.mark.slow
@pytest.mark.parametrize("failure, code, message", [
    (BuildFailed("ld: injected link failure"), 2, "ld: injected link failure"),
    (OSError(errno.ENOSPC, "No space left on device", "firmware.elf"), 2, "no space left on the device holding"),
    (KeyboardInterrupt(), 130, "interrupted"),
    ("unsupported", 2, "aten.erfinv"),
], ids=["compiler-error", "disk-full", "ctrl-c", "unsupported-op"])
def test_a_failed_build_leaves_the_previous_build_unchanged(capsys, tmp_path, monkeypatch, models,
                                                            failure, code, message):
    assert build(capsys, tmp_path, models["a"])[0] == 0
    before = tree(tmp_path / TARGET)
    if failure == "unsupported":
        model = models["unsupported"]
    else:
        model = models["b"]
        monkeypatch.setattr(sdk.compile.build, "build_firmware", half_written_link(failure))
    got, out = build(capsys, tmp_path, model)
    assert got == code, out
    assert message in out and f"the previous build in {tmp_path / TARGET} is unchanged" in out, out
    assert "Traceback" not in out
    assert tree(tmp_path / TARGET) == before  # build.json, ELF, gen/: byte for byte
    assert leftovers(tmp_path) == []  # the temporary build is gone


@pytest.mark.kernel
def test_a_failed_first_build_leaves_nothing(tmp_path, monkeypatch, models):
    monkeypatch.setattr(sdk.compile.build, "build_firmware", half_written_link(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt) as failed:
        sdk.compile.build.build(str(models["a"]), TARGET, tmp_path)
    assert failed.value.__notes__ == [f"nothing was written to {tmp_path / TARGET}"]
    assert not (tmp_path / TARGET).exists() and leftovers(tmp_path) == []


@pytest.mark.kernel
@pytest.mark.slow
def test_the_board_state_survives_a_rebuild_and_the_manifest_names_the_final_directory(capsys, tmp_path,
                                                                                      models):
    assert build(capsys, tmp_path, models["a"])[0] == 0
    board = tmp_path / TARGET / "board"
    board.mkdir()
    (board / "flash1.img").write_bytes(b"the app flashed last time")
    assert build(capsys, tmp_path, models["b"])[0] == 0
    assert (board / "flash1.img").read_bytes() == b"the app flashed last time"
    manifest = load_manifest(TARGET, tmp_path)
    assert manifest.model == str(models["b"].resolve())
    assert manifest.elf == str((tmp_path / TARGET / "firmware.elf").resolve())
    for path in (tmp_path / TARGET).rglob("*"):  # no file records where it was built
        assert not path.is_file() or b".tmp-" not in path.read_bytes(), path


# A build of argv[1] into argv[2]; with a gate (argv[3]), it holds the lock until the test
# creates <gate>.release, after saying it is inside by creating <gate>.inside.
HELD_BUILD = """\
import sys, time
from pathlib import Path
import sdk.compile.build

model, root, gate = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
if gate != "-":
    real = sdk.compile.build.build_firmware

    def held(*args, **kwargs):
        Path(gate + ".inside").touch()
        while not Path(gate + ".release").exists():
            time.sleep(0.05)
        return real(*args, **kwargs)

    sdk.compile.build.build_firmware = held
sdk.compile.build.build(model, "host", root)
"""


def wait_for(condition, what: str, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the build exited ({process.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} within {timeout:.0f} s"
        time.sleep(0.1)


@pytest.mark.kernel
@pytest.mark.slow
def test_two_builds_into_one_directory_take_turns(tmp_path, models):
    script, gate, root = tmp_path / "held_build.py", tmp_path / "gate", tmp_path / "build"
    script.write_text(HELD_BUILD)
    logs = {name: tmp_path / f"{name}.log" for name in "ab"}
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def start(name: str, gate_arg: str) -> subprocess.Popen:
        with open(logs[name], "w") as log:
            return subprocess.Popen([sys.executable, str(script), str(models[name]), str(root), gate_arg],
                                    cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)

    first = start("a", str(gate))
    second = None
    try:
        wait_for(Path(f"{gate}.inside").exists, "first build holding the lock", first)
        second = start("b", "-")
        waiting = f"waiting for the build in {root / TARGET} by pid {first.pid}"
        wait_for(lambda: waiting in logs["b"].read_text(), f"'{waiting}' from the second build", second)
        Path(f"{gate}.release").touch()
        assert first.wait(timeout=300) == 0, logs["a"].read_text()
        assert second.wait(timeout=300) == 0, logs["b"].read_text()
    finally:
        Path(f"{gate}.release").touch()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    manifest = load_manifest(TARGET, root)  # the second build, whole
    assert manifest.model == str(models["b"].resolve())
    final = root / TARGET
    elf = (final / "firmware.elf").read_bytes()
    assert manifest.build_id.encode() in elf and manifest.model_hash.encode() in elf
    assert f'#define MODEL_HASH "{manifest.model_hash}"' in (final / "gen" / "model.h").read_text()
    assert f'"build_id": "{manifest.build_id}"' in (final / "size_report.json").read_text()
    assert leftovers(root) == []


@pytest.mark.unit
def test_a_build_waiting_too_long_for_the_lock_says_who_holds_it(tmp_path, caplog):
    final = tmp_path / TARGET
    with staging.build_lock(final):
        with pytest.raises(UserError, match=f"still locked by pid {os.getpid()} after 0 s: .*kill {os.getpid()}"):
            with staging.build_lock(final, timeout=0.3):
                pass
    assert f"waiting for the build in {final} by pid {os.getpid()}" in caplog.text
    with staging.build_lock(final, timeout=0.3):  # released: taken at once
        pass


@pytest.mark.kernel
@pytest.mark.slow
def test_a_builder_killed_between_the_renames_loses_nothing(tmp_path):
    """SIGKILL after build/host was renamed to build/.host.old, before the new build moved in:
    the next build puts the previous one (and its board) back before it starts."""
    final, old = tmp_path / TARGET, tmp_path / f".{TARGET}.old"
    (old / "board").mkdir(parents=True)
    (old / "build.json").write_text("previous")
    (old / "board" / "flash1.img").write_bytes(b"app")
    (tmp_path / f".{TARGET}.tmp-99999").mkdir()  # the killed builder's unfinished build
    with pytest.raises(UserError) as failed:
        with staging.staged_build(final):
            raise UserError("the next build fails too")
    assert failed.value.__notes__ == [f"the previous build in {final} is unchanged"]
    assert tree(final) == {"build.json": hashlib.sha256(b"previous").hexdigest(),
                           "board/flash1.img": hashlib.sha256(b"app").hexdigest()}
    assert leftovers(tmp_path) == []

