"""Reaching the board, and being interrupted: a port that does not exist, a refused socket, a
board whose emulator dies mid-validate and Ctrl-C mid-run each end in one message and a set exit
status (2, or 130 for Ctrl-C), with no traceback, no emulator left running and no report that
reads as this run's.

Commands run in-process through sdk.cli.main on the emulated rv32 board (a two-conv model file)
and, for `sdk generate`, on the host board (an untrained tiny diffusion student)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading

import pytest

from sdk.cli import commands as cli
from sdk.runner.client import DeviceClient
from sdk.runner.emulator import Emulator
from sdk.target import load_target
from sdk.verify import validate as validation
from tests.helpers.cli import build_net, free_port, sdk, write_net
from tests.tiny_unet import untrained_student

# rv32_tools: the emulated rv32 board's compiler and QEMU; wide_console: no message is wrapped
pytestmark = [pytest.mark.hil, pytest.mark.slow, pytest.mark.usefixtures("rv32_tools", "wide_console")]


@pytest.fixture(scope="module")
def rv32_build(tmp_path_factory):
    return build_net(tmp_path_factory.mktemp("build_rv32"), write_net(tmp_path_factory.mktemp("model")))


@pytest.fixture(scope="module")
def host_sampler_build(tmp_path_factory):
    """A diffusion student built with its on-board sampler for the host board."""
    root = tmp_path_factory.mktemp("build_host")
    student = untrained_student(tmp_path_factory.mktemp("student"))
    assert cli.main(["--build-dir", str(root), "build", "--target", "host", "--model", str(student)]) == 0
    return root


@pytest.fixture
def emulator_pids(monkeypatch) -> list[int]:
    """The pid of every emulator a command starts."""
    pids: list[int] = []
    start = Emulator.start

    def recording_start(self):
        start(self)
        pids.append(self.process.pid)

    monkeypatch.setattr(Emulator, "start", recording_start)
    return pids


def assert_reaped(pids: list[int]) -> None:
    """Each process has exited and been waited for (a zombie would still answer kill 0)."""
    assert pids, "the command started no emulator"
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def assert_one_message(out: str) -> None:
    assert "Traceback" not in out, out
    assert out.count("error:") + out.count("interrupted") == 1, out


def board_command(command: str, rv32_build, host_sampler_build, port: str) -> list:
    if command == "generate":
        return ["--build-dir", host_sampler_build, "generate", "--target", "host", "--n", 1, "--port", port]
    return ["--build-dir", rv32_build, command, "--target", "rv32", "--port", port]


# ------------------------------------------------------------------------------ no board

@pytest.mark.parametrize("command", ["flash", "validate", "generate"])
def test_port_that_does_not_exist(capsys, rv32_build, host_sampler_build, command):
    code, out = sdk(capsys, *board_command(command, rv32_build, host_sampler_build, "/dev/ttyUSB9"))
    assert code == 2, out
    assert_one_message(out)
    assert "serial port /dev/ttyUSB9 does not exist" in out and "sdk devices" in out


@pytest.mark.parametrize("command", ["flash", "validate", "generate"])
def test_socket_that_refuses_the_connection(capsys, rv32_build, host_sampler_build, command):
    url = f"socket://127.0.0.1:{free_port()}"  # bound, then released: nothing listens there
    code, out = sdk(capsys, *board_command(command, rv32_build, host_sampler_build, url))
    assert code == 2, out
    assert_one_message(out)
    assert f"nothing accepts connections at {url} (connection refused)" in out


# --------------------------------------------------------------- the board goes away mid-run

def test_emulator_killed_mid_validate_names_the_last_good_exchange(capsys, monkeypatch, rv32_build,
                                                                  emulator_pids):
    """The board's QEMU is killed before the third sample: the port closes under the client."""
    run_sample, calls = validation.run_sample, []

    def run_sample_then_unplug(client, inputs):
        calls.append(1)
        if len(calls) == 3:
            os.killpg(emulator_pids[0], signal.SIGKILL)
            os.waitid(os.P_PID, emulator_pids[0], os.WEXITED | os.WNOWAIT)  # dead, not yet reaped
        return run_sample(client, inputs)

    monkeypatch.setattr(validation, "run_sample", run_sample_then_unplug)
    report = rv32_build / "rv32" / "validate.json"
    report.write_text(json.dumps({"passed": True}))  # an earlier run's report
    code, out = sdk(capsys, "--build-dir", rv32_build, "validate", "--target", "rv32", "--emulator",
                    "--samples", 5)
    assert code == 2, out
    assert_one_message(out)
    assert "the link broke during WRITE" in out and "last good exchange: READ" in out, out
    assert len(calls) == 3
    assert_reaped(emulator_pids)
    assert not report.exists(), "an earlier run's report is left as if it were this run's"


# ---------------------------------------------------------------------------------- Ctrl-C

def sdk_ctrl_c(capsys, *argv) -> tuple[int, str]:
    """sdk(...) where a KeyboardInterrupt leaving main fails the test instead of ending pytest."""
    try:
        return sdk(capsys, *argv)
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped sdk.cli.main")


def test_ctrl_c_mid_validate_stops_the_emulator_and_writes_no_report(capsys, monkeypatch, rv32_build,
                                                                   emulator_pids):
    run, calls = DeviceClient.run, []

    def run_then_ctrl_c(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return run(self, *args, **kwargs)

    monkeypatch.setattr(DeviceClient, "run", run_then_ctrl_c)
    out_dir = rv32_build / "rv32"
    stale = [out_dir / "validate.json", out_dir / "validate.png"]
    for path in stale:
        path.write_text("an earlier run's")
    code, out = sdk_ctrl_c(capsys, "--build-dir", rv32_build, "validate", "--target", "rv32", "--emulator",
                           "--samples", 5)
    assert code == 130, out
    assert_one_message(out)
    assert "interrupted (Ctrl-C): sdk validate stopped before finishing" in out
    assert_reaped(emulator_pids)
    assert [p for p in stale if p.exists()] == []


def test_ctrl_c_mid_generate_leaves_no_picture(capsys, monkeypatch, host_sampler_build, emulator_pids):
    def sample_ctrl_c(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(DeviceClient, "sample", sample_ctrl_c)
    png = host_sampler_build / "host" / "samples.png"
    png.write_text("an earlier run's")
    png.with_suffix(".npy").write_text("an earlier run's")
    code, out = sdk_ctrl_c(capsys, "--build-dir", host_sampler_build, "generate", "--target", "host", "--n", 2)
    assert code == 130, out
    assert_one_message(out)
    assert_reaped(emulator_pids)
    assert not png.exists() and not png.with_suffix(".npy").exists()


def test_ctrl_c_while_the_emulator_starts_stops_it():
    """A real SIGINT while Emulator.start waits for the pty (it never comes): the process that
    was started is stopped before KeyboardInterrupt leaves start()."""
    marker = "31.4159"  # a unique command line to look for
    emulator = Emulator(load_target("rv32"), None, start_timeout=30, argv=["sleep", marker])
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            emulator.start()
    finally:
        timer.cancel()
        left = subprocess.run(["pgrep", "-f", f"sleep {marker}$"], capture_output=True, text=True).stdout
        if emulator.process is not None:  # the guard failed: stop what it left
            emulator.process.kill()
            emulator.process.wait()
    assert left == "", "the emulator process outlived the Ctrl-C"
