"""Scenario experiments: a grid of decision or scenario parameters times N replications.

Replication r uses seed `seed + r` at every grid point (common random numbers), so the
difference between two points is not noise of the seeds. Each cell (point, replication) is a
whole game with the player seat on a fixed decision and the rivals as the scenario says; cells
run on an executor (serial, a local process pool or Dask: `sim.experiments.executor`) and come back in
cell order, so the rows are identical whatever the executor and the number of workers.

    run_sweep(scenario, {"marketing_share": [0.2, 0.4, 0.6]}, reps=10) -> Sweep
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.experiments.executor import cores, open_executor
from sim.experiments.results import StoppedEarly
from sim.model.decisions import RANGES, Decision, expand, split_budget
from sim.model.errors import InputError, from_validation, shown
from sim.model.files import MAX_WHOLE, WHOLE, read_number, read_toml, read_whole
from sim.model.game import Game
from sim.model.kpis import GAME_KPIS
from sim.model.rivals import check_strategy, strategy
from sim.model.scenario import CHANNELS, Scenario, load_scenario, parse_scenario
from sim.model.workload import MAX_LEADS, check_workload

# Decision parameters: the player's fixed decision every round.
DECISION_PARAMS = {
    "budget": "total budget per round (currency)",
    "marketing_share": "share of the budget for marketing (0..1)",
    "price": "price index ({:g}..{:g})".format(*RANGES["price"]),
    "sales.training_share": "share of the sales budget for training (0..1)",
    "sales.commission_rate": "commission on bookings (0..{:g})".format(
        RANGES["sales.commission_rate"][1]
    ),
    "sales.account_management": "share of sales capacity for customers (0..{:g})".format(
        RANGES["sales.account_management"][1]
    ),
    "product_share": "share of the budget for R&D, taken first (0..1)",
    "marketing.positioning.power": "position claimed: power (0 simple .. 1 powerful)",
    "marketing.positioning.service": "position claimed: service (0 self-serve .. 1 high-touch)",
    **{f"marketing.mix.{ch}": f"{ch} share of the mix; the others scale to fit" for ch in CHANNELS},
    "marketing.qualification": "the qualification bar: share of new warm leads sent to nurture "
    "(0..1)",
    "sales.coverage.ID": "segment ID's share of the reps (a coverage plan); the other segments "
    "share the rest in proportion to the default targeting",
    "routes.partner.ID": "share of segment ID's warm leads sent to channel partners (0..1)",
    "routes.self_serve.ID": "share of segment ID's warm leads sent to self-serve sign-up (0..1)",
    "routes.partner_margin": "the partners' margin on first-year value (0..{:g})".format(
        RANGES["routes.partner_margin"][1]
    ),
}
COVERAGE = "sales.coverage."
ROUTES = ("routes.partner.", "routes.self_serve.")


def is_decision_param(name: str) -> bool:
    """A decision parameter (the player's fixed decision), not a scenario one."""
    return name in DECISION_PARAMS or name.startswith((COVERAGE, *ROUTES))


MAX_VALUES = 10_000  # values on one axis of a grid
# Games in one sweep or tournament: at a third of a CPU second a game, a million is about four
# CPU-days; a KPI's points x replications table is then 8 MB. Split a bigger study.
MAX_GAMES = 1_000_000
# Up to this many distinct points a grid is validated point by point before any game; above
# it, every value of every axis and every corner of the grid (sim.experiments.sweep.checks).
CHECK_EVERY_POINT = 10_000
STALL_SECONDS = 600.0  # no cell finishing for ten minutes: the cluster is taken as lost
METRICS = tuple(GAME_KPIS)  # what a sweep can summarise: the game KPIs (sim.model.kpis)
T95 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    12: 2.179,
    15: 2.131,
    20: 2.086,
    25: 2.060,
    30: 2.042,
}


def t95(df: int) -> float:
    """Two-sided 95% Student t quantile (table; normal beyond 30 degrees of freedom)."""
    if df <= 0:
        return math.nan
    if df > 30:
        return 1.96
    return T95.get(df) or T95[min(k for k in T95 if k >= df)]


