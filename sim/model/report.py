"""What a round produced: per-firm KPIs, the market, the events; and the balanced scorecard.

Reports are frozen dataclasses built once at the close of a round from the books and the deal
records; everything downstream (CLI tables, JSON, CSV, rivals, the TUI) reads them.
Floats are rounded (money to cents, ratios to 6 decimals) so reports are byte-stable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sim.model.pipeline import REASONS
from sim.model.scenario import Scoring


def r6(x: float) -> float:
    """Ratios and counts, rounded to 6 decimals (stable bytes in reports)."""
    return round(float(x), 6)


def r2(x: float) -> float:
    """Money, rounded to cents."""
    return round(float(x), 2)


@dataclass(frozen=True)
class FirmRound:
    """One firm's round. Money in the scenario's currency; counts of leads, deals, accounts."""

    name: str
    controlled_by: str
    revenue: float
    bookings: float  # first-year value of deals won this round
    profit: float  # operating profit
    cash: float  # at the end of the round
    marketing_spend: float
    sales_spend: float  # salaries, hiring, severance, training, commission
    salaries: float
    hiring: float
    severance: float
    training: float
    commission: float
    cost_of_revenue: float  # the revenue share (1 - gross margin) plus serving_cost
    serving_cost: float  # serving every customer (cost_to_serve), part of cost_of_revenue
    fixed_costs: float
    awareness: dict[str, float]  # fraction of each segment's accounts that know the brand
    brand_equity: float  # 0..100
    satisfaction: float  # 0..100
    aware_prospects: float  # accounts that know the brand and buy from nobody, at the close
    leads_inbound: int
    leads_referral: int
    leads_outbound: int
    leads_cold: int  # leads that waited past their patience for a free slot
    leads_worked: int  # leads a slot took this round
    pipeline: int  # leads waiting for a slot and deals in flight at the close: they end later
    deals_won: int
    deals_lost: int
    win_rate: float | None  # won / (won + lost) of deals closed this round
    cycle_days: float | None  # mean days from slot to signature of deals won
    customers: dict[str, int]
    new_customers: int
    churned: int
    market_share: float  # share of the round's revenue across all firms
    rep_utilization: float | None  # busy slot-days / hunting slot-days
    alignment_ratio: float | None  # rho = slot-days warm leads ask for / hunting slot-days
    cac: float | None  # (marketing + sales + product spend) / new customers
    ltv: float | None  # discounted margin of a new customer: margin / (churn hazard + discount)
    reps: int  # productive at the close
    reps_ramping: int
    hunting_slots: int
    rep_skill: float
    price: float
    marketing_share: float  # marketing budget / (marketing + sales budget) decided
    bankrupt: bool
    product_spend: float  # R&D this round
    research_spend: float  # market studies bought this round
    quality: float  # product quality index at the close, 0..1
    position: dict[str, list[float]]  # perceived [power, service] per segment at the close
    target: list[float]  # the [power, service] the firm's communications claim
    studies: list[str]  # market studies bought this round
    lost_reasons: dict[str, int]  # leads not won this round, by reason (sim.model.pipeline.REASONS)
    response_days: float | None  # mean days from a lead's arrival to a rep taking it
    deals_won_by: dict[str, int]  # deals signed this round, by segment
    churned_by: dict[str, int]  # customers lost to churn this round, by segment
    cycle_days_by: dict[str, float | None]  # mean won-deal cycle this round, by segment
    customer_equity: float  # what the customers are worth at the close (sim.model.accounts.equity)
    # rho by segment: under a coverage plan the slot-days a segment's warm leads ask for over
    # its reps' slot-days; with one pool every segment's is the firm's rho
    alignment_by_segment: dict[str, float | None] = field(default_factory=dict)
    # each segment's share of the slot-days the round's warm leads asked for: where the
    # workload is, so where a coverage plan's reps would be busy
    load_by_segment: dict[str, float] = field(default_factory=dict)
    # a coverage plan's hunting slots by segment ({}: one pool); leads gone cold by segment
    hunting_slots_by: dict[str, int] = field(default_factory=dict)
    leads_cold_by: dict[str, int] = field(default_factory=dict)
    # the qualification bar (sim.model.nurture): warm leads sent to nurture this round, leads
    # back from it (counted among the inbound leads), the stock at the close, what it cost
    leads_nurtured: int = 0
    leads_returned: int = 0
    nurture_stock: int = 0
    nurture_spend: float = 0.0
    # the funnel's stages: warm leads passed to sales (MQL -> SQL: those back from nurture
    # included), the share of the round's warm leads that passed the bar, and warm deals won
    # per lead passed (SQL -> won; None without any)
    leads_passed: int = 0
    mql_to_sql: float | None = None
    sql_to_won: float | None = None
    # routes to market (sim.model.routes), in a scenario that has them ({} and 0 elsewhere):
    # revenue, deals signed and customers by route (direct, partner, self_serve); the warm
    # leads that went to partners (their own finds too) and those they turned away, full; the
    # leads sent to self-serve; the partners' margins paid
    revenue_by_route: dict[str, float] = field(default_factory=dict)
    deals_by_route: dict[str, int] = field(default_factory=dict)
    customers_by_route: dict[str, int] = field(default_factory=dict)
    partner_leads: int = 0
    partner_turned_away: int = 0
    self_serve_leads: int = 0
    partner_margins: float = 0.0
    # deals signed this round through partners and self-serve, by segment (deals_won_by
    # counts the reps' deals)
    route_deals_by: dict[str, int] = field(default_factory=dict)
    # the gauge's outlook (sim.model.outlook): the rho to expect over the rest of the game if
    # this round's decisions are held, and the gauge's reading for the next decision, which
    # every piece of advice follows (sim.model.gauge.advice)
    alignment_outlook: float | None = None
    gauge_reading: str = "no_reps"

    @property
    def leads(self) -> int:
        return self.leads_inbound + self.leads_referral + self.leads_outbound

    def statement(self) -> list[tuple[str, float]]:
        """The round's income statement: revenue, then every cost as a negative line, in the
        ledger's order; the lines add up to `profit` to the cent (`sim.model.ledger`)."""
        return [
            ("Revenue", self.revenue),
            ("Cost of revenue", -self.cost_of_revenue),
            ("Marketing", -self.marketing_spend),
            ("Marketing: nurture", -self.nurture_spend),
            ("Sales: salaries", -self.salaries),
            ("Sales: training", -self.training),
            ("Sales: hiring", -self.hiring),
            ("Sales: severance", -self.severance),
            ("Sales: commission", -self.commission),
            ("Sales: partner margins", -self.partner_margins),
            ("Product development (R&D)", -self.product_spend),
            ("Market studies", -self.research_spend),
            ("Fixed costs", -self.fixed_costs),
        ]

    @property
    def total_customers(self) -> float:
        return sum(self.customers.values())

    @property
    def cold_share(self) -> float:
        warm = self.leads_inbound + self.leads_referral
        return self.leads_cold / warm if warm else 0.0


