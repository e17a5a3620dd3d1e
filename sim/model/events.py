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

import numpy as np

from sim.model.chance import Chance
from sim.model.scenario import Event, Scenario

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
        e = self.event
        who = names[self.firm] if self.firm is not None else "the market"
        text = {
            "recession": f"Recession: lead interest x{e.interest_multiplier:g}, churn "
            f"x{e.churn_multiplier:g} for {e.rounds} round(s)",
            "rival_launch": f"{who} launches a new product (+{e.awareness_boost:.0%} awareness, "
            f"+{e.brand_boost:g} brand)",
            "viral_moment": f"{who} goes viral (+{e.awareness_boost:.0%} of unaware accounts learn of it)",
            "rep_attrition": f"{e.share:.0%} of {who}'s reps quit",
            "budget_cut": f"{who}'s budgets are cut by {e.share:.0%} for {e.rounds} round(s)",
            "price_war": f"Price war: {who}'s rivals cut prices by {e.price_cut:.0%} "
            f"for {e.rounds} round(s)",
        }[e.kind]
        return f"Round {self.start}: {text}"


class EventBook:
    """The scenario's events, the random ones drawn from the seed, and those in force."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.chance = Chance(seed, "events", -1, mean_field=False)
        self.fired: list[Fired] = []
        ids = scenario.firm_ids
        players = [i for i, f in enumerate(scenario.firms) if f.is_player]
        rivals = [i for i, f in enumerate(scenario.firms) if not f.is_player]
        self._default_player = players[0] if players else 0
        self._default_rival = rivals[0] if rivals else 0
        self._index = {fid: k for k, fid in enumerate(ids)}
        self._computer = np.array([not f.is_player for f in scenario.firms])

    def _target(self, event: Event) -> int | None:
        if event.kind == "recession":
            return None
        if event.firm is not None:
            return self._index[event.firm]
        return self._default_rival if event.kind == "rival_launch" else self._default_player

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
            eligible = active & (self._computer if kind == "rival_launch" else True)
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
            new.append(Fired(event, None if kind == "recession" else firm, round_no))
        new = [f for f in new if f.firm is None or active[f.firm]]
        self.fired.extend(new)
        return new

    def in_force(self, round_no: int) -> list[Fired]:
        return [f for f in self.fired if f.start <= round_no <= f.end]

    def budget_factor(self, round_no: int, firm: int) -> float:
        factor = 1.0
        for f in self.in_force(round_no):
            if f.event.kind == "budget_cut" and f.firm == firm:
                factor *= 1.0 - f.event.share
        return factor

    def multipliers(
        self, round_no: int, n_firms: int, n_segments: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(interest x, churn x per segment; price cut per firm) from the events in force."""
        interest = np.ones(n_segments)
        churn = np.ones(n_segments)
        cut = np.zeros(n_firms)
        for f in self.in_force(round_no):
            e = f.event
            if e.kind == "recession":
                interest *= e.interest_multiplier
                churn *= e.churn_multiplier
            elif e.kind == "price_war":
                others = np.arange(n_firms) != f.firm
                cut[others] = 1.0 - (1.0 - cut[others]) * (1.0 - e.price_cut)
        return interest, churn, cut
