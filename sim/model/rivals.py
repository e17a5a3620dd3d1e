"""Computer-run competitors. A strategy sees only what a real rival could: its own books and
the public market report of past rounds (`RivalView`), and returns its next decisions. No
strategy simulates the market: a decision is a few lines of arithmetic on what it has seen.

The other bundled rivals steer their split by the alignment gauge (`steer`): from a starting
share, each round they move toward the band the game calls aligned, read off their own
alignment ratio and its trend, five points at a time (ten when far outside). They differ in
style:

- balanced: a split fitted to how the market buys (`fitted_share`: more marketing where
  buyers follow brands, more sales where they follow reps), held all game (every change of
  split hires or lets go reps, and that costs), the default mix and targeting, list price;
  where the market offers routes to market, routes that fit it (`fitted_routes`: part of the
  brand-led buyers online, part of each partner segment to its resellers).
- brand_builder: starts at 60%, heavy on advertising and PR, a 10% price premium; where the
  market offers self-serve, it sends 30% of its brand-led buyers' leads there (`sell_online`).
- sales_machine: starts at 30%, mostly demand generation, well-trained, well-paid reps; it
  answers price cuts (`answer_price`): never more than 5 points above the lowest price of a
  rival with at least a tenth of the market's revenue, down to 0.8 of list.
- discounter: starts at 40%, 20% under list price, light account management.
- adaptive: learns from its own results: its split by the gauge, its price from its own books
  and the public report (`learn_price`): up 5 points when a tenth of its warm leads went cold
  (demand outruns its reps), down 5 points when its reps sat idle while its market share
  fell, or when its price stands 10 points above the market's revenue-weighted average;
  from round 2 it deploys its reps where the last round's warm leads were (`deploy_by_load`,
  a coverage plan); where the market has channel partners, it sends them half the warm
  leads of their segments once a tenth of its warm leads went cold, until its reps sit idle
  (`partners_when_short`).
- even: spreads everything evenly: every segment the same targeting, the centre of the
  perceptual map, half to marketing, no R&D, never steered (a naive baseline).
- split:X (for seats and experiments): the scenario's budget with marketing share X, never
  steered.
- focus:SEG: a coherent strategy for one segment: 70% of targeting there, the segment's ideal
  claimed on the map, a split that fits how it buys (more marketing where buyers follow the
  brand, more sales where they follow the rep), R&D where it wants a powerful product, and a
  perceptual map bought every other round to check the position.

Brand builders and discounters claim the simple, self-serve corner of the map; the sales
machine claims the powerful, high-touch one; balanced and adaptive keep their place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.model.decisions import Decision, check_affordable, expand, split_budget
from sim.model.errors import InputError
from sim.model.files import read_number
from sim.model.gauge import reading
from sim.model.pipeline import deployed, headcount
from sim.model.report import FirmRound
from sim.model.scenario import STRATEGIES, Scenario


@dataclass(frozen=True)
class RivalView:
    """What a firm knows when it decides round `round` (1-based): a computer-run rival's
    input, and the seat a player's screens read (the UI reads this, never the model's
    arrays)."""

    scenario: Scenario
    firm_id: str
    round: int
    cash: float
    credit_line: float
    own: list[FirmRound] = field(default_factory=list)  # its own past rounds (sim.model.research)
    public: list[dict[str, dict[str, Any]]] = field(default_factory=list)  # market reports
    studies: list[dict[str, Any]] = field(default_factory=list)  # what it bought, per round
    target: tuple[float, float] = (0.5, 0.5)  # the position it claims now (power, service)
    bankrupt: bool = False
    employed: int = 0  # reps on the payroll now, productive or ramping (hires and fires follow)

    @property
    def room(self) -> float:
        """What the firm may spend: cash plus credit line (as `Ledger.room`)."""
        return self.cash + self.credit_line

    @property
    def budget(self) -> float:
        """The firm's budget per round, cut back when cash runs low."""
        firm = self.scenario.firm(self.firm_id)
        base = (
            firm.budget_per_round
            if firm.budget_per_round is not None
            else self.scenario.meta.budget_per_round
        )
        return max(0.0, min(base, 0.8 * self.room))

    def staffing(self, sales: float, training_share: float) -> tuple[int, int, int, float, float]:
        """The reps a sales budget employs (`sim.model.pipeline.headcount`), the hires and fires
        that means from the reps employed now, and what they cost once (`SalesForce.staff`:
        hiring_cost a hire, severance_weeks of pay a rep let go): (reps, hires, fires,
        hiring, severance)."""
        econ = self.scenario.economics_for(self.scenario.firm(self.firm_id))
        rep_round = econ.rep_cost_per_year * self.scenario.meta.round_days / 365.0
        reps = headcount(sales, training_share, rep_round)
        hires, fires = max(0, reps - self.employed), max(0, self.employed - reps)
        hiring = hires * econ.hiring_cost
        severance = fires * econ.severance_weeks / 52.0 * econ.rep_cost_per_year
        return reps, hires, fires, hiring, severance

    def check_affordable(self, decision: Decision, source: str, field: str) -> None:
        """Refuse a decision the firm cannot pay for: its budgets and studies, and the hiring
        or severance its sales budget means, beyond cash plus credit (`check_affordable`)."""
        _, _, _, hiring, severance = self.staffing(
            decision.sales.budget, decision.sales.training_share
        )
        check_affordable(
            decision, self.cash, self.credit_line, source, field, self.scenario, hiring + severance
        )

    def consequences(
        self,
        marketing: float,
        sales: float,
        product: float,
        training_share: float,
        research: list[str],
    ) -> dict[str, float]:
        """What a draft of next round's budgets means before it is played: the reps the sales
        budget employs (`sim.model.pipeline.headcount`) and their deal slots, what is left for
        training, the hires and fires that headcount means and what they cost
        (`SalesForce.staff`: hiring_cost a hire, severance_weeks of pay a rep let go), the
        studies' price, the round's fixed costs, everything spent, and cash after it all (and
        the credit that uses), before the round's revenue and its cost of revenue."""
        econ = self.scenario.economics_for(self.scenario.firm(self.firm_id))
        rep_round = econ.rep_cost_per_year * self.scenario.meta.round_days / 365.0
        reps, hires, fires, hiring, severance = self.staffing(sales, training_share)
        studies = sum(self.scenario.research.price(name) for name in research)
        spend = marketing + sales + product + studies + hiring + severance
        cash_after = self.cash - spend - econ.fixed_costs_per_round
        return {
            "marketing": marketing,
            "sales": sales,
            "product": product,
            "research": studies,
            "reps": reps,
            "slots": reps * econ.deals_per_rep,
            "training": max(0.0, sales - reps * rep_round),
            "hires": hires,
            "fires": fires,
            "hiring": hiring,
            "severance": severance,
            "spend": spend,
            "fixed_costs": econ.fixed_costs_per_round,
            "cash": self.cash,
            "cash_after": cash_after,
            "credit_line": self.credit_line,
            "credit_used": max(0.0, -cash_after),
            "room": self.room,
        }


