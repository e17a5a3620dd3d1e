"""`jigsaw play`: the terminal game (the default command)."""

from __future__ import annotations

import argparse
from typing import Any

from sim.model.scenario import load_scenario
from tui.cli.common import UsageError, add_scenario_and_seed


def add(sub: Any) -> None:
    play = sub.add_parser(
        "play",
        help="play in the terminal (the default command)",
        description="Play Jigsaw in the terminal against computer-run rivals. With a SCENARIO "
        "the boardroom opens at round 1; without one, the new-game screen first.",
    )
    add_scenario_and_seed(play)
    play.add_argument(
        "--full",
        action="store_true",
        help="full decisions (mix, targeting, sales levers) instead of simple",
    )
    play.add_argument("--load", metavar="SAVE", help="continue a saved game")
    play.add_argument(
        "--plain",
        action="store_true",
        help="plain lines of text instead of the full screen (screen readers, serial consoles, "
        "scripts: commands are read from standard input; without a SCENARIO, the tutorial)",
    )

    play.set_defaults(run=main)


def main(args: argparse.Namespace | None) -> int:
    """Start the terminal game (Textual is imported only here, so `run` stays light)."""
    from tui.session import Session

    if args is not None and args.plain:
        from tui.plain import play_plain

        if args.load and args.scenario:
            raise UsageError("jigsaw play: give either a SCENARIO or --load SAVE, not both")
        if args.load:
            session = Session.load(args.load, args.max_leads)
        else:
            scenario = load_scenario(args.scenario or "tutorial", args.max_leads)
            session = Session.new(scenario, args.seed, full_mode=args.full)
        return play_plain(session)

    from tui.app import JigsawApp

    session = None
    if args is not None and args.load:
        if args.scenario:
            raise UsageError("jigsaw play: give either a SCENARIO or --load SAVE, not both")
        session = Session.load(args.load, args.max_leads)
    elif args is not None and args.scenario:
        session = Session.new(
            load_scenario(args.scenario, args.max_leads), args.seed, full_mode=args.full
        )
    JigsawApp(session).run()
    return 0
