"""The `jigsaw` command line: one module per command.

    jigsaw play [SCENARIO] [--seed N] [--full] [--load SAVE]          (tui.cli.play)
    jigsaw run SCENARIO [--seed N] [--strategy NAME | --decisions FILE] [--json | --csv]
               [--view FIRM] [--save FILE]  |  jigsaw run --load SAVE  (tui.cli.run)
    jigsaw sweep SCENARIO --vary NAME=A:B:N ... | --strategies A,B | --file EXP.toml
                                                                      (tui.cli.sweep)
    jigsaw class new | status | submit | advance | results | report | play | serve | migrate
                                                                      (tui.cli.classroom)
    jigsaw scenario list | show NAME | validate FILE | schema | balance FILE|NAME
                                                                      (tui.cli.scenario)
    jigsaw luck SAVE | --db CLASS [--team T] [--seeds R] [--json]     (tui.cli.luck)
    jigsaw explain SAVE | --db CLASS --team T [--round K] [--json]    (tui.cli.explain)
    jigsaw lab export SAVE | --db CLASS --firm F --out DIR [--grain day|week]
                                                                      (tui.cli.lab)

Every command exits 0 on success and 2 on bad usage or bad input, with one clear line on
stderr that names the file, the field and what was expected.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
from collections.abc import Sequence
from contextlib import nullcontext

from sim.model.errors import InputError
from sim.model.scenario import bundled_scenarios
from tui.cli import classroom, explain, lab, luck, play, run, scenario, sweep
from tui.cli.common import Parser, Terminated, UsageError, one_line, terminated_as_interrupt

# Class actions that run a screen (Textual handles its own signals there).
SCREENS = ("play", "dashboard", "serve")


def build_parser() -> Parser:
    parser = Parser(
        prog="jigsaw",
        description="Jigsaw: a marketing-vs-sales business simulation game.",
        epilog="Scenarios: " + ", ".join(bundled_scenarios()) + " (or a path to a TOML file).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in (run, play, sweep, classroom, scenario, luck, explain, lab):
        command.add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as done:  # --help, --version: what was printed must reach its reader
            sys.stdout.flush()
            return done.code if isinstance(done.code, int) else 2
        if args.command is None:
            return play.main(None)
        screens = args.command == "play" or getattr(args, "action", None) in SCREENS
        with nullcontext() if screens else terminated_as_interrupt():
            code = int(args.run(args))
        sys.stdout.flush()  # here, so that a full disk under it is one line, not a traceback
        return code
    except UsageError as exc:
        print(one_line(str(exc)), file=sys.stderr)
        return 2
    except InputError as exc:
        print(one_line(f"jigsaw: {exc}"), file=sys.stderr)
        return 2
    except BrokenPipeError:
        _drop_output()
        return 0
    except Terminated:  # SIGTERM: stopped as Ctrl-C stops it
        print("jigsaw: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:  # every file is written atomically: none is left half-written
        print("jigsaw: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        if exc.filename is not None and exc.errno in BAD_PATH:  # a path the user gave
            print(one_line(f"jigsaw: {exc.filename}: {exc.strerror}"), file=sys.stderr)
            return 2
        if exc.errno not in OUT_OF_ROOM:
            raise
        _drop_output()
        print(one_line(f"jigsaw: cannot write the output ({exc.strerror})"), file=sys.stderr)
        return 1


# What a path typed on the command line can be wrong in, wherever the system first says so.
BAD_PATH = {
    errno.ENAMETOOLONG,
    errno.ENOENT,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.ELOOP,
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
}
# A full disk (or a full /dev/full) under standard output, or a file that may grow no more.
OUT_OF_ROOM = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def _drop_output() -> None:
    """Send what is left of standard output nowhere, so that the interpreter's last flush at
    exit cannot fail again and print a traceback of its own."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real stdout (a test's capture)
        pass
