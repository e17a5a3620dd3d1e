"""The truth behind a firm's data: what a simulator knows and a real analyst never does.

For one firm of a game (the rounds played so far), `truth` gives:

- the parameters of its market that a marketing-mix model estimates: each channel's adstock
  half-life, its Hill saturation (K and S) per segment, advertising's lift per segment, and
  the churn hazard its customers faced in each segment;
- what each channel really returned, from counterfactual games: the game played again with
  the channel's spend removed from every round (ROAS: what the spend brought in per unit
  spent) and with it raised by 10% (marginal ROAS: what the next unit would have brought);
- what marketing and sales each added, and what they added only together: the game played
  with no marketing at all, with the sales force cut to a floor (one rep), and with both;
  the interaction is what the two make together beyond the sum of each alone (the jigsaw, in
  numbers).

Each counterfactual changes only this firm's decisions: every rival's decisions are held as
played (a rival's rule would have answered differently, which this does not capture), and
each is cut to the firm's cash as any decision made on a firm's behalf is
(`Decision.within`). Each is played over the same draws of luck as the game as played
(common random numbers: the game's own seed and the next ones), so each difference is
measured on the same luck; its standard error is over the draws.

Outcomes are in the scenario's currency: bookings (first-year contract value of deals won,
the outcome an MMM of this data fits) and revenue (subscription revenue recognised), summed
over the rounds played.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.experiments.luck import as_played
from sim.experiments.sweep import stream
from sim.lab.export import observed
from sim.model.decisions import Decision
from sim.model.errors import InputError
from sim.model.files import MAX_WHOLE
from sim.model.game import Game
from sim.model.scenario import CHANNELS, Scenario, parse_scenario

FORMAT = 1  # the truth file's format
DRAWS = 4  # draws of luck by default (the game's own and the next three)
MAX_DRAWS = 100
RAISE = 0.10  # marginal ROAS: each channel's spend raised by this share
OUTCOMES = ("bookings", "revenue")
# The counterfactuals: the game as played, then each change to the firm's decisions.
VARIANTS = (
    "played",
    *(f"without_{ch}" for ch in CHANNELS),
    *(f"more_{ch}" for ch in CHANNELS),
    "without_marketing",
    "sales_floor",
    "without_both",
)


def channel_of(variant: str) -> str | None:
    """The channel a `without_CHANNEL` or `more_CHANNEL` variant changes (None: another)."""
    how, _, ch = variant.partition("_")
    return ch if how in ("without", "more") and ch in CHANNELS else None


def changed(scenario: Scenario, firm: str, decision: Decision, variant: str) -> Decision:
    """The firm's decision of one round under `variant` (the others' are never changed)."""
    if variant == "played":
        return decision
    data = decision.to_dict()
    m = data["marketing"]
    spend = {ch: m["budget"] * m["mix"].get(ch, 0.0) for ch in CHANNELS}
    ch = channel_of(variant)
    if ch is not None:
        spend[ch] *= 0.0 if variant.startswith("without_") else 1.0 + RAISE
        total = sum(spend.values())
        m["budget"] = total
        if total > 0:
            m["mix"] = {c: v / total for c, v in spend.items()}
    if variant in ("without_marketing", "without_both"):
        m["budget"] = 0.0
    if variant in ("sales_floor", "without_both"):
        floor = sales_floor(scenario, firm, decision)
        data["sales"]["budget"] = min(data["sales"]["budget"], floor)
    return Decision.model_validate(data)


def sales_floor(scenario: Scenario, firm: str, decision: Decision) -> float:
    """The sales budget that employs one rep (`headcount`) at the decision's training share,
    under the firm's economics."""
    econ = scenario.economics_for(scenario.firm(firm))
    per_round = econ.rep_cost_per_year * scenario.meta.round_days / 365.0
    share = min(decision.sales.training_share, 0.99)
    return per_round / (1.0 - share) * (1.0 + 1e-9)


def play_variant(
    base: dict[str, Any],
    seed: int,
    plan: list[dict[str, dict[str, Any]]],
    max_leads: float,
    firm: str,
    variant: str,
) -> dict[str, Any]:
    """One counterfactual game under one draw of luck: every firm's decisions of `plan` cut to
    its cash, this firm's changed by `variant`; the firm's outcomes and channel spend."""
    scenario = parse_scenario(base)
    game = Game(scenario, seed, max_leads=max_leads)
    i = game.ids.index(firm)
    F, S = len(game.ids), len(scenario.segments)
    spend = dict.fromkeys(CHANNELS, 0.0)
    for r, decided in enumerate(plan, start=1):
        decisions = as_played(
            game, decided, lambda fid, d: changed(scenario, fid, d, variant) if fid == firm else d
        )
        mine = decisions.get(firm)
        game.play_round(decisions)
        if mine is not None:
            factor = float(game.events.effects(r, F, S).budget[i])
            for ch in CHANNELS:
                spend[ch] += mine.marketing.budget * mine.marketing.channel(ch) * factor
    reports = [rep.firms[firm] for rep in game.reports]
    return {
        "bookings": sum(f.bookings for f in reports),
        "revenue": sum(f.revenue for f in reports),
        "spend": spend,
    }


