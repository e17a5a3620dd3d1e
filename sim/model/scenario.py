"""The scenario file: a market, its firms and the rules of one game (TOML).

A scenario is validated once, here, into frozen pydantic models; the rest of `sim/` trusts it.
Rates in the file are per year (as textbooks quote them); money is in the scenario's currency.
Every field documents its unit and range; `jigsaw scenario schema` prints the JSON Schema.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.model.errors import FieldError, InputError, from_validation
from sim.model.files import read_toml
from sim.model.workload import MAX_LEADS, check_workload

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]


def _one_line(text: str) -> str:
    """A name is printable text on one line: a control character (an escape that recolours
    or clears a terminal, a bell, a line break) would reach every screen, table and file
    that shows the name."""
    if not text.isprintable():
        bad = next(c for c in text if not c.isprintable())
        raise ValueError(f"must be printable text on one line, without {ascii(bad)}")
    return text


# Control characters a paragraph may not hold: all but line breaks and tabs, and the
# invisible marks that reorder text on screen (bidirectional overrides and isolates).
_HIDDEN = frozenset(
    [chr(c) for c in range(32) if chr(c) not in "\n\t"]
    + [chr(127), "\u0085", "\u2028", "\u2029"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


def _paragraph(text: str) -> str:
    """A description is text whose only control characters are line breaks and tabs."""
    bad = next((c for c in text if c in _HIDDEN), None)
    if bad is not None:
        raise ValueError(f"must be plain text (line breaks allowed), without {ascii(bad)}")
    return text


Label = Annotated[str, Field(max_length=80), AfterValidator(_one_line)]
Line = Annotated[str, Field(max_length=300), AfterValidator(_one_line)]  # a sentence
Paragraph = Annotated[str, Field(max_length=4000), AfterValidator(_paragraph)]

CHANNELS = ("advertising", "pr", "demand_gen")
MAX_HALF_LIFE_DAYS = 3650.0  # a channel's adstock half-life: ten years is past any memory
AXES = ("power", "service")  # the perceptual map: simple..powerful, self-serve..high-touch
# Decision ranges, written once: the decision schema (sim.model.decisions) and the scenario's
# starting values use them; forms, sweeps and the balance check read `sim.model.decisions.RANGES`.
PRICE_RANGE = (0.5, 2.0)  # price index on list price
COMMISSION_MAX = 0.5  # commission on first-year bookings
PARTNER_MARGIN_MAX = 0.6  # of first-year value: beyond it a partner earns more than the firm
ACCOUNT_MANAGEMENT_MAX = 0.9  # share of sales capacity kept for customers

STUDIES = ("brand_tracker", "perceptual_map", "win_loss", "pipeline_benchmark")
STUDY_LABELS = {
    "brand_tracker": "Brand tracker",
    "perceptual_map": "Perceptual map",
    "win_loss": "Win/loss",
    "pipeline_benchmark": "Pipeline benchmark",
}
STRATEGIES = ("balanced", "brand_builder", "sales_machine", "discounter", "adaptive", "even")
EVENT_KINDS = (
    "recession",
    "rival_launch",
    "viral_moment",
    "rep_attrition",
    "budget_cut",
    "price_war",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class Goal(Strict):
    """A goal the scorecard checks for the player (docs/SCENARIOS.md, Goals): a round KPI
    (`sim.model.kpis.ROUND_KPIS`) at the end (`final`), in every round (`every`), summed over
    the game (`total`), or inside its range in at least `rounds` rounds (`rounds`)."""

    text: Annotated[str, Field(min_length=1, max_length=120), AfterValidator(_one_line)] = Field(
        description="The goal, as players read it."
    )
    kpi: str = Field(description="A round KPI: revenue, profit, cash, market_share, ...")
    over: Literal["final", "every", "total", "rounds"] = Field(
        "final", description="final, every (round), total (sum), rounds (how many in range)."
    )
    at_least: float | None = Field(None, description="Lowest value that meets the goal.")
    at_most: float | None = Field(None, description="Highest value that meets the goal.")
    aligned: bool = Field(
        False, description="alignment_ratio only: the range is the gauge's aligned band."
    )
    rounds: int | None = Field(None, ge=1, le=40, description="over = rounds: how many rounds.")

    @model_validator(mode="after")
    def _range(self) -> Goal:
        from sim.model.kpis import ROUND_KPIS  # noqa: PLC0415 (kpis reads the reports, and they this)

        if self.kpi not in ROUND_KPIS:
            raise ValueError(f"unknown kpi {self.kpi!r}; expected one of {', '.join(ROUND_KPIS)}")
        if self.aligned and self.kpi != "alignment_ratio":
            raise ValueError("aligned = true is for the alignment_ratio kpi only")
        if not self.aligned and self.at_least is None and self.at_most is None:
            raise ValueError("give at_least, at_most (or both), or aligned = true")
        if (self.over == "rounds") != (self.rounds is not None):
            raise ValueError("rounds goes with over = 'rounds', and only with it")
        return self


class Meta(Strict):
    name: Label = Field(description="Title shown to players.")

    @model_validator(mode="before")
    @classmethod
    def _no_mean_field(cls, data: object) -> object:
        """`mean_field` was a mode of model versions 1-3 (expected values instead of draws);
        it was removed because its results were not the mean of play with luck (docs/MODEL.md,
        "Why every game has luck"). `false` says what every game now does: let through."""
        if isinstance(data, dict) and "mean_field" in data:
            if data["mean_field"] is not False:
                raise FieldError(
                    ("mean_field",),
                    "mean-field mode was removed in model version 4 (its smooth results were "
                    "not the mean of play with luck): leave the setting out (or false); every "
                    "game draws its luck",
                )
            data = {k: v for k, v in data.items() if k != "mean_field"}
        return data

    description: Paragraph = Field(
        "", description="What the scenario is about, for the new-game screen."
    )
    rounds: int = Field(8, ge=1, le=40, description="Rounds in a game.")
    round_days: int = Field(91, ge=7, le=365, description="Days in a round (91 = a quarter).")
    currency: Label = Field("USD", max_length=8, description="Currency code for display.")
    budget_per_round: float = Field(
        300_000, ge=0, description="Total budget (currency per round) simple mode starts from."
    )
    difficulty: Literal["easy", "medium", "hard"] = Field("medium", description="Shown to players.")
    learning_goals: list[Line] = Field(
        default_factory=list, max_length=20, description="What a player learns."
    )
    goals: list[Goal] = Field(
        default_factory=list, max_length=8, description="Goals the scorecard checks."
    )
    tour: bool = Field(False, description="true: the first game opens with a guided tour.")


class Point(Strict):
    """A place on the perceptual map; both axes run 0..1."""

    power: Share = Field(0.5, description="0 = simple, 1 = powerful (what the product does).")
    service: Share = Field(0.5, description="0 = self-serve, 1 = high-touch (how it is sold).")

    def xy(self) -> tuple[float, float]:
        return (self.power, self.service)


class Drift(Strict):
    """How far a segment's ideal moves each round, per axis (the map is clipped to 0..1)."""

    power: float = Field(
        0.0, ge=-0.2, le=0.2, description="Change of the ideal's power, per round."
    )
    service: float = Field(
        0.0, ge=-0.2, le=0.2, description="Change of the ideal's service, per round."
    )


