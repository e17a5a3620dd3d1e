"""How much work a scenario asks of the engine, known before a single day is played.

A scenario can validate field by field and still ask for hours of work: ten million accounts
that each ask for a salesperson twenty times a year make a hundred million leads a round, each
a SimPy process. The work of a game grows with its leads, so the guard reads the most leads a
round can bring (docs/MODEL.md, "Workload"):

    inbound  <= sum over firms and segments of interest_s x accounts_s x round_days / 365
                (every account aware of every firm, neutral appeal)
    reps     <= starting reps + budget_per_round / (rep_cost_per_year x round_days / 365)
                (the whole budget spent on salespeople)
    outbound <= sum over firms of prospect_rate x deals_per_rep x reps x round_days
                (every slot idle all round)
    deals    <= sum over firms of deals_per_rep x reps x round_days / mean cycle_days
                (every slot turned over once a cycle)

and refuses a game whose leads over all its rounds exceed MAX_LEADS unless the caller lifts
the limit on purpose (`--max-leads`). The bounds are rough on purpose (appeal above neutral and
referrals can add to them; partial awareness and busy slots take far more away): a bundled
game plays a tenth to a third of its bound, no bundled scenario comes within 1% of the limit, and the
benchmark's hundred-fold market, about 1.1 million leads, stays under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.model.errors import InputError

if TYPE_CHECKING:  # the scenario module reads this one when it loads a file
    from sim.model.scenario import Scenario

MAX_LEADS = 2_000_000  # leads in a whole game: about a minute of CPU on a laptop core


@dataclass(frozen=True)
class Workload:
    """The most work a scenario's game can ask for (see the module's bounds)."""

    leads_per_round: float
    deals_per_round: float
    rounds: int

    @property
    def leads(self) -> float:
        """Leads over the whole game."""
        return self.leads_per_round * self.rounds

    def line(self) -> str:
        """One line for `scenario validate`."""
        return (
            f"at most about {self.leads_per_round:,.0f} leads and "
            f"{self.deals_per_round:,.0f} deals a round ({self.leads:,.0f} leads a game; "
            f"the limit is {MAX_LEADS:,})"
        )


def workload(scenario: Scenario) -> Workload:
    """The bounds of the module's docstring for `scenario`."""
    days = scenario.meta.round_days
    inbound_per_firm = sum(s.interest * s.accounts for s in scenario.segments) * days / 365.0
    cycle = sum(s.cycle_days for s in scenario.segments) / len(scenario.segments)
    outbound = deals = 0.0
    for firm in scenario.firms:
        econ = scenario.economics_for(firm)
        hires = scenario.meta.budget_per_round / (econ.rep_cost_per_year * days / 365.0)
        slots = econ.deals_per_rep * (firm.reps + hires)
        outbound += econ.prospect_rate * slots * days
        deals += slots * days / cycle
    leads = inbound_per_firm * len(scenario.firms) + outbound
    return Workload(leads, deals, scenario.meta.rounds)


def check_workload(scenario: Scenario, source: str, max_leads: float = MAX_LEADS) -> Workload:
    """The scenario's workload, or one InputError line if its game would exceed `max_leads`."""
    load = workload(scenario)
    if load.leads > max_leads:
        raise InputError(
            source,
            "",
            f"asks for up to {load.leads:,.0f} leads over {load.rounds} rounds, more than the "
            f"{max_leads:,.0f} a game may take (fewer accounts or less interest; or lift the "
            "limit on purpose with --max-leads)",
        )
    return load