@dataclass(frozen=True)
class SegmentRound:
    accounts: int
    prospects: int
    customers: dict[str, int]  # by firm
    share: dict[str, float]  # customers / accounts, by firm
    ideal: list[float] | None = None  # [power, service] buyers want (None: no positioning)


@dataclass(frozen=True)
class RoundReport:
    round: int  # 1-based
    day: int  # SimPy time at the close
    firms: dict[str, FirmRound]
    segments: dict[str, SegmentRound]
    events: list[str] = field(default_factory=list)
    # the lift tests run this round, by firm (`sim.model.lift`): each firm's own study
    lift_tests: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "round": self.round,
            "day": self.day,
            "firms": {k: asdict(v) for k, v in self.firms.items()},
            "segments": {k: asdict(v) for k, v in self.segments.items()},
            "events": list(self.events),
        }
        if self.lift_tests:  # only when one ran: every other report reads as it always did
            out["lift_tests"] = {k: dict(v) for k, v in self.lift_tests.items()}
        return out

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], firm_ids: list[str], segment_ids: list[str]
    ) -> RoundReport:
        """The report `to_dict` wrote (a cache of it, in a save or a class file), its tables in
        the game's order again (firms, segments, reasons as the scenario and the model list
        them; a file may have sorted them)."""

        def ordered(table: dict[str, Any], order: list[str] | tuple[str, ...]) -> dict[str, Any]:
            first = {k: table[k] for k in order if k in table}
            return first | {k: v for k, v in table.items() if k not in first}

        def firm_round(row: dict[str, Any]) -> FirmRound:
            row = dict(row)
            for name in SEGMENT_TABLES:
                if name in row:  # a report cached before the table was kept has none
                    row[name] = ordered(row[name], segment_ids)
            row["lost_reasons"] = ordered(row["lost_reasons"], REASONS)
            return FirmRound(**row)

        def segment_round(row: dict[str, Any]) -> SegmentRound:
            row = dict(row)
            for name in ("customers", "share"):
                row[name] = ordered(row[name], firm_ids)
            return SegmentRound(**row)

        return cls(
            round=data["round"],
            day=data["day"],
            firms={k: firm_round(v) for k, v in ordered(data["firms"], firm_ids).items()},
            segments={
                k: segment_round(v) for k, v in ordered(data["segments"], segment_ids).items()
            },
            events=list(data["events"]),
            lift_tests={k: dict(v) for k, v in data.get("lift_tests", {}).items()},
        )

    def public(self) -> dict[str, dict[str, Any]]:
        """What any rival can see: shares, prices, customers, who went bankrupt."""
        return {
            fid: {
                "market_share": f.market_share,
                "price": f.price,
                "revenue": f.revenue,
                "customers": f.total_customers,
                "bankrupt": f.bankrupt,
            }
            for fid, f in self.firms.items()
        }