class Segment(Strict):
    id: Ident = Field(description="Short identifier used in targeting and reports.")
    name: Label = Field("", description="Display name (defaults to the id).")
    accounts: int = Field(ge=1, le=10_000_000, description="Accounts (potential buyers).")
    deal_value: float = Field(
        gt=0, description="Contract value per account per year at list price."
    )
    innovation: float = Field(0.02, ge=0, le=1, description="Bass p: external awareness, per year.")
    imitation: float = Field(0.35, ge=0, le=5, description="Bass q: word of mouth, per year.")
    forgetting: float = Field(0.1, ge=0, le=50, description="Aware non-customers forget, per year.")
    ad_lift: float = Field(
        0.5,
        ge=0,
        le=10,
        description="Extra awareness hazard at full advertising saturation, per year.",
    )
    ad_half_saturation: float = Field(
        8000,
        gt=0,
        description="Hill K, in adstock units: daily spend at half effect is K x (1 - decay).",
    )
    ad_shape: float = Field(
        1.0, ge=0.2, le=5, description="Hill slope S (<=1 concave, >1 S-shaped)."
    )
    interest: float = Field(
        0.2, ge=0, le=20, description="Inbound leads per aware prospect per year at neutral appeal."
    )
    price_elasticity: float = Field(
        1.5, ge=0, le=10, description="How steeply appeal and win odds fall with the price index."
    )
    relationship_weight: Share = Field(
        0.2, description="0: buyers follow the brand; 1: buyers follow the rep."
    )
    cycle_days: float = Field(
        30, ge=1, le=730, description="Mean cycle of a won deal at neutral effort, days."
    )
    patience_days: float = Field(
        14, ge=0, le=365, description="Days a lead waits for a free rep before it goes cold."
    )
    response_half_life_days: float | None = Field(
        None,
        gt=0,
        le=365,
        description="Days of waiting for a rep that halve a lead's odds of being won (none: "
        "waiting does not lower them). Leads answered late buy less often.",
    )
    churn: Share = Field(
        0.2,
        description="Annual logo churn at ordinary service: full account-management coverage, "
        "list price, satisfaction 80 (less coverage, a higher price paid or unhappier customers "
        "raise it; docs/MODEL.md, Customers).",
    )
    cost_to_serve: float = Field(
        0.0,
        ge=0,
        description="Cost of serving one customer, per year (support, hosting, onboarding), "
        "whatever price it pays: part of the cost of revenue.",
    )
    partner_capacity: float = Field(
        0.0,
        ge=0,
        le=1_000_000,
        description="Deals the channel partners can work at once in this segment when given "
        "all of it at the market's partner margin (0: no partners here; routes to market).",
    )
    partner_leads: float = Field(
        0.0,
        ge=0,
        le=20,
        description="Leads the partners find on their own, per prospect per year, when given "
        "all of the segment at the market's partner margin (their reach).",
    )
    self_serve_conversion: Share = Field(
        0.0,
        description="Share of the leads sent to self-serve that sign up and pay without a rep, "
        "at list price, average quality and a perfect fit (0: no self-serve here).",
    )
    tier: Literal["smb", "mid", "enterprise"] | None = Field(
        None,
        description="Which published benchmarks (cycle, churn) the balance check holds this "
        "segment to: smb, mid or enterprise (none: not checked).",
    )
    ideal: Point | None = Field(
        None,
        description="Where this segment's buyers want a product on the perceptual map "
        "(none: positioning does not matter here).",
    )
    ideal_drift: Drift = Field(Drift(), description="How the ideal moves each round.")
    fit_weight: float = Field(
        4.0,
        ge=0,
        le=20,
        description="Log-appeal and logit of winning lost per unit of squared distance "
        "between a firm's perceived position and the ideal.",
    )

    @property
    def label(self) -> str:
        return self.name or self.id


