"""The rows of an experiment on disk: one row per cell with every input and every final KPI,
as CSV, or as Parquet when pyarrow is installed (extra `parquet`). Written atomically, so an
interrupted write leaves the old file or the new one, never half of one."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sim.csvtext import csv_text
from sim.model.errors import InputError
from sim.model.files import write_atomic

FORMATS = (".csv", ".parquet")
PARQUET_EXTRA = "pip install 'jigsaw-sim[parquet]'"


def columns(rows: Iterable[dict[str, Any]]) -> list[str]:
    """Every key of every row, in first-seen order."""
    seen: dict[str, None] = {}
    for r in rows:
        for k in r:
            seen.setdefault(k, None)
    return list(seen)


def check_output(path: str) -> None:
    """Refuse an output file we could not write, before hours of games rather than after."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(path, "", f"expected a .csv or .parquet file name, got '{suffix}'")
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InputError(
                path, "", f"Parquet needs pyarrow ({PARQUET_EXTRA}); or write a .csv"
            ) from None
    parent = Path(path).parent
    if parent.exists() and not parent.is_dir():
        raise InputError(path, "", f"{parent} is not a directory")


def write_rows(path: str, rows: list[dict[str, Any]]) -> None:
    """Every row to `path` (.csv or .parquet), atomically."""
    check_output(path)
    if Path(path).suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        names = columns(rows)
        table = pa.Table.from_pylist([{k: r.get(k) for k in names} for r in rows])
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        content: str | bytes = buffer.getvalue()
    else:
        content = csv_text(columns(rows), rows)
    try:
        write_atomic(Path(path), content)
    except OSError as exc:
        raise InputError(path, "", f"cannot write ({exc.strerror})") from None