FIRM_FIELDS = [f.name for f in fields(FirmRound)]
# A firm's tables keyed by segment id (in the scenario's order).
SEGMENT_TABLES = (
    "awareness",
    "customers",
    "position",
    "deals_won_by",
    "churned_by",
    "cycle_days_by",
    "alignment_by_segment",
    "load_by_segment",
    "hunting_slots_by",
    "leads_cold_by",
    "route_deals_by",
)


def flat_row(report: RoundReport, firm_id: str) -> dict[str, Any]:
    """One CSV row: round, firm and every KPI, nested tables flattened as `awareness.smb`."""
    row: dict[str, Any] = {"round": report.round, "firm": firm_id}
    for k, v in asdict(report.firms[firm_id]).items():
        if isinstance(v, dict):
            for sk, sv in v.items():
                row[f"{k}.{sk}"] = sv
        else:
            row[k] = v
    return row


# --- balanced scorecard ----------------------------------------------------------------------


def measures(
    reports: list[RoundReport], firm_id: str, start_equity: float = 0.0
) -> dict[str, float]:
    """A firm's raw scorecard measures over the rounds played (see `scorecard`)."""
    first, last = reports[0].firms[firm_id], reports[-1].firms[firm_id]
    hist = [r.firms[firm_id] for r in reports]
    start_customers = first.total_customers - first.new_customers + first.churned
    base = start_customers + sum(h.new_customers for h in hist)
    lost = sum(h.churned for h in hist)
    profit = sum(h.profit for h in hist)
    return {
        "value": profit + last.customer_equity - start_equity,
        "profit": profit,
        "brand_equity": last.brand_equity,
        "market_share": last.market_share,
        "revenue_growth": (last.revenue / first.revenue - 1.0) if first.revenue > 0 else 0.0,
        "retention": 1.0 - lost / base if base > 0 else 0.0,
    }


def ranks(values: dict[str, float], shared: bool = False) -> dict[str, int]:
    """1 for the highest value; ties in the firms' order, or (`shared`) ties share a rank,
    the next one skipping as many places (1, 1, 3)."""
    if shared:
        return {
            k: 1 + sum(1 for w in values.values() if round(w, 6) > round(v, 6))
            for k, v in values.items()
        }
    order = sorted(values, key=lambda fid: -values[fid])
    return {fid: k + 1 for k, fid in enumerate(order)}


def scorecard(
    reports: list[RoundReport],
    scoring: Scoring,
    start_equity: dict[str, float] | None = None,
    budget_per_round: float = 0.0,
    rounds: int = 1,
) -> dict[str, dict[str, Any]]:
    """Each firm's balanced scorecard over the game so far.

    Raw measures: value = cumulative operating profit + customer equity at the end - customer
    equity at the start (value created); profit = cumulative operating profit; brand_equity =
    at the end; market_share = revenue share of the last round; revenue_growth = last round's
    revenue over the first's, minus 1; retention = 1 - churned / (customers at the start +
    won). Each measure is scored 0..100 against the scenario's benchmarks (`Scoring.scale_of`:
    the 0 mark scores 0, the 100 mark 100, in proportion between, clipped), so a firm's score
    never depends on which other firms play; then weighted by the scoring weights. Bankrupt
    firms score 0 on value, profit and growth.
    """
    if not reports:
        return {}
    last = reports[-1]
    ids = list(last.firms)
    start_equity = start_equity or {}
    raw = {fid: measures(reports, fid, start_equity.get(fid, 0.0)) for fid in ids}
    weights = scoring.weights()
    scaled: dict[str, dict[str, float]] = {fid: {} for fid in ids}
    for metric in weights:
        lo, hi = scoring.scale_of(metric, budget_per_round, rounds)
        for fid in ids:
            score = 100.0 * (raw[fid][metric] - lo) / (hi - lo)
            scaled[fid][metric] = min(100.0, max(0.0, score))
            if last.firms[fid].bankrupt and metric in ("value", "profit", "revenue_growth"):
                scaled[fid][metric] = 0.0
    out: dict[str, dict[str, Any]] = {}
    totals = {fid: sum(weights[m] * scaled[fid][m] for m in weights) for fid in ids}
    ranking = sorted(ids, key=lambda f: (-round(totals[f], 6), f))
    for fid in ids:
        out[fid] = {
            "total": r2(totals[fid]),
            "rank": ranking.index(fid) + 1,
            "scores": {m: r2(scaled[fid][m]) for m in weights},
            "measures": {m: r6(v) for m, v in raw[fid].items()},
        }
    return out
