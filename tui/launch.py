"""The `jigsaw` command's first step: load the command line, so that Ctrl-C while the
libraries load is one line too (`tui.cli.main` does the rest)."""

from __future__ import annotations

import sys


def main() -> int:
    if sys.stdout is None or sys.stderr is None:  # started with standard output closed (>&-)
        if sys.stderr is not None:
            print("jigsaw: cannot write the output (standard output is closed)", file=sys.stderr)
        return 1
    try:
        from tui.cli import main as command  # noqa: PLC0415 - the point of this module
    except KeyboardInterrupt:
        print("jigsaw: interrupted", file=sys.stderr)
        return 130
    return command()
