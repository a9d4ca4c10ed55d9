"""Run a target's emulator (QEMU) on a firmware ELF and expose its serial port.

QEMU runs in its own process group and is always stopped: on leaving the context, on an
exception, at interpreter exit, and (Linux) when the Python process dies, via PDEATHSIG.
If SIGTERM does not end it, the whole group is killed."""

from __future__ import annotations

import atexit
import collections
import ctypes
import os
import re
import json
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from sdk.compile.toolchain import require_tool
from sdk.target import Target

PTY_LINE = re.compile(r"char device redirected to (\S+)")
_running: set[Emulator] = set()


class EmulatorFailed(RuntimeError):
    """The emulator exited or never reported its serial port; carries its last output."""


def _die_with_parent() -> None:
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Emulator:
    def __init__(self, target: Target, elf: Path | None, start_timeout: float = 10.0,
                 argv: list[str] | None = None, paused: bool = False):
        """Runs the target's emulator on elf (QEMU -kernel), or, given argv, that exact command
        line (a board started with its bootloader: sdk/runner/board_files.py). paused: the
        core waits before its first instruction until resume() (QEMU -S, resumed over QMP), so
        the host can put a request in the UART first: a bootloader's recovery window, a few
        hundred ms of emulated time, is then caught however busy the host is."""
        self.paused = paused
        self._qmp_dir: tempfile.TemporaryDirectory | None = None
        self.target = target
        self.elf = Path(elf) if elf is not None else None
        self.argv = list(argv) if argv is not None else None
        self.start_timeout = start_timeout
        self.port: str | None = None
        self.process: subprocess.Popen | None = None
        self._output: collections.deque[str] = collections.deque(maxlen=50)
        self._port_found = threading.Event()
        self._drain: threading.Thread | None = None

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def output(self) -> str:
        """The emulator's last lines of stdout/stderr, for error messages."""
        return "".join(self._output)

    def start(self) -> None:
        argv = list(self.argv) if self.argv is not None else self.target.emulator_argv(self.elf)
        argv[0] = require_tool(argv[0], self.target.emulator_packages)
        if self.paused:
            self._qmp_dir = tempfile.TemporaryDirectory(prefix="edgediff-qmp-")
            argv += ["-S", "-qmp", f"unix:{self._qmp_dir.name}/qmp.sock,server=on,wait=off"]
        self.process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        _running.add(self)
        try:  # a Ctrl-C while QEMU starts must not leave it running: __exit__ is not called yet
            self._drain = threading.Thread(target=self._drain_output, args=(self.process.stdout,), daemon=True)
            self._drain.start()
            found = self._port_found.wait(self.start_timeout) and self.port is not None
        except BaseException:
            self.stop()
            raise
        if not found:
            self.stop()
            raise EmulatorFailed(f"{argv[0]} did not report a serial pty within {self.start_timeout}s:\n{self.output}")

    def resume(self, timeout: float = 10.0) -> None:
        """Start the core of an emulator made with paused=True."""
        if not self.paused:
            raise RuntimeError("resume() is for an emulator started with paused=True")
        self._qmp({"execute": "cont"}, timeout)
        self.paused = False

    def read_word(self, address: int, timeout: float = 10.0) -> int:
        """The 32-bit word at a physical address, read by QEMU itself ("xp"), as a probe the
        board cannot fake; only for an emulator made with paused=True (which has the QMP socket)."""
        reply = self._qmp({"execute": "human-monitor-command",
                           "arguments": {"command-line": f"xp /1wx {address:#x}"}}, timeout)
        return int(reply["return"].split(":")[1].split()[0], 16)

    def _qmp(self, command: dict, timeout: float) -> dict:
        """One command over the QMP socket of an emulator started paused (after the greeting and
        qmp_capabilities); its reply, events before it skipped."""
        if self._qmp_dir is None:
            raise RuntimeError("QMP is only open on an emulator started with paused=True")
        with socket.socket(socket.AF_UNIX) as qmp:
            qmp.settimeout(timeout)
            qmp.connect(f"{self._qmp_dir.name}/qmp.sock")
            replies = qmp.makefile("r")
            replies.readline()  # the greeting
            for each in ({"execute": "qmp_capabilities"}, command):
                qmp.sendall(json.dumps(each).encode() + b"\n")
                while "return" not in (reply := json.loads(replies.readline() or '{"return": ""}')):
                    pass  # an event (RESUME, ...) before the command's answer
        return reply

    def _drain_output(self, stream) -> None:
        """Find the pty path, then keep reading so QEMU never blocks on a full pipe."""
        for line in stream:
            self._output.append(line)
            match = PTY_LINE.search(line)
            if match and self.port is None:
                self.port = match.group(1)
                self._port_found.set()
        self._port_found.set()

    def stop(self) -> None:
        process, self.process = self.process, None
        _running.discard(self)
        if process is None:
            return
        if process.poll() is None:
            self._signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self._signal_group(process, signal.SIGKILL)
                process.wait()
        # The reader sees end-of-file once the process is gone; close the pipe only after it.
        if self._drain is not None:
            self._drain.join(timeout=3)
        if process.stdout:
            process.stdout.close()
        if self._qmp_dir is not None:
            self._qmp_dir.cleanup()
            self._qmp_dir = None

    @staticmethod
    def _signal_group(process: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass


@atexit.register
def _stop_all_emulators() -> None:
    for emulator in list(_running):
        emulator.stop()