class Economics(Strict):
    """Costs and response coefficients shared by all firms; each firm may override any of them."""

    rep_cost_per_year: float = Field(
        90_000, gt=0, description="Salary and overhead per rep, per year."
    )
    hiring_cost: float = Field(15_000, ge=0, description="One-off cost per hire.")
    severance_weeks: float = Field(
        12, ge=0, le=104, description="Severance per fired rep, weeks of pay."
    )
    deals_per_rep: int = Field(
        8, ge=1, le=100, description="Deals a productive rep works at once (slots)."
    )
    ramp_days: float = Field(45, ge=0, le=365, description="Days before a new hire is productive.")
    gross_margin: Share = Field(
        0.75,
        description="Share of revenue left after the cost of revenue that scales with revenue "
        "(the segments' cost_to_serve comes on top).",
    )
    discount_rate: float = Field(
        0.12,
        ge=0,
        le=1,
        description="Annual discount rate of future customer margin (LTV, customer equity).",
    )
    fixed_costs_per_round: float = Field(150_000, ge=0, description="Overheads per round.")
    half_life_days: dict[str, float] = Field(
        default_factory=lambda: {"advertising": 30.0, "pr": 90.0, "demand_gen": 7.0},
        description="Adstock half-life per channel, days.",
    )
    pr_half_saturation: float = Field(
        30000,
        gt=0,
        description="Hill K for PR adstock summed over segments (daily spend x 1/(1-decay)).",
    )
    demand_gen_half_saturation: float = Field(
        2500,
        gt=0,
        description="Hill K for demand-gen adstock per segment (daily spend x 1/(1-decay)).",
    )
    demand_gen_lift: float = Field(
        1.0,
        ge=0,
        le=20,
        description="Extra appeal at full demand-gen saturation (x times neutral).",
    )
    brand_lift: float = Field(
        1.0, ge=0, le=5, description="Appeal multiplier exp(brand_lift * (G - 50) / 50)."
    )
    brand_half_life_days: float = Field(365, ge=1, description="Brand equity half-life without PR.")
    satisfaction_pull: float = Field(
        0.8, ge=0, le=20, description="Rate brand equity moves toward satisfaction, per year."
    )
    win_base: float = Field(
        -0.4,
        ge=-10,
        le=10,
        description="Logit of winning a neutral warm lead with no rival present.",
    )
    brand_win_weight: float = Field(1.5, ge=0, le=10, description="Logit per (G - 50) / 50.")
    skill_win_weight: float = Field(1.5, ge=0, le=10, description="Logit per (2 * skill - 1).")
    referral_bonus: float = Field(0.5, ge=0, le=5, description="Logit bonus of a referral lead.")
    outbound_penalty: float = Field(
        1.0, ge=0, le=10, description="Logit penalty of an outbound lead that knows the brand."
    )
    unaware_penalty: float = Field(
        2.0,
        ge=0,
        le=10,
        description="Extra logit penalty when the prospect does not know the brand.",
    )
    commission_half: float = Field(
        0.05, gt=0, le=1, description="Commission rate at which effort is half its maximum."
    )
    commission_win_weight: float = Field(0.8, ge=0, le=5, description="Logit per (effort - 0.5).")
    cycle_shape: float = Field(
        3.0, ge=1, le=50, description="Gamma shape of cycle time (1 = exponential)."
    )
    prospect_rate: float = Field(
        0.06, ge=0, le=5, description="Outbound leads an idle slot creates per day."
    )
    new_rep_skill: Share = Field(0.3, description="Skill of a new hire (0..1).")
    training_half_saturation: float = Field(
        6000, gt=0, description="Training per rep per year at half the maximum skill gain."
    )
    training_rate: float = Field(1.5, ge=0, le=20, description="Maximum skill gain rate, per year.")
    skill_fade: float = Field(
        0.2, ge=0, le=10, description="Skill lost without training, per year."
    )
    lead_score_accuracy: Share = Field(
        0.35,
        description="How well the lead score ranks warm leads by their chance to buy: the "
        "weight of the lead's own propensity in its score (0: a coin toss, 1: perfect).",
    )
    nurture_cost: float = Field(
        40.0, ge=0, le=1e6, description="Marketing automation per lead sent to nurture."
    )
    nurture_return_rate: float = Field(
        1.0, ge=0, le=365, description="Nurtured leads that come back to sales, per year."
    )
    nurture_drop_rate: float = Field(
        4.0, ge=0, le=365, description="Nurtured leads that lose interest for good, per year."
    )
    nurture_warmth: float = Field(
        0.3, ge=0, le=5, description="Logit bonus of a lead that comes back from nurture."
    )
    specialisation_win_weight: float = Field(
        0.6,
        ge=0,
        le=5,
        description="Logit a segment's full expertise adds to its deals (x the segment's "
        "relationship_weight): reps who work one segment learn it (a coverage plan).",
    )
    specialisation_half_life_days: float = Field(
        90, ge=1, le=3650, description="Half-life of a segment's expertise moving to its target."
    )
    partner_margin: float = Field(
        0.3,
        ge=0,
        le=PARTNER_MARGIN_MAX,
        description="The margin channel partners take on the first-year value of each deal "
        "they close, unless a firm's routes say otherwise (20-40% is typical).",
    )
    partner_margin_half: float = Field(
        0.2,
        gt=0,
        le=1,
        description="The partner margin at which partners give a firm half of their "
        "capacity and reach (they give more for more, up to all of it: Hill, shape 4).",
    )
    partner_skill: Share = Field(
        0.5, description="The partners' selling skill (0..1), in place of the reps' on their deals."
    )
    partner_brand_weight: Share = Field(
        0.5,
        description="How much of the firm's brand reaches a partner's buyer (the partner sells "
        "its own relationship): the brand's part of the odds on partner deals is scaled by it.",
    )
    self_serve_churn: float = Field(
        1.5, ge=1, le=10, description="Churn of a self-serve customer, x the segment's churn."
    )
    self_serve_quality_weight: float = Field(
        2.0,
        ge=0,
        le=10,
        description="Logit of self-serve conversion per unit of 2 x (quality - 0.5): buyers who "
        "try the product without a rep judge the product.",
    )
    accounts_per_slot: float = Field(
        30, gt=0, description="Customers one account-management slot keeps fully covered."
    )
    am_churn_reduction: Share = Field(
        0.6, description="Share of churn removed at full account-management coverage."
    )
    referral_rate: float = Field(
        0.2, ge=0, le=10, description="Referral leads per fully satisfied customer per year."
    )
    mix: dict[str, float] = Field(
        default_factory=lambda: {"advertising": 0.4, "pr": 0.2, "demand_gen": 0.4},
        description="Default marketing mix (shares, sum 1) for simple mode.",
    )
    training_share: Share = Field(
        0.1, description="Default share of the sales budget for training."
    )
    commission_rate: float = Field(
        0.08, ge=0, le=COMMISSION_MAX, description="Default commission on bookings."
    )
    account_management: float = Field(
        0.2,
        ge=0,
        le=ACCOUNT_MANAGEMENT_MAX,
        description="Default share of sales capacity kept for customers.",
    )
    position_move_rate: float = Field(
        8.0,
        ge=0,
        le=50,
        description="Rate the perceived position moves toward the target at full communication "
        "saturation, per year.",
    )
    position_drift_rate: float = Field(
        1.0,
        ge=0,
        le=50,
        description="Rate the perceived position drifts back toward the product's reality "
        "(power = quality, the starting service), per year.",
    )
    rd_half_life_days: float = Field(
        120, ge=1, le=3650, description="Half-life of the R&D stock (the lag), days."
    )
    rd_half_saturation: float = Field(
        200_000,
        gt=0,
        description="Hill K for the R&D stock (daily spend x 1/(1-decay)) at half the gain rate.",
    )
    quality_gain_rate: float = Field(
        2.0, ge=0, le=20, description="Quality gained per year at full R&D saturation x (1 - q)."
    )
    quality_obsolescence: float = Field(
        0.0, ge=0, le=5, description="Quality lost per year as the market moves on (x q)."
    )
    quality_satisfaction: float = Field(
        20.0, ge=0, le=100, description="Satisfaction points per unit of (quality - 0.5)."
    )

    @model_validator(mode="after")
    def _channels(self) -> Economics:
        for name in ("half_life_days", "mix"):
            table = getattr(self, name)
            if set(table) != set(CHANNELS):
                raise ValueError(f"{name} needs exactly the channels {', '.join(CHANNELS)}")
            if any(v < 0 for v in table.values()):
                raise ValueError(f"{name} values must not be negative")
        if any(not 0 < v <= MAX_HALF_LIFE_DAYS for v in self.half_life_days.values()):
            raise ValueError(
                f"half_life_days must be positive and at most {MAX_HALF_LIFE_DAYS:,.0f} days"
            )
        if abs(sum(self.mix.values()) - 1) > 1e-6:
            raise ValueError(f"mix shares must sum to 1, got {sum(self.mix.values()):g}")
        return self


