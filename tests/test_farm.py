"""Device farm: the board map, `sdk devices`, and `sdk validate --boards` across boards in
parallel — an emulated board, a board behind a real labgrid coordinator and exporter (all on
127.0.0.1, exporting a QEMU board's TCP serial as a NetworkSerialPort), and a board that is
not there — merged into one report."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sdk.compile.manifest import load_manifest
from sdk.errors import UserError
from sdk.runner.boardmap import BoardEntry, load_board_map
from sdk.runner.labgrid_place import serial_url_from_env
from sdk.target import UnknownTarget
from tests.helpers.cli import TARGET, board_on_tcp, build_net, free_port, sdk, write_net

LABGRID_BIN = Path(sys.executable).parent
pytestmark = pytest.mark.usefixtures("wide_console")  # no message is wrapped


# ---------------------------------------------------------------------------- board map

@pytest.mark.unit
def test_board_map_reads_every_way_to_reach_a_board(tmp_path):
    path = tmp_path / "boards.toml"
    path.write_text("""
[[board]]
name = "emu"
target = "rv32"
emulator = true

[[board]]
name = "disco"
target = "cortex-m4"
serial_number = "0672FF48"
baud = 921600

[[board]]
name = "remote"
target = "cortex-m55"
labgrid_place = "m55-a"
labgrid_coordinator = "127.0.0.1:20408"
""")
    emu, disco, remote = load_board_map(path)
    assert emu == BoardEntry("emu", "rv32", emulator=True)
    assert (disco.serial_number, disco.baud, disco.how) == ("0672FF48", 921600, "serial number 0672FF48")
    assert remote.how == "labgrid place m55-a"


@pytest.mark.unit
@pytest.mark.parametrize("body, error, message", [
    ('[[board]]\nname = "a"\ntarget = "rv32"\n', UserError,
     "give exactly one of port, serial_number, emulator, labgrid_place"),
    ('[[board]]\nname = "a"\ntarget = "rv32"\nport = "/dev/x"\nemulator = true\n', UserError,
     "give exactly one of"),
    ('[[board]]\nname = "a"\ntarget = "z80"\nemulator = true\n', UnknownTarget, "unknown target 'z80'"),
    ('[[board]]\nname = "a"\ntarget = "rv32"\nemulator = true\nbuad = 9600\n', UserError,
     "unknown keys buad"),
    ('[[board]]\nname = "a"\ntarget = "rv32"\nemulator = true\n' * 2, UserError, "name 'a' used twice"),
    ('title = "no boards"\n', UserError, "no [[board]] entries"),
])
def test_board_map_mistakes_are_named(tmp_path, body, error, message):
    path = tmp_path / "boards.toml"
    path.write_text(body)
    with pytest.raises(error) as raised:
        load_board_map(path)
    assert type(raised.value) is error  # not some other error that happens to subclass it
    assert message in str(raised.value)


@pytest.mark.unit
def test_devices_lists_ports_and_mapped_boards(capsys, tmp_path):
    path = tmp_path / "boards.toml"
    path.write_text('[[board]]\nname = "gone"\ntarget = "rv32"\nserial_number = "NOPE123"\n'
                    '[[board]]\nname = "emu"\ntarget = "rv32"\nemulator = true\n')
    code, out = sdk(capsys, "devices", "--boards", path)
    assert code == 0, out
    assert "serial ports on this host" in out
    assert "gone" in out and "serial number NOPE123" in out and "not connected" in out
    assert "emu" in out and "emulator" in out


@pytest.mark.unit
def test_labgrid_env_yaml_gives_the_serial_url():
    env = ("targets:\n  m55-a:\n    resources:\n    - NetworkSerialPort:\n        protocol: raw\n"
           "        host: 10.0.0.5\n        port: 4001\n        speed: 115200\n")
    assert serial_url_from_env("m55-a", env) == "socket://10.0.0.5:4001"
    assert serial_url_from_env("m55-a", env.replace("raw", "rfc2217")) == "rfc2217://10.0.0.5:4001"
    with pytest.raises(UserError, match="has no NetworkSerialPort"):
        serial_url_from_env("m55-a", "targets:\n  m55-a:\n    resources: []\n")


# ------------------------------------------------------------------------ labgrid on loopback

def labgrid_tool(name: str) -> str:
    path = LABGRID_BIN / name
    if not path.exists():
        pytest.skip(f"labgrid is not installed in this environment ({name} not beside {sys.executable}): "
                    "pip install 'edgediff[farm]'")
    return str(path)


@contextlib.contextmanager
def labgrid_place_for(serial_url: str, place: str, tmp: Path):
    """A labgrid coordinator and exporter on 127.0.0.1, the exporter sharing the board's TCP
    serial as a NetworkSerialPort, and a place matching it; yields the coordinator address.
    Both processes are always stopped."""
    host, port = serial_url.removeprefix("socket://").split(":")
    address = f"127.0.0.1:{free_port()}"
    config = tmp / "exporter.yaml"
    config.write_text(f"edgediff-board:\n  NetworkSerialPort:\n    host: {host}\n    port: {port}\n"
                      "    protocol: raw\n    speed: 115200\n")
    env = {**os.environ, "LG_COORDINATOR": address}
    procs = []
    try:
        for argv in ([labgrid_tool("labgrid-coordinator"), "-l", address],
                     [labgrid_tool("labgrid-exporter"), "-c", address, "-n", "bench1",
                      "--hostname", "127.0.0.1", str(config)]):
            log = open(tmp / f"{Path(argv[0]).name}.log", "w")
            # cwd: the coordinator keeps places.yaml and resources.yaml in its working directory.
            procs.append((subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                           env=env, cwd=tmp, start_new_session=True), log))
            time.sleep(0.5)
        client = labgrid_tool("labgrid-client")
        deadline = time.monotonic() + 30
        while True:  # the exporter has registered its resource
            out = subprocess.run([client, "resources"], env=env, capture_output=True, text=True, timeout=20)
            if "bench1/edgediff-board/NetworkSerialPort" in out.stdout:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"labgrid exporter never registered: {out.stdout}{out.stderr}"
                            + "".join((tmp / f).read_text() for f in ("labgrid-coordinator.log", "labgrid-exporter.log")))
            time.sleep(0.3)
        for args in (["create"], ["add-match", "bench1/edgediff-board/*"]):
            subprocess.run([client, "-p", place, *args], env=env, check=True, capture_output=True, timeout=20)
        yield address
    finally:
        for proc, log in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


@pytest.fixture(scope="module")
def farm_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("farm_build")
    return build_net(root, write_net(tmp_path_factory.mktemp("farm_model")))


@pytest.mark.hil
@pytest.mark.slow
@pytest.mark.usefixtures("rv32_tools")
def test_validate_across_emulator_labgrid_place_and_missing_board(capsys, farm_build, tmp_path):
    labgrid_tool("labgrid-client")
    manifest = load_manifest(TARGET, farm_build)
    dead = f"socket://127.0.0.1:{free_port()}"  # nothing listens there
    with board_on_tcp(Path(manifest.elf)) as url, labgrid_place_for(url, "rv32-remote", tmp_path) as coordinator:
        boards = tmp_path / "boards.toml"
        boards.write_text(f"""