def budget_decision(
    view: RivalView,
    share: float,
    price: float = 1.0,
    mix: dict | None = None,
    position: tuple[float, float] | None = None,
    targeting: dict[str, float] | None = None,
    product_share: float = 0.0,
    research: list[str] | None = None,
    budget: float | None = None,
    coverage: dict[str, float] | None = None,
    routes: dict[str, Any] | None = None,
    **sales: float,
) -> Decision:
    """The firm's budget (or `budget`), studies first, then R&D, then `share` of the rest to
    marketing and the remainder to sales; unnamed settings take the firm's defaults."""
    b = view.budget if budget is None else budget
    research = research or []
    b = max(0.0, b - sum(view.scenario.research.price(r) for r in research))
    share = min(1.0, max(0.0, share))
    marketing, selling, product = split_budget(b, share, product_share)
    raw: dict[str, Any] = {
        "marketing": {"budget": marketing},
        "sales": {"budget": selling, **sales},
        "price": price,
    }
    if product_share:
        raw["product"] = {"budget": product}
    if research:
        raw["research"] = research
    if mix is not None:
        raw["marketing"]["mix"] = mix
    if position is not None:
        raw["marketing"]["positioning"] = {"power": position[0], "service": position[1]}
    if targeting is not None:
        raw["marketing"]["targeting"] = targeting
    if coverage is not None:
        raw["sales"]["coverage"] = coverage
    if routes:
        raw["routes"] = routes
    return expand(view.scenario, raw, f"strategy for {view.firm_id}", firm_id=view.firm_id)


STEPS = {"no_reps": -2, "idle": 2, "room": 1, "aligned": 0, "waiting": -1, "cold": -2}


def steer(view: RivalView, start: float, step: float = 0.05) -> float:
    """The split by the gauge, looking one round ahead: `start` in round 1; then last round's
    share moved toward the aligned band by `step` (two steps when far outside it), read off
    the alignment ratio the firm expects next round if its own last trend goes on
    (rho x rho / rho before, the growth capped at 1.5x either way), within 10%..80%."""
    if not view.own:
        return start
    last = view.own[-1]
    share = last.marketing_share if last.marketing_share > 0 else start
    rho = last.alignment_ratio
    if rho is not None and len(view.own) >= 2:
        before = view.own[-2].alignment_ratio
        if before:
            rho *= min(1.5, max(1 / 1.5, rho / before))
    share += STEPS[reading(rho)] * step
    return min(0.8, max(0.1, round(share, 6)))