class Firm(Strict):
    id: Ident = Field(description="Short identifier used in decisions and reports.")
    name: Label = Field("", description="Display name (defaults to the id).")
    controlled_by: str = Field(
        "player", description="'player' or a rival strategy: " + ", ".join(STRATEGIES)
    )
    cash: float = Field(1_000_000, description="Cash at the start, currency.")
    credit_line: float = Field(250_000, ge=0, description="Cash may fall this far below zero.")
    reps: int = Field(5, ge=0, le=10_000, description="Productive reps at the start.")
    rep_skill: Share = Field(0.5, description="Average rep skill at the start (0..1).")
    awareness: dict[str, Share] = Field(
        default_factory=dict, description="Starting awareness per segment (fraction of accounts)."
    )
    customers: dict[str, int] = Field(
        default_factory=dict, description="Starting customers per segment."
    )
    brand_equity: float = Field(40, ge=0, le=100, description="Starting brand equity, 0..100.")
    satisfaction: float = Field(60, ge=0, le=100, description="Starting customer satisfaction.")
    price: float = Field(
        1.0, ge=PRICE_RANGE[0], le=PRICE_RANGE[1], description="Starting price index on list price."
    )
    position: Point = Field(
        Point(),
        description="Where buyers place the firm at the start, in every segment; its power is "
        "also the product's quality (0..1).",
    )
    budget_per_round: float | None = Field(
        None, ge=0, description="A computer-run firm's budget per round (default: meta's)."
    )
    economics: dict[str, float | dict[str, float]] = Field(
        default_factory=dict, description="Overrides of [economics] for this firm."
    )

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def is_player(self) -> bool:
        return self.controlled_by == "player"

    @model_validator(mode="after")
    def _controller(self) -> Firm:
        if self.controlled_by != "player" and self.controlled_by not in STRATEGIES:
            raise ValueError(
                f"controlled_by must be 'player' or one of {', '.join(STRATEGIES)}, "
                f"got {self.controlled_by!r}"
            )
        if any(v < 0 for v in self.customers.values()):
            raise ValueError("customers must not be negative")
        if self.cash < -self.credit_line:
            raise ValueError(
                f"cash must be at least minus the credit line ({-self.credit_line:,.0f}), got "
                f"{self.cash:,.0f}: a firm that starts below it is bankrupt before round 1"
            )
        return self


