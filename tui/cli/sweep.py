"""`jigsaw sweep`: a grid of parameters times replications (Monte Carlo), or a tournament of
strategies in every seat; summaries with 95% intervals, rows to CSV or Parquet, a plot."""

from __future__ import annotations

import argparse
import math
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.experiments.results import RowWriter, StoppedEarly, is_result_file
from sim.experiments.results import check_output as check_rows_file
from sim.experiments.sweep import (
    DECISION_PARAMS,
    MAX_GAMES,
    METRICS,
    Sweep,
    check_games,
    load_experiment,
    parse_vary,
    run_sweep,
    run_tournament,
)
from sim.model.errors import InputError
from sim.model.files import check_output
from sim.model.scenario import load_scenario
from sim.numbers import money
from tui.cli.common import (
    CONFIRM_GAMES,
    MAX_WORKERS_PER_CORE,
    Terminated,
    UsageError,
    add_scenario_and_seed,
    check_workers,
    confirm_games,
    count_of,
    one_line,
    terminated_as_interrupt,
    whole,
)
from tui.progress import ProgressBar
from tui.table import aligned


def add(sub: Any) -> None:
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
    sweep.add_argument(
        "--reps",
        type=count_of("replications", 1, MAX_GAMES),
        default=10,
        help="replications per point (10)",
    )
    sweep.add_argument(
        "--workers",
        type=whole,
        default=0,
        help=f"processes (0: one per core, 1: serial; at most {MAX_WORKERS_PER_CORE} per core)",
    )
    sweep.add_argument(
        "--yes",
        action="store_true",
        help=f"play a grid of more than {CONFIRM_GAMES:,} games without asking",
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

    sweep.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    try:
        return _main(args)
    except InputError as exc:
        if not args.file or not exc.source.startswith("--vary"):
            raise
        # A grid from an experiment file: blame the file's [vary] table, not a flag never typed
        where = ".".join(p for p in ("vary", exc.field, exc.source[len("--vary") :].strip()) if p)
        raise InputError(args.file, where, exc.message) from None


def _main(args: argparse.Namespace) -> int:
    if args.file:
        if args.scenario or args.vary:
            raise UsageError(
                "jigsaw sweep: --file holds the scenario and the grid; give no "
                "SCENARIO or --vary with it"
            )
        spec, scenario, axes = load_experiment(args.file, args.max_leads)
        args.seed, args.reps, args.workers = spec.seed, spec.reps, spec.workers
        args.scheduler = args.scheduler or spec.scheduler
        args.metric, args.out = spec.metric, args.out or spec.out
        args.plot = args.plot or spec.plot
        if spec.strategies:
            local = Path(args.file).parent / spec.scenario
            args.scenario = str(local) if local.exists() else spec.scenario
            args.strategies = ",".join(spec.strategies)
            return tournament(args)
    elif args.strategies:
        if args.vary or not args.scenario:
            raise UsageError("jigsaw sweep: --strategies takes a SCENARIO and no --vary")
        return tournament(args)
    else:
        if not args.scenario or not args.vary:
            raise UsageError("jigsaw sweep: give a SCENARIO and at least one --vary, or --file")
        scenario = load_scenario(args.scenario, args.max_leads)
        axes = {}
        for text in args.vary:
            name, values = parse_vary(text)
            if name in axes:
                raise UsageError(f"jigsaw sweep: --vary {name} is given twice")
            axes[name] = values
    games = math.prod(len(v) for v in axes.values()) * args.reps
    check_size(args, games)
    if args.plot:  # before the games, not after
        from sim.experiments.plot import check_plot

        check_plot(args.plot)
    result, code = streamed(
        args,
        games,
        lambda progress, sink: run_sweep(
            scenario,
            axes,
            args.reps,
            args.seed,
            args.workers,
            progress=progress,
            scheduler=args.scheduler,
            sink=sink,
            max_leads=args.max_leads,
        ),
    )
    if result is None:
        return code
    print(sweep_table(result, args.metric, args.seed))
    if args.plot and result.summary(args.metric):
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


def tournament(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario, args.max_leads)
    names = [n.strip() for n in args.strategies.split(",") if n.strip()]
    games = len(scenario.firms) * len(names) * args.reps
    check_size(args, games)
    result, code = streamed(
        args,
        games,
        lambda progress, sink: run_tournament(
            scenario, names, args.reps, args.seed, args.workers, progress, args.scheduler, sink
        ),
    )
    if result is None:
        return code
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


def check_size(args: argparse.Namespace, games: int) -> None:
    """Refuse what cannot be meant before any work: no replications, more worker processes
    than the machine can use, or a grid of more games than CONFIRM_GAMES unless confirmed."""
    if args.reps < 1:
        raise UsageError(f"jigsaw sweep: --reps must be at least 1, got {args.reps}")
    check_games(games)
    check_workers("jigsaw sweep", args.workers, remote=args.scheduler not in (None, "local"))
    confirm_games("jigsaw sweep", games, args.yes)


def streamed(
    args: argparse.Namespace, games: int, play: Callable[[Any, Any], Any]
) -> tuple[Any, int]:
    """`play(progress, sink)` under a progress bar, its rows streamed to --out: (its result,
    0), or (None, exit code) when Ctrl-C or a lost cluster stopped it (the finished rows kept,
    whole); any other failure discards the partial file and is raised."""
    if args.out:  # never over what the sweep reads, nor over a file that is not its rows
        inputs = [
            (label, path)
            for label, path in (
                ("the experiment file", getattr(args, "file", None)),
                ("the scenario", getattr(args, "scenario", None)),
            )
            if path and Path(path).is_file()
        ]
        check_rows_file(args.out)
        check_output(Path(args.out), "result file", inputs, ours=is_result_file)
    writer = RowWriter(args.out) if args.out else None
    try:
        with terminated_as_interrupt(), ProgressBar("games") as progress:
            result = play(progress, writer.write if writer else None)
    except (KeyboardInterrupt, StoppedEarly) as exc:
        return None, stopped(exc, writer, args.out, games)
    except BaseException:
        if writer:
            writer.discard()
        raise
    if writer:
        writer.close()
    return result, 0


def stopped(exc: BaseException, writer: RowWriter | None, out: str | None, games: int) -> int:
    """Ctrl-C or a lost cluster: keep the rows so far, whole, and say what is missing."""
    kept = ""
    if writer is not None and writer.rows == 0:  # nothing to keep: an old --out stays as it was
        writer.discard()
        kept = f"; no row was written ({out} is as it was)"
    elif writer is not None:
        writer.close()
        kept = f"; {writer.rows:,} of {games:,} rows written to {out}"
    why = (
        "terminated"
        if isinstance(exc, Terminated)
        else "interrupted"
        if isinstance(exc, KeyboardInterrupt)
        else f"stopped: {exc}"
    )
    missing = ""
    if isinstance(exc, StoppedEarly) and exc.missing:
        missing = f"; {len(exc.missing):,} cells missing ({cell_ranges(exc.missing)})"
    print(one_line(f"jigsaw sweep: {why}{kept}{missing}"), file=sys.stderr)
    if isinstance(exc, Terminated):
        return 128 + signal.SIGTERM
    return 130 if isinstance(exc, KeyboardInterrupt) else 1


def cell_ranges(cells: list[int], most: int = 6) -> str:
    """[3, 4, 5, 9] -> 'cells 3-5, 9' (the first few runs, then how many more)."""
    runs: list[list[int]] = []
    for k in sorted(cells):
        if runs and k == runs[-1][1] + 1:
            runs[-1][1] = k
        else:
            runs.append([k, k])
    text = ", ".join(f"{a}-{b}" if b > a else f"{a}" for a, b in runs[:most])
    return "cells " + text + (f" and {len(runs) - most} more runs" if len(runs) > most else "")


def sweep_table(result: Sweep, metric: str, seed: int) -> str:
    summary = result.summary(metric)
    if not summary:
        return "No point has a finished game: every game failed (each one is listed below)."
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
