"""The lift test: a market study that holds one segment's advertising out for a round.

A firm that decides `marketing.holdout = SEGMENT` does not spend, that round, the advertising
it aimed at the segment, and buys the study (`[research] lift_test`). At the round's close the
study reports what the advertising would have brought in: the segment's bookings had it run,
less its bookings held out, as a real test measures it, with a real test's noise. The
difference is measured on the same luck (the round played again from its start with the
advertising in; common random numbers), and a test comparing two groups of accounts cannot see
that: its error is about the Poisson noise of both groups' deal counts, se = V p
sqrt(n_held_out + n_with), which is added as a normal draw from the firm's own study stream and
stated with the result. So the measured lift is unbiased for the counterfactual's, within the
stated noise (tests/test_lab.py). What it measures is the round's own effect: the awareness
the advertising would have left behind is not in it, as it is in no real test.

Units: bookings and spend in the scenario's currency; `lift_roas` is bookings per unit of the
spend withheld.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sim.model.chance import Chance
from sim.model.decisions import Decision
from sim.model.report import RoundReport, r6

if TYPE_CHECKING:
    from sim.model.game import Game
    from sim.model.snapshot import Snapshot


def with_advertising(decision: Decision) -> Decision:
    """The decision with its held-out segment's advertising back in (no lift test)."""
    marketing = decision.marketing.model_copy(update={"holdout": None})
    return decision.model_copy(update={"marketing": marketing})


def segment_bookings(
    report: RoundReport, firm: str, segment: str, value: float
) -> tuple[float, int]:
    """A firm's bookings in one segment over a round, and its deals won there (by its reps,
    its partners and self-serve)."""
    f = report.firms[firm]
    won = f.deals_won_by.get(segment, 0) + f.route_deals_by.get(segment, 0)
    return won * value * f.price, won


def measure(
    game: Game,
    start: Snapshot,
    decided: dict[str, Decision],
    firm: str,
    report: RoundReport,
    factor: float,
) -> dict[str, Any]:
    """The lift test `firm` ran in the round `report` closes (`start`: that round's opening
    snapshot; `factor`: the budget left by events that cut budgets)."""
    k = start.round
    d = decided[firm]
    segment = d.marketing.holdout
    assert segment is not None
    s = game.scenario.segment_ids.index(segment)
    value = float(game.scenario.segments[s].deal_value)
    twin = game.restore(start, history=game.history[:k], reports=game.reports[:k])
    twin.measures_lift = False  # other firms' holdouts play as decided, unmeasured here
    twin_report = twin.play_round({**decided, firm: with_advertising(d)})
    held, n_held = segment_bookings(report, firm, segment, value)
    with_ads, n_with = segment_bookings(twin_report, firm, segment, value)
    price = report.firms[firm].price
    se = value * price * math.sqrt(n_held + n_with)
    chance = Chance(game.seed, "studies", game.ids.index(firm))
    chance.start_round(k + 1)
    noise = float(chance.rng.standard_normal()) * se
    withheld = (
        d.marketing.budget
        * factor
        * d.marketing.channel("advertising")
        * d.marketing.targeting.get(segment, 0.0)
    )
    measured = with_ads - held + noise
    return {
        "segment": segment,
        "withheld": round(withheld, 2),
        "bookings_held_out": round(held, 2),
        "measured": round(measured, 2),
        "se": round(se, 2),
        "lift_roas": r6(measured / withheld) if withheld > 0 else None,
    }
