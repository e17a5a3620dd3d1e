"""The rows of an experiment on disk: one row per cell with every input and every final KPI,
as CSV, or as Parquet when pyarrow is installed (extra `parquet`). Written atomically, so an
interrupted write leaves the old file or the new one, never half of one.

A long sweep streams its rows (`RowWriter`): each row goes to a hidden file beside the output
as its cell finishes, so memory does not grow with the grid, and `close` moves that file into
place, whole, with every row finished so far: at the end, or when Ctrl-C or a lost cluster
stops the sweep early."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from types import TracebackType
from typing import Any

from sim.csvtext import neutral
from sim.model.errors import InputError
from sim.model.files import temp_beside

FORMATS = (".csv", ".parquet")
PARQUET_EXTRA = "pip install 'jigsaw-sim[parquet]'"


# How the rows of each kind of experiment begin: a sweep's, a tournament's.
ROW_HEADERS = ("point,replication,seed,", "seat,strategy,replication,seed,")


def is_result_file(path: Path) -> bool:
    """`path` holds rows an experiment wrote (CSV by its header, Parquet by its magic
    bytes): a file the next run's rows may replace."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline(4096)
    except OSError:
        return False
    if path.suffix.lower() == ".parquet":
        return first.startswith(b"PAR1")
    return first.decode("utf-8", "replace").startswith(ROW_HEADERS)


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


class RowWriter:
    """Rows streamed to `path` (.csv or .parquet): `write(row)` as each cell finishes, then
    `close()` moves the file into place whole (`discard()` drops it). Every row has the keys
    of the first (one experiment's rows do)."""

    PARQUET_GROUP = 10_000  # rows per Parquet row group: bounded memory, a readable file

    def __init__(self, path: str) -> None:
        check_output(path)
        self.path = Path(path)
        self.rows = 0
        self._header: list[str] | None = None
        self._group: list[dict[str, Any]] = []
        self._parquet: Any = None
        self.parquet = self.path.suffix.lower() == ".parquet"
        try:
            fd, tmp = temp_beside(self.path)
        except OSError as exc:
            raise InputError(path, "", f"cannot write ({exc.strerror})") from None
        self._tmp = Path(tmp)
        self._fh: Any
        self._csv: Any = None
        if self.parquet:
            self._fh = os.fdopen(fd, "wb")
        else:
            text = os.fdopen(fd, "w", encoding="utf-8", newline="")
            self._fh, self._csv = text, csv.writer(text, lineterminator="\n")

    def write(self, row: dict[str, Any]) -> None:
        if self._header is None:
            self._header = list(row)
            if self._csv is not None:
                self._csv.writerow([neutral(h) for h in self._header])
        try:
            if self._csv is not None:
                self._csv.writerow([neutral(row.get(h)) for h in self._header])
                self._fh.flush()  # on disk as it comes: a crash keeps it in the temp file
            else:
                self._group.append({k: row.get(k) for k in self._header})
                if len(self._group) >= self.PARQUET_GROUP:
                    self._flush_group()
        except OSError as exc:
            raise InputError(str(self.path), "", f"cannot write ({exc.strerror})") from None
        self.rows += 1

    def _flush_group(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist(self._group)
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._fh, table.schema)
        self._parquet.write_table(table)
        self._group = []

    def close(self) -> None:
        """Finish the file and move it into place: every row written so far, whole."""
        try:
            if self.parquet:
                if self._group or self._parquet is None:
                    if self._header is None:  # no row at all: an empty table
                        self._group = []
                        import pyarrow as pa
                        import pyarrow.parquet as pq

                        pq.write_table(pa.table({}), self._fh)
                    else:
                        self._flush_group()
                if self._parquet is not None:
                    self._parquet.close()
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self.discard()
            raise InputError(str(self.path), "", f"cannot write ({exc.strerror})") from None

    def discard(self) -> None:
        """Drop the temporary file (whatever the disk says on the way: it may be full)."""
        try:
            if not self._fh.closed:
                self._fh.close()
        except OSError:
            pass
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> RowWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fh.closed:
            return
        if exc_type is None or issubclass(exc_type, KeyboardInterrupt | StoppedEarly):
            self.close()  # what finished is kept, whole
        else:
            self.discard()


class StoppedEarly(Exception):
    """The cluster or pool stopped answering: the rows so far are kept, the rest missing."""

    def __init__(self, reason: str, missing: list[int]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing
