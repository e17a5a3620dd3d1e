"""How much work a scenario asks of the engine, known before a single day is played.

A scenario can validate field by field and still ask for hours of work: ten million accounts
that each ask for a salesperson twenty times a year make a hundred million leads a round, each
a SimPy process. The work of a game grows with its leads, so the guard reads the most leads a
round can bring (docs/MODEL.md, "Workload"):

    inbound  <= sum over firms and segments of interest_s x accounts_s x round_days / 365
                x the most appeal a firm can have x the recessions in force that round
    appeal   <= (1 + demand_gen_lift) x exp(brand_lift) x exp(elasticity_s x (1 - lowest price))
                (full demand-gen saturation, brand equity 100, the lowest price a price war
                can bring, a perfect fit)
    referral <= referral_rate x accounts x round_days / 365
                (every account a fully satisfied customer of some firm)
    reps     <= starting reps + budget_per_round / (rep_cost_per_year x round_days / 365)
                (the whole budget spent on salespeople: the firm's own budget_per_round
                where it has a larger one)
    outbound <= sum over firms of prospect_rate x deals_per_rep x reps x round_days
                (every slot idle all round)
    deals    <= sum over firms of deals_per_rep x reps x round_days / mean cycle_days
                (every slot turned over once a cycle)

and refuses a game whose leads over all its rounds exceed MAX_LEADS unless the caller lifts
the limit on purpose (`--max-leads`). Every factor is at its worst at once; partial awareness,
middling brands and busy slots take far more away, and a bundled game plays a few percent of
its bound. Only hiring can go past it: a firm that piles up cash (or starts with a fortune) can
buy more reps than one round's budget, and every idle rep prospects. So the engine counts too:
a game stops with `TooManyLeads` before drawing the lead that would take it past its limit
(`Game.max_leads`: MAX_LEADS, or the scenario's bound where a caller lifted the limit for it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.model.errors import InputError

if TYPE_CHECKING:  # the scenario module reads this one when it loads a file
    from sim.model.scenario import Scenario

MAX_LEADS = 1_000_000  # leads in a game: a 40-round classic fits; two minutes of CPU at most
# Firm-segment-days in a whole game: the daily market tick costs about 10 us a firm and
# segment, with no lead at all (40 firms x 12 segments x 40 rounds of 365 days is a minute).
MAX_CELL_DAYS = 1_000_000


@dataclass(frozen=True)
class Workload:
    """The most work a scenario's game can ask for (see the module's bounds)."""

    leads_per_round: float  # in the busiest round
    deals_per_round: float
    rounds: int
    leads: float  # over the whole game
    shrink: str  # what would shrink it most: the largest source of leads in the bound

    def line(self) -> str:
        """One line for `scenario validate`."""
        return (
            f"at most about {self.leads_per_round:,.0f} leads and "
            f"{self.deals_per_round:,.0f} deals a round ({self.leads:,.0f} leads a game; "
            f"the limit is {MAX_LEADS:,})"
        )


class NoRoom(Exception):
    """Raised by the market when a day would bring more leads than the game has room for."""


class TooManyLeads(InputError):
    """A game reached its limit of leads while playing (see the module's docstring)."""

    @classmethod
    def at(cls, scenario: Scenario, limit: float, round_: int, day: int) -> TooManyLeads:
        return cls(
            f"scenario {scenario.meta.name!r}",
            "",
            f"stopped in round {round_}, day {day}: the game has reached the {limit:,.0f} "
            "leads it may take (its firms hired more reps than their budgets could; or lift "
            "the limit on purpose with --max-leads)",
        )


def game_limit(scenario: Scenario, max_leads: float | None = None) -> float:
    """The leads a game of `scenario` may play: `max_leads` if given, else the larger of
    MAX_LEADS and the scenario's bound (a scenario loaded past the limit was lifted on
    purpose)."""
    if max_leads is not None:
        return max_leads
    return max(float(MAX_LEADS), workload(scenario).leads)


def workload(scenario: Scenario) -> Workload:
    """The bounds of the module's docstring for `scenario`."""
    from sim.model.scenario import PRICE_RANGE  # noqa: PLC0415 (the scenario module reads this one)

    days = scenario.meta.round_days
    year = days / 365.0
    lowest = PRICE_RANGE[0] * (1.0 - _deepest_price_cut(scenario))
    econs = [scenario.economics_for(firm) for firm in scenario.firms]
    inbound = 0.0
    for econ in econs:
        appeal = (1.0 + econ.demand_gen_lift) * math.exp(econ.brand_lift)
        inbound += sum(
            s.interest * s.accounts * appeal * math.exp(s.price_elasticity * (1.0 - lowest))
            for s in scenario.segments
        )
    inbound *= year
    accounts = sum(s.accounts for s in scenario.segments)
    referral = max(e.referral_rate for e in econs) * accounts * year
    cycle = sum(s.cycle_days for s in scenario.segments) / len(scenario.segments)
    outbound = deals = 0.0
    for firm, econ in zip(scenario.firms, econs, strict=True):
        budget = max(scenario.meta.budget_per_round, firm.budget_per_round or 0.0)
        hires = budget / (econ.rep_cost_per_year * year)
        slots = econ.deals_per_rep * (firm.reps + hires)
        outbound += econ.prospect_rate * slots * days
        deals += slots * days / cycle
    rounds = scenario.meta.rounds
    per_round = [
        inbound * _recessions(scenario, r) + referral + outbound for r in range(1, rounds + 1)
    ]
    sources = (
        (inbound, "fewer accounts or less interest"),
        (referral, "fewer accounts or a lower referral rate"),
        (outbound, "fewer reps or a smaller budget: idle reps prospect"),
    )
    shrink = max(sources, key=lambda s: s[0])[1]
    return Workload(max(per_round), deals, rounds, sum(per_round), shrink)


def _recessions(scenario: Scenario, round_: int) -> float:
    """What the scheduled recessions in force in `round_` multiply lead interest by (they
    stack; a random recession takes the default multiplier, below 1, so it never adds)."""
    factor = 1.0
    for e in scenario.events:
        if e.kind == "recession" and e.round <= round_ < e.round + e.rounds:
            factor *= e.interest_multiplier
    return factor


def _deepest_price_cut(scenario: Scenario) -> float:
    """The deepest price cut the price wars in the scenario can make: they multiply where
    they overlap, so every scheduled one in force at once, and the random one (at most one
    fires a round, for one round)."""
    from sim.model.scenario import Event  # noqa: PLC0415 (as in `workload`)

    kept = 1.0  # the share of its price a firm keeps
    for e in scenario.events:
        if e.kind == "price_war":
            kept *= 1.0 - e.price_cut
    rnd = scenario.random_events
    if rnd.probability > 0 and "price_war" in rnd.kinds:
        kept *= 1.0 - Event.model_fields["price_cut"].default
    return 1.0 - kept


def check_workload(scenario: Scenario, source: str, max_leads: float = MAX_LEADS) -> Workload:
    """The scenario's workload, or one InputError line if its game would exceed `max_leads`
    (or MAX_CELL_DAYS of daily market ticks, which no lead limit lifts)."""
    meta = scenario.meta
    cell_days = len(scenario.firms) * len(scenario.segments) * meta.rounds * meta.round_days
    if cell_days > MAX_CELL_DAYS:
        raise InputError(
            source,
            "",
            f"asks for {cell_days:,} firm-segment-days ({len(scenario.firms)} firms x "
            f"{len(scenario.segments)} segments x {meta.rounds} rounds of {meta.round_days} "
            f"days), more than the {MAX_CELL_DAYS:,} a game may take (fewer firms, segments, "
            "rounds or days)",
        )
    load = workload(scenario)
    if load.leads > max_leads:
        raise InputError(
            source,
            "",
            f"asks for up to {load.leads:,.0f} leads over {load.rounds} rounds, more than the "
            f"{max_leads:,.0f} a game may take ({load.shrink}; or lift the limit on purpose "
            "with --max-leads)",
        )
    return load
