"""`sdk validate --boards boards.toml`: one validation on every board of a farm, in parallel,
merged into one table and one JSON report.

Each board runs in its own process (spawned, not forked: torch and the emulator threads do
not survive a fork, and torch.export is not thread-safe), with the build for its target from
the build dir. Labgrid places are acquired here, in the parent, for the whole run, and
released whatever happens. Emulated boards load the ELF directly (no bootloader round trip):
two of them for one target would otherwise share one set of flash image files. A board that fails (no answer, wrong build) is a failed row with
its error, never an exception that hides the other boards' results."""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
from dataclasses import dataclass
from pathlib import Path

from sdk.compile.manifest import load_manifest
from sdk.report.strict_json import write_json
from sdk.runner.boardmap import BoardEntry, resolve_port
from sdk.runner.transport import BAUDRATE, open_port


@dataclass
class FarmRow:
    board: str
    target: str
    how: str
    port: str
    passed: bool
    report: dict | None = None
    error: str | None = None

    def to_dict(self) -> dict:
        return {"board": self.board, "target": self.target, "how": self.how, "port": self.port,
                "passed": self.passed, "error": self.error, "report": self.report}


def _validate_on_board(board: BoardEntry, url: str | None, build_root: Path, samples: int,
                       seed: int) -> FarmRow:
    """Runs in a worker process: open the board, validate, return a picklable row."""
    from sdk.runner.board import open_board
    from sdk.verify.validate import validate

    port_label = "emulator" if board.emulator else url
    try:
        manifest = load_manifest(board.target, build_root)
        port = url
        if url and board.baud != BAUDRATE:
            port = open_port(url, 5.0, board.baud)
        with open_board(manifest, board.emulator, port) as client:
            client.board = board.name
            port_label = client.port_name
            report, _ = validate(manifest, client, samples, seed)
        return FarmRow(board.name, board.target, board.how, port_label, report.passed, report.to_dict())
    except Exception as error:  # noqa: BLE001 - one board's failure is a row, not a crash
        return FarmRow(board.name, board.target, board.how, str(port_label), False,
                       error=f"{type(error).__name__}: {error}")


def validate_farm(boards: list[BoardEntry], build_root: Path, samples: int, seed: int = 0,
                  workers: int | None = None) -> list[FarmRow]:
    for target in sorted({b.target for b in boards}):
        load_manifest(target, build_root)  # every target built? fail before starting anything
    with contextlib.ExitStack() as stack:
        urls: dict[str, str | None] = {}
        for board in boards:
            if board.emulator:
                urls[board.name] = None
            elif board.labgrid_place:
                from sdk.runner.labgrid_place import acquired_place
                urls[board.name] = stack.enter_context(acquired_place(board.labgrid_place, board.labgrid_coordinator))
            else:
                urls[board.name] = resolve_port(board)
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers or len(boards), mp_context=context) as pool:
            futures = [pool.submit(_validate_on_board, b, urls[b.name], Path(build_root), samples, seed)
                       for b in boards]
            return [f.result() for f in futures]


def write_farm_report(path: Path, board_map: Path, samples: int, seed: int, rows: list[FarmRow]) -> None:
    """One JSON report for the whole farm: every board's row, and passed only if all passed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, {"board_map": str(board_map), "samples": samples, "seed": seed,
                      "passed": all(r.passed for r in rows), "boards": [r.to_dict() for r in rows]})
