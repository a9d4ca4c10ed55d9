"""Running the `sdk` command in tests: in-process (sdk.cli.main, output captured) or as a
`python -m sdk.cli` subprocess with its own PATH; a user's model file (two convs) and one
with an op the compiler lacks; an emulated rv32 board on a TCP port, as one started by hand.

Shared by the CLI, farm, build and checkpoint tests (the autouse-free `wide_console` and
`rv32_tools` fixtures are in tests/conftest.py)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sdk.cli import commands as cli
from sdk.target import load_target

REPO = Path(__file__).resolve().parents[2]
TARGET = "rv32"

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
        return torch.erfinv(self.conv(x))


model = Squash()
example_input = torch.randn(1, 1, 8, 8)
"""


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
