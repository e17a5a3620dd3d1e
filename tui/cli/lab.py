"""`jigsaw lab`: the measurement lab (`sim.lab`).

    jigsaw lab export SAVE | --db CLASS --firm F [--instructor] [--out DIR] [--grain day|week]
                      [--truth FILE [--draws R]]
    jigsaw lab score ESTIMATES.toml --truth FILE [--json]
    jigsaw lab fit DIR [--outcome bookings|...] [--form F] [--trend] [--estimates FILE] [--truth FILE]
                   [--json]
    jigsaw lab design DESIGN.toml --save FILE [--design-seed N]

`export` writes one firm's data as an analyst gets it: media.csv (PyMC-Marketing's wide
layout), media_geo.csv (Meridian's geo x time layout), leads.csv, cohorts.csv and a README of
every column. In a class a team (with its code) exports its own firm only; the instructor
(`--instructor`, with the instructor's code) any team's. `--truth FILE` also writes the truth
behind the data (`sim.lab.truth`): for the player of a save or the instructor, never for a
team. `score` compares a student's estimates with a truth file (`sim.lab.score`); `fit` fits
the reference marketing-mix model to an export (`sim.lab.fit`); `design` plays a lab design
(`sim.lab.design`) into a save.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from sim.classroom.store import opened
from sim.lab.design import play
from sim.lab.export import FILES, GRAINS, check_apart, check_folder, export
from sim.lab.fit import FORMS as FIT_FORMS
from sim.lab.fit import OUTCOMES as FIT_OUTCOMES
from sim.lab.fit import Fit, fit
from sim.lab.score import Score, is_truth, read_estimates, read_truth, relative_text, score
from sim.lab.truth import DRAWS, MAX_DRAWS, quantities, truth
from sim.model.errors import InputError
from sim.model.files import check_output, parse_toml, read_text, write_atomic
from sim.model.game import Game
from sim.model.saves import is_save
from sim.numbers import plural
from tui.cli.classroom import code, seat
from tui.cli.common import (
    Parser,
    UsageError,
    add_executor,
    add_max_leads,
    check_workers,
    count_of,
    plain,
    seed_number,
)
from tui.progress import ProgressBar
from tui.table import aligned

LAB_SEED_VARIABLE = "JIGSAW_LAB_SEED"  # the lab seed: never on the command line
FIT_ESTIMATES = "# jigsaw lab fit"  # how an estimates file of lab fit starts (Fit.estimates)
SQLITE_SIDES = ("-wal", "-shm", "-journal")  # the files SQLite keeps beside a class file


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
    ft = lsub.add_parser(
        "fit",
        help="fit the reference marketing-mix model to an export folder",
        description="Fit a straightforward marketing-mix model to an export's media.csv: "
        "per channel a geometric adstock and a Hill saturation (half-life, K and S by grid "
        "search, least squares inside), the controls that vary and, with --trend, a linear "
        "trend. Prints each "
        "channel's half-life, saturation, ROAS and marginal ROAS, and the fit's R2; with "
        "--truth, how far each is from the truth.",
    )
    ft.add_argument("folder", metavar="DIR", help="a folder written by jigsaw lab export")
    ft.add_argument("--outcome", choices=FIT_OUTCOMES, default="bookings", help="what to model")
    ft.add_argument(
        "--form",
        choices=FIT_FORMS,
        default="additive",
        help="additive (y is the sum of the channels' effects) or multiplicative (log y is)",
    )
    ft.add_argument(
        "--trend",
        action="store_true",
        help="add a linear trend (it competes with a long carry-over for the slow movements)",
    )
    ft.add_argument("--estimates", metavar="FILE", help="also write the fit as estimates (TOML)")
    ft.add_argument("--truth", metavar="FILE", help="compare the fit with this truth file")
    ft.add_argument("--json", action="store_true", help="the fit as JSON")
    de = lsub.add_parser(
        "design",
        help="play a lab design (designed spend) into a save file",
        description="Play the game a lab design file describes (experiments/lab_design.toml): "
        "the designed firm's channel budgets drawn anew every round between their low and "
        "high, the rest of its decision held, the other firms on their strategies, and save "
        "it. A lab scenario's hidden values are drawn with the lab seed in "
        f"${LAB_SEED_VARIABLE} (or one nobody chose); the save holds them, so keep it.",
    )
    de.add_argument("design", metavar="DESIGN.toml")
    de.add_argument("--save", required=True, metavar="FILE", help="where to save the game")
    de.add_argument(
        "--design-seed",
        type=seed_number,
        help="draw the spend schedule with this seed instead of the file's",
    )
    add_max_leads(de)
    lab.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    if args.action == "export":
        return export_main(args)
    if args.action == "score":
        return score_main(args)
    if args.action == "fit":
        return fit_main(args)
    if args.action == "design":
        return design_main(args)
    raise UsageError("jigsaw lab: choose export, score, fit or design")


def lab_seed() -> int | None:
    """The lab seed from $JIGSAW_LAB_SEED (None: unset, so one nobody chose is drawn); set but
    empty or not a seed is one line, never a silent draw from the operating system."""
    raw = os.environ.get(LAB_SEED_VARIABLE)
    if raw is None:
        return None
    if not raw.strip():
        raise InputError(
            f"${LAB_SEED_VARIABLE}",
            "",
            "is set but empty; give a whole number, or unset it to have one drawn that nobody "
            "chose",
        )
    try:
        return seed_number(raw.strip())
    except argparse.ArgumentTypeError as exc:
        raise InputError(f"${LAB_SEED_VARIABLE}", "", str(exc)) from None


def write_output(path: Path, content: str) -> None:
    """`write_atomic`, a failure one line naming the user's file (not its temporary one)."""
    try:
        write_atomic(path, content)
    except OSError as exc:
        raise InputError(str(path), "", f"cannot write ({exc.strerror})") from None


