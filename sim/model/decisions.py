"""A firm's decisions for one round, and decisions files.

Full form: a marketing budget with its mix, targeting and target position, a sales budget
with training, commission and account management, a product (R&D) budget, the market studies
to buy, and a price index. Simple form: `budget`, `product_share` of it for R&D, and
`marketing_share` of the rest for marketing (sales gets what is left), expanded with the
scenario's defaults. A decisions file holds one decision
(used every round) or a `[[rounds]]` list (a shorter list repeats its last entry).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.model.errors import InputError, from_validation, shown
from sim.model.files import MAX_NUMBER, read_toml
from sim.model.scenario import (
    ACCOUNT_MANAGEMENT_MAX,
    CHANNELS,
    COMMISSION_MAX,
    PARTNER_MARGIN_MAX,
    PRICE_RANGE,
    STUDIES,
    Point,
    Scenario,
)

TOLERANCE = 1e-6


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


def share_problem(table: dict[str, Any]) -> tuple[str | None, str] | None:
    """The one rule for a table of shares (mix, targeting, a coverage plan): each a number
    from 0 to 1, all summing to 1. The first thing wrong, as (the key, or None for the
    whole table; what is wrong), or None."""
    for key, share in table.items():
        if not isinstance(share, int | float) or isinstance(share, bool):
            return key, f"must be a number (a share from 0 to 1), got {shown(share)}"
        if not 0 <= share <= 1:
            return key, f"must be a share from 0 to 1, got {shown(share)}"
    total = sum(table.values())
    if abs(total - 1) > TOLERANCE:
        return None, f"shares must sum to 1, got {total:g}"
    return None


def _check_shares(table: dict[str, float], what: str) -> None:
    problem = share_problem(table)
    if problem is not None:
        key, message = problem
        raise ValueError(
            f"{what} shares must be between 0 and 1" if key is not None else f"{what} {message}"
        )


class Marketing(_Strict):
    budget: float = Field(ge=0, le=MAX_NUMBER, description="Marketing spend this round, currency.")
    mix: dict[str, float] = Field(description="Shares of advertising, pr, demand_gen (sum 1).")
    targeting: dict[str, float] = Field(description="Shares by segment id (sum 1).")
    positioning: Point | None = Field(
        None,
        description="The position communications claim on the perceptual map (none: keep "
        "the last target; at the start, the firm's starting position).",
    )
    qualification: float = Field(
        0.0,
        ge=0,
        le=1,
        description="The lead-score bar a warm lead must pass to go to sales: the share of "
        "the round's new warm leads, lowest-scored first, sent to nurture instead (0: every "
        "lead goes to sales).",
    )
    holdout: str | None = Field(
        None,
        description="A lift test: hold out this segment's advertising for the round (its "
        "advertising budget is not spent) and buy the study that measures what it would have "
        "brought in (research price lift_test).",
    )

    @model_validator(mode="after")
    def _shares(self) -> Marketing:
        unknown = set(self.mix) - set(CHANNELS)
        if unknown:
            raise ValueError(
                f"mix.{sorted(unknown)[0]}: unknown channel; expected {', '.join(CHANNELS)}"
            )
        _check_shares(self.mix, "mix")
        _check_shares(self.targeting, "targeting")
        return self

    def channel(self, name: str) -> float:
        return self.mix.get(name, 0.0)


class Sales(_Strict):
    budget: float = Field(
        ge=0, le=MAX_NUMBER, description="Sales spend: buys headcount at rep cost; the rest trains."
    )
    training_share: float = Field(ge=0, le=1, description="Share of the budget kept for training.")
    commission_rate: float = Field(
        ge=0, le=COMMISSION_MAX, description="Commission on first-year bookings."
    )
    account_management: float = Field(
        ge=0, le=ACCOUNT_MANAGEMENT_MAX, description="Share of sales capacity kept for customers."
    )
    coverage: dict[str, float] | None = Field(
        None,
        description="The coverage plan: shares of the hunting reps' slots by segment id (sum "
        "1); each segment's reps work its leads only, prospect in it and learn it. None: one "
        "pool of reps works every segment.",
    )

    @model_validator(mode="after")
    def _coverage(self) -> Sales:
        if self.coverage is not None:
            _check_shares(self.coverage, "coverage")
        return self

    def coverage_shares(self, segments: list[str]) -> np.ndarray | None:
        """The coverage plan as shares in the scenario's segment order (None: one pool)."""
        if self.coverage is None:
            return None
        return np.array([self.coverage.get(s, 0.0) for s in segments])