class Event(Strict):
    """A scheduled market event. Which fields matter depends on `kind` (docs/MODEL.md)."""

    round: int = Field(ge=1, description="Round at whose start the event fires.")
    kind: Literal[
        "recession", "rival_launch", "viral_moment", "rep_attrition", "budget_cut", "price_war"
    ] = Field(description="What happens (docs/MODEL.md, Events).")
    firm: str | None = Field(
        None,
        description="Firm affected (default: the first player; rival_launch: the first rival).",
    )
    rounds: int = Field(1, ge=1, le=40, description="Rounds the effect lasts.")
    interest_multiplier: float = Field(0.7, gt=0, le=5, description="recession: leads x this.")
    churn_multiplier: float = Field(1.3, gt=0, le=5, description="recession: churn x this.")
    awareness_boost: Share = Field(
        0.15, description="rival_launch, viral_moment: share of unaware accounts that learn."
    )
    brand_boost: float = Field(10, ge=0, le=100, description="rival_launch: brand equity points.")
    share: Share = Field(
        0.25, description="rep_attrition: share of reps who quit; budget_cut: cut."
    )
    price_cut: Share = Field(0.15, description="price_war: rivals cut their price index by this.")


class RandomEvents(Strict):
    probability: Share = Field(0.0, description="Chance per round that a random event fires.")
    kinds: list[str] = Field(
        default_factory=lambda: ["viral_moment", "rep_attrition", "budget_cut", "price_war"],
        description="Kinds a random event is drawn from.",
    )

    @model_validator(mode="after")
    def _kinds(self) -> RandomEvents:
        bad = [k for k in self.kinds if k not in EVENT_KINDS]
        if bad:
            raise ValueError(
                f"unknown event kind {bad[0]!r}; expected one of {', '.join(EVENT_KINDS)}"
            )
        return self


