"""CSV as the project writes it: one writer for every CSV file (sweeps, runs, the debrief).

A spreadsheet reads a cell that begins with = + - @ (or a tab or carriage return) as a
formula: a team named `=HYPERLINK(...)` or a `--by` of `=cmd|'/C calc'!A0` would run in the
instructor's spreadsheet. Such text cells get a leading apostrophe (OWASP, "CSV Injection"),
which spreadsheets show as text; numbers are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral(value: object) -> object:
    """A cell a spreadsheet will not run: text that could start a formula gets a `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """The header and rows as CSV text (LF line ends), every text cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutral(h) for h in header])
    writer.writerows([neutral(row.get(h)) for h in header] for row in rows)
    return out.getvalue()
