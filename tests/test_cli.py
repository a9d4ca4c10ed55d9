"""The `sdk` command end to end: build → flash → validate on the emulated rv32 board, with the
user's own model files, and the one-line errors a user can act on (exit status 2).

Builds are done once per module into tmp build dirs (--build-dir); commands run in-process
through sdk.cli.main, except where PATH must differ (missing tools), which run as
`python -m sdk.cli` subprocesses."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from sdk.cli import commands as cli
from sdk.compile.manifest import load_manifest
from sdk.models import ZOO
from sdk.target import known_targets, load_target

REPO = Path(__file__).resolve().parent.parent
TARGET = "rv32"

needs_tools = pytest.mark.skipif(
    shutil.which("qemu-system-riscv32") is None or shutil.which("clang") is None,
    reason="needs clang and qemu-system-riscv32")

# A user's own denoiser (not from the zoo): two convs with ReLU and a residual connection.
NET_SOURCE = """\
import torch
from torch import nn

torch.manual_seed({seed})


class TwoConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 1, 3, padding=1)

    def forward(self, x):
        return x + self.conv2(torch.relu(self.conv1(x)))


model = TwoConv()
example_input = torch.randn(1, 1, 8, 8)
"""

UNSUPPORTED_SOURCE = """\
import torch
from torch import nn


class Squash(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x):
        return torch.tanh(self.conv(x))


model = Squash()
example_input = torch.randn(1, 1, 8, 8)
"""


# ---------------------------------------------------------------------------------- helpers

@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """A console wide enough that no message is wrapped (capsys sees sys.stdout)."""
    monkeypatch.setattr(cli, "console", Console(width=10_000))


def sdk(capsys, *argv) -> tuple[int, str]:
    """Run `sdk argv...` in-process; returns (exit status, everything it printed)."""
    capsys.readouterr()
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def sdk_subprocess(*argv, path: str) -> tuple[int, str]:
    """Run `python -m sdk.cli argv...` with PATH set to `path`."""
    env = {**os.environ, "PATH": path, "COLUMNS": "10000"}
    result = subprocess.run([sys.executable, "-m", "sdk.cli", *map(str, argv)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def write_net(directory: Path, name: str = "my_net.py", seed: int = 1) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(NET_SOURCE.format(seed=seed))
    return path


def build_net(root: Path, model: Path) -> Path:
    """`sdk build` a model file into root (in-process); returns the build root."""
    code = cli.main(["--build-dir", str(root), "build", "--target", TARGET, "--model", str(model)])
    assert code == 0, f"sdk build of {model} failed"
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def board_on_tcp(elf: Path):
    """The target's emulator on `elf`, its UART on a TCP server instead of a pty, as a board
    started by hand; yields the pyserial URL. QEMU is always killed on the way out."""
    port = free_port()
    argv = load_target(TARGET).emulator_argv(elf)
    i = argv.index("-serial")
    assert argv[i + 1] == "pty"
    argv[i + 1] = f"tcp:127.0.0.1:{port},server=on,wait=off"
    qemu = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            if qemu.poll() is not None:
                pytest.fail(f"QEMU exited with {qemu.returncode}: {qemu.stderr.read()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"QEMU's serial port {port} never accepted a connection")
                time.sleep(0.05)
        yield f"socket://127.0.0.1:{port}"
    finally:
        qemu.kill()
        qemu.wait(timeout=10)
        qemu.stderr.close()


# --------------------------------------------------------------------------- module builds

@pytest.fixture(scope="module")
def user_build(tmp_path_factory):
    """The user's own model file (TwoConv, seed 1) built once."""
    root = tmp_path_factory.mktemp("build_user")
    model = write_net(tmp_path_factory.mktemp("user_model"))
    return build_net(root, model)


@pytest.fixture(scope="module")
def other_build(tmp_path_factory):
    """A different model (same architecture, other weights) built into another build dir."""
    root = tmp_path_factory.mktemp("build_other")
    model = write_net(tmp_path_factory.mktemp("other_model"), "other_net.py", seed=7)
    return build_net(root, model)


# ------------------------------------------------------------------------ actionable errors