def answer_price(view: RivalView, list_price: float = 1.0, floor: float = 0.8) -> float:
    """Never undersold by much: at most 5 points above the lowest price of another active
    firm that took at least a tenth of last round's revenue, between `floor` and
    `list_price`."""
    if not view.public:
        return list_price
    last = view.public[-1]
    others = [
        f["price"]
        for fid, f in last.items()
        if fid != view.firm_id and not f["bankrupt"] and f["market_share"] >= 0.1
    ]
    if not others:
        return list_price
    return max(floor, min(list_price, round(min(others) + 0.05, 6)))


def learn_price(view: RivalView, start: float = 1.0, low: float = 0.85, high: float = 1.3) -> float:
    """Price from its own books and the public report: up 5 points when a tenth of its warm
    leads went cold; down 5 points when its reps sat idle while its market share fell, or
    when it stands 10 points above the market's revenue-weighted average price."""
    if not view.own:
        return start
    last = view.own[-1]
    price = last.price
    others = [
        (f["price"], f["revenue"])
        for fid, f in view.public[-1].items()
        if fid != view.firm_id and not f["bankrupt"] and f["revenue"] > 0
    ]
    weight = sum(r for _, r in others)
    market = sum(p * r for p, r in others) / weight if weight > 0 else price
    fell = len(view.own) >= 2 and last.market_share < view.own[-2].market_share
    if last.cold_share >= 0.1:
        price += 0.05
    elif (reading(last.alignment_ratio) in ("idle", "room") and fell) or price > market + 0.1:
        price -= 0.05
    return min(high, max(low, round(price, 6)))


def fitted_share(scenario: Scenario) -> float:
    """A split that fits how the market buys: 60% marketing less 35 points times its
    relationship weight (each segment weighted by its potential, accounts x deal value), so
    more marketing where buyers follow brands and more sales where they follow reps."""
    potential = [s.accounts * s.deal_value for s in scenario.segments]
    weight = sum(
        p * s.relationship_weight for p, s in zip(potential, scenario.segments, strict=True)
    )
    return round(0.6 - 0.35 * weight / sum(potential), 6)


def fitted_routes(scenario: Scenario) -> dict[str, Any] | None:
    """Routes that fit how each segment buys (none where the market offers none): the
    brand-led buyers' leads partly to self-serve (`sell_online`'s rule) and FITTED_PARTNERS of
    each partner segment's leads to its resellers."""
    online = {"self_serve": dict(s)} if (s := _brand_led_online(scenario)) else {}
    partners = dict.fromkeys(scenario.partner_segments, FITTED_PARTNERS)
    routes = {**online, **({"partner": partners} if partners else {})}
    return routes or None


def balanced(view: RivalView) -> Decision:
    """The fitted split (`fitted_share`) and routes (`fitted_routes`), held: headcount is
    not whipsawed."""
    return budget_decision(view, fitted_share(view.scenario), routes=fitted_routes(view.scenario))


def brand_builder(view: RivalView) -> Decision:
    return budget_decision(
        view,
        steer(view, 0.6),
        price=1.1,
        mix={"advertising": 0.5, "pr": 0.35, "demand_gen": 0.15},
        position=(0.3, 0.25),
        training_share=0.05,
        routes=sell_online(view),
    )


def deploy_by_load(view: RivalView) -> dict[str, float] | None:
    """A coverage plan with the reps where the last round's warm workload was
    (`load_by_segment`); None (one pool) in the first round, in a market of one segment, or
    after a round without warm leads."""
    if not view.own or len(view.scenario.segments) < 2:
        return None
    load = view.own[-1].load_by_segment
    total = sum(load.values())
    if total <= 0:
        return None
    segments = view.scenario.segment_ids
    millionths = deployed(10**6, np.array([load.get(s, 0.0) for s in segments]))
    return {s: n / 10**6 for s, n in zip(segments, millionths, strict=True)}


ONLINE_SHARE = 0.3  # a brand builder's share of brand-led buyers sent to self-serve
BRAND_LED = 0.3  # ... in the segments whose relationship_weight is below this
PARTNER_SHARE = 0.5  # an adaptive rival's share of warm leads sent to partners when short


FITTED_PARTNERS = 0.3  # the balanced play's share of a partner segment's leads to resellers


def _brand_led_online(scenario: Scenario) -> dict[str, float]:
    """ONLINE_SHARE for each segment that offers self-serve and buys on brand
    (relationship_weight below BRAND_LED)."""
    return {
        s.id: ONLINE_SHARE
        for s in scenario.segments
        if s.id in scenario.self_serve_segments and s.relationship_weight < BRAND_LED
    }


