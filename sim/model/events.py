"""Market events: scheduled in the scenario or drawn at random, fired at the start of a round.

Kinds (fields of `sim.model.scenario.Event`):
- recession: every segment's lead interest x `interest_multiplier`, churn x `churn_multiplier`,
  for `rounds` rounds.
- rival_launch: `firm` (default: the first computer-run firm) launches: `awareness_boost` of
  the accounts unaware of it learn of it, and its brand equity rises by `brand_boost`.
- viral_moment: `firm` (default: the first player) goes viral: `awareness_boost` of unaware
  accounts learn of it.
- rep_attrition: `share` of `firm`'s productive reps quit (no severance; re-hiring ramps).
- budget_cut: `firm`'s budgets are cut by `share` for `rounds` rounds.
- price_war: every firm but `firm` cuts its price index by `price_cut` for `rounds` rounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.model.chance import Chance
from sim.model.scenario import EVENT_KINDS, Event, Scenario

if TYPE_CHECKING:
    from sim.model.market import Market
    from sim.model.pipeline import SalesForce

RANDOM_DEFAULTS = {"rounds": 1}


@dataclass(frozen=True)
class Fired:
    """An event that fired, with its firm resolved."""

    event: Event
    firm: int | None
    start: int  # round (1-based)

    @property
    def end(self) -> int:
        return self.start + self.event.rounds - 1

    def describe(self, names: list[str]) -> str:
        who = names[self.firm] if self.firm is not None else "the market"
        return f"Round {self.start}: {KINDS[self.event.kind].describe(self.event, who)}"


@dataclass
class Effects:
    """What the events in force do to one round: lead interest and churn multipliers per
    segment, the price cut each firm makes (fraction off its decided price), and the factor
    each firm's budgets are cut to."""

    interest: np.ndarray
    churn: np.ndarray
    price_cut: np.ndarray
    budget: np.ndarray


class Kind:
    """One kind of event, all it does in one place: whom it hits by default (`hits`: "market",
    "rival" = the first computer-run firm, "player" = the first player), its line in the round
    report, what it does when it fires (`strike`, to the market; `after_staffing`, to the sales
    forces once the round's hiring is done) and every round it is in force (`weigh`)."""

    name = ""
    hits = "player"

    def describe(self, e: Event, who: str) -> str:
        raise NotImplementedError

    def strike(self, fired: Fired, market: Market) -> None:
        """When it fires, before the round's decisions take effect."""

    def after_staffing(self, fired: Fired, forces: list[SalesForce]) -> None:
        """When it fires, after the round's hiring and firing."""

    def weigh(self, fired: Fired, effects: Effects) -> None:
        """Every round it is in force."""


class Recession(Kind):
    name, hits = "recession", "market"

    def describe(self, e: Event, who: str) -> str:
        return (
            f"Recession: lead interest x{e.interest_multiplier:g}, churn "
            f"x{e.churn_multiplier:g} for {e.rounds} round(s)"
        )

    def weigh(self, fired: Fired, effects: Effects) -> None:
        effects.interest *= fired.event.interest_multiplier
        effects.churn *= fired.event.churn_multiplier


def _word_spreads(market: Market, firm: int, boost: float) -> None:
    """`boost` of the accounts unaware of `firm` learn of it (whole accounts)."""
    gain = boost * (market.accounts - market.aware[firm])
    market.aware[firm] = np.minimum(market.accounts, market.aware[firm] + np.rint(gain))


class RivalLaunch(Kind):
    name, hits = "rival_launch", "rival"

    def describe(self, e: Event, who: str) -> str:
        return (
            f"{who} launches a new product (+{e.awareness_boost:.0%} awareness, "
            f"+{e.brand_boost:g} brand)"
        )

    def strike(self, fired: Fired, market: Market) -> None:
        if fired.firm is not None:
            _word_spreads(market, fired.firm, fired.event.awareness_boost)
            market.brand[fired.firm] = min(
                100.0, market.brand[fired.firm] + fired.event.brand_boost
            )


class ViralMoment(Kind):
    name = "viral_moment"

    def describe(self, e: Event, who: str) -> str:
        return f"{who} goes viral (+{e.awareness_boost:.0%} of unaware accounts learn of it)"

    def strike(self, fired: Fired, market: Market) -> None:
        if fired.firm is not None:
            _word_spreads(market, fired.firm, fired.event.awareness_boost)


