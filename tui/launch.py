"""The `jigsaw` command's first step: load the command line, so that Ctrl-C while the
libraries load is one line too (`tui.cli.main` does the rest)."""

from __future__ import annotations

import os
import sys


def _nowhere() -> object:
    """A stream to the null device, on the lowest free descriptor (the closed one)."""
    return open(os.open(os.devnull, os.O_WRONLY), "w", encoding="utf-8", closefd=True)  # noqa: SIM115


def main() -> int:
    # Started with standard error closed (2>&-): messages have nowhere to go, work goes on.
    if sys.stderr is None:
        sys.stderr = _nowhere()  # type: ignore[assignment]
    # Started with standard output closed (>&-): the command still does its work (a save is
    # written), what it would print goes nowhere, and it ends by saying so (exit 1).
    closed = sys.stdout is None
    if closed:
        sys.stdout = _nowhere()  # type: ignore[assignment]
    try:
        from tui.cli import main as command  # noqa: PLC0415 - the point of this module
    except KeyboardInterrupt:
        print("jigsaw: interrupted", file=sys.stderr)
        return 130
    code = command()
    if closed and code == 0:
        print("jigsaw: cannot write the output (standard output is closed)", file=sys.stderr)
        return 1
    return code
