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

Every command exits 0 on success and 2 on bad usage or bad input, with one clear line on
stderr that names the file, the field and what was expected.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from sim.model.errors import InputError
from sim.model.scenario import bundled_scenarios
from tui.cli import classroom, play, run, scenario, sweep
from tui.cli.common import Parser, UsageError, one_line


def build_parser() -> Parser:
    parser = Parser(
        prog="jigsaw",
        description="Jigsaw: a marketing-vs-sales business simulation game.",
        epilog="Scenarios: " + ", ".join(bundled_scenarios()) + " (or a path to a TOML file).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in (run, play, sweep, classroom, scenario):
        command.add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            return play.main(None)
        return int(args.run(args))
    except UsageError as exc:
        print(one_line(str(exc)), file=sys.stderr)
        return 2
    except InputError as exc:
        print(one_line(f"jigsaw: {exc}"), file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:  # every file is written atomically: none is left half-written
        print("jigsaw: interrupted", file=sys.stderr)
        return 130
