"""The balance check: does the winning play teach the lesson?

A business game teaches what it rewards. This plays a library of degenerate strategies in the
player's seat (a price at either end of the range, no budget, all marketing, all sales, all
R&D, every study, maximum commission or account management, going dark at the end, firing
every rep in the last round, a split set once and never touched), each bundled rival strategy
in that seat, and two sweeps (the split at list price, the price at the reference split), over
N seeds with common random numbers: every play meets the same N draws of luck (seeds 1..N).

Each play is compared with **reference play**, the better of a fixed 45% split at list price
and the built-in `balanced` strategy (the better of the two on each measure), by the paired
difference over the seeds and its 95% interval. The check fails when a degenerate play beats
reference play beyond noise (the interval above zero), when a play that should lose does not
lose clearly (the interval's top below zero), when the profit-best price sits within 0.1 of an
end of the range, when the profit-best split keeps rho outside the gauge's aligned band, or
when reference play leaves the published ranges (win rate, cycle and churn per segment,
LTV/CAC).

    check_balance(load_scenario("classic"), seeds=8) -> Balance
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.experiments.sweep import _execute, interval
from sim.model.decisions import RANGES, Decision
from sim.model.errors import InputError
from sim.model.game import Game
from sim.model.gauge import ALIGNED, direction
from sim.model.rivals import STRATEGIES, RivalView, budget_decision, strategy
from sim.model.scenario import STUDIES, Scenario, parse_scenario

REFERENCE_SHARE = 0.45
REFERENCE = (f"split:{REFERENCE_SHARE}", "balanced")
DEFAULT_SHARE = 0.4  # the split simple mode and the boardroom start from
SPLITS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
FLOOR, CEILING = RANGES["price"]
PRICES = (FLOOR, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.8, CEILING)
MAX_COMMISSION = RANGES["sales.commission_rate"][1]
MAX_ACCOUNT_MANAGEMENT = RANGES["sales.account_management"][1]
PRICE_MARGIN = 0.1  # the profit-best price lies at least this far inside the range
TRIFLE_SHARE, TRIFLE_SCORE = 0.01, 0.5  # wins smaller than these are not wins
MEASURES = ("profit", "value", "score")

# name: (what it does, the measures it must not win on, must it lose clearly)
DEGENERATE: dict[str, tuple[str, tuple[str, ...], bool]] = {
    f"price:{FLOOR}": (f"price at the floor ({FLOOR}) all game", ("profit", "score"), True),
    f"price:{CEILING}": (f"price at the ceiling ({CEILING}) all game", ("profit", "score"), True),
    "zero_budget": ("no budget all game", ("profit", "score"), True),
    "all_marketing": ("the whole budget to marketing", ("profit", "score"), True),
    "all_sales": ("the whole budget to sales", ("profit", "score"), True),
    "all_rd": ("the whole budget to R&D", ("profit", "score"), False),
    "every_study": ("every market study every round", ("profit", "score"), False),
    "max_commission": (
        f"commission at its maximum ({MAX_COMMISSION:.0%})",
        ("profit", "score"),
        False,
    ),
    "max_account_management": (
        f"account management at its maximum ({MAX_ACCOUNT_MANAGEMENT:.0%})",
        ("profit", "score"),
        False,
    ),
    "dark:1": ("reference play, then no budget in the last round", ("value", "score"), False),
    "dark:2": ("reference play, then no budget in the last two rounds", ("value", "score"), False),
    "fire_last": (
        "reference play, then every rep let go in the last round",
        ("value", "score"),
        False,
    ),
    "set_and_forget": ("the default 40% split, never touched", ("profit", "score"), False),
    "qualify_all": (
        "every warm lead sent to nurture (a qualification bar of 1)",
        ("profit", "score"),
        True,
    ),
    "one_segment_reps": (
        "every rep deployed on the segment of the largest potential (a coverage plan)",
        ("profit", "score"),
        False,
    ),
    "all_partners": (
        "every warm lead of every segment with partners sent to them",
        ("profit", "score"),
        False,
    ),
    "all_self_serve": (
        "every warm lead of every segment with self-serve sent to it",
        ("profit", "score"),
        True,
    ),
}
# Plays that only mean something in a market of several segments.
SEVERAL_SEGMENTS = ("one_segment_reps",)
# Plays that only mean something where the market offers the route: the route each sends
# every warm lead to, and the scenario's segments that offer it.
NEEDS_ROUTE = {
    "all_partners": ("partner", "partner_segments"),
    "all_self_serve": ("self_serve", "self_serve_segments"),
}

# Players who move 10 points each round the way the gauge's words say, from either side.
FOLLOWERS = ("follow:0.2", "follow:0.8")
FOLLOW_MARGIN = 0.1  # they end within this of the profit-best split

# Published ranges at reference play (docs/MODEL.md, "Balance" gives the sources).
WIN_RATE = (0.15, 0.30)
LTV_CAC = (2.0, 8.0)
MARKETING_OF_REVENUE = (0.09, 0.12)  # reported, not checked: a launch spends more
TIERS: dict[str, dict[str, tuple[float, float]]] = {
    "smb": {"cycle_days": (14.0, 30.0), "churn": (0.15, 0.25)},
    "mid": {"cycle_days": (30.0, 90.0), "churn": (0.08, 0.12)},
    "enterprise": {"cycle_days": (90.0, 180.0), "churn": (0.03, 0.07)},
}


def plays(scenario: Scenario) -> list[str]:
    """Every play the check runs, reference first."""
    several = len(scenario.segments) > 1
    names = [
        *REFERENCE,
        *(
            d
            for d in DEGENERATE
            if (several or d not in SEVERAL_SEGMENTS)
            and (d not in NEEDS_ROUTE or getattr(scenario, NEEDS_ROUTE[d][1]))
        ),
    ]
    names += [s for s in STRATEGIES if s not in names]
    names += list(FOLLOWERS)
    names += [f"split:{x}" for x in SPLITS]
    names += [f"price:{p}" for p in PRICES]
    return list(dict.fromkeys(names))


def decide(name: str, view: RivalView) -> Decision:
    """The player's decision for the next round under the named play."""
    kind, _, arg = name.partition(":")
    left = view.scenario.meta.rounds - view.round  # rounds after this one
    share = REFERENCE_SHARE
    if kind == "price":
        return budget_decision(view, share, price=float(arg))
    if kind == "zero_budget":
        return budget_decision(view, share, budget=0.0)
    if kind == "all_marketing":
        return budget_decision(view, 1.0)
    if kind == "all_sales":
        return budget_decision(view, 0.0)
    if kind == "all_rd":
        return budget_decision(view, share, product_share=1.0)
    if kind == "every_study":
        return budget_decision(view, share, research=list(STUDIES))
    if kind == "max_commission":
        return budget_decision(view, share, commission_rate=MAX_COMMISSION)
    if kind == "max_account_management":
        return budget_decision(view, share, account_management=MAX_ACCOUNT_MANAGEMENT)
    if kind == "dark":
        return budget_decision(view, share, budget=0.0 if left < int(arg) else None)
    if kind == "fire_last":
        if left == 0:
            return budget_decision(view, 1.0, budget=share * view.budget)
        return budget_decision(view, share)
    if kind == "follow":
        return budget_decision(view, follow(view, float(arg)))
    if kind == "set_and_forget":
        return budget_decision(view, DEFAULT_SHARE)
    if kind == "qualify_all":
        d = budget_decision(view, share)
        marketing = d.marketing.model_copy(update={"qualification": 1.0})
        return d.model_copy(update={"marketing": marketing})
    if kind == "one_segment_reps":
        targeting = view.scenario.default_targeting()
        biggest = max(targeting, key=lambda s: targeting[s])  # the first of equals
        plan = {s: float(s == biggest) for s in view.scenario.segment_ids}
        return budget_decision(view, share, coverage=plan)
    if kind in NEEDS_ROUTE:
        route, offered = NEEDS_ROUTE[kind]
        segments = getattr(view.scenario, offered)
        return budget_decision(view, share, routes={route: dict.fromkeys(segments, 1.0)})
    return strategy(name)(view)