@dataclass(frozen=True)
class Estimate:
    """A quantity measured over draws of luck: its mean and the standard error of that mean."""

    value: float | None
    se: float | None

    @classmethod
    def of(cls, values: list[float]) -> Estimate:
        if not values or any(not math.isfinite(v) for v in values):
            return cls(None, None)
        mean = statistics.fmean(values)
        se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else None
        return cls(mean, se)

    def to_json(self) -> dict[str, float | None]:
        return {"value": _r(self.value), "se": _r(self.se)}


def _r(x: float | None) -> float | None:
    return None if x is None else float(f"{x:.6g}")


def draw_seeds(seed: int, draws: int) -> list[int]:
    """The game's own seed, then the next ones (counting down at the top of the range)."""
    if seed + draws - 1 <= MAX_WHOLE:
        return [seed + k for k in range(draws)]
    return [seed - k for k in range(draws)]


def truth(
    game: Game,
    firm: str,
    draws: int = DRAWS,
    workers: int | None = 0,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
    roas_only: bool = False,
) -> dict[str, Any]:
    """The truth of firm `firm` in `game` over the rounds played, as the truth file holds
    it (`FORMAT`); `roas_only`: the ROAS alone (the game and each channel removed: no
    marginal ROAS, no incremental marketing and sales), for a quick look."""
    if not 1 <= draws <= MAX_DRAWS:
        raise InputError("--draws", "", f"must be from 1 to {MAX_DRAWS}, got {draws}")
    if firm not in game.ids:
        raise InputError("", "firm", f"unknown firm {firm!r}")
    if not game.history:
        raise InputError("", "", "no round has been played yet: there is no truth to tell")
    seeds = draw_seeds(game.seed, draws)
    base = game.scenario.model_dump(mode="json")
    plan = [{fid: d.to_dict() for fid, d in rnd.items()} for rnd in game.history]
    used = [
        ch
        for ch in CHANNELS
        if any(
            d[firm].marketing.budget * d[firm].marketing.channel(ch) > 0
            for d in game.history
            if firm in d
        )
    ]
    variants = [v for v in VARIANTS if channel_of(v) in (None, *used)]
    if roas_only:
        variants = [
            v for v in variants if v == "played" or v.startswith("without_") and channel_of(v)
        ]
    jobs = [(base, s, plan, game.max_leads, firm, v) for s in seeds for v in variants]
    rows: list[dict[str, Any]] = [{} for _ in jobs]
    for k, row in stream(play_variant, jobs, workers, progress, scheduler):
        if isinstance(row, str):
            raise RuntimeError(f"a counterfactual game failed: {row}")
        rows[k] = row
    runs = {
        (s, v): rows[n * len(variants) + m]
        for n, s in enumerate(seeds)
        for m, v in enumerate(variants)
    }
    out: dict[str, Any] = {
        "jigsaw_lab_truth": FORMAT,
        "scenario": game.scenario.meta.name,
        "seed": game.seed,
        "firm": firm,
        "rounds": len(game.history),
        "draws": draws,
        "draw_seeds": seeds,
        "held": "every rival's decisions as played; each counterfactual changes only this "
        "firm's decisions, over the same draws of luck (common random numbers)",
        "units": "currency of the scenario; half-lives in days; Hill K in adstock units "
        "(daily spend x 1 / (1 - decay) at a steady spend); churn as an annual hazard",
        "parameters": parameters(game, firm),
    }
    played = [runs[s, "played"] for s in seeds]
    spend = {ch: statistics.fmean(r["spend"][ch] for r in played) for ch in CHANNELS}
    out["spend"] = {ch: _r(v) for ch, v in spend.items()}

    def lift(outcome: str, variant: str, sign: float = 1.0) -> list[float]:
        """Per draw: played minus the variant (sign -1: the variant minus played)."""
        return [sign * (runs[s, "played"][outcome] - runs[s, variant][outcome]) for s in seeds]

    roas: dict[str, Any] = {}
    marginal: dict[str, Any] = {}
    for ch in CHANNELS:
        roas[ch], marginal[ch] = {}, {}
        for outcome in OUTCOMES:
            if ch not in used or spend[ch] <= 0:
                roas[ch][outcome] = marginal[ch][outcome] = Estimate(None, None).to_json()
                continue
            gained = lift(outcome, f"without_{ch}")
            roas[ch][outcome] = Estimate.of([g / spend[ch] for g in gained]).to_json()
            if roas_only:
                marginal[ch][outcome] = Estimate(None, None).to_json()
                continue
            more = lift(outcome, f"more_{ch}", -1.0)
            extra = [
                runs[s, f"more_{ch}"]["spend"][ch] - runs[s, "played"]["spend"][ch] for s in seeds
            ]
            marginal[ch][outcome] = Estimate.of(
                [m / e if e > 0 else math.nan for m, e in zip(more, extra, strict=True)]
            ).to_json()
    out["roas"] = roas
    out["marginal_roas"] = marginal
    incremental: dict[str, Any] = {}
    for outcome in () if roas_only else OUTCOMES:
        m = lift(outcome, "without_marketing")
        s_ = lift(outcome, "sales_floor")
        both = lift(outcome, "without_both")
        inter = [x + y - b for b, x, y in zip(both, m, s_, strict=True)]
        incremental[outcome] = {
            "played": Estimate.of([runs[s, "played"][outcome] for s in seeds]).to_json(),
            "marketing": Estimate.of(m).to_json(),
            "sales": Estimate.of(s_).to_json(),
            "both": Estimate.of(both).to_json(),
            "interaction": Estimate.of(inter).to_json(),
        }
    out["incremental"] = incremental
    out["counterfactuals"] = {
        "without_CHANNEL": "the channel's spend removed from every round (the others kept)",
        "more_CHANNEL": f"the channel's spend raised by {RAISE:.0%} in every round",
        "without_marketing": "no marketing spend in any round",
        "sales_floor": "the sales budget cut to what employs one rep, every round",
        "without_both": "no marketing and the sales floor",
        "interaction": "marketing + sales - both (= played - without marketing - sales floor "
        "+ without both): what marketing and sales make only together",
    }
    return out