def sell_online(view: RivalView) -> dict[str, Any] | None:
    """Self-serve for the buyers who follow the brand: ONLINE_SHARE of the warm leads of each
    segment that offers self-serve and buys on brand (relationship_weight below BRAND_LED)."""
    online = _brand_led_online(view.scenario)
    return {"self_serve": online} if online else None


def partners_when_short(view: RivalView) -> dict[str, Any] | None:
    """Partners where its reps are short: PARTNER_SHARE of the warm leads of each segment
    with partners once a tenth of last round's warm leads went cold, kept while the reps
    stay busy, dropped when the gauge reads idle reps (or room to spare)."""
    segments = view.scenario.partner_segments
    if not segments or not view.own:
        return None
    last = view.own[-1]
    had = last.partner_leads > 0
    spare = reading(last.alignment_ratio) in ("idle", "room")
    if last.cold_share >= 0.1 or (had and not spare):
        return {"partner": dict.fromkeys(segments, PARTNER_SHARE)}
    return None


def sales_machine(view: RivalView) -> Decision:
    return budget_decision(
        view,
        steer(view, 0.3),
        price=answer_price(view),
        mix={"advertising": 0.2, "pr": 0.1, "demand_gen": 0.7},
        position=(0.75, 0.8),
        training_share=0.15,
        commission_rate=0.12,
    )


def discounter(view: RivalView) -> Decision:
    return budget_decision(
        view,
        steer(view, 0.4),
        price=0.8,
        mix={"advertising": 0.4, "pr": 0.0, "demand_gen": 0.6},
        position=(0.25, 0.2),
        account_management=0.1,
    )


def adaptive(view: RivalView) -> Decision:
    """Learns from its own results: the split by the gauge, the price by `learn_price`, and
    its reps deployed where the last round's warm leads were (`deploy_by_load`)."""
    return budget_decision(
        view,
        steer(view, 0.45),
        price=learn_price(view),
        coverage=deploy_by_load(view),
        routes=partners_when_short(view),
    )


def even(view: RivalView) -> Decision:
    segments = view.scenario.segment_ids
    return budget_decision(
        view, 0.5, position=(0.5, 0.5), targeting={s: 1.0 / len(segments) for s in segments}
    )


def focus(segment_id: str) -> Callable[[RivalView], Decision]:
    """Fit everything to one segment (see the module docstring)."""

    def focused(view: RivalView) -> Decision:
        scen = view.scenario
        seg = next(s for s in scen.segments if s.id == segment_id)
        others = [s for s in scen.segment_ids if s != segment_id]
        targeting = {s: 0.3 / len(others) for s in others} | {
            segment_id: 1.0 if not others else 0.7
        }
        ideal = seg.ideal.xy() if seg.ideal is not None else None
        share = 0.65 - 0.4 * seg.relationship_weight
        rd = 0.06 if ideal is not None and ideal[0] > 0.6 else 0.0
        research = ["perceptual_map"] if view.round % 2 == 1 else []
        return budget_decision(
            view, share, position=ideal, targeting=targeting, product_share=rd, research=research
        )

    return focused


def fixed_split(share: float) -> Callable[[RivalView], Decision]:
    def split(view: RivalView) -> Decision:
        return budget_decision(view, share)

    return split


BY_NAME: dict[str, Callable[[RivalView], Decision]] = {
    "balanced": balanced,
    "brand_builder": brand_builder,
    "sales_machine": sales_machine,
    "discounter": discounter,
    "adaptive": adaptive,
    "even": even,
}
assert tuple(BY_NAME) == STRATEGIES


def check_strategy(name: str, scenario: Scenario) -> None:
    """Refuse a strategy name before any game: unknown, or focus: on no such segment."""
    strategy(name)
    if name.startswith("focus:") and name[6:] not in scenario.segment_ids:
        raise InputError(
            "--strategy",
            name,
            f"focus: names a segment; expected one of {', '.join(scenario.segment_ids)}",
        )


def strategy(name: str) -> Callable[[RivalView], Decision]:
    """A strategy by name: one of STRATEGIES, or `split:X` with X in [0, 1]."""
    if name in BY_NAME:
        return BY_NAME[name]
    if name.startswith("split:"):
        share = read_number(name.split(":", 1)[1])
        if share is not None and 0.0 <= share <= 1.0:
            return fixed_split(share)
        raise InputError("--strategy", name, "split:X needs X between 0 and 1, e.g. split:0.4")
    if name.startswith("focus:"):
        return focus(name.split(":", 1)[1])
    raise InputError(
        "--strategy",
        name,
        f"unknown strategy; expected one of {', '.join(STRATEGIES)}, split:X or focus:SEGMENT",
    )
