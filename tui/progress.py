"""The progress bar of a long command (a sweep, a tournament): games done of all, the rate
and the time left, on stderr so the summary on stdout stays clean to pipe.

    with ProgressBar("games") as progress:
        run_sweep(..., progress=progress)      # calls progress(done, total)

The bar appears at the first finished game, so input refused before any work is done leaves
one error line on stderr and nothing else. Rich draws it live on a terminal; elsewhere (a
pipe, CI) it prints the final state once.
"""

from __future__ import annotations

import sys
import threading
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Games a second, averaged over the run so far (rich's own speed is for bytes)."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        if not task.completed or elapsed <= 0:
            return Text("", style="progress.data.speed")
        return Text(f"{task.completed / elapsed:.1f}/s", style="progress.data.speed")


class _Lenient:
    """Standard error as the bar writes it: a write that fails (stderr closed, or on a full
    disk) is dropped, so a progress bar never costs the results it reports on."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            if self.stream is not None:
                self.stream.write(text)
        except (OSError, ValueError):
            self.stream = None
        return len(text)

    def flush(self) -> None:
        try:
            if self.stream is not None:
                self.stream.flush()
        except (OSError, ValueError):
            self.stream = None

    def isatty(self) -> bool:
        try:
            return self.stream is not None and self.stream.isatty()
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        if self.stream is None:
            raise OSError("standard error is closed")
        return self.stream.fileno()


class ProgressBar:
    """A callable `progress(done, total)` that drives a rich progress bar (thread-safe: pool
    and Dask callbacks arrive from other threads)."""

    def __init__(self, label: str, console: Console | None = None) -> None:
        self.label = label
        self.console = console or Console(file=_Lenient(sys.stderr))  # type: ignore[arg-type]
        self._bar = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=self.console,
        )
        self._task: TaskID | None = None
        self._shown = False
        self._lock = threading.Lock()

    def __enter__(self) -> ProgressBar:
        self._task = self._bar.add_task(self.label, total=None)  # the clock starts here
        return self

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            if self._task is None:
                self._task = self._bar.add_task(self.label, total=None)
            if not self._shown:
                self._bar.start()
                self._shown = True
            self._bar.update(self._task, completed=done, total=total)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._lock:
            if self._shown:
                self._bar.stop()