def follow(view: RivalView, start: float, step: float = 0.1) -> float:
    """A player who does what the round report says: `start` in round 1, then `step` toward
    marketing when the gauge's outlook reads below the aligned band, toward sales when above
    it (or with no reps), nothing when aligned or too late to pay back."""
    if not view.own:
        return start
    last = view.own[-1]
    toward = direction(last.gauge_reading)
    return min(1.0, max(0.0, round(last.marketing_share + toward * step, 6)))


def seat_of(scenario: Scenario) -> str:
    """The seat the check plays: the first player firm (or the first firm)."""
    return (scenario.player_ids or scenario.firm_ids)[0]


def play_seat(base: dict[str, Any], name: str, seed: int) -> dict[str, Any]:
    """One game with the named play in the player's seat (other player seats play
    `balanced`); the seat's measures and what the published-range checks need."""
    data = {**base, "firms": [dict(f) for f in base["firms"]]}
    scenario = parse_scenario(data, "balance")
    me = seat_of(scenario)
    for firm in data["firms"]:
        if firm["controlled_by"] == "player" and firm["id"] != me:
            firm["controlled_by"] = "balanced"
    scenario = parse_scenario(data, "balance")
    game = Game(scenario, seed)
    seat = game.ids.index(me)
    while not game.finished:
        if game.ledgers[seat].bankrupt:
            game.play_round({})
        else:
            game.play_round({me: decide(name, game.view(me))})
    mine = [r.firms[me] for r in game.reports]
    score = game.score()
    profit = sum(f.profit for f in mine)
    value = score[me]["measures"]["value"]
    years = scenario.meta.round_days / 365.0
    segs = scenario.segment_ids
    before = {s: float(scenario.firm(me).customers.get(s, 0)) for s in segs}
    exposure = dict.fromkeys(segs, 0.0)
    for f in mine:
        for s in segs:
            after = float(f.customers[s])
            exposure[s] += 0.5 * (before[s] + after) * years
            before[s] = after
    won_by = {s: sum(f.deals_won_by[s] for f in mine) for s in segs}
    cycle_sum = {
        s: sum((f.cycle_days_by[s] or 0.0) * f.deals_won_by[s] for f in mine) for s in segs
    }
    new = sum(f.new_customers for f in mine)
    ltv_weight = sum(f.new_customers for f in mine if f.ltv is not None)
    return {
        "play": name,
        "seed": seed,
        "profit": round(profit, 2),
        "end_value": mine[-1].customer_equity,
        "value": round(value, 2),
        "score": score[me]["total"],
        "rank": score[me]["rank"],
        "rho": [f.alignment_ratio for f in mine],
        "final_share": mine[-1].marketing_share,
        "won": sum(f.deals_won for f in mine),
        "lost": sum(f.deals_lost for f in mine),
        "churned_by": {s: sum(f.churned_by[s] for f in mine) for s in segs},
        "exposure": exposure,
        "won_by": won_by,
        "cycle_sum": cycle_sum,
        "acquisition": sum(f.marketing_spend + f.sales_spend + f.product_spend for f in mine),
        "new_customers": new,
        "ltv_sum": sum((f.ltv or 0.0) * f.new_customers for f in mine if f.ltv is not None),
        "ltv_weight": ltv_weight,
        "marketing": sum(f.marketing_spend for f in mine),
        "revenue": sum(f.revenue for f in mine),
        "rivals": {
            fid: round(sum(r.firms[fid].profit for r in game.reports), 2)
            for fid in game.ids
            if fid != me
        },
        "bankrupt": mine[-1].bankrupt,
    }


