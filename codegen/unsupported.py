"""Every op a model uses that EdgeDiff cannot lower, reported at once as one table.

Capture (codegen/capture.py) does not stop at the first unsupported node: it records each one
here, keeps walking the graph, and raises one UnsupportedOpError whose message is the table,
so a user sees in one 10–30 s build all they must change instead of one op per build. A row is
one op (or one unsupported use of a supported op): its torch name, how many nodes, where in the
user's own code it comes from, the library line that called it (e.g. a diffusers block), and
what to do. No torch here: capture hands in strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codegen.ops.capture_util import UnsupportedOpError
from codegen.ops.torch_names import base_name, readable

OPS_HINT = "`sdk ops` lists what is supported"
GENERIC_TODO = ("no EdgeDiff kernel yet: rewrite that part with supported ops, or keep it on "
                "the host")
# What to do for ops that have a known rewrite.
TODO: dict[str, str] = {
    "_to_copy": "keep tensors float32 on the device (an integer input may only be converted to float)",
    "to": "keep tensors float32 on the device (an integer input may only be converted to float)",
    "embedding": "look the embedding up on the host and pass the vector as a float input",
    "index": "use slicing (tensor[a:b]) or reshape instead of an index tensor",
    "item": "do not read tensor values in forward (torch.export traces it once)",
}


@dataclass
class Failure:
    """One node that could not be lowered. reason: '' for an op with no entry, else why this
    use of a supported op is not (e.g. 'add with alpha=2')."""

    target: str
    node: str
    user_line: str
    library_line: str
    reason: str = ""


@dataclass
class Row:
    target: str
    reason: str
    nodes: list[str] = field(default_factory=list)
    user_lines: list[str] = field(default_factory=list)
    library_lines: list[str] = field(default_factory=list)


def _todo(row: Row) -> str:
    if row.reason:
        return row.reason
    return TODO.get(base_name(row.target), GENERIC_TODO)


def _rows(failures: list[Failure]) -> list[Row]:
    rows: dict[tuple[str, str], Row] = {}
    for f in failures:
        row = rows.setdefault((f.target, f.reason), Row(f.target, f.reason))
        row.nodes.append(f.node)
        for seen, line in ((row.user_lines, f.user_line), (row.library_lines, f.library_line)):
            if line and line not in seen:
                seen.append(line)
    return list(rows.values())


def _first(lines: list[str]) -> str:
    if not lines:
        return "—"
    more = f" (+{len(lines) - 1} more)" if len(lines) > 1 else ""
    return lines[0] + more


def table(failures: list[Failure]) -> str:
    """The message: a heading, then one block per op (plain text: it is printed to a terminal
    and read in logs, where a wide grid would wrap)."""
    rows = _rows(failures)
    total = sum(len(r.nodes) for r in rows)
    lines = [f"the model uses {len(rows)} op{'s' if len(rows) != 1 else ''} EdgeDiff cannot lower "
             f"({total} node{'s' if total != 1 else ''}); {OPS_HINT}:"]
    for i, row in enumerate(rows, 1):
        names = ", ".join(f"'{n}'" for n in row.nodes[:4]) + (", …" if len(row.nodes) > 4 else "")
        lines += [f"  {i}. {readable(row.target)} ({row.target}): {len(row.nodes)} "
                  f"node{'s' if len(row.nodes) != 1 else ''} ({names})",
                  f"     your code: {_first(row.user_lines)}",
                  f"     library:   {_first(row.library_lines)}",
                  f"     to do:     {_todo(row)}"]
    return "\n".join(lines)


def raise_if_any(failures: list[Failure]) -> None:
    if failures:
        raise UnsupportedOpError(table(failures))
