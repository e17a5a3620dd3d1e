"""`jigsaw scenario balance FILE|NAME [--seeds N] [--workers N] [--json]`: the balance check.

It plays every degenerate strategy, every bundled rival strategy in the player's seat, the
gauge followers and the split and price sweeps (`sim.experiments.balance`), prints each against reference
play with its paired 95% interval, the profit-best split and price, the gauge check and the
published ranges, and exits 1 when the scenario fails, naming what failed. Progress goes to
stderr.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import Any

from sim.experiments.balance import (
    DEGENERATE,
    FOLLOWERS,
    MEASURES,
    REFERENCE,
    Balance,
    check_balance,
    plays,
    role,
)
from sim.model.gauge import ALIGNED
from sim.model.scenario import load_scenario
from sim.numbers import money
from tui.cli.common import (
    CONFIRM_GAMES,
    MAX_WORKERS_PER_CORE,
    check_workers,
    confirm_games,
    count_of,
    whole,
)
from tui.progress import ProgressBar
from tui.table import aligned

# Every play of the check on every seed: 200 seeds is about 12,000 games (an hour of CPU).
MAX_SEEDS = 200


def add(actions: Any) -> None:
    bal = actions.add_parser(
        "balance",
        help="check that no degenerate strategy wins (exit 1 when one does)",
        description="Play corner prices, zero budget, all-marketing, all-sales, all R&D, every "
        "study, maximum commission and account management, going dark at the end, firing "
        "every rep in the last round, a split never touched, each rival strategy in your "
        "seat, players who follow the gauge, and sweeps of the split and the price, over N "
        "seeds with common random numbers; compare each with reference play (the better of a "
        "fixed 45% split at list price and the balanced strategy) by the paired 95% "
        "interval; check the gauge and the published ranges. Exit 1 if the scenario fails.",
    )
    bal.add_argument("scenario", metavar="FILE|NAME", help="bundled name or scenario file")
    bal.add_argument(
        "--seeds",
        type=count_of("seeds", 2, MAX_SEEDS),
        default=8,
        help=f"seeds 1..N for every play (8; 2 to {MAX_SEEDS})",
    )
    bal.add_argument(
        "--workers",
        type=whole,
        default=0,
        help=f"processes (0: one per core, 1: serial; at most {MAX_WORKERS_PER_CORE} per core)",
    )
    bal.add_argument("--json", action="store_true", help="the whole result as JSON")
    bal.add_argument(
        "--yes",
        action="store_true",
        help=f"play a check of more than {CONFIRM_GAMES:,} games without asking",
    )


def main(args: argparse.Namespace) -> int:
    check_workers("jigsaw scenario balance", args.workers)
    scenario = load_scenario(args.scenario)
    games = len(plays(scenario)) * args.seeds
    confirm_games("jigsaw scenario balance", games, args.yes, "the check")
    with ProgressBar("games") as progress:
        result = check_balance(scenario, seeds=args.seeds, workers=args.workers, progress=progress)
    if args.json:
        print(json.dumps(result.to_json(), indent=1, sort_keys=True))
    else:
        print(report(result))
    return 0 if result.passed else 1


def _diff(result: Balance, play: str, measure: str) -> str:
    c = result.compare(play, measure)
    if play == c.reference:
        return "reference"
    if measure == "score":
        return f"{c.mean:+.1f} [{c.low:+.1f}, {c.high:+.1f}]"
    return f"{_signed(c.mean)} [{_signed(c.low)}, {_signed(c.high)}]"


def _signed(x: float) -> str:
    return ("+" if x >= 0 else "-") + money(abs(x))


def report(result: Balance) -> str:
    """The balance check as text: one table of plays, then the checks."""
    facts = result.facts
    lines = [
        f"Balance check: {result.scenario}, seeds 1..{result.seeds} (common random numbers).",
        "Each play against reference play (the better of "
        + " and ".join(REFERENCE)
        + " on each measure): mean paired difference [95% interval].",
        "",
    ]
    rows = [("play", "profit", "value created", "score", "ranked first")]
    wins = facts.get("wins", {})
    order = [*REFERENCE, *DEGENERATE, *(p for p in facts.get("wins", {}) if role(p) == "rival")]
    order += [p for p in FOLLOWERS if p in wins]
    for play in dict.fromkeys(order):
        if play not in wins:
            continue
        rows.append(
            (
                play if play in DEGENERATE else f"{play} ({role(play)})",
                *(_diff(result, play, m) for m in MEASURES),
                f"{wins[play]}/{result.seeds}",
            )
        )
    lines += aligned(rows)
    lines.append("")
    lines += textwrap.wrap(
        "; ".join(f"{name}: {what}" for name, (what, _, _) in DEGENERATE.items()) + ".",
        width=100,
    )
    lines.append("")
    if "splits" in facts and facts["splits"]:
        curve = "  ".join(f"{float(k):.0%} {money(v)}" for k, v in facts["splits"].items())
        lines.append(f"Profit by split (list price): {curve}")
    if "prices" in facts and facts["prices"]:
        curve = "  ".join(f"{float(k):g} {money(v)}" for k, v in facts["prices"].items())
        lines.append(f"Profit by price (45% split): {curve}")
    lo, hi = ALIGNED
    if "best_split" in facts:
        lines.append(
            f"Profit-best split {facts['best_split']:.0%}: rho {facts['best_split_rho']} over "
            f"rounds 3 on (aligned {lo:g}..{hi:g}); profit-best price {facts.get('best_price')}"
        )
    ends = facts.get("followers_end", {})
    if ends:
        lines.append(
            "Players who follow the gauge end at: "
            + ", ".join(f"{k.split(':')[1]} -> {v:.0%}" for k, v in ends.items())
        )
    follow = facts.get("follow_best")
    if follow:
        v = follow["profit_vs_holding"]
        lines.append(
            f"A player who starts at the profit-best split and follows the gauge "
            f"({follow['play']}) ends at {follow['ends']:.0%}; profit against holding the split "
            f"{money(v['mean'])} [{money(v['low'])}, {money(v['high'])}]"
        )
    lines.append(f"Published ranges at reference play ({facts.get('reference')}):")
    for c in facts.get("ranges", []):
        value = "-" if c["value"] is None else f"{c['value']:.3g}"
        if "interval" in c:
            value += f" [{c['interval'][0]:.3g}, {c['interval'][1]:.3g}]"
        mark = {True: "ok", False: "OUT", None: "(reported)"}[c["ok"]]
        lines.append(f"  {c['name']}: {value} (published {c['low']:g}..{c['high']:g}) {mark}")
    rivals = facts.get("rival_profit", {})
    if rivals:
        lines.append(
            "Rivals' mean profit over the game (you at reference play): "
            + ", ".join(f"{fid} {money(p)}" for fid, p in rivals.items())
        )
    for note in facts.get("notes", []):
        lines.append(f"note: {note}")
    lines.append("")
    if result.passed:
        lines.append("PASSED: no degenerate strategy beats reference play.")
    else:
        lines.append(f"FAILED ({len(result.failures)}):")
        lines += [f"  {f}" for f in result.failures]
    return "\n".join(lines)