MEASURES = ("value", "profit", "brand_equity", "market_share", "revenue_growth", "retention")
# Each measure's short name, as the scorecard's columns head it (the screen and plain mode).
MEASURE_LABELS = {
    "value": "Value",
    "profit": "Profit",
    "brand_equity": "Brand",
    "market_share": "Share",
    "revenue_growth": "Growth",
    "retention": "Retain",
}
# What scores 0 and 100 on each measure when the scenario does not say (money measures scale
# with the scenario's budget over the game: see Scoring.scale_of).
DEFAULT_SCALE = {
    "brand_equity": (0.0, 100.0),
    "market_share": (0.0, 0.5),
    "revenue_growth": (-0.5, 2.0),
    "retention": (0.6, 1.0),
}


class Scoring(Strict):
    """Balanced scorecard: weights (normalised to sum 1) and the benchmarks each measure is
    scaled against (docs/MODEL.md, The balanced scorecard)."""

    value: float = Field(
        0.35,
        ge=0,
        description="Weight of value created: cumulative operating profit plus the change in "
        "customer equity (what the customer base is worth).",
    )
    profit: float = Field(
        0.0, ge=0, description="Weight of cumulative operating profit alone (no end value)."
    )
    brand_equity: float = Field(0.2, ge=0, description="Weight of brand equity at the end.")
    market_share: float = Field(0.2, ge=0, description="Weight of last round's revenue share.")
    revenue_growth: float = Field(0.15, ge=0, description="Weight of last vs first revenue.")
    retention: float = Field(0.1, ge=0, description="Weight of 1 - churned / customers served.")
    value_years: float = Field(
        1.0,
        gt=0,
        le=30,
        description="Years of future margin customer equity counts (discounted, net of churn).",
    )
    scale: dict[str, Annotated[list[float], Field(min_length=2, max_length=2)]] = Field(
        default_factory=dict,
        description="Per measure, [what scores 0, what scores 100]; values in between score "
        "in proportion, beyond them 0 or 100. Missing: the defaults (docs/MODEL.md).",
    )

    @model_validator(mode="after")
    def _positive(self) -> Scoring:
        if sum(self.weights_raw().values()) <= 0:
            raise ValueError("at least one scoring weight must be positive")
        for name, (lo, hi) in self.scale.items():
            if name not in MEASURES:
                raise ValueError(
                    f"scale has unknown measure {name!r}; expected one of {', '.join(MEASURES)}"
                )
            if not hi > lo:
                raise ValueError(f"scale.{name}: the 100 mark must be above the 0 mark")
        return self

    def weights_raw(self) -> dict[str, float]:
        return {m: float(getattr(self, m)) for m in MEASURES}

    def weights(self) -> dict[str, float]:
        """The weights of the measures that count, normalised to sum 1."""
        raw = self.weights_raw()
        total = sum(raw.values())
        return {k: v / total for k, v in raw.items() if v > 0}

    def scale_of(self, measure: str, budget_per_round: float, rounds: int) -> tuple[float, float]:
        """The 0 and 100 marks of a measure: the scenario's, else the default (money: from
        minus half to three times the budget over the game)."""
        if measure in self.scale:
            lo, hi = self.scale[measure]
            return float(lo), float(hi)
        if measure in ("value", "profit"):
            total = max(budget_per_round * rounds, 1.0)
            return (-0.5 * total, 3.0 * total)
        return DEFAULT_SCALE[measure]


