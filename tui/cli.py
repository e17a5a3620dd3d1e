"""The `jigsaw` command line.

    jigsaw run SCENARIO [--seed N] [--strategy NAME | --decisions FILE] [--json | --csv]
               [--save FILE]
    jigsaw run --load SAVE [--json | --csv]
    jigsaw scenario list | show NAME | validate FILE | schema | balance FILE|NAME [--seeds N]

Every command exits 0 on success and 2 on bad usage or bad input, with one clear line on
stderr that names the file, the field and what was expected.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from sim.experiments.results import check_output, write_rows
from sim.experiments.sweep import (
    DECISION_PARAMS,
    METRICS,
    Sweep,
    load_experiment,
    parse_vary,
    run_sweep,
    run_tournament,
)
from sim.model.decisions import Decision, check_affordable, for_round, load_decisions
from sim.model.errors import InputError
from sim.model.game import Game
from sim.model.gauge import ALIGNED
from sim.model.kpis import ROUND_KPIS
from sim.model.report import flat_row
from sim.model.research import firm_view
from sim.model.rivals import check_strategy, strategy
from sim.model.scenario import (
    STRATEGIES,
    bundled_scenarios,
    load_scenario,
    read_toml,
    resolve,
    scenario_schema,
)
from sim.numbers import money, show
from tui.balance_command import add_balance_parser, cmd_balance
from tui.class_commands import add_class_parser, cmd_class
from tui.progress import ProgressBar
from tui.table import aligned


class UsageError(Exception):
    """Bad command-line usage (exit 2)."""


class Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line and exit code 2, never a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def seed_number(text: str) -> int:
    """`--seed`: a whole number, 0 or more (numpy's seeds cannot be negative)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def add_scenario_and_seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help="bundled name (e.g. classic) or path to a scenario TOML file",
    )
    parser.add_argument("--seed", type=seed_number, default=1, help="random seed (default 1)")


def build_parser() -> Parser:
    parser = Parser(
        prog="jigsaw",
        description="Jigsaw: a marketing-vs-sales business simulation game.",
        epilog="Scenarios: " + ", ".join(bundled_scenarios()) + " (or a path to a TOML file).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

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

    sweep = sub.add_parser(
        "sweep",
        help="a grid of parameters times replications (Monte Carlo)",
        description="Play the scenario at every point of a grid of decision or scenario "
        "parameters, REPS times each (replication r uses seed + r at every point: common "
        "random numbers). Prints the mean and 95% interval per point and the paired "
        "difference to the best point; --out writes one CSV row per (point, replication).",
    )
    add_scenario_and_seed(sweep)
    sweep.add_argument(
        "--file",
        metavar="EXPERIMENT.toml",
        help="run a study from a file (scenario, seed, reps, workers, metric, out, [vary])",
    )
    sweep.add_argument(
        "--vary",
        action="append",
        metavar="NAME=START:STOP:STEPS",
        help="a parameter and its values (START:STOP:STEPS evenly spaced, or a,b,c); "
        "repeat for a grid. Decision parameters: "
        + ", ".join(DECISION_PARAMS)
        + "; scenario parameters: segments.ID.FIELD, economics.FIELD, meta.FIELD",
    )
    sweep.add_argument(
        "--strategies",
        metavar="A,B,C",
        help="a tournament instead of a grid: every strategy in every seat (names as for "
        "run --strategy, including split:X)",
    )
    sweep.add_argument("--reps", type=int, default=10, help="replications per point (10)")
    sweep.add_argument(
        "--workers", type=int, default=0, help="processes (0: one per core, 1: serial)"
    )
    sweep.add_argument("--metric", choices=METRICS, default="profit", help="summary metric")
    sweep.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on Dask (extra: cluster): 'local' starts a LocalCluster of --workers "
        "processes; tcp://host:8786 uses a running scheduler",
    )
    sweep.add_argument(
        "--out",
        metavar="FILE.csv|parquet",
        help="write every row (inputs and final KPIs) to CSV, or Parquet with pyarrow",
    )
    sweep.add_argument(
        "--plot", metavar="FILE.png|svg", help="draw the response curve (extra: plot)"
    )

    add_class_parser(sub, Parser)

    scen = sub.add_parser("scenario", help="list, show, validate scenarios; print the schema")
    ssub = scen.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    ssub.add_parser("list", help="bundled scenarios with their titles")
    show = ssub.add_parser("show", help="print a scenario's TOML (copy it to make your own)")
    show.add_argument("name", metavar="NAME")
    val = ssub.add_parser("validate", help="check a scenario file; exit 2 with the first problem")
    val.add_argument("file", metavar="FILE")
    ssub.add_parser("schema", help="print the JSON Schema of scenario files")
    add_balance_parser(ssub)
    return parser