def interval(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and 95% confidence interval (t) of the mean."""
    m = statistics.fmean(values)
    if len(values) < 2:
        return m, math.nan, math.nan
    half = t95(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return m, m - half, m + half


def standard_error(values: Sequence[float]) -> float:
    """The standard error of the mean of `values` (0 for fewer than two: nothing varies)."""
    n = len(values)
    if n < 2:
        return 0.0
    mean = sum(values) / n
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1) / n)


# --- the grid --------------------------------------------------------------------------------


def _number(text: str) -> float:
    """A value of an axis as typed (`read_number`: ASCII digits); ValueError otherwise."""
    value = read_number(text)
    if value is None:
        raise ValueError(text)
    return value


def parse_vary(text: str) -> tuple[str, list[float]]:
    """`NAME=START:STOP:STEPS` (evenly spaced, both ends) or `NAME=a,b,c`; at most
    MAX_VALUES finite values an axis."""
    name, sep, spec = text.partition("=")
    name = name.strip()
    if not sep or not name or not spec.strip():
        raise InputError("--vary", shown(text), "expected NAME=START:STOP:STEPS or NAME=a,b,c")
    name = shown(name, 40).strip("'")
    try:
        if ":" in spec:
            start, stop, steps = spec.split(":")
            whole = read_whole(steps, 12)
            n = MAX_VALUES + 1 if whole is None and WHOLE.fullmatch(steps.strip()) else whole
            if n is None:
                raise ValueError(steps)
            if not 1 <= n <= MAX_VALUES:
                raise InputError(
                    "--vary", name, f"needs 1 to {MAX_VALUES:,} steps, got {shown(steps.strip())}"
                )
            values = [float(x) for x in np.linspace(_number(start), _number(stop), n)]
        else:
            values = [_number(x) for x in spec.split(",") if x.strip()]
    except ValueError:
        raise InputError("--vary", name, f"values must be numbers, got {shown(spec)}") from None
    if not values:
        raise InputError("--vary", name, "the range is empty")
    if len(values) > MAX_VALUES:
        raise InputError("--vary", name, f"has {len(values):,} values, more than {MAX_VALUES:,}")
    if not all(math.isfinite(v) for v in values):
        raise InputError("--vary", name, f"values must be finite numbers, got {shown(spec)}")
    return name, values


class Grid(Sequence[dict[str, float]]):
    """Every combination of the axes' values, the first axis varying slowest; each point is
    made when asked for, so a grid of a million points takes no memory."""

    def __init__(self, axes: Mapping[str, Sequence[float]]) -> None:
        self.names = list(axes)
        self.values = [[float(v) for v in axes[n]] for n in self.names]

    def __len__(self) -> int:
        return math.prod(len(v) for v in self.values)

    def __getitem__(self, index: int) -> dict[str, float]:  # type: ignore[override]
        if not 0 <= index < len(self):
            raise IndexError(index)
        point: dict[str, float] = {}
        for name, values in zip(reversed(self.names), reversed(self.values), strict=True):
            index, k = divmod(index, len(values))
            point[name] = values[k]
        return {n: point[n] for n in self.names}

    def __eq__(self, other: object) -> bool:
        return list(self) == (list(other) if isinstance(other, Sequence) else other)

    __hash__ = None  # type: ignore[assignment]


def grid(axes: Mapping[str, Sequence[float]]) -> Grid:
    """Every combination of the axes' values, the first axis varying slowest."""
    return Grid(axes)


def checks(axes: Mapping[str, Sequence[float]]) -> Iterator[dict[str, float]]:
    """The points to validate before any game: all of them for a grid of at most
    CHECK_EVERY_POINT; else each value of each axis (the others at their first value) and
    every corner (each axis at its lowest or highest value). Ranges are boxes and the
    workload grows with each parameter, so a grid valid there is valid everywhere; a point
    that is not anyway fails as its own cells."""
    points = Grid(axes)
    if len(points) <= CHECK_EVERY_POINT:
        yield from points
        return
    first = {n: float(v[0]) for n, v in axes.items()}
    for name, values in axes.items():
        for v in values:
            yield {**first, name: float(v)}
    yield from Grid({n: sorted({min(v), max(v)}) for n, v in axes.items()})


def check_games(games: int, seed: int = 0, reps: int = 1) -> None:
    """One home for the size limit of a sweep or a tournament (and its seeds: replication r
    plays seed + r, which must fit in 64 bits like every seed)."""
    if seed + reps - 1 > MAX_WHOLE:
        raise InputError("--seed", "", f"plus the replications must stay within {MAX_WHOLE}")
    if games > MAX_GAMES:
        raise InputError(
            "",
            "",
            f"the study has {games:,} games, more than the {MAX_GAMES:,} one sweep may play "
            "(about four CPU-days); split it into several",
        )


def _scenario_with(base: dict[str, Any], point: Mapping[str, float]) -> dict[str, Any]:
    """The scenario mapping with the point's scenario parameters set."""
    data = {
        **base,
        "segments": [dict(s) for s in base["segments"]],
        "economics": dict(base["economics"]),
        "meta": dict(base["meta"]),
    }
    for name, value in point.items():
        if is_decision_param(name):
            continue
        section, _, rest = name.partition(".")
        if section == "segments":
            seg_id, _, key = rest.partition(".")
            seg = next((s for s in data["segments"] if s["id"] == seg_id), None)
            if seg is None or key not in seg:
                raise InputError("--vary", name, "unknown segment or segment field")
            seg[key] = _whole(name, value) if isinstance(seg[key], int) else value
        elif section in ("economics", "meta") and rest in data[section]:
            old = data[section][rest]
            if isinstance(old, bool) or not isinstance(old, int | float):
                raise InputError("--vary", name, "is not a numeric parameter")
            data[section][rest] = _whole(name, value) if isinstance(old, int) else value
        else:
            raise InputError(
                "--vary",
                name,
                "unknown parameter; expected a decision parameter (jigsaw sweep --help lists "
                "them: budget, marketing_share, price, ...) or segments.ID.FIELD, "
                "economics.FIELD, meta.FIELD",
            )
    return data


def _whole(name: str, value: float) -> int:
    """A value for a whole-number field (accounts, reps, rounds): never silently cut."""
    if value != int(value):
        raise InputError("--vary", name, f"takes whole numbers, got {value:g}")
    return int(value)


def _coverage(scenario: Scenario, varied: dict[str, float]) -> dict[str, float]:
    """A coverage plan with the varied segments' shares as given and the rest of the reps
    shared by the other segments in proportion to the default targeting."""
    for seg, value in varied.items():
        if seg not in scenario.segment_ids:
            raise InputError(
                "--vary",
                COVERAGE + seg,
                f"unknown segment; expected one of {', '.join(scenario.segment_ids)}",
            )
        if not 0.0 <= value <= 1.0:
            raise InputError("--vary", COVERAGE + seg, f"must be between 0 and 1, got {value:g}")
    rest = 1.0 - sum(varied.values())
    if rest < -1e-9:
        raise InputError(
            "--vary", COVERAGE + "*", f"the varied shares add up to {1 - rest:g}, more than 1"
        )
    others = {s: w for s, w in scenario.default_targeting().items() if s not in varied}
    weight = sum(others.values())
    plan = dict(varied)
    for seg, w in others.items():
        plan[seg] = max(0.0, rest) * (w / weight if weight > 0 else 1.0 / len(others))
    return plan


def _decision(scenario: Scenario, player: str, point: Mapping[str, float]) -> Decision:
    """The player's fixed decision at a point (scenario defaults for what is not varied)."""
    for name, value in point.items():
        if name in RANGES:
            lo, hi = RANGES[name]
            if not lo <= value <= hi:
                raise InputError(
                    "--vary", name, f"must be between {lo:g} and {hi:g}, got {value:g}"
                )
    econ = scenario.economics_for(scenario.firm(player))
    budget = point.get("budget", scenario.meta.budget_per_round)
    share = point.get("marketing_share", 0.4)
    mix = dict(econ.mix)
    for ch in CHANNELS:
        key = f"marketing.mix.{ch}"
        if key in point:
            rest = 1.0 - mix[ch]
            mix = {
                c: (
                    point[key]
                    if c == ch
                    else (
                        mix[c] / rest * (1 - point[key])
                        if rest > 0
                        else (1 - point[key]) / (len(CHANNELS) - 1)
                    )
                )
                for c in CHANNELS
            }
    for_marketing, for_sales, product = split_budget(budget, share, point.get("product_share", 0.0))
    sales: dict[str, Any] = {"budget": for_sales}
    for key in ("training_share", "commission_rate", "account_management"):
        if f"sales.{key}" in point:
            sales[key] = point[f"sales.{key}"]
    covered = {n[len(COVERAGE) :]: v for n, v in point.items() if n.startswith(COVERAGE)}
    if covered:
        sales["coverage"] = _coverage(scenario, covered)
    routes: dict[str, Any] = {}
    for prefix in ROUTES:
        given = {n[len(prefix) :]: v for n, v in point.items() if n.startswith(prefix)}
        if given:
            routes[prefix.split(".")[1]] = given
    if "routes.partner_margin" in point:
        if not scenario.partner_segments:  # a margin no partner earns: an axis that does nothing
            raise InputError(
                "--vary",
                "routes.partner_margin",
                "this scenario has no channel partners (no segment with partner_capacity > 0)",
            )
        if not any(n.startswith(ROUTES[0]) for n in point):  # no lead goes to partners
            raise InputError(
                "--vary",
                "routes.partner_margin",
                f"varies nothing: no leads go to partners unless {ROUTES[0]}SEGMENT is varied "
                "(or set) with it",
            )
        routes["partner_margin"] = point["routes.partner_margin"]
    marketing: dict[str, Any] = {"budget": for_marketing, "mix": mix}
    if "marketing.qualification" in point:
        marketing["qualification"] = point["marketing.qualification"]
    axes = ("marketing.positioning.power", "marketing.positioning.service")
    if any(a in point for a in axes):
        start = scenario.firm(player).position
        marketing["positioning"] = {
            "power": point.get(axes[0], start.power),
            "service": point.get(axes[1], start.service),
        }
    raw = {
        "marketing": marketing,
        "sales": sales,
        "product": {"budget": product},
        "price": point.get("price", 1.0),
        **({"routes": routes} if routes else {}),
    }
    return expand(scenario, raw, "--vary", firm_id=player)


# --- one cell --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    index: int
    point_index: int
    point: dict[str, float]
    replication: int
    seed: int


def play_cell(base: dict[str, Any], player: str, cell: Cell) -> dict[str, Any]:
    """One game at one point with one seed; the row of inputs and final KPIs."""
    scenario = parse_scenario(_scenario_with(base, cell.point), "--vary")
    decision = _decision(scenario, player, cell.point)
    game = Game(scenario, cell.seed)

    def decide(g: Game, fid: str) -> Decision:
        return decision.within(scenario, g.room(fid))

    game.play(decide)
    return {
        "point": cell.point_index,
        "replication": cell.replication,
        "seed": cell.seed,
        **cell.point,
        **{name: kpi.value(game, player) for name, kpi in GAME_KPIS.items()},
        "bankrupt": game.reports[-1].firms[player].bankrupt,
    }


# --- the sweep -------------------------------------------------------------------------------


@dataclass
class Sweep:
    """The results of a sweep: per numeric KPI a points x replications table (NaN where a
    cell failed), the rows themselves when kept (a caller that streams them to a file does
    not keep them), and the cells that failed after one retry."""

    axes: dict[str, list[float]]
    points: Sequence[dict[str, float]]
    reps: int
    rows: list[dict[str, Any]]
    failed: list[tuple[Cell, str]] = field(default_factory=list)
    table: dict[str, np.ndarray] = field(default_factory=dict)

    def record(self, row: dict[str, Any]) -> None:
        """Enter a row's numeric KPIs in the table."""
        if not self.table:
            shape = (len(self.points), self.reps)
            self.table = {m: np.full(shape, np.nan) for m in METRICS}
        for m in METRICS:
            self.table[m][row["point"], row["replication"]] = float(row[m])

    def values(self, point: int, metric: str) -> list[float]:
        if not self.table:
            return []
        line = self.table[metric][point]
        return [float(v) for v in line[~np.isnan(line)]]

    def summary(self, metric: str = "profit") -> list[dict[str, Any]]:
        """Per point: mean and 95% interval of the metric."""
        out = []
        for k, p in enumerate(self.points):
            vals = self.values(k, metric)
            if not vals:
                continue
            m, lo, hi = interval(vals)
            out.append({"point": k, **p, "n": len(vals), "mean": m, "low": lo, "high": hi})
        return out

    def paired(self, a: int, b: int, metric: str = "profit") -> tuple[float, float, float]:
        """Mean and 95% interval of (b - a) over the replications both points share."""
        d = self.table[metric][b] - self.table[metric][a]
        return interval([float(v) for v in d[~np.isnan(d)]])

    def unpaired(self, a: int, b: int, metric: str = "profit") -> tuple[float, float, float]:
        """The same difference as if the points had independent seeds (Welch, 95%)."""
        va, vb = self.values(a, metric), self.values(b, metric)
        diff = statistics.fmean(vb) - statistics.fmean(va)
        se = math.sqrt(statistics.variance(va) / len(va) + statistics.variance(vb) / len(vb))
        half = t95(min(len(va), len(vb)) - 1) * se
        return diff, diff - half, diff + half


class _Cells(Sequence[tuple[Any, ...]]):
    """The jobs of a sweep, made when asked for: a grid of a million cells takes no memory
    until its cells run."""

    def __init__(
        self,
        base: dict[str, Any],
        me: str,
        points: Sequence[dict[str, float]],
        reps: int,
        seed: int,
    ) -> None:
        self.base, self.me, self.points, self.reps, self.seed = base, me, points, reps, seed

    def __len__(self) -> int:
        return len(self.points) * self.reps

    def cell(self, index: int) -> Cell:
        k, r = divmod(index, self.reps)
        return Cell(index, k, self.points[k], r, self.seed + r)

    def __getitem__(self, index: int) -> tuple[Any, ...]:  # type: ignore[override]
        return (self.base, self.me, self.cell(index))


def _attempt(play: Callable[..., dict[str, Any]], job: tuple[Any, ...]) -> dict[str, Any] | str:
    """`play(*job)` in this process: its row, or what went wrong as one line."""
    try:
        return play(*job)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a failed cell is reported, not fatal
        return f"{type(exc).__name__}: {exc}"


def stream(
    play: Callable[..., dict[str, Any]],
    jobs: Sequence[tuple[Any, ...]],
    workers: int | None,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
    stall: float = STALL_SECONDS,
) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """`(k, row)` for every job k, in job order, as the rows come in; a cell that fails is
    tried once more in this process, and one that fails again gives `(k, "what went wrong")`.

    At most a few cells per worker are in flight at once, so memory does not grow with the
    grid. A local pool that breaks (a worker killed) gives way to this process for the rest;
    a Dask cluster that is lost, or no cell finishing for `stall` seconds, raises
    `StoppedEarly` with the jobs not done. `progress(done, total)` is called once before the
    first cell starts and after every cell."""
    total = len(jobs)
    with open_executor(workers, scheduler) as executor:
        if progress is not None:
            progress(0, total)  # the bar shows before the first cell starts
        window = 4 * max(workers or cores(), 1)
        flight: deque[tuple[int, Any]] = deque()
        todo = iter(range(total))
        local = executor is None  # this process plays the rest

        def fill() -> None:
            nonlocal local
            while not local and len(flight) < window:
                k = next(todo, None)
                if k is None:
                    return
                try:
                    flight.append((k, executor.submit(play, *jobs[k])))  # type: ignore[union-attr]
                except Exception:  # noqa: BLE001 - a broken pool: this process plays on
                    if scheduler is not None:
                        raise StoppedEarly("the Dask cluster stopped taking cells", []) from None
                    flight.append((k, None))
                    local = True

        fill()
        done = 0
        while flight or local:
            if flight:
                k, future = flight.popleft()
                result = _result(future, play, jobs[k], scheduler, stall, k, flight, total)
            else:
                nk = next(todo, None)
                if nk is None:
                    break
                k, result = nk, _attempt(play, jobs[nk])
            done += 1
            if progress is not None:
                progress(done, total)
            yield k, result
            fill()


def _result(
    future: Any,
    play: Callable[..., dict[str, Any]],
    job: tuple[Any, ...],
    scheduler: str | None,
    stall: float,
    k: int,
    flight: deque[tuple[int, Any]],
    total: int,
) -> dict[str, Any] | str:
    """The row of a submitted cell, or its one more try here; `StoppedEarly` if the cluster
    is gone or silent."""
    if future is None:
        return _attempt(play, job)
    try:
        return future.result(timeout=stall)
    except InputError:
        raise
    except (FutureTimeout, TimeoutError):
        missing = [k, *(j for j, _ in flight), *range(max([k, *(j for j, _ in flight)]) + 1, total)]
        raise StoppedEarly(f"no game finished for {stall:g} seconds", missing) from None
    except (CancelledError, OSError) as exc:
        if scheduler is not None:
            rest = [k, *(j for j, _ in flight)]
            missing = [*rest, *range(max(rest) + 1, total)]
            raise StoppedEarly(
                f"the Dask cluster was lost ({type(exc).__name__})", missing
            ) from None
        return _attempt(play, job)
    except Exception:  # noqa: BLE001 - e.g. a worker process died: one more try here
        return _attempt(play, job)


def _execute(
    play: Callable[..., dict[str, Any]],
    jobs: list[tuple[Any, ...]],
    workers: int | None,
    progress: Callable[[int, int], None] | None,
    scheduler: str | None = None,
) -> tuple[list[dict[str, Any] | None], dict[int, str]]:
    """Every job's row in job order (None where it failed twice) and the errors (`stream`)."""
    rows: list[dict[str, Any] | None] = [None] * len(jobs)
    errors: dict[int, str] = {}
    for k, result in stream(play, jobs, workers, progress, scheduler):
        if isinstance(result, str):
            errors[k] = result
        else:
            rows[k] = result
    return rows, errors


def run_sweep(
    scenario: Scenario,
    axes: Mapping[str, Sequence[float]],
    reps: int = 10,
    seed: int = 1,
    workers: int | None = None,
    player: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
    sink: Callable[[dict[str, Any]], None] | None = None,
    max_leads: float = MAX_LEADS,
) -> Sweep:
    """Play every grid point `reps` times (replication r: seed + r everywhere).

    workers: None or 1 = serial; N > 1 = a local process pool of N workers (0: one per core).
    scheduler: a Dask cluster instead of the local pool: "local" (a `LocalCluster` of
    `workers` processes) or an address such as "tcp://host:8786" (extra `cluster`).
    Failed cells are retried once, in this process; what still fails is in `Sweep.failed`.
    sink: each row, in cell order, as it comes in (a `RowWriter`); the rows are then not
    kept in `Sweep.rows`. A point whose scenario would exceed `max_leads` is refused.
    If the cluster is lost the rows so far have gone to the sink and `StoppedEarly` names
    the missing cells.
    """
    if reps < 1:
        raise InputError("--reps", "", f"must be at least 1, got {reps}")
    players = [player] if player else (scenario.player_ids or scenario.firm_ids[:1])
    me = players[0]
    points = grid(axes)
    check_games(len(points) * reps, seed, reps)
    base = scenario.model_dump(mode="json")
    variants: dict[tuple[tuple[str, float], ...], Scenario] = {}
    for point in checks(axes):  # validated up front: bad input fails before any work
        key = tuple((n, v) for n, v in point.items() if not is_decision_param(n))
        checked = variants.get(key)
        if checked is None:
            checked = variants[key] = parse_scenario(_scenario_with(base, point), "--vary")
            check_workload(checked, "--vary " + ",".join(f"{n}={v:g}" for n, v in key), max_leads)
        _decision(checked, me, point)
    cells = _Cells(base, me, points, reps, seed)
    sweep = Sweep(dict((k, list(v)) for k, v in axes.items()), points, reps, [])
    for k, result in stream(play_cell, cells, workers, progress, scheduler):
        if isinstance(result, str):
            sweep.failed.append((cells.cell(k), result))
            continue
        sweep.record(result)
        if sink is None:
            sweep.rows.append(result)
        else:
            sink(result)
    return sweep


# --- strategy tournaments ------------------------------------------------------------------


def play_match(
    base: dict[str, Any], seat: int, strategy_name: str, replication: int, seed: int
) -> dict[str, Any]:
    """One game with `strategy_name` in seat `seat` and every other seat as the scenario has
    it (player seats play `balanced`); the row of that seat's results."""
    data = {**base, "firms": [dict(f) for f in base["firms"]]}
    for k, firm in enumerate(data["firms"]):
        if firm["controlled_by"] == "player" and k != seat:
            firm["controlled_by"] = "balanced"
    firm_id = data["firms"][seat]["id"]
    data["firms"][seat]["controlled_by"] = "balanced"  # a valid name; the seat plays below
    scenario = parse_scenario(data, "--strategies")
    game = Game(scenario, seed)
    play = strategy(strategy_name)
    while not game.finished:
        if game.ledgers[seat].bankrupt:
            game.play_round({})
        else:
            game.play_round({firm_id: play(game.view(firm_id))})
    mine = [r.firms[firm_id] for r in game.reports]
    score = game.score()[firm_id]
    return {
        "seat": firm_id,
        "strategy": strategy_name,
        "replication": replication,
        "seed": seed,
        "profit": round(sum(f.profit for f in mine), 2),
        "market_share": mine[-1].market_share,
        "score": score["total"],
        "rank": score["rank"],
        "bankrupt": mine[-1].bankrupt,
    }


@dataclass
class Tournament:
    """Every strategy in every seat, `reps` times (the same seeds for every match-up)."""

    strategies: list[str]
    seats: list[str]
    reps: int
    rows: list[dict[str, Any]]
    failed: list[tuple[tuple[Any, ...], str]] = field(default_factory=list)

    def summary(self, metric: str = "profit") -> list[dict[str, Any]]:
        """Per strategy over all seats and replications: mean and 95% interval, mean rank,
        and how often it finished first."""
        out = []
        for name in self.strategies:
            mine = [r for r in self.rows if r["strategy"] == name]
            if not mine:
                continue
            m, lo, hi = interval([float(r[metric]) for r in mine])
            out.append(
                {
                    "strategy": name,
                    "n": len(mine),
                    "mean": m,
                    "low": lo,
                    "high": hi,
                    "mean_rank": statistics.fmean(r["rank"] for r in mine),
                    "wins": sum(1 for r in mine if r["rank"] == 1),
                }
            )
        return sorted(out, key=lambda row: -row["mean"])


class _Matches(Sequence[tuple[Any, ...]]):
    """A tournament's jobs (base, seat, strategy, replication, seed), seat slowest and
    replication fastest, each made when asked for."""

    def __init__(
        self, base: dict[str, Any], seats: int, strategies: Sequence[str], reps: int, seed: int
    ) -> None:
        self.base, self.seats, self.strategies = base, seats, list(strategies)
        self.reps, self.seed = reps, seed

    def __len__(self) -> int:
        return self.seats * len(self.strategies) * self.reps

    def __getitem__(self, index: int) -> tuple[Any, ...]:  # type: ignore[override]
        if not 0 <= index < len(self):
            raise IndexError(index)
        rest, r = divmod(index, self.reps)
        seat, k = divmod(rest, len(self.strategies))
        return (self.base, seat, self.strategies[k], r, self.seed + r)


def run_tournament(
    scenario: Scenario,
    strategies: Sequence[str],
    reps: int = 5,
    seed: int = 1,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
    sink: Callable[[dict[str, Any]], None] | None = None,
) -> Tournament:
    """Play every strategy in every seat `reps` times; replication r uses seed + r in every
    match-up (common random numbers). workers, scheduler and sink as for `run_sweep` (the
    rows are kept too: a tournament's summary ranks them)."""
    if reps < 1:
        raise InputError("--reps", "", f"must be at least 1, got {reps}")
    if not strategies:
        raise InputError("--strategies", "", "name at least one strategy")
    for name in strategies:
        check_strategy(name, scenario)  # a clear error for an unknown name, before any work
    check_games(len(scenario.firms) * len(strategies) * reps, seed, reps)
    jobs = _Matches(scenario.model_dump(mode="json"), len(scenario.firms), strategies, reps, seed)
    result = Tournament(list(strategies), scenario.firm_ids, reps, [])
    for k, row in stream(play_match, jobs, workers, progress, scheduler):
        if isinstance(row, str):
            result.failed.append((jobs[k][1:], row))
            continue
        result.rows.append(row)
        if sink is not None:
            sink(row)
    return result


class ExperimentFile(BaseModel):
    """A reproducible study in TOML: the scenario, the grid, the replications, the outputs."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)  # "5" is not a number

    scenario: str = Field(description="Bundled name or path (relative to this file).")
    seed: int = Field(1, ge=0, description="Replication r plays with seed + r.")
    reps: int = Field(10, ge=1, le=MAX_GAMES, description="Replications per point.")
    workers: int = Field(0, ge=0, description="Processes (0: one per core, 1: serial).")
    scheduler: str | None = Field(
        None, description='Dask: "local" or "tcp://host:8786" (extra cluster); none: local pool.'
    )
    metric: str = Field("profit", description="Metric of the summary: " + ", ".join(METRICS))
    out: str | None = Field(
        None, description="Every row: .csv, or .parquet with pyarrow (relative to the cwd)."
    )
    plot: str | None = Field(None, description="Response curve, .png or .svg (cwd).")
    vary: dict[str, str | list[float]] = Field(
        default_factory=dict, description='NAME = "START:STOP:STEPS" or NAME = [a, b, c].'
    )
    strategies: list[str] = Field(
        default_factory=list, description="A tournament instead: every strategy in every seat."
    )

    @field_validator("out", "plot")
    @classmethod
    def _a_path(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must name a file, got an empty one")
        return value

    @model_validator(mode="after")
    def _one_study(self) -> ExperimentFile:
        if bool(self.vary) == bool(self.strategies):
            raise ValueError("give either [vary] (a grid) or strategies (a tournament)")
        return self


def load_experiment(
    path: str | Path, max_leads: float = MAX_LEADS
) -> tuple[ExperimentFile, Scenario, dict[str, list[float]]]:
    """Read an experiment file: its settings, its scenario and its grid axes."""
    p = Path(path)
    try:
        spec = ExperimentFile.model_validate(read_toml(p, "experiment"))
    except ValidationError as exc:
        raise from_validation(str(path), exc) from None
    if spec.metric not in METRICS:
        raise InputError(str(path), "metric", f"expected one of {', '.join(METRICS)}")
    local = p.parent / spec.scenario
    if local.exists() and local.resolve() == p.resolve():
        raise InputError(
            str(path), "scenario", "names this experiment file itself; give a scenario file or name"
        )
    try:
        scenario = load_scenario(str(local) if local.exists() else spec.scenario, max_leads)
    except InputError as exc:
        if exc.source != spec.scenario or local.exists():
            raise  # a problem inside the scenario file: that file and its field are named
        raise InputError(str(path), "scenario", f"{shown(spec.scenario)}: {exc.message}") from None
    axes = {}
    for name, values in spec.vary.items():
        if isinstance(values, str):
            axes[name] = parse_vary(f"{name}={values}")[1]
        else:
            if len(values) > MAX_VALUES:
                raise InputError(str(path), f"vary.{name}", f"has more than {MAX_VALUES:,} values")
            axes[name] = [float(v) for v in values]
        if not axes[name]:
            raise InputError(str(path), f"vary.{name}", "the range is empty: give it a value")
    return spec, scenario, axes
