"""`jigsaw lab`: the measurement lab (`sim.lab`).

    jigsaw lab export SAVE | --db CLASS --firm F [--instructor] [--out DIR] [--grain day|week]
                      [--truth FILE [--draws R]]
    jigsaw lab score ESTIMATES.toml --truth FILE [--json]

`export` writes one firm's data as an analyst gets it: media.csv (PyMC-Marketing's wide
layout), media_geo.csv (Meridian's geo x time layout), leads.csv, cohorts.csv and a README of
every column. In a class a team (with its code) exports its own firm only; the instructor
(`--instructor`, with the instructor's code) any team's. `--truth FILE` also writes the truth
behind the data (`sim.lab.truth`): for the player of a save or the instructor, never for a
team. `score` compares a student's estimates with a truth file (`sim.lab.score`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sim.classroom.store import opened
from sim.lab.export import FILES, GRAINS, check_folder, export
from sim.lab.score import read_estimates, read_truth, relative_text, score
from sim.lab.truth import DRAWS, MAX_DRAWS, quantities, truth
from sim.model.errors import InputError
from sim.model.files import check_writable, write_atomic
from sim.model.game import Game
from sim.numbers import plural
from tui.cli.classroom import code, the_code
from tui.cli.common import (
    Parser,
    UsageError,
    add_executor,
    add_max_leads,
    check_workers,
    count_of,
    plain,
)
from tui.progress import ProgressBar
from tui.table import aligned


def add(sub: Any) -> None:
    lab = sub.add_parser(
        "lab",
        help="the measurement lab: a game's data for marketing-mix models and attribution",
        description="The measurement lab: export a firm's days, leads and cohorts as an "
        "analyst would get them, to measure what marketing and sales each did.",
    )
    lsub = lab.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    ex = lsub.add_parser(
        "export",
        help="one firm's data as CSV files (media, media by segment, leads, cohorts)",
        description="Write one firm's data into a folder: media.csv (one row per day or "
        "week: spend by channel and segment, price, events, revenue, bookings, new "
        "customers, leads by source; PyMC-Marketing's wide layout), media_geo.csv (the same "
        "by segment: Meridian's geo x time layout), leads.csv (one row per lead), "
        "cohorts.csv (customers by the round they signed, and how many stayed) and README.md "
        "(every column and its unit). The game is played again from its decisions, so a "
        "long game takes a few seconds.",
    )
    ex.add_argument("save", nargs="?", metavar="SAVE", help="a save file (solo play, jigsaw run)")
    ex.add_argument("--db", metavar="CLASS", help="a class file instead of a save")
    ex.add_argument(
        "--firm",
        help="the firm to export: in a save a firm id (default: the player's); in a class "
        "the team (its own firm), or any team with --instructor",
    )
    ex.add_argument(
        "--instructor",
        action="store_true",
        help="in a class: export any team's firm as the instructor (the instructor's code)",
    )
    code(ex, "the team's code (or the instructor's, with --instructor)")
    ex.add_argument("--out", metavar="DIR", help="the folder to write the data into")
    ex.add_argument(
        "--grain",
        choices=tuple(GRAINS),
        default="day",
        help="one row per day (default) or per week",
    )
    ex.add_argument(
        "--truth",
        metavar="FILE",
        help="also write the truth behind the data to FILE (JSON): the channels' half-lives, "
        "saturation and true ROAS, what marketing and sales each added, the churn faced. For "
        "the player of a save or the instructor only; keep it sealed until the debrief",
    )
    ex.add_argument(
        "--draws",
        type=count_of("draws of luck", 1, MAX_DRAWS),
        default=DRAWS,
        help=f"draws of luck for the truth's counterfactuals ({DRAWS}; 1 to {MAX_DRAWS}: "
        "each draw is 10 games)",
    )
    add_executor(ex)
    add_max_leads(ex)
    sc = lsub.add_parser(
        "score",
        help="a student's estimates against the truth",
        description="Compare the estimates in a TOML file (any of the truth's quantities: "
        "half_life_days, hill, ad_lift, churn, roas, marginal_roas, incremental; docs/LAB.md) "
        "with a truth file, each with its error, and the mean absolute relative error.",
    )
    sc.add_argument("estimates", metavar="ESTIMATES.toml")
    sc.add_argument("--truth", required=True, metavar="FILE", help="the truth file")
    sc.add_argument("--json", action="store_true", help="the comparison as JSON")
    lab.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    if args.action == "export":
        return export_main(args)
    if args.action == "score":
        return score_main(args)
    raise UsageError("jigsaw lab: choose export or score")


def export_main(args: argparse.Namespace) -> int:
    if (args.save is None) == (args.db is None):
        raise UsageError("jigsaw lab export: give a SAVE file or --db CLASS (one of them)")
    if args.instructor and not args.db:
        raise UsageError("jigsaw lab export: --instructor goes with --db CLASS")
    if args.out is None and args.truth is None:
        raise UsageError("jigsaw lab export: give --out DIR, --truth FILE or both")
    if args.truth and args.db and not args.instructor:
        raise UsageError(
            "jigsaw lab export: the truth is the instructor's: a team's seat cannot have it "
            "(--truth goes with --instructor)"
        )
    check_workers("jigsaw lab export", args.workers, remote=args.scheduler not in (None, "local"))
    out = Path(args.out) if args.out else None
    truth_file = Path(args.truth) if args.truth else None
    if out is not None:
        check_folder(out)
    if truth_file is not None:
        if out is not None and truth_file.resolve().parent == out.resolve():
            raise InputError(
                str(truth_file), "", "is in the data folder students get; keep the truth apart"
            )
        check_writable(truth_file)
    if args.db:
        if not args.firm:
            raise UsageError("jigsaw lab export: --db CLASS needs --firm TEAM (the team's firm)")
        with opened(args.db) as room:
            if args.instructor:
                room.check_instructor(the_code(args))
                team = room.team(args.firm)
            else:
                team = room.check_team(args.firm, the_code(args, args.firm))
            game = room.game(team=team)  # in a duplicate class, the team's own market
            firm = team.firm_id
            who = f"{team.name} ({firm})"
    else:
        game = Game.load(args.save, args.max_leads)
        if game.notice:
            print(f"note: {game.notice}", file=sys.stderr)
        firm = args.firm or (game.player_ids[0] if game.player_ids else game.ids[0])
        if firm not in game.ids:
            raise InputError(
                args.save, "--firm", f"no firm {firm!r}; expected one of {', '.join(game.ids)}"
            )
        who = f"{game.scenario.firm(firm).label} ({firm})"
    if not game.history:
        raise InputError(
            args.db or args.save, "", "no round has been played yet: nothing to export"
        )
    rounds = plural(len(game.history), "round")
    if out is not None:
        export(game, firm, args.grain).write(out)
        print(
            f"{plain(who)}: {rounds} of {plain(game.scenario.meta.name)}, one row per "
            f"{args.grain}, written to {plain(str(out))}: {', '.join(FILES)}"
        )
    if truth_file is not None:
        with ProgressBar("counterfactual games") as progress:
            doc = truth(game, firm, args.draws, args.workers, progress, args.scheduler)
        write_atomic(truth_file, json.dumps(doc, indent=1) + "\n")
        print(
            f"the truth of {plain(who)} over {rounds} ({plural(args.draws, 'draw')} of luck) "
            f"written to {plain(str(truth_file))}: keep it sealed until the debrief"
        )
    if args.db and args.instructor:  # logged once it is done (a refusal is not a read)
        with opened(args.db) as room:
            what = (
                "lab data and truth"
                if out and truth_file
                else "lab truth"
                if truth_file
                else "lab data"
            )
            room.record(f"{what} of {team.name} exported")
    return 0


def score_main(args: argparse.Namespace) -> int:
    doc = read_truth(Path(args.truth))
    estimates = read_estimates(Path(args.estimates), quantities(doc))
    result = score(estimates, doc)
    if args.json:
        print(json.dumps(result.to_json(), indent=1))
        return 0
    rows = [("quantity", "estimate", "truth", "error", "relative")]
    for item in result.items:
        rows.append(
            (
                item.quantity,
                f"{item.estimate:.4g}",
                f"{item.truth:.4g}",
                f"{item.error:+.4g}",
                relative_text(item.relative),
            )
        )
    print(f"Estimates of {plain(result.firm)} in {plain(result.scenario)} against the truth")
    print("\n".join(aligned(rows)))
    n = len(result.items)
    summary = f"{plural(n, 'estimate')}: {result.close} within 25% of the truth"
    if result.mean_relative is not None:
        summary += f", mean absolute error {result.mean_relative:.0%} of the truth"
    if result.roas_order is not None:
        summary += "; channels ranked by ROAS " + (
            "in the true order" if result.roas_order else "out of the true order"
        )
    print(summary)
    return 0