# --- the verdict ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """A play against reference play on one measure: the paired difference over the seeds."""

    play: str
    measure: str
    mean: float
    low: float
    high: float
    reference: str  # which reference play this is measured against


@dataclass
class Balance:
    scenario: str
    seeds: int
    rows: list[dict[str, Any]]
    comparisons: list[Comparison] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.failures

    def of(self, play: str) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["play"] == play]

    def mean(self, play: str, measure: str) -> float:
        return statistics.fmean(float(r[measure]) for r in self.of(play))

    def compare(self, play: str, measure: str) -> Comparison:
        return next(c for c in self.comparisons if c.play == play and c.measure == measure)

    def to_json(self) -> dict[str, Any]:
        by_play: dict[str, Any] = {}
        for name in dict.fromkeys(r["play"] for r in self.rows):
            by_play[name] = {
                "means": {m: round(self.mean(name, m), 2) for m in (*MEASURES, "end_value")},
                "vs_reference": {
                    c.measure: {
                        "mean": round(c.mean, 2),
                        "low": round(c.low, 2),
                        "high": round(c.high, 2),
                        "reference": c.reference,
                    }
                    for c in self.comparisons
                    if c.play == name
                },
                "role": role(name),
            }
        return {
            "scenario": self.scenario,
            "seeds": self.seeds,
            "passed": self.passed,
            "failures": self.failures,
            "gauge": {"aligned": list(ALIGNED)},
            "plays": by_play,
            **self.facts,
        }


