"""Finding external tools, and failing with the exact command that installs a missing one."""

from __future__ import annotations

import shutil


class ToolMissing(RuntimeError):
    """A compiler, linker or emulator is not on PATH; the message says how to install it."""

    def __init__(self, tool: str, packages: list[str]):
        self.tool = tool
        self.packages = list(packages)
        self.install_command = f"apt-get update && apt-get install -y {' '.join(packages)}"
        super().__init__(f"'{tool}' not found on PATH; install it with: {self.install_command}")


def require_tool(cmd: str, packages: list[str]) -> str:
    """Return the full path of cmd, or raise ToolMissing naming the apt packages to install."""
    path = shutil.which(cmd)
    if path is None:
        raise ToolMissing(cmd, packages)
    return path
