"""The table `sdk validate --layers` prints: one row per layer, as sdk/verify/layers.py judged it."""

from __future__ import annotations

from rich.table import Table


def layer_table(report) -> Table:
    """layer, op, shape, max error / scale, limit, ok; the first failing row in bold red."""
    table = Table(title=f"sdk validate --layers: {report.model_name} ({report.precision}) on {report.target} "
                        f"(seed {report.seed}, port {report.port})")
    for name, justify in (("#", "right"), ("layer", "left"), ("op", "left"), ("shape", "left"),
                          ("max error / scale", "right"), ("limit", "right"), ("ok", "center")):
        table.add_column(name, justify=justify)
    first = report.first_failure["index"] if report.first_failure else None
    for row in report.rows:
        table.add_row(str(row["index"]), row["name"], row["op"], "×".join(map(str, row["shape"])),
                      _error(row), "exact" if row["limit"] == 0 else f"{row['limit']:.1e}", _verdict(row),
                      style="bold red" if row["index"] == first else None)
    lowering = report.lowering
    table.add_row("", "graph vs torch", "output", "", f"{lowering['max_rel_error']:.2e}",
                  f"{lowering['limit']:.1e}", "yes" if lowering["passed"] else "NO", end_section=False)
    return table


def _error(row: dict) -> str:
    if row["nonfinite_elements"]:
        return f"{row['nonfinite_elements']:,} NaN/inf"
    if row["limit"] == 0:
        return f"{int(row['max_abs_error']):,} differ"
    return f"{row['error_rel']:.2e}"


def _verdict(row: dict) -> str:
    if not row["judged"]:
        return "—"
    return "yes" if row["passed"] else "NO"