def test_unknown_target_lists_known_targets(capsys, tmp_path):
    assert TARGET in known_targets()
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", "esp32-nope", "--model", "dncnn")
    assert code == 2
    assert "unknown target 'esp32-nope'" in out
    assert f"known targets: {', '.join(known_targets())}" in out
    assert "Traceback" not in out
    assert not (tmp_path / "esp32-nope").exists()


def test_unsupported_op_names_aten_op_node_and_user_source_line(capsys, tmp_path):
    model = tmp_path / "squash.py"
    model.write_text(UNSUPPORTED_SOURCE)
    line = UNSUPPORTED_SOURCE.splitlines().index("        return torch.tanh(self.conv(x))") + 1
    code, out = sdk(capsys, "--build-dir", tmp_path / "b", "build", "--target", TARGET, "--model", model)
    assert code == 2
    assert "aten.tanh.default" in out
    assert "node 'tanh'" in out
    assert f"{model}:{line}: return torch.tanh(self.conv(x))" in out
    assert "Traceback" not in out


def test_model_file_without_example_input(capsys, tmp_path):
    model = tmp_path / "no_example.py"
    model.write_text(NET_SOURCE.format(seed=1).replace("example_input = ", "some_input = "))
    code, out = sdk(capsys, "--build-dir", tmp_path / "b", "build", "--target", TARGET, "--model", model)
    assert code == 2
    assert f"{model} must define `example_input`" in out
    assert "Traceback" not in out


def test_unknown_model_name_lists_zoo(capsys, tmp_path):
    assert len(ZOO) >= 2
    code, out = sdk(capsys, "--build-dir", tmp_path, "build", "--target", TARGET, "--model", "nosuchthing")
    assert code == 2
    assert "'nosuchthing' is neither a file nor a zoo model" in out
    assert f"zoo models: {', '.join(sorted(ZOO))}" in out


@needs_tools
def test_missing_compiler_prints_install_command(tmp_path):
    bare_path = str(Path(sys.executable).parent)
    assert shutil.which("clang", path=bare_path) is None
    model = write_net(tmp_path)
    code, out = sdk_subprocess("--build-dir", tmp_path / "b", "build", "--target", TARGET,
                               "--model", model, path=bare_path)
    assert code == 2, out
    assert "'clang' not found on PATH" in out
    assert "apt-get install -y clang" in out
    assert "Traceback" not in out


@needs_tools
def test_missing_emulator_prints_install_command(user_build, tmp_path):
    # The toolchain stays reachable (validate may build the bootloader first); QEMU does not.
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("clang", "ld.lld", "llvm-objcopy", "llvm-readelf"):
        (tools / tool).symlink_to(shutil.which(tool))
    bare_path = f"{tools}:{Path(sys.executable).parent}"
    assert shutil.which("qemu-system-riscv32", path=bare_path) is None
    code, out = sdk_subprocess("--build-dir", user_build, "validate", "--target", TARGET, "--emulator",
                               "--samples", 1, path=bare_path)
    assert code == 2, out
    assert "'qemu-system-riscv32' not found on PATH" in out
    assert "apt-get install -y qemu-system-misc" in out
    assert "Traceback" not in out


# ------------------------------------------------------------------ build, flash, validate

@needs_tools
def test_user_model_builds_flashes_and_validates_on_emulator(capsys, user_build, tmp_path):
    manifest = load_manifest(TARGET, user_build)
    assert manifest.model_name == "my_net"
    assert [layer["op"] for layer in manifest.layers].count("conv2d") == 2
    assert manifest.inputs == [{"name": manifest.inputs[0]["name"], "shape": [1, 1, 8, 8]}]

    code, out = sdk(capsys, "--build-dir", user_build, "flash", "--target", TARGET, "--emulator")
    assert code == 0, out
    assert f"runs build {manifest.build_id} (model {manifest.model_hash}, target {TARGET}" in out

    report_path = tmp_path / "report.json"
    code, out = sdk(capsys, "--build-dir", user_build, "validate", "--target", TARGET, "--emulator",
                    "--samples", 3, "--json", report_path, "--png", tmp_path / "v.png")
    assert code == 0, out
    report = json.loads(report_path.read_text())
    assert report["passed"] is True
    assert report["samples"] == 3 and len(report["per_sample"]) == 3
    assert report["max_rel_error"] <= 1e-4
    assert report["instructions_per_inference"] > 0
    assert report["arena_bytes"] >= report["arena_lower_bound_bytes"] > 0
    assert (report["model_hash"], report["build_id"]) == (manifest.model_hash, manifest.build_id)
    # The table is printed.
    assert re.search(r"sdk validate: my_net \(fp32\) on rv32", out)
    for row in ("max error / output scale", "instructions per inference", "arena bytes (lower bound)"):
        assert row in out
    assert re.search(rf"instructions per inference\W+{report['instructions_per_inference']:,}\s", out)
    assert "PASS" in out