# --- run -------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    if args.load:
        if args.scenario or args.strategy or args.decisions or args.save:
            raise UsageError(
                "jigsaw run: --load replays a save; give no SCENARIO, --strategy, "
                "--decisions or --save with it"
            )
        game = Game.load(args.load)
        if game.notice:
            print(f"note: {game.notice}", file=sys.stderr)
    else:
        if not args.scenario:
            raise UsageError("jigsaw run: give a SCENARIO (e.g. classic) or --load SAVE")
        scenario = load_scenario(args.scenario)
        game = Game(scenario, args.seed)
        if args.decisions:
            plans = {
                fid: load_decisions(args.decisions, scenario, firm_id=fid)
                for fid in game.player_ids
            }
            raw = read_toml(Path(args.decisions))

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
            print(f"\nSaved to {args.save} (replay with: jigsaw run --load {args.save})")
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
        check_affordable(
            decision, view.cash, view.credit_line, source, prefix + names, game.scenario
        )
    except InputError as exc:
        who = f" for firm {fid!r}" if len(game.player_ids) > 1 else ""
        raise InputError(
            exc.source, exc.field, f"{exc.message} in round {game.round + 1}{who}"
        ) from None


def to_csv(game: Game) -> str:
    rows = [flat_row(r, fid) for r in game.reports for fid in r.firms]
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(rows[0]) if rows else ["round", "firm"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


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


# --- scenario --------------------------------------------------------------------------------


def cmd_scenario(args: argparse.Namespace) -> int:
    if args.action == "list":
        rows = [("name", "difficulty", "rounds", "title")]
        for name in bundled_scenarios():
            s = load_scenario(name)
            rows.append((name, s.meta.difficulty, str(s.meta.rounds), s.meta.name))
        widths = [max(len(r[k]) for r in rows) for k in range(4)]
        for r in rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip())
        return 0
    if args.action == "show":
        path = resolve(args.name)
        read_toml(path)  # a readable error if it is not TOML
        print(path.read_text(encoding="utf-8"), end="")
        return 0
    if args.action == "validate":
        s = load_scenario(args.file)
        print(
            f"{args.file}: ok ({s.meta.name}: {len(s.segments)} segments, {len(s.firms)} firms, "
            f"{s.meta.rounds} rounds)"
        )
        return 0
    if args.action == "schema":
        print(scenario_schema())
        return 0
    if args.action == "balance":
        return cmd_balance(args)
    raise UsageError("jigsaw scenario: choose list, show NAME, validate FILE, schema or balance")


def cmd_sweep(args: argparse.Namespace) -> int:
    if args.file:
        if args.scenario or args.vary:
            raise UsageError(
                "jigsaw sweep: --file holds the scenario and the grid; give no "
                "SCENARIO or --vary with it"
            )
        spec, scenario, axes = load_experiment(args.file)
        args.seed, args.reps, args.workers = spec.seed, spec.reps, spec.workers
        args.scheduler = args.scheduler or spec.scheduler
        args.metric, args.out = spec.metric, args.out or spec.out
        args.plot = args.plot or spec.plot
        if spec.strategies:
            local = Path(args.file).parent / spec.scenario
            args.scenario = str(local) if local.exists() else spec.scenario
            args.strategies = ",".join(spec.strategies)
            return cmd_tournament(args)
    elif args.strategies:
        if args.vary or not args.scenario:
            raise UsageError("jigsaw sweep: --strategies takes a SCENARIO and no --vary")
        return cmd_tournament(args)
    else:
        if not args.scenario or not args.vary:
            raise UsageError("jigsaw sweep: give a SCENARIO and at least one --vary, or --file")
        scenario = load_scenario(args.scenario)
        axes = {}
        for text in args.vary:
            name, values = parse_vary(text)
            if name in axes:
                raise UsageError(f"jigsaw sweep: --vary {name} is given twice")
            axes[name] = values
    if args.reps < 1:
        raise UsageError(f"jigsaw sweep: --reps must be at least 1, got {args.reps}")
    if args.workers < 0:
        raise UsageError(f"jigsaw sweep: --workers must be 0 or more, got {args.workers}")

    if args.out:
        check_output(args.out)
    with ProgressBar("games") as progress:
        result = run_sweep(
            scenario,
            axes,
            args.reps,
            args.seed,
            args.workers,
            progress=progress,
            scheduler=args.scheduler,
        )
    if args.out:
        write_rows(args.out, result.rows)
    print(sweep_table(result, args.metric, args.seed))
    if args.plot:
        from sim.experiments.plot import response_curve

        saved = response_curve(
            result,
            args.metric,
            args.plot,
            f"{scenario.meta.name}: {args.metric} by {', '.join(axes)}",
        )
        print(f"Response curve saved to {saved}")
    for cell, error in result.failed:
        print(
            f"failed: point {cell.point_index} replication {cell.replication}: {error}",
            file=sys.stderr,
        )
    return 0 if not result.failed else 1


