"""`jigsaw run`: play a whole game headless and print its reports (a table, JSON, CSV, or
what one firm may know); save it, or replay a save."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sim.csvtext import csv_text
from sim.model.decisions import Decision, for_round, load_decisions
from sim.model.errors import InputError
from sim.model.files import check_output, read_toml
from sim.model.game import Game
from sim.model.gauge import ALIGNED
from sim.model.kpis import ROUND_KPIS
from sim.model.report import flat_row
from sim.model.research import firm_view
from sim.model.rivals import check_strategy, strategy
from sim.model.saves import is_save
from sim.model.scenario import STRATEGIES, load_scenario
from sim.numbers import show
from tui.cli.common import UsageError, add_scenario_and_seed, plain
from tui.table import aligned


def add(sub: Any) -> None:
    run = sub.add_parser(
        "run",
        help="play a whole game headless and print the reports",
        description="Play a whole game headless: the player seat follows a strategy or a "
        "decisions file, rivals follow theirs. Prints a table by default.",
    )
    add_scenario_and_seed(run)
    who = run.add_mutually_exclusive_group()
    who.add_argument(
        "--strategy",
        metavar="NAME",
        help=f"player seat strategy: {', '.join(STRATEGIES)}, or split:X = the "
        "scenario's budget_per_round with marketing share X (default balanced)",
    )
    who.add_argument(
        "--decisions",
        metavar="FILE",
        help="decisions TOML for the player seat (one decision or [[rounds]])",
    )
    fmt = run.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print the reports as JSON")
    fmt.add_argument("--csv", action="store_true", help="print one CSV row per round and firm")
    fmt.add_argument(
        "--view",
        metavar="FIRM",
        help="print as JSON only what FIRM may know: its own books (figures behind studies it "
        "did not buy are null), the public report and the studies it bought",
    )
    run.add_argument("--save", metavar="FILE", help="write a save file (replayable) at the end")
    run.add_argument("--load", metavar="SAVE", help="replay a save file instead of playing")

    run.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    if args.load:
        if args.scenario or args.strategy or args.decisions or args.save:
            raise UsageError(
                "jigsaw run: --load replays a save; give no SCENARIO, --strategy, "
                "--decisions or --save with it"
            )
        game = Game.load(args.load, args.max_leads)
        if game.notice:
            print(f"note: {game.notice}", file=sys.stderr)
    else:
        if not args.scenario:
            raise UsageError("jigsaw run: give a SCENARIO (e.g. classic) or --load SAVE")
        scenario = load_scenario(args.scenario, args.max_leads)
        if args.save:  # before the game: never over an input, a file not a save, a new folder
            # the scenario is an input only when it is a file (a bundled name is not here)
            read = [("the scenario file", args.scenario)] if Path(args.scenario).is_file() else []
            if args.decisions:
                read.append(("the decisions file", args.decisions))
            check_output(Path(args.save), "save file", read, ours=is_save)
        game = Game(scenario, args.seed, max_leads=args.max_leads)
        if args.decisions:
            plans = {
                fid: load_decisions(args.decisions, scenario, firm_id=fid)
                for fid in game.player_ids
            }
            raw = read_toml(Path(args.decisions), "decisions")

            def decide(g: Game, fid: str) -> Decision:
                decision = for_round(plans[fid], g.round)
                affordable(g, fid, decision, args.decisions, raw)
                return decision
        else:
            check_strategy(args.strategy or "balanced", scenario)
            chosen = strategy(args.strategy or "balanced")

            def decide(g: Game, fid: str) -> Decision:
                return chosen(g.view(fid))

        game.play(decide)
        if args.save:
            try:
                game.save(args.save)
            except OSError as exc:
                raise InputError(args.save, "", f"cannot write save ({exc.strerror})") from None
    if args.view:
        if args.view not in game.ids:
            raise InputError(
                "--view", args.view, f"unknown firm; expected one of {', '.join(game.ids)}"
            )
        view = {"scenario": game.scenario.meta.name, "seed": game.seed}
        print(json.dumps(view | firm_view(game.reports, args.view), indent=1))
    elif args.json:
        print(json.dumps(game.to_json(), indent=1))
    elif args.csv:
        print(to_csv(game), end="")
    else:
        print(table(game))
        if args.save:
            print(
                f"\nSaved to {plain(args.save)} (replay with: jigsaw run --load {plain(args.save)})"
            )
    return 0


def affordable(game: Game, fid: str, decision: Decision, source: str, raw: dict[str, Any]) -> None:
    """Refuse a decisions-file entry the firm cannot pay for, naming the file and the entry."""
    view = game.view(fid)
    rounds = raw.get("rounds")
    if isinstance(rounds, list) and rounds:
        k = min(game.round, len(rounds) - 1)
        entry, prefix = rounds[k], f"rounds[{k}]."
    else:
        entry, prefix = raw, ""
    names = "budget" if "budget" in entry else "marketing.budget + sales.budget"
    try:
        view.check_affordable(decision, source, prefix + names)
    except InputError as exc:
        who = f" for firm {fid!r}" if len(game.player_ids) > 1 else ""
        raise InputError(
            exc.source, exc.field, f"{exc.message} in round {game.round + 1}{who}"
        ) from None


def to_csv(game: Game) -> str:
    rows = [flat_row(r, fid) for r in game.reports for fid in r.firms]
    return csv_text(list(rows[0]) if rows else ["round", "firm"], rows)


COLUMNS = ("firm", *(k.label for k in ROUND_KPIS.values()))  # the round table (sim.model.kpis)


def table(game: Game) -> str:
    """A readable round-by-round table, then the balanced scorecard."""
    scen = game.scenario
    lines = [f"{scen.meta.name} - seed {game.seed} - {scen.meta.currency}", ""]
    for r in game.reports:
        lines.append(f"Round {r.round} of {scen.meta.rounds}")
        rows = [COLUMNS]
        for fid, f in r.firms.items():
            mark = "*" if f.controlled_by == "player" else " "
            rows.append(
                (
                    f"{mark}{fid}" + (" (bankrupt)" if f.bankrupt else ""),
                    *(show(k.kind, k.value(f)) for k in ROUND_KPIS.values()),
                )
            )
        lines += aligned(rows, indent="  ")
        for e in r.events:
            lines.append(f"  ! {e}")
        lines.append("")
    if not game.reports:  # a save made before its first round: nothing to score yet
        lines.append("No round played yet: nothing to report or score.")
        return "\n".join(lines)
    lines.append("Balanced scorecard (0-100 per measure, weighted)")
    score = game.score()
    rows = [("rank", "firm", "total", *scen.scoring.weights().keys())]
    for fid, s in sorted(score.items(), key=lambda kv: kv[1]["rank"]):
        rows.append(
            (str(s["rank"]), fid, f"{s['total']:.1f}", *(f"{v:.0f}" for v in s["scores"].values()))
        )
    lines += aligned(rows, indent="  ")
    lines.append("")
    lo, hi = ALIGNED
    lines.append(
        f"* player seat. rho = alignment ratio, aligned {lo:.2f} to {hi:.2f}: below, reps idle "
        "(fund marketing); above, leads wait or go cold (fund sales)."
    )
    return "\n".join(lines)
