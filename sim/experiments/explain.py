"""Every number explained: a round's change, split into what caused it.

The change in a firm's profit (and in each other measure) from round K-1 to round K is split
exactly into contributions:

    change = real(K) - real(K-1)
           = [real(K) - E_K(d_K)]                      luck this round
           + [E_K(d_K) - E_K(d_K-1)]                   the decision groups (Shapley values)
           + [E_K(d_K-1) - E_K-1(d_K-1)]               momentum
           - [real(K-1) - E_K-1(d_K-1)]                luck last round

where E_K(d) is the expected outcome of round K played from round K's starting snapshot (the
state after K-1 rounds) under the settings d, and real(K) the round as it was played. The
middle term is split over at most five factor groups (`GROUPS`) by exact Shapley values: each
group switched between last round's setting and this round's, every subset of the groups that
changed played (2^n coalitions), each group credited with its marginal effect averaged over
the orders in which the groups could be switched. A group whose setting did not change gets
exactly zero (it is left out of the coalitions); the contributions add up to the change
exactly, in the measure's smallest unit (`MEASURES`: a cent for money), because every
expected value is a mean of outcomes rounded to that unit, kept as exact fractions, and
the shares are apportioned by largest remainder.

Momentum is what the state carried in from earlier rounds (customers, awareness, brand, deals
in the pipeline, reps ramping): last round's settings played from this round's start
against the same settings from last round's start. Luck is the realised outcome against its
expectation, this round's less last round's; it is measured, not left over, and over many
games its mean is zero (`tests/test_explain.py`).

The expectation is the mean over `draws` draws of luck (the what-if's forked streams, salts
0..draws-1, common to every coalition: common random numbers, so the differences between
coalitions carry little noise); each contribution's standard error is the spread of its
per-draw Shapley value over the draws / sqrt(draws). The draws run on the sweep executors (serial,
a process pool, Dask: `sim.experiments.sweep.stream`) with identical results.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Any, TypeVar

from sim.experiments.luck import with_every_decision
from sim.experiments.sweep import standard_error, stream
from sim.model.decisions import Decision, Routes
from sim.model.errors import InputError
from sim.model.game import Game
from sim.model.gauge import rho_text
from sim.model.report import RoundReport, scorecard
from sim.model.scenario import Scenario
from sim.model.snapshot import Snapshot
from sim.narrative import explain_line, signed_money
from sim.numbers import money, plural

# The factor groups switched between last round's setting and this round's, in report order;
# then the two factors measured around them.
GROUPS = ("marketing", "sales", "price_product", "rivals", "events")
FACTORS = (*GROUPS, "momentum", "luck")
# Each factor's name in a table, and what it holds.
NAMES = {
    "marketing": "marketing",
    "sales": "sales",
    "price_product": "price and product",
    "rivals": "the rivals' decisions",
    "events": "market events",
    "momentum": "momentum",
    "luck": "luck",
}
HOLDS = {
    "marketing": "budget, mix, targeting, positioning, qualification bar",
    "sales": "budget, training, commission, account management, coverage plan, routes to market",
    "price_product": "price, R&D, studies",
    "rivals": "every other firm's decisions",
    "events": "the events in force and those that fire",
    "momentum": "what the state carried in from earlier rounds",
    "luck": "this round's against its expectation, less last round's",
}
# The parts of a firm's own decision each group switches (`Decision` fields; `routes`, the
# routes to market, is absent from a direct-only decision's `to_dict`).
OWN = {
    "marketing": ("marketing",),
    "sales": ("sales", "routes"),
    "price_product": ("product", "research", "price"),
}
# The measures explained, each with its smallest unit (what "exactly" means for it).
MEASURES: dict[str, float] = {
    "profit": 0.01,
    "revenue": 0.01,
    "customers": 0.001,
    "market_share": 1e-6,
    "brand_equity": 0.001,
    "score": 0.01,
}
CLASS_RIVALS = "the other firms' decisions"  # a class team sees the other teams as one factor
DRAWS = 4  # draws of luck by default: each plays 2^groups coalitions from a snapshot
MAX_DRAWS = 100

T = TypeVar("T", float, Fraction)


def _signed(digits: int, scale: float = 1.0, unit: str = "") -> Callable[[float], str]:
    def fmt(x: float) -> str:
        shown = round(x * scale, digits)
        return "0" if shown == 0 else f"{shown:+.{digits}f}{unit}"

    return fmt


def _level(digits: int, scale: float = 1.0, unit: str = "") -> Callable[[float], str]:
    return lambda x: f"{x * scale:.{digits}f}{unit}"


# How each measure reads in the table: its column, a level, a change.
COLUMNS: dict[str, tuple[str, Callable[[float], str], Callable[[float], str]]] = {
    "profit": ("profit", money, signed_money),
    "revenue": ("revenue", money, signed_money),
    "customers": ("cust", _level(0), _signed(1)),  # whole customers; changes are expected
    "market_share": ("share", _level(1, 100.0, "%"), _signed(1, 100.0, " pt")),
    "brand_equity": ("brand", _level(1), _signed(1)),
    "score": ("score", _level(1), _signed(1)),
}
assert tuple(COLUMNS) == tuple(MEASURES), "every measure has its column"
ADDS_UP = "The lines under the change add up to it exactly (each is shown rounded)."


def shapley(players: Sequence[str], value: Callable[[frozenset[str]], T]) -> dict[str, T]:
    """Exact Shapley values: each player's marginal contribution v(S + p) - v(S), weighted
    |S|! (n - |S| - 1)! / n! over every coalition S of the others. They add up to
    v(all) - v(none) (efficiency), a player who never changes v gets 0, and two players who
    change it alike get equal shares (symmetry)."""
    n = len(players)
    out: dict[str, T] = {}
    for p in players:
        others = [q for q in players if q != p]
        total: Any = 0
        for size in range(n):
            weight = Fraction(
                math.factorial(size) * math.factorial(n - size - 1), math.factorial(n)
            )
            for coalition in combinations(others, size):
                s = frozenset(coalition)
                gain = value(s | {p}) - value(s)
                total += weight * gain if isinstance(gain, Fraction) else float(weight) * gain
        out[p] = total
    return out


def apportion(parts: Mapping[str, Fraction], total: int) -> dict[str, int]:
    """Whole units for exact fractional `parts` that sum to `total`: each part's floor, and
    the units left over to the largest remainders (ties in the parts' order)."""
    floors = {k: math.floor(v) for k, v in parts.items()}
    left = total - sum(floors.values())
    order = sorted(parts, key=lambda k: -(parts[k] - floors[k]))
    for k in order[: max(0, left)]:
        floors[k] += 1
    return floors


def measures(
    scenario: Scenario, reports: Sequence[RoundReport], start_equity: dict[str, float], firm: str
) -> dict[str, float]:
    """The measures `MEASURES` of `firm` after `reports` (the score: the scorecard so far)."""
    f = reports[-1].firms[firm]
    meta = scenario.meta
    score = scorecard(
        list(reports), scenario.scoring, start_equity, meta.budget_per_round, meta.rounds
    )
    return {
        "profit": f.profit,
        "revenue": f.revenue,
        "customers": sum(f.customers.values()),
        "market_share": f.market_share,
        "brand_equity": f.brand_equity,
        "score": score[firm]["total"],
    }


def _units(values: Mapping[str, float]) -> dict[str, int]:
    return {m: int(round(values[m] / MEASURES[m])) for m in MEASURES}


def _amount(units: float | Fraction, unit: float) -> float:
    """Whole (or fractional) units as a value, to the unit's decimals."""
    return round(float(units) * unit, max(0, -math.floor(math.log10(unit))) + 2)


# Whole units an amount may have: below it a double holds every amount to a thousandth of a
# unit or better, so the written parts add up to the written change within 1% of a unit.
EXACT = 2**52 // 1000


def _coarsening(rows: list[dict[str, Any]], before: int, after: int, measure: str) -> int:
    """1, or the power of ten the measure's unit is coarsened by so that every amount (in
    whole units) stays below EXACT: a double cannot hold the cents of 10^14 (money is bounded
    at 10^15), and the parts must add up as written: past 45 billion, to a tenth, a unit..."""
    top = max(
        abs(before),
        abs(after),
        *(abs(v[measure]) for row in rows for v in (*row["plays"], row["before"])),
    )
    scale = 1
    while 2 * top // scale >= EXACT:
        scale *= 10
    return scale


Play = tuple[dict[str, Decision], int | None]  # every firm's decision, and `events_of`


def draw(
    scenario: Scenario,
    seed: int,
    streams: int,
    max_leads: float,
    starts: tuple[Snapshot, Snapshot],
    history: list[dict[str, Decision]],
    reports: list[RoundReport],
    firm: str,
    plays: list[Play],
    before: dict[str, Decision],
    salt: int,
) -> dict[str, Any]:
    """One draw of luck, in whatever process runs it: every coalition's round K from round K's
    start (`starts[1]`), and last round's settings from last round's start (`starts[0]`), all
    under the same forked luck; each outcome in whole units of the measures."""
    game = Game(scenario, seed, streams, max_leads)

    def play(
        start: Snapshot, k: int, decided: Mapping[str, Decision], events_of: int | None
    ) -> dict[str, int]:
        twin = game.restore(start, history[:k], reports[:k])
        twin.fork_luck(salt)
        twin.play_round(twin.affordable(decided), events_of)
        return _units(measures(scenario, twin.reports, twin.start_equity, firm))

    k = len(history)
    return {
        "plays": [play(starts[1], k, d, e) for d, e in plays],
        "before": play(starts[0], k - 1, before, None),
    }


@dataclass(frozen=True)
class Explanation:
    """Round `round`'s change for `firm`, measure by measure, and its contributions."""

    scenario: str
    seed: int
    round: int
    firm: str
    name: str
    draws: int
    changed: list[str]  # the groups whose setting changed (the others get zero)
    before: dict[str, float]  # the measures after round K-1 and after round K, as played
    after: dict[str, float]
    expected: dict[str, float]  # E_K(d_K): what this round's settings earn on average
    change: dict[str, float]
    contributions: dict[str, dict[str, float]]  # factor -> measure -> amount
    errors: dict[str, dict[str, float]]  # factor -> measure -> standard error
    luck_now: dict[str, float]  # this round's luck and last round's
    luck_before: dict[str, float]
    settings: dict[str, str]  # group -> what changed in it, in words
    units: dict[str, float]  # each measure's unit: what "exactly" is exact to
    hidden: list[str]  # measures left out: not known to the reader (brand without a tracker)

    def line(self, rivals: str | None = None, own: bool = True) -> str:
        """The change in profit in plain words, largest causes first (`sim.narrative`):
        "Your profit ..." (`own`) or "Northwind's profit ..."."""
        return explain_line(
            self.round,
            self.before["profit"],
            self.after["profit"],
            {f: c["profit"] for f, c in self.contributions.items()},
            self.settings,
            self.luck_now["profit"],
            self.luck_before["profit"],
            rivals=rivals,
            whose=None if own else self.name,
        )

    def heading(self) -> str:
        how = (
            f"the average of {plural(self.draws, 'replay')} of the round with other luck, "
            "the same luck for every line"
        )
        return (
            f"Round {self.round} against round {self.round - 1} as played: {self.name}, "
            f"{self.scenario}, seed {self.seed}; what each change did: {how}"
        )

    def rows(self, rivals: str | None = None) -> list[tuple[str, ...]]:
        """The table, as text cells: a header, the two rounds as played, the change and each
        factor's share of it (a group that did not change says so)."""
        names = {**NAMES, **({"rivals": rivals} if rivals else {})}
        out: list[tuple[str, ...]] = [("", *(c for c, _, _ in COLUMNS.values()))]
        for label, values in (
            (f"round {self.round - 1}", self.before),
            (f"round {self.round}", self.after),
        ):
            out.append((label, *self._cells(values, True)))
        out.append(("change", *self._cells(self.change, False)))
        for f in FACTORS:
            if f in GROUPS and f not in self.changed:
                out.append((f"  {names[f]}", "unchanged", *("" for _ in list(COLUMNS)[1:])))
            else:
                out.append((f"  {names[f]}", *self._cells(self.contributions[f], False)))
        return out

    def _cells(self, values: dict[str, float], levels: bool) -> list[str]:
        """A row's cells: levels or changes; '?' for a measure not shown."""
        out = []
        for m, (_, level, signed) in COLUMNS.items():
            out.append("?" if m not in values else (level if levels else signed)(values[m]))
        return out

    def legend(self) -> str:
        """What each factor holds (the rivals and events say it in their names)."""
        held = (f for f in FACTORS if f not in ("rivals", "events"))
        hidden = (
            " brand: unknown without a brand tracker bought in both rounds."
            if "brand_equity" in self.hidden
            else ""
        )
        return "; ".join(f"{NAMES[f]}: {HOLDS[f]}" for f in held) + "." + hidden

    def notes(self, rivals: str | None = None) -> list[str]:
        names = {**NAMES, **({"rivals": rivals} if rivals else {})}
        errors = ", ".join(
            f"{names[f]} {self.errors[f]['profit']:,.0f}"
            for f in FACTORS
            if self.errors[f]["profit"] > 0
        )
        return [
            ADDS_UP,
            f"How sure each profit line is (its standard error, from the replays): {errors}.",
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "firm": self.firm,
            "name": self.name,
            "scenario": self.scenario,
            "seed": self.seed,
            "draws": self.draws,
            "expectation": f"mean of {self.draws} draws of luck (common random numbers)",
            "changed": self.changed,
            "before": self.before,
            "after": self.after,
            "expected": self.expected,
            "change": self.change,
            "contributions": self.contributions,
            "standard_errors": self.errors,
            "luck": {"this_round": self.luck_now, "last_round": self.luck_before},
            "settings": self.settings,
            "units": self.units,
            "hidden": self.hidden,
        }


def explain(
    game: Game,
    firm: str,
    round_no: int | None = None,
    draws: int = DRAWS,
    workers: int | None = 0,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
    private: bool = False,
) -> Explanation:
    """Explain round `round_no` (default: the last played) of `game` for `firm`.
    `private`: for the firm's own eyes (a player, a class team): brand equity is shown only
    when the firm bought the brand tracker in both rounds (as the round report shows it), and
    where other players are among the rivals (a class) the rivals' line is always worked out
    (whether it is "unchanged" would tell whether the other teams changed their decisions)."""
    if not 1 <= draws <= MAX_DRAWS:
        raise InputError("--seeds", "", f"must be from 1 to {MAX_DRAWS}, got {draws}")
    played = game.round
    if played < 2:
        raise InputError(
            "", "round", "explaining compares a round with the one before: play two rounds first"
        )
    k = played if round_no is None else round_no
    if not 2 <= k <= played:
        raise InputError("--round", "", f"must be from 2 to {played} (the rounds played), got {k}")
    if firm not in game.ids:
        raise InputError(
            "--team", "", f"unknown firm {firm!r}; expected one of {', '.join(game.ids)}"
        )
    if game.reports[k - 2].firms[firm].bankrupt:
        label = game.scenario.firm(firm).label
        raise InputError(
            "--round", "", f"{label} was bankrupt before round {k}: it decided nothing"
        )
    game = with_every_decision(game)
    scenario = game.scenario
    before, now = game.history[k - 2], game.history[k - 1]
    changed = _changed(game, firm, k, private)
    kept = game.starts([k - 2, k - 1])
    starts = (kept[k - 2], kept[k - 1])
    coalitions = [
        frozenset(c) for size in range(len(changed) + 1) for c in combinations(changed, size)
    ]
    plays = [_coalition(before, now, firm, c, k) for c in coalitions]
    job = (
        scenario,
        game.seed,
        game.streams,
        game.max_leads,
        starts,
        game.history[: k - 1],
        game.reports[: k - 1],
        firm,
        plays,
        before,
    )
    rows: list[dict[str, Any]] = [{} for _ in range(draws)]
    for r, row in stream(draw, [(*job, r) for r in range(draws)], workers, progress, scheduler):
        if isinstance(row, str):
            raise RuntimeError(f"a draw of the explanation failed: {row}")
        rows[r] = row
    real_before = _units(measures(scenario, game.reports[: k - 1], game.start_equity, firm))
    real_after = _units(measures(scenario, game.reports[:k], game.start_equity, firm))
    out: dict[str, dict[str, float]] = {f: {} for f in FACTORS}
    err: dict[str, dict[str, float]] = {f: {} for f in FACTORS}
    expected: dict[str, float] = {}
    luck_now: dict[str, float] = {}
    luck_before: dict[str, float] = {}
    units: dict[str, float] = {}
    for m in MEASURES:
        scale = _coarsening(rows, real_before[m], real_after[m], m)
        units[m] = MEASURES[m] * scale

        def coarse(q: int, scale: int = scale) -> int:
            return q if scale == 1 else int(round(Fraction(q, scale)))

        outcomes = [
            {c: coarse(row["plays"][i][m]) for i, c in enumerate(coalitions)} for row in rows
        ]
        before_r = [coarse(row["before"][m]) for row in rows]
        real_before[m], real_after[m] = coarse(real_before[m]), coarse(real_after[m])
        split = _split(changed, outcomes, before_r, real_before[m], real_after[m])
        for f in FACTORS:
            out[f][m] = _amount(split.units[f], units[m])
            err[f][m] = _amount(split.errors[f], units[m])
        expected[m] = _amount(split.expected, units[m])
        luck_now[m] = _amount(split.luck_now, units[m])
        luck_before[m] = _amount(split.luck_before, units[m])
    tracked = all("brand_tracker" in game.reports[j].firms[firm].studies for j in (k - 2, k - 1))
    hidden = ["brand_equity"] if private and not tracked else []
    shown = [m for m in MEASURES if m not in hidden]

    def only(values: dict[str, float]) -> dict[str, float]:
        return {m: values[m] for m in shown}

    return Explanation(
        scenario=scenario.meta.name,
        seed=game.seed,
        round=k,
        firm=firm,
        name=scenario.firm(firm).label,
        draws=draws,
        changed=list(changed),
        before=only({m: _amount(real_before[m], units[m]) for m in MEASURES}),
        after=only({m: _amount(real_after[m], units[m]) for m in MEASURES}),
        expected=only(expected),
        change=only({m: _amount(real_after[m] - real_before[m], units[m]) for m in MEASURES}),
        contributions={f: only(v) for f, v in out.items()},
        errors={f: only(v) for f, v in err.items()},
        luck_now=only(luck_now),
        luck_before=only(luck_before),
        settings=settings(game, firm, k, changed),
        units=only(units),
        hidden=hidden,
    )


@dataclass(frozen=True)
class _Split:
    units: dict[str, int]  # factor -> whole units, adding up to the change
    errors: dict[str, float]  # factor -> standard error, in units
    expected: Fraction  # E_K(d_K)
    luck_now: Fraction
    luck_before: Fraction


def _split(
    changed: Sequence[str],
    outcomes: Sequence[Mapping[frozenset[str], int]],
    before: Sequence[int],
    real_before: int,
    real_after: int,
) -> _Split:
    """One measure's change split into the factors: `outcomes[r][S]` is coalition S's round
    in draw r, `before[r]` last round's settings from last round's start in draw r, both in
    whole units; exact fractions throughout, apportioned to whole units at the end."""
    n = len(outcomes)
    every, none = frozenset(changed), frozenset[str]()
    mean = {s: Fraction(sum(o[s] for o in outcomes), n) for s in outcomes[0]}
    e_before = Fraction(sum(before), n)
    parts: dict[str, Fraction] = {g: Fraction(0) for g in GROUPS}
    parts.update(shapley(changed, mean.__getitem__))
    parts["momentum"] = mean[none] - e_before
    luck_now, luck_before = real_after - mean[every], real_before - e_before
    parts["luck"] = luck_now - luck_before
    units = apportion(parts, real_after - real_before)
    # each factor's standard error: the spread of its value draw by draw
    samples: dict[str, list[float]] = {f: [] for f in FACTORS}
    for o, b in zip(outcomes, before, strict=True):
        phi = shapley(changed, {s: float(v) for s, v in o.items()}.__getitem__)
        for g in GROUPS:
            samples[g].append(phi.get(g, 0.0))
        samples["momentum"].append(float(o[none] - b))
        samples["luck"].append(float(real_after - o[every] - real_before + b))
    errors = {f: standard_error(samples[f]) for f in FACTORS}
    return _Split(units, errors, mean[every], luck_now, luck_before)


def _coalition(
    before: dict[str, Decision], now: dict[str, Decision], firm: str, take: frozenset[str], k: int
) -> Play:
    """Every firm's decision with the groups in `take` at this round's setting, the others
    at last round's; and the events of this round (None) or of the last (k - 1)."""
    decided = {}
    for fid, d in now.items():
        if fid == firm:
            decided[fid] = blend(before[fid], d, take)
        else:
            decided[fid] = d if "rivals" in take else before.get(fid, d)
    for fid, d in before.items():  # a rival out of the market this round decided last round
        if fid not in decided and "rivals" not in take:
            decided[fid] = d
    return decided, None if "events" in take else k - 1


def blend(before: Decision, now: Decision, take: frozenset[str]) -> Decision:
    """`before` with the parts of the groups in `take` from `now` (`OWN`)."""
    data, new = before.to_dict(), now.to_dict()
    for group in take & OWN.keys():
        for part in OWN[group]:
            if part in new:
                data[part] = new[part]
            else:
                data.pop(part, None)
    return Decision.model_validate(data)


def _changed(game: Game, firm: str, k: int, private: bool = False) -> list[str]:
    """The groups whose setting differs between round k-1 and round k (`private`: the
    rivals' always when other players are among them: a team may not learn whether the other
    teams changed their decisions)."""
    before, now = game.history[k - 2], game.history[k - 1]
    a, b = before[firm].to_dict(), now[firm].to_dict()
    out = [g for g, parts in OWN.items() if any(a.get(p) != b.get(p) for p in parts)]
    others = lambda decided: {f: d.to_dict() for f, d in decided.items() if f != firm}  # noqa: E731
    players = [f for f in {*before, *now} if f != firm and game.scenario.firm(f).is_player]
    if others(before) != others(now) or (private and players):
        out.append("rivals")
    events = game.events
    if (
        game.scenario.random_events.probability > 0
        or any(f.start == k for f in events.fired)
        or events.in_force(k - 1) != events.in_force(k)
    ):
        out.append("events")
    return out


def _routes(r: Routes | None) -> tuple[dict[str, float], dict[str, float]]:
    """The shares a decision's routes send past the reps (none: empty tables)."""
    if r is None:
        return {}, {}
    return (
        {k: v for k, v in r.partner.items() if v > 0},
        {k: v for k, v in r.self_serve.items() if v > 0},
    )


def settings(game: Game, firm: str, k: int, changed: Sequence[str]) -> dict[str, str]:
    """What changed in each group, in words, for the plain sentence."""
    before, now = game.history[k - 2][firm], game.history[k - 1][firm]
    a, b = game.reports[k - 2].firms[firm], game.reports[k - 1].firms[firm]
    out: dict[str, str] = {}
    if "marketing" in changed:
        bits = [f"marketing {money(before.marketing.budget)} to {money(now.marketing.budget)}"]
        if before.marketing.budget == now.marketing.budget:
            bits = []
        for part, word in (("mix", "mix"), ("targeting", "targeting")):
            if getattr(before.marketing, part) != getattr(now.marketing, part):
                bits.append(f"{word} changed")
        if before.marketing.positioning != now.marketing.positioning:
            bits.append("positioning changed")
        x, y = before.marketing.qualification, now.marketing.qualification
        if x != y:
            bits.append(f"qualification bar {x:.0%} to {y:.0%}")
        out["marketing"] = "; ".join(bits)
    if "sales" in changed:
        bits = []
        if before.sales.budget != now.sales.budget:
            bits.append(f"sales {money(before.sales.budget)} to {money(now.sales.budget)}")
        for part, word in (
            ("training_share", "training"),
            ("commission_rate", "commission"),
            ("account_management", "account management"),
        ):
            x, y = getattr(before.sales, part), getattr(now.sales, part)
            if x != y:
                bits.append(f"{word} {x:.0%} to {y:.0%}")
        if before.sales.coverage != now.sales.coverage:
            bits.append(
                "coverage plan "
                + ("set" if before.sales.coverage is None else "changed")
                + ("" if now.sales.coverage is not None else " to one pool")
            )
        if _routes(before.routes) != _routes(now.routes):
            bits.append(
                "routes to market "
                + ("set" if not before.indirect else "changed")
                + ("" if now.indirect else " to your reps only")
            )
        market = game.scenario.economics_for(game.scenario.firm(firm)).partner_margin
        x, y = before.partner_margin(market), now.partner_margin(market)
        if x != y and (_routes(before.routes)[0] or _routes(now.routes)[0]):
            bits.append(f"partner margin {x:.0%} to {y:.0%}")
        if a.alignment_ratio is not None and b.alignment_ratio is not None:
            bits.append(f"rho {rho_text(a.alignment_ratio)} to {rho_text(b.alignment_ratio)}")
        out["sales"] = "; ".join(bits)
    if "price_product" in changed:
        bits = []
        if before.price != now.price:
            bits.append(f"price {before.price:.2f} to {now.price:.2f}")
        if before.product.budget != now.product.budget:
            bits.append(f"R&D {money(before.product.budget)} to {money(now.product.budget)}")
        bought = [x.replace("_", " ") for x in now.research if x not in before.research]
        dropped = [x.replace("_", " ") for x in before.research if x not in now.research]
        if bought:
            bits.append("bought the " + " and the ".join(bought))
        if dropped:
            bits.append("dropped the " + " and the ".join(dropped))
        out["price_product"] = "; ".join(bits)
    if "rivals" in changed:
        rivals = [f for f in game.history[k - 1] if f != firm and f in game.history[k - 2]]
        bits = []
        if rivals:  # prices are public (every firm's report shows them); budgets are not
            p0 = sum(game.history[k - 2][f].price for f in rivals) / len(rivals)
            p1 = sum(game.history[k - 1][f].price for f in rivals) / len(rivals)
            if round(p0, 2) != round(p1, 2):
                bits.append(f"their mean price {p0:.2f} to {p1:.2f}")
        left = [f for f in game.history[k - 2] if f != firm and f not in game.history[k - 1]]
        if left:
            bits.append(f"{plural(len(left), 'firm')} left the market")
        out["rivals"] = "; ".join(bits)
    if "events" in changed:
        labels = [f.label for f in game.scenario.firms]
        fired = [f.describe(labels) for f in game.events.fired if f.start == k]
        out["events"] = "; ".join(fired) or "the events in force"
    return out