def role(name: str) -> str:
    if name in REFERENCE:
        return "reference"
    if name in DEGENERATE:
        return "degenerate"
    if name in STRATEGIES:
        return "rival"
    if name in FOLLOWERS or name.startswith("follow:"):
        return "follower"
    return "sweep"


def _judge(result: Balance, scenario: Scenario) -> None:
    """Fill the comparisons, the facts and the failures from the rows."""
    seeds = sorted({r["seed"] for r in result.rows})

    def by_seed(play: str, measure: str) -> dict[int, float]:
        return {r["seed"]: float(r[measure]) for r in result.of(play)}

    best_ref = {m: max(REFERENCE, key=lambda p: result.mean(p, m)) for m in MEASURES}
    for name in dict.fromkeys(r["play"] for r in result.rows):
        for m in MEASURES:
            ref = by_seed(best_ref[m], m)
            mine = by_seed(name, m)
            diffs = [mine[s] - ref[s] for s in seeds if s in mine and s in ref]
            mean, low, high = interval(diffs) if len(diffs) > 1 else (diffs[0], diffs[0], diffs[0])
            if best_ref[m] == name:
                mean = low = high = 0.0
            result.comparisons.append(Comparison(name, m, mean, low, high, best_ref[m]))
    fail = result.failures
    played = {r["play"] for r in result.rows}
    # A win smaller than a trifle does not count, even where the paired interval is narrow:
    # 1% of reference play's size on a money measure, half a point of score.
    trifle = {
        m: TRIFLE_SCORE if m == "score" else TRIFLE_SHARE * abs(result.mean(best_ref[m], m))
        for m in MEASURES
    }
    rivals = [s for s in STRATEGIES if s not in REFERENCE]
    for name in DEGENERATE:
        if name not in played:
            continue
        what, measures, must_lose = DEGENERATE[name]
        for m in measures:
            c = result.compare(name, m)
            if c.low > 0 and c.mean > trifle[m]:
                fail.append(f"{name} ({what}) beats reference play on {m}: {_span(c)}")
            if must_lose and c.high >= 0:
                fail.append(f"{name} ({what}) should lose on {m} but does not clearly: {_span(c)}")
    notes = result.facts.setdefault("notes", [])
    for name in rivals:  # reasonable play in another style: reported, not a failure
        if name not in played:
            continue
        for m in ("profit", "score"):
            c = result.compare(name, m)
            if c.low > 0:
                notes.append(
                    f"rival strategy {name} in the player's seat beats reference play on {m}: {_span(c)}"
                )
    played = {r["play"] for r in result.rows}
    splits = {x: result.mean(f"split:{x}", "profit") for x in SPLITS if f"split:{x}" in played}
    prices = {p: result.mean(f"price:{p}", "profit") for p in PRICES if f"price:{p}" in played}
    result.facts["splits"] = {str(x): round(v, 2) for x, v in splits.items()}
    result.facts["prices"] = {str(p): round(v, 2) for p, v in prices.items()}
    if len(prices) == len(PRICES):
        best_price = max(prices, key=lambda p: prices[p])
        result.facts["best_price"] = best_price
        if not FLOOR + PRICE_MARGIN - 1e-9 <= best_price <= CEILING - PRICE_MARGIN + 1e-9:
            fail.append(f"the profit-best price is {best_price:g}, within {PRICE_MARGIN} of an end")
    if len(splits) == len(SPLITS):
        best_split = max(splits, key=lambda x: splits[x])
        result.facts["best_split"] = best_split
        late_rho = mean_rho(result.of(f"split:{best_split}"))
        result.facts["best_split_rho"] = None if late_rho is None else round(late_rho, 3)
        lo, hi = ALIGNED
        if late_rho is None or not lo <= late_rho <= hi:
            fail.append(
                f"the profit-best split ({best_split:.0%}) runs rho {late_rho} over rounds 3 "
                f"on, outside the aligned band {lo:g}..{hi:g}"
            )
        ends = {}
        for name in FOLLOWERS:
            if name not in played:
                continue
            end = statistics.fmean(r["final_share"] for r in result.of(name))
            ends[name] = round(end, 3)
            if abs(end - best_split) > FOLLOW_MARGIN + 1e-9:
                fail.append(
                    f"{name} (a player who does what the gauge says) ends at {end:.0%} on "
                    f"average, more than {FOLLOW_MARGIN:.0%} from the profit-best split "
                    f"({best_split:.0%})"
                )
        result.facts["followers_end"] = ends
        # following the gauge from the profit-best split must not lose clearly to holding it
        mine, held = (
            by_seed(follower_of(best_split), "profit"),
            by_seed(f"split:{best_split}", "profit"),
        )
        diffs = [mine[s] - held[s] for s in seeds if s in mine and s in held]
        if len(diffs) > 1:
            mean, low, high = interval(diffs)
            end = statistics.fmean(r["final_share"] for r in result.of(follower_of(best_split)))
            result.facts["follow_best"] = {
                "play": follower_of(best_split),
                "profit_vs_holding": {
                    "mean": round(mean, 2),
                    "low": round(low, 2),
                    "high": round(high, 2),
                },
                "ends": round(end, 3),
            }
            if high < 0 and mean < -trifle["profit"]:
                fail.append(
                    f"{follower_of(best_split)} (a player who starts at the profit-best split "
                    f"and does what the gauge says) loses clearly to holding it on profit: "
                    f"{mean:+,.0f} [{low:+,.0f} .. {high:+,.0f}]"
                )
    reference = best_ref["profit"]
    ranges = published_ranges(result.of(reference), scenario)
    result.facts["reference"] = reference
    result.facts["ranges"] = ranges
    for check in ranges:
        if check["ok"] is False:
            fail.append(
                f"reference play: {check['name']} {check['value']:.3g} is outside "
                f"{check['low']:g}..{check['high']:g}"
            )
    rival_profit: dict[str, list[float]] = {}
    for r in result.of(reference):
        for fid, p in r["rivals"].items():
            rival_profit.setdefault(fid, []).append(p)
    result.facts["rival_profit"] = {
        fid: round(statistics.fmean(v), 2) for fid, v in rival_profit.items()
    }
    result.facts["wins"] = {
        name: sum(1 for r in result.of(name) if r["rank"] == 1)
        for name in dict.fromkeys(r["play"] for r in result.rows)  # in play order, not a set's
    }


