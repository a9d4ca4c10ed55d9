"""The `sdk` command: argument parsing and printing only; the work is done by the stage
packages (sdk/compile, sdk/runner, sdk/verify, sdk/report, sdk/diffusion, sdk/mobile).

`main` is the console entry point (pyproject: sdk = "sdk.cli:main")."""

from sdk.cli.commands import main

__all__ = ["main"]