@needs_tools
def test_validate_over_tcp_socket_board_started_by_hand(capsys, user_build, tmp_path):
    manifest = load_manifest(TARGET, user_build)
    with board_on_tcp(Path(manifest.elf)) as url:
        report_path = tmp_path / "report.json"
        code, out = sdk(capsys, "--build-dir", user_build, "validate", "--target", TARGET, "--port", url,
                        "--samples", 2, "--json", report_path, "--png", tmp_path / "v.png")
    assert code == 0, out
    report = json.loads(report_path.read_text())
    assert report["port"] == url
    assert report["passed"] is True and report["max_rel_error"] <= 1e-4
    assert report["build_id"] == manifest.build_id


@needs_tools
def test_validate_against_board_running_another_build(capsys, user_build, other_build, tmp_path):
    ours, theirs = load_manifest(TARGET, user_build), load_manifest(TARGET, other_build)
    assert ours.build_id != theirs.build_id and ours.model_hash != theirs.model_hash
    with board_on_tcp(Path(theirs.elf)) as url:
        code, out = sdk(capsys, "--build-dir", user_build, "validate", "--target", TARGET, "--port", url,
                        "--samples", 1, "--json", tmp_path / "r.json", "--png", tmp_path / "v.png")
    assert code == 2, out
    assert f"runs build {theirs.build_id}" in out
    assert ours.build_id in out
    assert f"program {ours.elf} onto the board" in out
    assert not (tmp_path / "r.json").exists()


@needs_tools
def test_validate_refuses_model_changed_since_build(capsys, tmp_path):
    model = write_net(tmp_path / "model", "stale_net.py", seed=1)
    build_net(tmp_path / "b", model)
    source = model.read_text()
    assert "torch.manual_seed(1)\n" in source
    model.write_text(source.replace("torch.manual_seed(1)\n", "torch.manual_seed(12345)\n"))
    code, out = sdk(capsys, "--build-dir", tmp_path / "b", "validate", "--target", TARGET, "--emulator",
                    "--samples", 1, "--json", tmp_path / "r.json", "--png", tmp_path / "v.png")
    assert code == 2, out
    assert f"the model {model.resolve()} changed since it was built" in out
    # The suggested command must be runnable as printed: build dir and model included.
    assert f"sdk --build-dir {tmp_path / 'b'} build --target {TARGET} --model {model.resolve()}" in out
    assert not (tmp_path / "r.json").exists()


def test_fp16_on_a_target_without_fp16_arithmetic_says_what_it_does(capsys, tmp_path):
    if shutil.which("arm-none-eabi-gcc") is None:
        pytest.skip("needs arm-none-eabi-gcc: apt-get install -y gcc-arm-none-eabi picolibc-arm-none-eabi")
    model = write_net(tmp_path / "model")
    code, out = sdk(capsys, "--build-dir", tmp_path / "b", "build", "--target", "cortex-m4",
                    "--model", model, "--precision", "fp16")
    assert code == 0, out
    assert "cortex-m4 has no FP16 arithmetic" in out and "computed in FP32" in out
    assert load_manifest("cortex-m4", tmp_path / "b").precision == "fp16"


def test_precision_override_naming_no_layer_is_refused(capsys, tmp_path):
    model = write_net(tmp_path / "model")
    config = tmp_path / "precision.toml"
    config.write_text('default = "fp16"\n[layers]\n"conv9" = "fp32"\n')
    code, out = sdk(capsys, "--build-dir", tmp_path / "b", "build", "--target", TARGET,
                    "--model", model, "--precision-config", config)
    assert code == 2 and "match no layer: conv9" in out