def mean_rho(rows: Sequence[dict[str, Any]], first_round: int = 3) -> float | None:
    """The mean alignment ratio over rounds `first_round`.. of these games."""
    rhos = [x for r in rows for x in r["rho"][first_round - 1 :] if x is not None]
    return statistics.fmean(rhos) if rhos else None


def published_ranges(rows: Sequence[dict[str, Any]], scenario: Scenario) -> list[dict[str, Any]]:
    """Reference play against the published ranges, summed over the seeds."""
    out: list[dict[str, Any]] = []

    def check(
        name: str,
        value: float | None,
        band: tuple[float, float],
        checked: bool = True,
        within: tuple[float, float] | None = None,
    ) -> None:
        """`within`: the value's own 95% interval; then it passes when that overlaps the band
        (a rare event over few accounts is noise, not a miscalibration)."""
        row: dict[str, Any] = {"name": name, "value": value, "low": band[0], "high": band[1]}
        row["ok"] = None
        if value is not None and checked:
            lo, hi = within if within is not None else (value, value)
            row["ok"] = lo <= band[1] and hi >= band[0]
        if within is not None:
            row["interval"] = [round(within[0], 6), round(within[1], 6)]
        out.append(row)

    won = sum(r["won"] for r in rows)
    closed = won + sum(r["lost"] for r in rows)
    check("win rate", won / closed if closed else None, WIN_RATE)
    for seg in scenario.segments:
        tier = TIERS.get(seg.tier or "")
        if tier is None:
            continue
        n = sum(r["won_by"][seg.id] for r in rows)
        cycle = sum(r["cycle_sum"][seg.id] for r in rows) / n if n else None
        check(f"cycle days, {seg.id}", cycle, tier["cycle_days"])
        exposure = sum(r["exposure"][seg.id] for r in rows)
        churned = sum(r["churned_by"][seg.id] for r in rows)
        rate = churned / exposure if exposure else None
        band = poisson_interval(churned, exposure) if exposure else None
        check(f"annual churn, {seg.id}", rate, tier["churn"], within=band)
    new = sum(r["new_customers"] for r in rows)
    weight = sum(r["ltv_weight"] for r in rows)
    cac = sum(r["acquisition"] for r in rows) / new if new else None
    ltv = sum(r["ltv_sum"] for r in rows) / weight if weight else None
    check("LTV/CAC", ltv / cac if ltv is not None and cac else None, LTV_CAC)
    revenue = sum(r["revenue"] for r in rows)
    check(
        "marketing / revenue",
        sum(r["marketing"] for r in rows) / revenue if revenue else None,
        MARKETING_OF_REVENUE,
        checked=False,
    )
    return out


