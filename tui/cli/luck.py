"""`jigsaw luck SAVE | --db CLASS [--team T] [--seeds R] [--json]`: luck against skill.

Every firm's decisions held as played, the game replayed over R other draws of luck
(`sim.experiments.luck`): what the decisions earn on average (skill), where the result as
played falls among the draws (luck), and the ranking by each. In a class the instructor sees
every firm; a team (`--team`, with its code) sees its own row only. In a duplicate class the
instructor sees every team, each over its own copy of the market, ranked against each other.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sim.classroom.store import opened
from sim.experiments.luck import Luck, across_copies, luck
from sim.model.errors import InputError
from sim.model.game import Game
from sim.numbers import money
from tui.cli.classroom import code, seat, the_code
from tui.cli.common import UsageError, add_draws, add_executor, add_max_leads, check_workers
from tui.progress import ProgressBar
from tui.table import aligned


def add(sub: Any) -> None:
    p = sub.add_parser(
        "luck",
        help="luck against skill: what each firm's decisions earn over other draws of luck",
        description="Replay a saved game or a class over other draws of luck (seeds after the "
        "game's own, common to every firm), every firm's decisions held as played, and report "
        "per firm the expected score and profit of its decisions (skill), where its result as "
        "played falls among the draws (luck, a percentile: 50 is average) and the ranking by "
        "each. It does not say how decisions would have changed after other luck.",
    )
    p.add_argument("save", nargs="?", metavar="SAVE", help="a save file (solo play, jigsaw run)")
    p.add_argument("--db", metavar="CLASS", help="a class file instead of a save")
    p.add_argument("--team", help="in a class: this team's row only (with the team's code)")
    code(p, "the instructor's code (or the team's, with --team)")
    add_draws(p)
    add_executor(p)
    p.add_argument("--json", action="store_true", help="the whole result as JSON")
    add_max_leads(p)
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    if (args.save is None) == (args.db is None):
        raise UsageError("jigsaw luck: give a SAVE file or --db CLASS (one of them)")
    if args.team and not args.db:
        raise UsageError("jigsaw luck: --team goes with --db CLASS")
    check_workers("jigsaw luck", args.workers, remote=args.scheduler not in (None, "local"))
    mine: str | None = None
    copies: dict[str, tuple[Game, str]] | None = None
    if args.db:
        with opened(args.db) as room:
            if args.team:
                team = seat(room, args, args.team, instructor=False)
                mine = team.firm_id
                game = room.game(team=team)  # in a duplicate class, the team's own market
            else:
                room.check_instructor(the_code(args))
                markets = room.markets()
                game = markets[room.teams[0].name]
                if room.duplicate:  # every team over its own copy, ranked against each other
                    copies = {t.name: (markets[t.name], t.firm_id) for t in room.teams}
                room.record(f"luck against skill read ({args.seeds} draws)")
    else:
        game = Game.load(args.save, args.max_leads)
        if game.notice:
            print(f"note: {game.notice}", file=sys.stderr)
        mine = game.player_ids[0] if game.player_ids else None
    if not game.reports:
        raise InputError(
            args.db or args.save, "", "no round has been played yet: no luck to measure"
        )
    with ProgressBar("draws of luck") as progress:
        if copies is not None:
            result = across_copies(copies, args.seeds, args.workers, progress, args.scheduler)
        else:
            result = luck(game, args.seeds, args.workers, progress, args.scheduler)
    shown = [f for f in result.firms if args.team is None or f.firm == mine]
    if args.json:
        data = result.to_json()
        data["firms"] = [f for f in data["firms"] if f["firm"] in {s.firm for s in shown}]
        print(json.dumps(data, indent=1, sort_keys=True))
        return 0
    print(table(result, [f.firm for f in shown]))
    if mine is not None:
        print(result.line(mine))
    return 0


def table(result: Luck, firms: list[str]) -> str:
    seeds = result.seeds
    head = (
        f"Luck against skill: {result.scenario}, seed {result.seed}, {result.rounds} rounds; "
        f"{result.draws} draws of luck (seeds {seeds.start}..{seeds.stop - 1}), every firm's "
        "decisions as played"
    )
    rows: list[tuple[str, ...]] = [
        (
            "firm",
            "score",
            "expected (95%)",
            "luck",
            "rank",
            "by skill",
            "profit",
            "expected profit (95%)",
            "luck",
        )
    ]
    for f in result.firms:
        if f.firm not in firms:
            continue
        rows.append(
            (
                f.name,
                f"{f.score:.1f}",
                f"{f.expected_score:.1f} [{f.score_low:.1f}, {f.score_high:.1f}]",
                f"{f.score_percentile:.0f}%",
                str(f.rank),
                str(f.skill_rank),
                money(f.profit),
                f"{money(f.expected_profit)} [{money(f.profit_low)}, {money(f.profit_high)}]",
                f"{f.profit_percentile:.0f}%",
            )
        )
    note = (
        "luck: where the result as played falls among the draws (50% is average luck); "
        "rank: by the score as played; by skill: by the expected score"
    )
    return "\n".join([head, *aligned(rows), note])
