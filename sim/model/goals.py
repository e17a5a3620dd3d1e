"""A scenario's goals, checked against the player's rounds (docs/SCENARIOS.md, "Goals").

Each goal reads one round KPI (`sim.model.kpis.ROUND_KPIS`) of the player's firm:

- `final`: its value in the last round must be in range (decided when the game ends);
- `every`: every round's value must be in range (missed at the first round out of it);
- `total`: the sum over the rounds must be in range (decided when the game ends);
- `rounds`: at least `rounds` rounds must be in range (met as soon as they are; missed once
  too few rounds are left).

Before a goal is decided its status is "open", with the value so far; the scorecard, the
boardroom and the round report show each goal's status (in the words of `sim.narrative`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sim.model.gauge import ALIGNED
from sim.model.kpis import ROUND_KPIS
from sim.model.report import FirmRound
from sim.model.scenario import Goal, Scenario

Status = Literal["met", "missed", "open"]


@dataclass(frozen=True)
class GoalCheck:
    """Where one goal stands after the rounds played."""

    goal: Goal
    status: Status
    value: float | None  # the final value, the total, or the rounds in range so far


def bounds(goal: Goal) -> tuple[float, float]:
    """The range a goal's values must fall in."""
    if goal.aligned:
        return ALIGNED
    low = goal.at_least if goal.at_least is not None else float("-inf")
    high = goal.at_most if goal.at_most is not None else float("inf")
    return low, high


def check(goal: Goal, rounds: Sequence[FirmRound], total_rounds: int) -> GoalCheck:
    """Where `goal` stands after `rounds` (the player's, in order) of a `total_rounds` game."""
    kpi = ROUND_KPIS[goal.kpi].value
    values = [kpi(f) for f in rounds]
    low, high = bounds(goal)

    def inside(v: float | None) -> bool:
        return v is not None and low <= v <= high

    over = len(rounds) >= total_rounds
    if not rounds:
        return GoalCheck(goal, "open", None)
    if goal.over == "rounds":
        assert goal.rounds is not None
        hits = sum(1 for v in values if inside(v))
        left = total_rounds - len(rounds)
        if hits >= goal.rounds:
            return GoalCheck(goal, "met", hits)
        return GoalCheck(goal, "missed" if hits + left < goal.rounds else "open", hits)
    if goal.over == "every":
        known = [v for v in values if v is not None]
        worst = (min(known) if goal.at_least is not None else max(known)) if known else None
        if not all(inside(v) for v in values):
            return GoalCheck(goal, "missed", worst)
        return GoalCheck(goal, "met" if over else "open", worst)
    if goal.over == "total":
        total = sum(v for v in values if v is not None)
        status: Status = ("met" if inside(total) else "missed") if over else "open"
        return GoalCheck(goal, status, total)
    last = values[-1]
    status = ("met" if inside(last) else "missed") if over else "open"
    return GoalCheck(goal, status, last)


def check_goals(
    scenario: Scenario, rounds: Sequence[FirmRound], bankrupt: bool = False
) -> list[GoalCheck]:
    """Every goal of the scenario, for the player's rounds so far. A firm gone bankrupt has
    no rounds left: a goal it has not already met for good (enough rounds in range) is
    missed, not open."""
    checks = [check(g, rounds, scenario.meta.rounds) for g in scenario.meta.goals]
    if not bankrupt:
        return checks
    return [
        c if c.status == "met" and c.goal.over == "rounds" else GoalCheck(c.goal, "missed", c.value)
        for c in checks
    ]
