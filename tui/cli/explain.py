"""`jigsaw explain SAVE | --db CLASS --team T [--round K] [--seeds R] [--json]`: every number
explained.

A round's change in profit (and revenue, customers, share, brand, score) from the round before,
split exactly into what the firm's marketing, sales, price and product, the rivals' decisions
and the market's events did (Shapley values from the round's starting snapshot, on expected
outcomes), what earlier rounds carried in (momentum) and luck (`sim.experiments.explain`).
In a class a team (with its code) explains its own firm, the other firms as one factor; the
instructor (`--instructor`, with the instructor's code) any team's.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from dataclasses import asdict
from typing import Any

from sim.classroom.store import opened
from sim.experiments.explain import CLASS_RIVALS, DRAWS, MAX_DRAWS, Explanation, explain
from sim.experiments.quality import LEVER_WORDS, RoundQuality, quality
from sim.model.errors import InputError
from sim.model.files import read_whole
from sim.model.game import Game
from sim.narrative import signed_money
from sim.numbers import money, plural
from tui.cli.classroom import code, seat
from tui.cli.common import (
    UsageError,
    add_executor,
    add_max_leads,
    check_workers,
    count_of,
    shown,
)
from tui.progress import ProgressBar
from tui.table import aligned


def add(sub: Any) -> None:
    p = sub.add_parser(
        "explain",
        help="every number explained: a round's change split into what caused it",
        description="Split the change in a firm's profit (and revenue, customers, share, "
        "brand and score) from the round before into exact contributions: its marketing, its "
        "sales, its price and product, the rivals' decisions and market events (Shapley "
        "values, each switched between last round's setting and this round's from the "
        "round's starting snapshot, on expected outcomes over draws of luck), momentum (what "
        "earlier rounds carried in) and luck. They add up to the change exactly.",
    )
    p.add_argument("save", nargs="?", metavar="SAVE", help="a save file (solo play, jigsaw run)")
    p.add_argument("--db", metavar="CLASS", help="a class file instead of a save")
    p.add_argument(
        "--team", help="the firm to explain (in a class: the team; in a save: the player's)"
    )
    p.add_argument(
        "--instructor",
        action="store_true",
        help="in a class: read any team's as the instructor (the instructor's code)",
    )
    code(p, "the team's code (or the instructor's, with --instructor)")
    p.add_argument(
        "--round",
        type=round_number,
        help="the round to explain against the one before (default: the last played)",
    )
    p.add_argument(
        "--seeds",
        type=count_of("draws of luck", 1, MAX_DRAWS),
        default=DRAWS,
        help=f"draws of luck for the expectations ({DRAWS}; 1 to {MAX_DRAWS})",
    )
    add_executor(p)
    p.add_argument(
        "--quality",
        action="store_true",
        help="also judge the round's decision against its neighbours (each lever a step each "
        "way): what it left on the table, and in which lever",
    )
    p.add_argument("--json", action="store_true", help="the whole explanation as JSON")
    add_max_leads(p)
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    if (args.save is None) == (args.db is None):
        raise UsageError("jigsaw explain: give a SAVE file or --db CLASS (one of them)")
    if args.instructor and not args.db:
        raise UsageError("jigsaw explain: --instructor goes with --db CLASS")
    check_workers("jigsaw explain", args.workers, remote=args.scheduler not in (None, "local"))
    rivals: str | None = None
    private = own = True  # the reader is the firm: a team, or the player of a save
    if args.db:
        if not args.team:
            raise UsageError("jigsaw explain: --db CLASS needs --team T (the team to explain)")
        with opened(args.db) as room:
            team = seat(room, args, args.team, args.instructor)
            firm = team.firm_id
            game = room.game(team=team)  # in a duplicate class, the team's own market
        rivals = CLASS_RIVALS
        private = own = not args.instructor
    else:
        game = Game.load(args.save, args.max_leads)
        if game.notice:
            print(f"note: {game.notice}", file=sys.stderr)
        firm = _firm(game, args.team, args.save)
        own = firm in game.player_ids[:1]
        private = own  # the player reads their own game as the game shows it
    if game.round < 2:  # named by its file (explain() itself knows only the game)
        raise InputError(
            str(args.save or args.db),
            "",
            f"has {plural(game.round, 'round')} played; explaining compares a round with the "
            "one before: play two rounds first",
        )
    with ProgressBar("draws of luck") as progress:
        result = explain(
            game, firm, args.round, args.seeds, args.workers, progress, args.scheduler, private
        )
    if args.db and args.instructor:  # logged once it is done (a refusal is not a read)
        with opened(args.db) as room:
            room.record(f"explained round {result.round} of {team.name}")
    judged = None
    if args.quality:
        with ProgressBar("neighbours") as progress:
            judged = quality(
                game, firm, [result.round], args.seeds, args.workers, progress, args.scheduler
            ).rounds[0]
    if args.json:
        data = result.to_json()
        if judged is not None:
            data["quality"] = {**asdict(judged), "left_on_the_table": judged.left}
        print(json.dumps(data, indent=1, sort_keys=True))
        return 0
    print(table(result, rivals))
    print("\n".join(textwrap.wrap(result.line(rivals, own), 100)))
    if judged is not None:
        print(quality_table(judged))
    return 0


def quality_table(judged: RoundQuality) -> str:
    """The round's decision against each neighbour: the expected gain of each."""
    rows = [("neighbour", "setting", "gain (expected)", "+-")]
    for n in sorted(judged.neighbours, key=lambda n: -n.gain):
        rows.append(
            (
                f"{LEVER_WORDS[n.lever]} {n.step:+g}",
                f"{n.setting:.2f}",
                signed_money(n.gain),
                money(n.error),
            )
        )
    return "\n".join(
        [
            f"Decision quality: round {judged.round}'s decision created {money(judged.value)} "
            "(profit plus the change in customer equity, expected); its neighbours:",
            *aligned(rows, "  "),
            *textwrap.wrap("Decision quality: " + judged.line(), 100),
        ]
    )


def round_number(text: str) -> int:
    """--round: a whole number (which rounds are played is checked against the game)."""
    value = read_whole(text, 40)
    if value is None:
        raise argparse.ArgumentTypeError(f"must be a round number, got {shown(text)}")
    return value


def _firm(game: Game, team: str | None, source: str) -> str:
    """The firm of a save to explain: the one named (by id or name), else the player's."""
    if team is None:
        if not game.player_ids:
            raise InputError(source, "", "has no player firm: name one with --team")
        return game.player_ids[0]
    for f in game.scenario.firms:
        if team in (f.id, f.label):
            return f.id
    names = ", ".join(f.id for f in game.scenario.firms)
    raise InputError("--team", "", f"no firm {team!r} in this game; expected one of {names}")


def table(e: Explanation, rivals: str | None = None) -> str:
    """The explanation as text: its heading, the table (`Explanation.rows`) and its notes."""
    legend = textwrap.wrap(e.legend(), 100)
    notes = e.notes(rivals)
    return "\n".join([e.heading(), *aligned(e.rows(rivals)), notes[0], *legend, *notes[1:]])