class RepAttrition(Kind):
    name = "rep_attrition"

    def describe(self, e: Event, who: str) -> str:
        return f"{e.share:.0%} of {who}'s reps quit"

    def after_staffing(self, fired: Fired, forces: list[SalesForce]) -> None:
        if fired.firm is not None:
            forces[fired.firm].lose(fired.event.share)


class BudgetCut(Kind):
    name = "budget_cut"

    def describe(self, e: Event, who: str) -> str:
        return f"{who}'s budgets are cut by {e.share:.0%} for {e.rounds} round(s)"

    def weigh(self, fired: Fired, effects: Effects) -> None:
        if fired.firm is not None:
            effects.budget[fired.firm] *= 1.0 - fired.event.share


class PriceWar(Kind):
    name = "price_war"

    def describe(self, e: Event, who: str) -> str:
        return f"Price war: {who}'s rivals cut prices by {e.price_cut:.0%} for {e.rounds} round(s)"

    def weigh(self, fired: Fired, effects: Effects) -> None:
        cut = effects.price_cut
        others = np.arange(len(cut)) != fired.firm
        cut[others] = 1.0 - (1.0 - cut[others]) * (1.0 - fired.event.price_cut)


# Every kind of event, by the name the scenario schema knows it by (`EVENT_KINDS`).
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (Recession(), RivalLaunch(), ViralMoment(), RepAttrition(), BudgetCut(), PriceWar())
}
assert tuple(KINDS) == EVENT_KINDS, "every event kind of the schema has its handler, in order"


class EventBook:
    """The scenario's events, the random ones drawn from the seed, and those in force."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.chance = Chance(seed, "events", -1)
        self.fired: list[Fired] = []
        ids = scenario.firm_ids
        players = [i for i, f in enumerate(scenario.firms) if f.is_player]
        rivals = [i for i, f in enumerate(scenario.firms) if not f.is_player]
        self._default_player = players[0] if players else 0
        self._default_rival = rivals[0] if rivals else 0
        self._index = {fid: k for k, fid in enumerate(ids)}
        self._computer = np.array([not f.is_player for f in scenario.firms])

    def _target(self, event: Event) -> int | None:
        hits = KINDS[event.kind].hits
        if hits == "market":
            return None
        if event.firm is not None:
            return self._index[event.firm]
        return self._default_rival if hits == "rival" else self._default_player

    def fire(self, round_no: int, active: np.ndarray) -> list[Fired]:
        """Events starting this round: the scheduled ones, then at most one random one."""
        new = [
            Fired(e, self._target(e), round_no) for e in self.scenario.events if e.round == round_no
        ]
        rnd = self.scenario.random_events
        # Always draw the same numbers per round, so the stream never depends on the outcome.
        u = self.chance.uniform(3)
        if rnd.probability > 0 and rnd.kinds and u[0] < rnd.probability:
            kind = rnd.kinds[int(u[1] * len(rnd.kinds))]
            eligible = active & (self._computer if KINDS[kind].hits == "rival" else True)
            candidates = np.flatnonzero(eligible)
            firm = int(candidates[int(u[2] * len(candidates))]) if len(candidates) else 0
            event = Event.model_validate(
                {
                    "round": round_no,
                    "kind": kind,
                    "firm": self.scenario.firm_ids[firm],
                    **RANDOM_DEFAULTS,
                }
            )
            new.append(Fired(event, None if KINDS[kind].hits == "market" else firm, round_no))
        new = [f for f in new if f.firm is None or active[f.firm]]
        self.fired.extend(new)
        return new

    def in_force(self, round_no: int) -> list[Fired]:
        return [f for f in self.fired if f.start <= round_no <= f.end]

    def effects(self, round_no: int, n_firms: int, n_segments: int) -> Effects:
        """What the events in force this round do (each kind's `weigh`, in firing order)."""
        effects = Effects(
            interest=np.ones(n_segments),
            churn=np.ones(n_segments),
            price_cut=np.zeros(n_firms),
            budget=np.ones(n_firms),
        )
        for f in self.in_force(round_no):
            KINDS[f.event.kind].weigh(f, effects)
        return effects
