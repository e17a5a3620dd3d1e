"""Plain-text tables for the command line: columns padded to their widest cell."""

from __future__ import annotations

from collections.abc import Sequence


def aligned(rows: Sequence[Sequence[str]], indent: str = "", left_first: bool = True) -> list[str]:
    """One line per row, cells two spaces apart. The first column is left-aligned (unless
    `left_first` is False), the others right-aligned, as numbers read best."""
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [c.rjust(w) for c, w in zip(row, widths, strict=False)]
        if left_first:
            cells[0] = row[0].ljust(widths[0])
        out.append(indent + "  ".join(cells))
    return out
