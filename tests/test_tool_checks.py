"""The rule for tests that need a tool (tests/helpers/tools.py): a missing compiler or
emulator skips locally, naming the apt-get command, and fails with CI=true, so a CI machine
without QEMU cannot pass by skipping the board tests."""

from __future__ import annotations

import pytest

from tests.helpers.tools import require_commands, require_tools

pytestmark = pytest.mark.unit

INSTALL = "apt-get install -y qemu-system-misc"


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_a_missing_tool_skips_locally_with_the_install_command(monkeypatch, ci):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match=f"rv32 needs qemu-system-riscv32: {INSTALL}$"):
        require_tools("rv32", ["qemu-system-riscv32"], INSTALL)


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_a_missing_tool_fails_under_ci(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match=f"CI=true .*rv32 needs qemu-system-riscv32: {INSTALL}$"):
        require_tools("rv32", ["qemu-system-riscv32"], INSTALL)


def test_tools_on_path_neither_skip_nor_fail(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert require_tools("rv32", [], INSTALL) is None
    assert require_commands("python", ["python3"], INSTALL) is None
    with pytest.raises(pytest.fail.Exception, match="needs no-such-tool-edgediff"):
        require_commands("x", ["python3", "no-such-tool-edgediff"], INSTALL)