def design_main(args: argparse.Namespace) -> int:
    save = Path(args.save)
    seed = lab_seed()
    check_output(save, "save file", [("the design file", args.design)], ours=is_save)
    with ProgressBar("rounds") as progress:
        game, design = play(Path(args.design), args.design_seed, seed, args.max_leads, progress)
    try:
        game.save(save)
    except OSError as exc:
        raise InputError(str(save), "", f"cannot write save ({exc.strerror})") from None
    hidden = (
        " (its hidden values drawn with a lab seed the save holds: keep the save)"
        if game.scenario.lab
        else ""
    )
    print(
        f"{plain(game.scenario.meta.name)}: {plural(game.round, 'round')} of designed spend "
        f"for {plain(design.firm or game.player_ids[0])} saved to {plain(str(save))}{hidden}"
    )
    return 0


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
    if args.db and not args.firm:
        raise UsageError("jigsaw lab export: --db CLASS needs --firm TEAM (the team's firm)")
    check_workers("jigsaw lab export", args.workers, remote=args.scheduler not in (None, "local"))
    out = Path(args.out) if args.out else None
    truth_file = Path(args.truth) if args.truth else None
    if out is not None:
        check_folder(out)
    if truth_file is not None:  # every output checked before the game is played again
        check_apart(truth_file, out)
        read = (
            [("the class file", args.db), *(("the class file", args.db + s) for s in SQLITE_SIDES)]
            if args.db
            else [("the save", args.save)]
        )
        check_output(truth_file, "truth file", read, ours=is_truth)
    if args.db:
        with opened(args.db) as room:
            team = seat(room, args, args.firm, args.instructor)
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
        write_output(truth_file, json.dumps(doc, indent=1) + "\n")
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


def is_fit_estimates(path: Path) -> bool:
    """`path` holds estimates `jigsaw lab fit` wrote (a student's own are never replaced)."""
    try:
        return read_text(path, "estimates").startswith(FIT_ESTIMATES)
    except InputError:
        return False


def fit_main(args: argparse.Namespace) -> int:
    media = Path(args.folder) / "media.csv"
    doc = read_truth(Path(args.truth)) if args.truth else None
    if args.estimates:
        read = [("the media.csv", media), *([("the truth file", args.truth)] if args.truth else [])]
        check_output(Path(args.estimates), "estimates file", read, ours=is_fit_estimates)
    try:
        with np.errstate(all="ignore"):
            result = fit(Path(args.folder), args.outcome, trend=args.trend, form=args.form)
    except (np.linalg.LinAlgError, FloatingPointError) as exc:
        raise InputError(
            str(media), "", f"the fit cannot be solved on these numbers ({exc})"
        ) from None
    if not np.isfinite(result.r2):
        raise InputError(
            str(media), "", "the fit cannot be solved on these numbers (its R2 is not a number)"
        )
    if args.estimates:
        text = result.estimates()
        parse_toml(text, f"the fit of {media}")  # finite and within bounds, as score reads it
        write_output(Path(args.estimates), text)
    if args.json:
        data = result.to_json()
        if doc is not None:
            data["score"] = score(estimates_of(result, doc), doc, str(media)).to_json()
        print(json.dumps(data, indent=1))
        return 0
    rows = [("channel", "spend", "half-life (days)", "K", "S", "ROAS", "marginal ROAS")]
    for c in result.channels:
        if c.half_life_days is None:
            rows.append((c.channel, "0", "", "", "", "", ""))
            continue
        rows.append(
            (
                c.channel,
                f"{c.spend:,.0f}",
                f"{c.half_life_days:g}",
                f"{c.K:,.0f}",
                f"{c.S:g}",
                f"{c.roas:.3g}",
                f"{c.marginal_roas:.3g}",
            )
        )
    print(
        f"Reference MMM ({result.form}{', with a trend' if result.trend else ''}) of {args.outcome} over {result.periods} periods of "
        f"{result.period_days} days: R2 {result.r2:.3f}; controls: "
        f"{', '.join(plain(c) for c in result.controls) or 'none'}"
    )
    print("\n".join(aligned(rows)))
    if doc is not None:
        print()
        print_score(score(estimates_of(result, doc), doc, str(media)))
    return 0


def estimates_of(result: Fit, doc: dict[str, Any]) -> dict[str, float]:
    """The fit's estimates that the truth holds (ROAS only when the fit is of bookings)."""
    known = quantities(doc)
    out: dict[str, float] = {}
    for c in result.channels:
        if c.half_life_days is None:
            continue
        candidates = {f"half_life_days.{c.channel}": c.half_life_days}
        if result.outcome != "revenue":  # ROAS in bookings
            candidates[f"roas.{c.channel}"] = c.roas
            candidates[f"marginal_roas.{c.channel}"] = c.marginal_roas
        out.update({k: float(v) for k, v in candidates.items() if k in known and v is not None})
    return out


def score_main(args: argparse.Namespace) -> int:
    doc = read_truth(Path(args.truth))
    estimates = read_estimates(Path(args.estimates), doc)
    result = score(estimates, doc, args.estimates)
    if args.json:
        print(json.dumps(result.to_json(), indent=1))
        return 0
    print_score(result)
    return 0


def print_score(result: Score) -> None:
    rows = [("quantity", "estimate", "truth", "error", "relative")]
    for item in result.items:
        rows.append(
            (
                plain(item.quantity),
                figure(item.estimate),
                figure(item.truth),
                figure(item.error, signed=True),
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
    if result.skipped:
        skipped = ", ".join(plain(name) for name in result.skipped)
        print(f"not in this truth, so not scored: {skipped}")


def figure(x: float, signed: bool = False) -> str:
    """A quantity for the score table: money-sized ones with thousands separators."""
    sign = "+" if signed else ""
    return f"{x:{sign},.0f}" if abs(x) >= 10_000 else f"{x:{sign}.4g}"