class Research(Strict):
    """Prices of the market studies a firm may buy each round (currency per study)."""

    brand_tracker: float = Field(
        15_000, ge=0, description="Awareness and brand equity of every firm by segment."
    )
    perceptual_map: float = Field(
        20_000, ge=0, description="Perceived positions of every firm and the segment ideals."
    )
    win_loss: float = Field(10_000, ge=0, description="Why your deals were lost this round.")
    pipeline_benchmark: float = Field(
        8_000, ge=0, description="Industry win rate, cycle and lead response time."
    )
    lift_test: float = Field(
        20_000,
        ge=0,
        description="A lift test: one segment's advertising held out for a round, and what it "
        "would have brought in measured (decided as marketing.holdout).",
    )

    def price(self, study: str) -> float:
        return float(getattr(self, study))


Range = Annotated[list[float], Field(min_length=2, max_length=2)]


class Hidden(Strict):
    """A lab scenario's hidden parameters (docs/LAB.md): each is drawn, when a game of the
    scenario is made, uniformly from its [low, high] range with a lab seed that only the
    instructor (or the solo player who asks) holds; the values written elsewhere in the file
    for these parameters are not the game's. Per channel for the half-lives, per segment for
    the others."""

    seed: int | None = Field(
        None,
        ge=0,
        le=2**63 - 1,
        description="The lab seed the values were drawn with (set when a game is made; "
        "leave it out of a scenario file).",
    )
    half_life_days: dict[str, Range] = Field(
        default_factory=dict, description="Adstock half-life ranges by channel, days."
    )
    ad_half_saturation: Range | None = Field(None, description="Hill K range of advertising.")
    ad_shape: Range | None = Field(None, description="Hill S range of advertising.")
    ad_lift: Range | None = Field(None, description="Range of advertising's lift, per year.")
    churn: Range | None = Field(None, description="Range of the annual churn.")

    @model_validator(mode="after")
    def _ranges(self) -> Hidden:
        unknown = set(self.half_life_days) - set(CHANNELS)
        if unknown:
            raise ValueError(
                f"half_life_days has unknown channel {sorted(unknown)[0]!r}; "
                f"expected {', '.join(CHANNELS)}"
            )
        for name, r in self.ranges():
            lo, hi = r
            if not 0 < lo <= hi:
                raise ValueError(f"{name}: expected 0 < low <= high, got [{lo:g}, {hi:g}]")
        return self

    def ranges(self) -> list[tuple[str, list[float]]]:
        """Every range, named as the file names it, in a fixed order (the order of draws)."""
        out = [
            (f"half_life_days.{ch}", self.half_life_days[ch])
            for ch in CHANNELS
            if ch in self.half_life_days
        ]
        for name in ("ad_half_saturation", "ad_shape", "ad_lift", "churn"):
            r = getattr(self, name)
            if r is not None:
                out.append((name, r))
        return out


class Scenario(Strict):
    meta: Meta
    segments: list[Segment] = Field(min_length=1, max_length=12)
    firms: list[Firm] = Field(min_length=1, max_length=40)
    economics: Economics = Economics()  # frozen: one shared default is safe
    events: list[Event] = Field(default_factory=list)
    random_events: RandomEvents = RandomEvents()
    scoring: Scoring = Scoring()
    research: Research = Research()
    lab: Hidden | None = Field(
        None,
        description="A lab scenario's hidden parameters: ranges the game draws its values "
        "from with a lab seed (docs/LAB.md).",
    )

    @property
    def positioning(self) -> bool:
        """Positioning matters once any segment has an ideal point."""
        return any(s.ideal is not None for s in self.segments)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        seg_ids = [s.id for s in self.segments]
        firm_ids = [f.id for f in self.firms]
        for table, ids in (("segments", seg_ids), ("firms", firm_ids)):
            for k, ident in enumerate(ids):
                if ident in ids[:k]:
                    raise FieldError(
                        (table, k, "id"),
                        f"{ident!r} is already the id of {table}[{ids.index(ident)}]; "
                        "ids must be unique",
                    )
        sizes = {s.id: s.accounts for s in self.segments}
        for i, f in enumerate(self.firms):
            for table in ("awareness", "customers"):
                for key in getattr(f, table):
                    if key not in sizes:
                        raise FieldError(
                            ("firms", i, table, key),
                            f"unknown segment; expected one of {', '.join(seg_ids)}",
                        )
            try:
                self.economics_for(f)
            except ValidationError as exc:
                err = from_validation("", exc, prefix="economics")
                raise ValueError(f"firm {f.id!r}: {err.field}: {err.message}") from None
        for s in self.segments:
            taken = sum(f.customers.get(s.id, 0) for f in self.firms)
            if taken > s.accounts:
                raise ValueError(
                    f"segment {s.id!r}: firms' customers ({taken}) exceed its accounts"
                )
        if self.lab is not None:
            self._lab_ranges(self.lab)
        for e in self.events:
            if e.firm is not None and e.firm not in firm_ids:
                raise ValueError(f"event in round {e.round} names unknown firm {e.firm!r}")
            if e.round > self.meta.rounds:
                raise ValueError(f"event in round {e.round} is after the last round")
        return self

    def _lab_ranges(self, lab: Hidden) -> None:
        """Each end of a hidden segment parameter's range must be a value the parameter may
        take (a draw is anywhere between)."""
        base = self.segments[0].model_dump()
        econ = self.economics.model_dump()
        for name, (lo, hi) in lab.ranges():
            for bound in (lo, hi):
                try:
                    if name.startswith("half_life_days."):
                        ch = name.split(".", 1)[1]
                        half_lives = {**econ["half_life_days"], ch: bound}
                        Economics.model_validate({**econ, "half_life_days": half_lives})
                    else:
                        Segment.model_validate({**base, name: bound})
                except ValidationError as exc:
                    err = from_validation("", exc)
                    raise FieldError(("lab", *name.split(".")), err.message) from None

    def economics_for(self, firm: Firm) -> Economics:
        """The economics a firm plays by: the shared table with the firm's overrides."""
        if not firm.economics:
            return self.economics
        return Economics.model_validate({**self.economics.model_dump(), **firm.economics})

    @property
    def segment_ids(self) -> list[str]:
        return [s.id for s in self.segments]

    @property
    def firm_ids(self) -> list[str]:
        return [f.id for f in self.firms]

    def firm(self, firm_id: str) -> Firm:
        for f in self.firms:
            if f.id == firm_id:
                return f
        raise KeyError(firm_id)

    @property
    def player_ids(self) -> list[str]:
        return [f.id for f in self.firms if f.is_player]

    @property
    def partner_segments(self) -> list[str]:
        """The segments with channel partners (a route a firm may send leads by)."""
        return [s.id for s in self.segments if s.partner_capacity > 0]

    @property
    def self_serve_segments(self) -> list[str]:
        """The segments where buyers may sign up online without a rep."""
        return [s.id for s in self.segments if s.self_serve_conversion > 0]

    @property
    def offers_routes(self) -> bool:
        """Whether any segment has a route to market besides the direct sales force."""
        return bool(self.partner_segments or self.self_serve_segments)

    def default_targeting(self) -> dict[str, float]:
        """Targeting in proportion to each segment's potential (accounts x deal value)."""
        pot = {s.id: s.accounts * s.deal_value for s in self.segments}
        total = sum(pot.values())
        return {k: v / total for k, v in pot.items()}


# --- loading -------------------------------------------------------------------------------

BUNDLED = resources.files("scenarios")


def bundled_scenarios() -> dict[str, Path]:
    """Bundled scenario names and their files."""
    out = {}
    for entry in sorted(BUNDLED.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            out[entry.name[: -len(".toml")]] = Path(str(entry))
    return out


def resolve(name_or_path: str) -> Path:
    """A bundled name (`classic`) or a path to a TOML file."""
    bundled = bundled_scenarios()
    if name_or_path in bundled:
        return bundled[name_or_path]
    path = Path(name_or_path)
    if path.exists():
        return path
    names = ", ".join(bundled)
    raise InputError(name_or_path, "", f"no such scenario file or bundled scenario ({names})")


def written_under(data: Any, model: int) -> Any:
    """A scenario as a save or class file made under model version `model` holds it, ready for
    this model: before version 4 its meta could ask for mean-field mode, which is gone (the
    file's model notice already says the results differ from when it was played)."""
    if model >= 4 or not isinstance(data, dict) or not isinstance(data.get("meta"), dict):
        return data
    meta = {k: v for k, v in data["meta"].items() if k != "mean_field"}
    return {**data, "meta": meta}


def parse_scenario(data: dict, source: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping; errors name the source, the field path and the rule."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise from_validation(source, exc) from None


def load_scenario(name_or_path: str | Path, max_leads: float = MAX_LEADS) -> Scenario:
    """Load and validate a bundled scenario by name or a TOML file by path; refuse one whose
    game would ask for more than `max_leads` leads (`sim.model.workload`)."""
    name = str(name_or_path)
    path = resolve(name)
    label = f"scenarios/{path.name}" if name in bundled_scenarios() else name
    scenario = parse_scenario(read_toml(path, "scenario"), label)
    if scenario.lab is not None and scenario.lab.seed is not None:
        raise InputError(
            label,
            "lab.seed",
            "is not for a scenario file: the lab seed comes from $JIGSAW_LAB_SEED or the "
            "operating system when a game is made (and the save holds it); leave it out",
        )
    check_workload(scenario, label, max_leads)
    return scenario


def scenario_schema() -> str:
    """The JSON Schema of a scenario file, for editors."""
    return json.dumps(Scenario.model_json_schema(), indent=2)