def parameters(game: Game, firm: str) -> dict[str, Any]:
    """The market's parameters as this firm meets them: half-lives, Hill K and S per channel
    and segment, advertising's lift, and the churn hazard (the segment's base, and what the
    firm's customers faced: customer-weighted over the game, at the firm's service)."""
    i = game.ids.index(firm)
    p, m = game.params, game.market
    segs = game.scenario.segment_ids
    hill: dict[str, Any] = {
        "advertising": {
            s: {"K": _r(float(m.ad_half[k])), "S": _r(float(m.ad_shape[k]))}
            for k, s in enumerate(segs)
        },
        "pr": {"all": {"K": _r(float(p.pr_half_saturation[i])), "S": 1.0}},
        "demand_gen": {
            s: {"K": _r(float(p.demand_gen_half_saturation[i])), "S": 1.0} for s in segs
        },
    }
    diary, _ = observed(game)
    held = diary.stacked("held")[:, i, :].sum(axis=0)
    hazard = diary.stacked("hazard")[:, i, :].sum(axis=0)
    faced = np.divide(hazard, held, out=np.full_like(hazard, np.nan), where=held > 0)
    return {
        "half_life_days": {ch: _r(float(p.half_life_days[ch][i])) for ch in CHANNELS},
        "hill": hill,
        "ad_lift": {s: _r(float(m.ad_lift[k])) for k, s in enumerate(segs)},
        "demand_gen_lift": _r(float(p.demand_gen_lift[i])),
        "churn": {
            s: {
                "base": _r(float(m.churn[k])),
                "faced": None if not math.isfinite(faced[k]) else _r(float(faced[k])),
            }
            for k, s in enumerate(segs)
        },
    }


def quantities(doc: Mapping[str, Any]) -> dict[str, float]:
    """Every number of a truth document a student may estimate, by dotted name
    (`half_life_days.advertising`, `roas.advertising`, `incremental.marketing`, ...), on
    bookings; quantities the game could not measure are left out."""
    out: dict[str, float] = {}
    params = doc["parameters"]
    for ch, v in params["half_life_days"].items():
        out[f"half_life_days.{ch}"] = v
    for ch, segs in params["hill"].items():
        for s, kv in segs.items():
            out[f"hill.{ch}.{s}.K"] = kv["K"]
            out[f"hill.{ch}.{s}.S"] = kv["S"]
    for s, v in params["ad_lift"].items():
        out[f"ad_lift.{s}"] = v
    for s, v in params["churn"].items():
        if v["faced"] is not None:
            out[f"churn.{s}"] = v["faced"]
    for name in ("roas", "marginal_roas"):
        for ch, by in doc[name].items():
            if by["bookings"]["value"] is not None:
                out[f"{name}.{ch}"] = by["bookings"]["value"]
    bookings = doc["incremental"].get("bookings", {})  # none in a ROAS-only truth
    for part in ("marketing", "sales", "interaction"):
        value = bookings.get(part, {}).get("value")
        if value is not None:
            out[f"incremental.{part}"] = value
    return out