[[board]]
name = "emu-1"
target = "{TARGET}"
emulator = true

[[board]]
name = "remote-1"
target = "{TARGET}"
labgrid_place = "rv32-remote"
labgrid_coordinator = "{coordinator}"

[[board]]
name = "unplugged"
target = "{TARGET}"
port = "{dead}"
""")
        report_path = tmp_path / "farm.json"
        code, out = sdk(capsys, "--build-dir", farm_build, "validate", "--boards", boards,
                        "--samples", 2, "--json", report_path)
        # The place was released after the run: another client can acquire it now.
        env = {**os.environ, "LG_COORDINATOR": coordinator}
        again = subprocess.run([labgrid_tool("labgrid-client"), "-p", "rv32-remote", "acquire"], env=env,
                               capture_output=True, text=True, timeout=20)
    assert code == 1, out  # one board failed, so the farm did
    report = json.loads(report_path.read_text())
    rows = {row["board"]: row for row in report["boards"]}
    assert list(rows) == ["emu-1", "remote-1", "unplugged"] and report["passed"] is False
    for name in ("emu-1", "remote-1"):
        assert rows[name]["passed"] is True, rows[name]
        assert rows[name]["report"]["build_id"] == manifest.build_id
        assert rows[name]["report"]["max_rel_error"] <= 1e-4
    assert rows["remote-1"]["port"] == url and rows["remote-1"]["how"] == "labgrid place rv32-remote"
    # Same firmware, same inputs, deterministic counter: identical instruction counts.
    assert (rows["emu-1"]["report"]["instructions_per_inference"]
            == rows["remote-1"]["report"]["instructions_per_inference"])
    assert rows["unplugged"]["passed"] is False and dead.split("//")[1] in rows["unplugged"]["error"]
    assert "emu-1" in out and "remote-1" in out and "PASS" in out and "FAIL" in out
    assert again.returncode == 0, again.stderr