def poisson_interval(count: float, exposure: float) -> tuple[float, float]:
    """95% interval of a rate from `count` events over `exposure` (customer-years): the
    square-root approximation to the Poisson, ((sqrt(n) - 0.98)^2, (sqrt(n + 1) + 0.98)^2)."""
    n = max(0.0, float(count))
    low = max(0.0, n**0.5 - 0.98) ** 2 if n > 0 else 0.0
    return low / exposure, ((n + 1) ** 0.5 + 0.98) ** 2 / exposure


def _span(c: Comparison) -> str:
    return f"{c.mean:+,.0f} [{c.low:+,.0f} .. {c.high:+,.0f}]"


def check_balance(
    scenario: Scenario,
    seeds: int = 8,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    names: Sequence[str] | None = None,
) -> Balance:
    """Play every play over seeds 1..`seeds` and judge the result (see the module docstring).
    `names` limits the plays (reference play is always included); the verdict then covers
    only what was played."""
    if seeds < 2:
        raise InputError("--seeds", "", f"needs at least 2 seeds for an interval, got {seeds}")
    base = scenario.model_dump(mode="json")
    todo = plays(scenario) if names is None else list(dict.fromkeys([*REFERENCE, *names]))
    jobs = [(base, name, seed) for name in todo for seed in range(1, seeds + 1)]
    rows, errors = _execute(play_seat, jobs, workers, progress)
    if errors:
        k, err = next(iter(errors.items()))
        raise RuntimeError(f"{jobs[k][1]} seed {jobs[k][2]} failed: {err}")
    played = [r for r in rows if r is not None]
    best = best_split(played)
    if best is not None and follower_of(best) not in todo:
        # a player who starts at the profit-best split and does what the gauge says: known
        # only once the split sweep is in, so played second
        more = [(base, follower_of(best), seed) for seed in range(1, seeds + 1)]
        rows, errors = _execute(play_seat, more, workers, progress)
        if errors:
            k, err = next(iter(errors.items()))
            raise RuntimeError(f"{more[k][1]} seed {more[k][2]} failed: {err}")
        played += [r for r in rows if r is not None]
    result = Balance(scenario.meta.name, seeds, played)
    _judge(result, scenario)
    return result


def best_split(rows: Sequence[dict[str, Any]]) -> float | None:
    """The profit-best fixed split of the sweep (None unless every split was played)."""
    profit: dict[float, list[float]] = {}
    for r in rows:
        if r["play"].startswith("split:"):
            profit.setdefault(float(r["play"].split(":")[1]), []).append(float(r["profit"]))
    if not all(x in profit for x in SPLITS):
        return None
    return max(SPLITS, key=lambda x: statistics.fmean(profit[x]))


def follower_of(split: float) -> str:
    """The play that starts at `split` and follows the gauge."""
    return f"follow:{split:g}"