def cmd_tournament(args: argparse.Namespace) -> int:
    if args.reps < 1:
        raise UsageError(f"jigsaw sweep: --reps must be at least 1, got {args.reps}")
    scenario = load_scenario(args.scenario)
    names = [n.strip() for n in args.strategies.split(",") if n.strip()]

    if args.out:
        check_output(args.out)
    with ProgressBar("games") as progress:
        result = run_tournament(
            scenario, names, args.reps, args.seed, args.workers, progress, args.scheduler
        )
    if args.out:
        write_rows(args.out, result.rows)
    metric = args.metric if args.metric in ("profit", "market_share", "score") else "profit"
    rows = [("strategy", "games", f"mean {metric}", "95% low", "95% high", "mean rank", "wins")]
    for row in result.summary(metric):
        rows.append(
            (
                row["strategy"],
                str(row["n"]),
                fmt(row["mean"]),
                fmt(row["low"]),
                fmt(row["high"]),
                f"{row['mean_rank']:.2f}",
                str(row["wins"]),
            )
        )
    print(
        f"Every strategy in each of {len(result.seats)} seats, {result.reps} replications "
        f"(seeds {args.seed}..{args.seed + result.reps - 1} in every match-up)"
    )
    print("\n".join(aligned(rows)))
    for job, error in result.failed:
        print(
            f"failed: seat {job[0]} strategy {job[1]} replication {job[2]}: {error}",
            file=sys.stderr,
        )
    return 0 if not result.failed else 1


def sweep_table(result: Sweep, metric: str, seed: int) -> str:
    summary = result.summary(metric)
    best = max(summary, key=lambda row: row["mean"])["point"]
    names = list(result.axes)
    rows = [(*names, "n", f"mean {metric}", "95% low", "95% high", "vs best (paired 95%)")]
    for row in summary:
        k = row["point"]
        if k == best:
            vs = "best"
        else:
            d, lo, hi = result.paired(best, k, metric)
            vs = f"{fmt(d)} [{fmt(lo)}, {fmt(hi)}]"
        rows.append(
            (
                *(f"{row[n]:g}" for n in names),
                str(row["n"]),
                fmt(row["mean"]),
                fmt(row["low"]),
                fmt(row["high"]),
                vs,
            )
        )
    lines = [
        f"{result.reps} replications per point: seeds {seed}..{seed + result.reps - 1} at "
        "every point (common random numbers)"
    ]
    return "\n".join(lines + aligned(rows, left_first=False))


def fmt(x: float) -> str:
    if x != x:  # nan
        return "-"
    return money(x) if abs(x) >= 1000 else f"{x:.3g}"


def cmd_play(args: argparse.Namespace | None) -> int:
    """Start the terminal game (Textual is imported only here, so `run` stays light)."""
    from tui.app import JigsawApp
    from tui.session import Session

    session = None
    if args is not None and args.load:
        if args.scenario:
            raise UsageError("jigsaw play: give either a SCENARIO or --load SAVE, not both")
        session = Session.load(args.load)
    elif args is not None and args.scenario:
        session = Session.new(load_scenario(args.scenario), args.seed, full_mode=args.full)
    JigsawApp(session).run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "run":
            return cmd_run(args)
        if args.command == "scenario":
            return cmd_scenario(args)
        if args.command == "sweep":
            return cmd_sweep(args)
        if args.command == "class":
            return cmd_class(args)
        if args.command in (None, "play"):
            return cmd_play(args if args.command == "play" else None)
        parser.print_help()
        return 0
    except UsageError as exc:
        print(one_line(str(exc)), file=sys.stderr)
        return 2
    except InputError as exc:
        print(one_line(f"jigsaw: {exc}"), file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


def one_line(text: str) -> str:
    """The rule is one line on stderr, whatever a message quotes from the user's input."""
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


if __name__ == "__main__":
    sys.exit(main())