class Routes(_Strict):
    """Routes to market: per segment, the shares of its warm leads (inbound and referrals)
    sent to channel partners and to self-serve online; the rest go to the firm's reps."""

    partner: dict[str, float] = Field(
        default_factory=dict,
        description="Share of each segment's warm leads sent to channel partners, by segment id.",
    )
    self_serve: dict[str, float] = Field(
        default_factory=dict,
        description="Share of each segment's warm leads sent to self-serve sign-up, by segment id.",
    )
    partner_margin: float | None = Field(
        None,
        ge=0,
        le=PARTNER_MARGIN_MAX,
        description="The margin offered to partners on the first-year value of each deal they "
        "close (none: the market's, economics.partner_margin); more buys more of their "
        "capacity and reach.",
    )

    @model_validator(mode="after")
    def _shares(self) -> Routes:
        for name in ("partner", "self_serve"):
            for seg, share in getattr(self, name).items():
                if not 0 <= share <= 1:
                    raise ValueError(f"{name}.{seg} must be a share from 0 to 1, got {share!r}")
        for seg in set(self.partner) & set(self.self_serve):
            if self.partner[seg] + self.self_serve[seg] > 1 + TOLERANCE:
                raise ValueError(
                    f"partner and self_serve shares of {seg} add up to more than 1 "
                    f"({self.partner[seg] + self.self_serve[seg]:g}); the rest goes direct"
                )
        return self

    def shares(self, segments: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(partner, self-serve) shares in the scenario's segment order."""
        return (
            np.array([self.partner.get(s, 0.0) for s in segments]),
            np.array([self.self_serve.get(s, 0.0) for s in segments]),
        )

    def margin(self, market: float) -> float:
        """The partner margin offered (the market's when none is decided)."""
        return market if self.partner_margin is None else self.partner_margin


class Product(_Strict):
    budget: float = Field(
        0.0, ge=0, le=MAX_NUMBER, description="Product development (R&D) spend, currency."
    )


class Decision(_Strict):
    marketing: Marketing
    sales: Sales
    product: Product = Product()
    research: list[str] = Field(
        default_factory=list, description="Market studies to buy: " + ", ".join(STUDIES)
    )
    price: float = Field(
        1.0, ge=PRICE_RANGE[0], le=PRICE_RANGE[1], description="Price index on list price."
    )
    routes: Routes | None = Field(
        None, description="Routes to market (none: every lead goes to the firm's reps)."
    )

    @model_validator(mode="after")
    def _studies(self) -> Decision:
        for k, name in enumerate(self.research):
            if name not in STUDIES:
                raise ValueError(
                    f"research[{k}]: unknown study {name!r}; expected one of {', '.join(STUDIES)}"
                )
            if name in self.research[:k]:
                raise ValueError(f"research[{k}]: study {name!r} is listed twice")
        return self

    @property
    def total_budget(self) -> float:
        """Marketing + sales + product (research is priced by the scenario: `spending`)."""
        return self.marketing.budget + self.sales.budget + self.product.budget

    def research_cost(self, scenario: Scenario) -> float:
        """The studies bought, and the lift test when a segment is held out."""
        lift = scenario.research.lift_test if self.marketing.holdout is not None else 0.0
        return sum(scenario.research.price(s) for s in self.research) + lift

    def spending(self, scenario: Scenario) -> float:
        """Everything this decision spends in a round, research included."""
        return self.total_budget + self.research_cost(scenario)

    @property
    def marketing_share(self) -> float:
        """Marketing's share of marketing + sales: the split the game is about."""
        total = self.marketing.budget + self.sales.budget
        return self.marketing.budget / total if total > 0 else 0.0

    @property
    def product_share(self) -> float:
        """Product development's share of the whole budget."""
        total = self.total_budget
        return self.product.budget / total if total > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The decision as JSON data (a decision without routes has no `routes` key, as
        before routes existed: saves and reports of direct-only play stay as they were)."""
        data = self.model_dump(mode="json")
        if data["routes"] is None:
            del data["routes"]
        return data

    def partner_margin(self, market: float) -> float:
        """The margin this decision offers partners: its routes' own, else the market's."""
        return market if self.routes is None else self.routes.margin(market)

    @property
    def indirect(self) -> bool:
        """Whether any leads go by a route other than the firm's reps."""
        r = self.routes
        return r is not None and any(v > 0 for v in (*r.partner.values(), *r.self_serve.values()))

    def with_split(self, marketing_share: float) -> Decision:
        """This decision with its marketing + sales budget split another way (`split_budget`),
        everything else as decided: price, mix, targeting, training, commission, account
        management, R&D and studies. What hindsight varies, like for like."""
        marketing, sales, _ = split_budget(
            self.marketing.budget + self.sales.budget, marketing_share
        )
        data = self.to_dict()
        data["marketing"]["budget"], data["sales"]["budget"] = marketing, sales
        return Decision.model_validate(data)

    def lever(self, lever: str) -> float:
        """One lever of `STEPS` as decided: the split, or a field by its dotted path."""
        if lever == "marketing_share":
            return self.marketing_share
        value: Any = self.to_dict()
        for key in lever.split("."):
            value = value[key]
        return float(value)

    def nudged(self, lever: str, step: float) -> Decision | None:
        """This decision with one lever of `STEPS` moved by `step` (the split keeps the
        marketing + sales budget; the others set the value), clamped to its range; None when
        the clamp leaves nothing changed (a lever at the end of its range)."""
        low, high = RANGES[lever]
        now = self.lever(lever)
        if lever == "marketing_share":
            share = min(high, max(low, now + step))
            return None if abs(share - now) < TOLERANCE else self.with_split(share)
        value = round(min(high, max(low, now + step)), 6)
        if abs(value - now) < TOLERANCE:
            return None
        data = self.to_dict()
        *path, last = lever.split(".")
        table = data
        for key in path:
            table = table[key]
        table[last] = value
        return Decision.model_validate(data)

    def within(self, scenario: Scenario, room: float) -> Decision:
        """This decision cut to what `room` (cash plus credit) allows: the one rule for every
        decision made on a firm's behalf (a class team that did not submit, a sweep's fixed
        play, hindsight, a class migrated to new rules). Studies are kept, in the order
        bought, while they fit; then marketing, sales and R&D scale down by one factor, so
        the split and the R&D share stay as decided. A decision that fits comes back as is."""
        room = max(0.0, room)
        if self.spending(scenario) <= room + TOLERANCE:
            return self
        studies, cost = [], 0.0
        for study in self.research:
            price = scenario.research.price(study)
            if cost + price <= room:
                studies.append(study)
                cost += price
        total = self.total_budget
        factor = min(1.0, (room - cost) / total) if total > 0 else 0.0
        data = self.to_dict()
        data["research"] = studies
        for part in ("marketing", "sales", "product"):
            data[part]["budget"] *= factor
        return Decision.model_validate(data)


def simple(
    scenario: Scenario,
    budget: float,
    marketing_share: float,
    price: float = 1.0,
    firm_id: str | None = None,
) -> Decision:
    """Simple mode: a total budget and the share of it that goes to marketing."""
    return expand(
        scenario,
        {"budget": budget, "marketing_share": marketing_share, "price": price},
        firm_id=firm_id,
    )


def _without_negative_zero(raw: dict[str, Any]) -> dict[str, Any]:
    """A copy of a decision table with every -0.0 read as 0.0: the same decision, and the
    same bytes in its reports and saves ("-0%" is nothing a player meant)."""

    def clean(v: Any) -> Any:
        if type(v) is float and v == 0.0:
            return 0.0
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v

    return clean(dict(raw))  # type: ignore[no-any-return]


def expand(
    scenario: Scenario,
    raw: dict[str, Any],
    source: str = "<decisions>",
    prefix: str = "",
    firm_id: str | None = None,
) -> Decision:
    """Validate one decision table (full or simple form) against the scenario."""
    econ = scenario.economics
    if firm_id is not None:
        econ = scenario.economics_for(scenario.firm(firm_id))
    raw = _without_negative_zero(raw)
    if "marketing_share" in raw or ("budget" in raw and "marketing" not in raw):
        simple_keys = {"budget", "marketing_share", "product_share", "price", "research"}
        extra = set(raw) - simple_keys
        if extra:
            name = sorted(extra)[0]
            full = " (it belongs to full decisions: [marketing], [sales], [product], [routes])"
            raise InputError(
                source,
                _join(prefix, name),
                "is not a simple-mode field (budget, marketing_share, product_share, price, "
                "research)" + (full if name in Decision.model_fields else ""),
            )
        try:
            simple_form = _SimpleDecision.model_validate(raw)
        except ValidationError as exc:
            raise from_validation(source, exc, prefix) from None
        b, m, p = simple_form.budget, simple_form.marketing_share, simple_form.product_share
        marketing, sales, product = split_budget(b, m, p)
        raw = {
            "marketing": {"budget": marketing},
            "sales": {"budget": sales},
            "product": {"budget": product},
            "research": simple_form.research,
            "price": simple_form.price,
        }
    for section in ("marketing", "sales"):
        if section not in raw:
            raise InputError(source, _join(prefix, section), "is required but missing")
        if not isinstance(raw[section], dict):
            raise InputError(source, _join(prefix, section), "must be a table")
    mk = {"mix": dict(econ.mix), "targeting": scenario.default_targeting(), **raw["marketing"]}
    sl = {
        "training_share": econ.training_share,
        "commission_rate": econ.commission_rate,
        "account_management": econ.account_management,
        **raw["sales"],
    }
    for table, field in ((mk, "marketing.targeting"), (sl, "sales.coverage")):
        key = field.split(".")[1]
        if isinstance(table.get(key), dict):
            for seg in table[key]:
                if seg not in scenario.segment_ids:
                    raise InputError(
                        source,
                        _join(prefix, f"{field}.{seg}"),
                        f"unknown segment; expected one of {', '.join(scenario.segment_ids)}",
                    )
            problem = share_problem(table[key])
            if problem is not None:
                seg, message = problem
                where = field if seg is None else f"{field}.{seg}"
                raise InputError(source, _join(prefix, where), message)
            table[key] = {s: table[key].get(s, 0.0) for s in scenario.segment_ids}
    holdout = mk.get("holdout")
    if holdout is not None and holdout not in scenario.segment_ids:
        raise InputError(
            source,
            _join(prefix, "marketing.holdout"),
            f"unknown segment; expected one of {', '.join(scenario.segment_ids)}",
        )
    if raw.get("routes") is not None:
        raw = {
            **raw,
            "routes": routes_table(scenario, raw["routes"], source, _join(prefix, "routes")),
        }
    try:
        return Decision.model_validate({**raw, "marketing": mk, "sales": sl})
    except ValidationError as exc:
        raise from_validation(source, exc, prefix) from None


def routes_table(scenario: Scenario, raw: Any, source: str, where: str) -> dict[str, Any]:
    """The one rule for routes to market: a `[routes]` table checked against the scenario,
    each route only in the segments that offer it (partners where `partner_capacity` > 0,
    self-serve where `self_serve_conversion` > 0), each share from 0 to 1, and at most 1 in
    all per segment; the offered segments not named get 0. Read by decisions files and by
    plain mode's route commands (`where` "" names fields from the route down)."""
    if not isinstance(raw, dict):
        raise InputError(source, where, "must be a table (partner, self_serve, partner_margin)")
    extra = set(raw) - {"partner", "self_serve", "partner_margin"}
    if extra:
        raise InputError(
            source,
            _join(where, sorted(extra)[0]),
            "is not a routes field (partner, self_serve, partner_margin)",
        )
    offered = {"partner": scenario.partner_segments, "self_serve": scenario.self_serve_segments}
    out: dict[str, Any] = {k: v for k, v in raw.items() if k == "partner_margin"}
    for route, segments in offered.items():
        table = raw.get(route, {})
        if not isinstance(table, dict):
            raise InputError(source, _join(where, route), "must be a table of shares by segment")
        for seg, share in table.items():
            field = _join(where, f"{route}.{seg}")
            if seg not in scenario.segment_ids:
                raise InputError(
                    source,
                    field,
                    f"unknown segment; expected one of {', '.join(scenario.segment_ids)}",
                )
            problem = share_problem({seg: share})
            if problem is not None and problem[0] is not None:
                raise InputError(source, field, problem[1])
            if share > 0 and seg not in segments:
                what = "channel partners" if route == "partner" else "self-serve sign-up"
                there = ", ".join(segments) or "none"
                raise InputError(
                    source, field, f"this scenario has no {what} in {seg} (it has them in: {there})"
                )
        if segments:
            out[route] = {s: float(table.get(s, 0.0)) for s in segments}
    for seg in scenario.segment_ids:
        total = out.get("partner", {}).get(seg, 0.0) + out.get("self_serve", {}).get(seg, 0.0)
        if total > 1 + TOLERANCE:
            raise InputError(
                source,
                _join(where, seg),
                f"partner and self_serve shares add up to {total * 100:.8g}% of its warm "
                "leads; at most 100% (the rest goes to the reps)",
            )
    return out


class _SimpleDecision(_Strict):
    budget: float = Field(ge=0, le=MAX_NUMBER)
    marketing_share: float = Field(0.4, ge=0, le=1)
    product_share: float = Field(0.0, ge=0, le=1)
    price: float = Field(1.0, ge=PRICE_RANGE[0], le=PRICE_RANGE[1])
    research: list[str] = Field(default_factory=list)


def split_budget(
    budget: float, marketing_share: float, product_share: float = 0.0
) -> tuple[float, float, float]:
    """The one rule for a budget: R&D takes `product_share` of it first; marketing takes
    `marketing_share` of the rest and sales the remainder. Returns (marketing, sales, R&D)."""
    rest = budget * (1.0 - product_share) if product_share else budget
    return rest * marketing_share, rest * (1.0 - marketing_share), budget * product_share


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def check_affordable(
    decision: Decision,
    cash: float,
    credit_line: float,
    source: str = "",
    field: str = "",
    scenario: Scenario | None = None,
    staffing: float = 0.0,
) -> None:
    """Refuse spending beyond cash plus credit (a clear message, not a crash). With the
    scenario, the studies bought count too; `staffing` is what the hires or fires the sales
    budget means cost once (`RivalView.check_affordable` knows the reps employed now)."""
    available = cash + credit_line
    spend = decision.spending(scenario) if scenario is not None else decision.total_budget
    spend += staffing
    if spend > available + TOLERANCE:
        why = f" (with {staffing:,.0f} of hiring and severance)" if staffing > 0 else ""
        raise InputError(
            source,
            field or "budget",
            f"spending {spend:,.0f}{why} is more than cash plus credit ({available:,.0f})",
        )


def parse_decisions(
    data: dict[str, Any],
    scenario: Scenario,
    source: str = "<decisions>",
    firm_id: str | None = None,
) -> list[Decision]:
    """A decisions mapping: one decision, or `rounds = [...]`, one per round."""
    if "rounds" in data:
        rounds = data["rounds"]
        extra = set(data) - {"rounds"}
        if extra:
            raise InputError(source, sorted(extra)[0], "must sit inside a [[rounds]] table")
        if not isinstance(rounds, list) or not rounds:
            raise InputError(source, "rounds", "must be a non-empty list of [[rounds]] tables")
        if len(rounds) > scenario.meta.rounds:
            raise InputError(
                source,
                "rounds",
                f"has {len(rounds)} entries; the scenario has {scenario.meta.rounds} rounds",
            )
        out = []
        for k, entry in enumerate(rounds):
            if not isinstance(entry, dict):
                raise InputError(source, f"rounds[{k}]", "must be a table")
            out.append(expand(scenario, entry, source, prefix=f"rounds[{k}]", firm_id=firm_id))
        return out
    return [expand(scenario, data, source, firm_id=firm_id)]


def load_decisions(
    path: str | Path, scenario: Scenario, firm_id: str | None = None
) -> list[Decision]:
    """Read a decisions TOML file (one decision, or a `[[rounds]]` list)."""
    return parse_decisions(read_toml(Path(path), "decisions"), scenario, str(path), firm_id=firm_id)


def for_round(plan: list[Decision], round_index: int) -> Decision:
    """The decision for round `round_index` (0-based): a shorter plan repeats its last entry."""
    return plan[min(round_index, len(plan) - 1)]


def _bounds(model: type[BaseModel], name: str) -> tuple[float, float]:
    """A field's (ge, le) from the decision schema (unbounded sides: -inf, inf)."""
    low, high = -math.inf, math.inf
    for rule in model.model_fields[name].metadata:
        low = float(getattr(rule, "ge", low))
        high = float(getattr(rule, "le", high))
    return low, high


# Every decision value's range, read from the schema above: sweeps (`--vary`), the decision
# form and the balance check's corner plays take them from here.
RANGES: dict[str, tuple[float, float]] = {
    "budget": _bounds(_SimpleDecision, "budget"),
    "marketing_share": _bounds(_SimpleDecision, "marketing_share"),
    "product_share": _bounds(_SimpleDecision, "product_share"),
    "price": _bounds(Decision, "price"),
    "sales.training_share": _bounds(Sales, "training_share"),
    "sales.commission_rate": _bounds(Sales, "commission_rate"),
    "sales.account_management": _bounds(Sales, "account_management"),
    **{f"marketing.mix.{ch}": (0.0, 1.0) for ch in CHANNELS},
    "marketing.qualification": _bounds(Marketing, "qualification"),
    "routes.partner_margin": _bounds(Routes, "partner_margin"),
    "marketing.positioning.power": (0.0, 1.0),
    "marketing.positioning.service": (0.0, 1.0),
}


# One step of each lever, each way: the neighbourhood a decision is judged against (decision
# quality, `sim.experiments.quality`): the split 10 points, the price 0.1, and the sales levers
# a step of the size the decision form moves them by.
STEPS: dict[str, float] = {
    "marketing_share": 0.10,
    "price": 0.10,
    "sales.training_share": 0.05,
    "sales.commission_rate": 0.02,
    "sales.account_management": 0.05,
}
# The levers of STEPS that simple mode shows (the split and the price; the sales levers are
# full mode's): what a simple-mode player can be told to move.
SIMPLE_LEVERS: tuple[str, ...] = ("marketing_share", "price")
