"""The gauge's outlook: the alignment ratio a firm can expect over the rest of the game if it
holds this round's decisions, and whether a change of split could still pay back.

Why: rho reads the pipeline as it is, but marketing's stocks carry over. At a fixed split
awareness and brand keep building for rounds, so rho climbs (classic at its profit-best 40%:
about 0.5 in round 1, 1.1 by round 8). A gauge that read rho alone told a player at the
profit-best split to move toward marketing, and following it lost to holding the split.

The outlook projects what the round's marketing has already set in motion, with the expected
values of the market's own equations (`sim.model.market`) and everything else held:

- awareness, per segment, steps the generalized Bass equation forward in weeks (at most 104
  steps: a horizon longer than two years takes longer ones), with the
  advertising response h_ad of the round's last day held (adstock fills within a round), the
  firm's customers held, and forgetting as in the market;
- brand equity follows its Nerlove-Arrow goodwill equation exactly (it is linear), toward the
  target the round's PR and satisfaction set, with customers held;
- inbound leads scale with aware prospects times the brand's appeal, exp(brand_lift dG / 50);
  referrals are held at the close's rate.

The warm workload is then the round's offered slot-days per segment, with the leads drawn
replaced by the leads expected (luck in the count is not a signal), times the projected growth
of the warm lead rate: its mean over the rest of the game against its mean over the round. Over
the hunting slot-days of the round, that is the outlook, on rho's scale, so the aligned band
reads it. In the last round it is the round's rho with expected instead of drawn counts.

A change of split pays back only if there is time: a new rep ramps for `ramp_days`, then works
deals that take about `cycle_days` (the segments weighted by their share of the warm workload).
With fewer days left than that, the gauge says hold (`late`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model.game import Game

STEP_DAYS = 7.0  # the projection's step: awareness moves little in a week ...
MAX_STEPS = 104  # ... and at most two years of them (a longer horizon takes longer steps)


def warm_growth(game: Game, days_left: float) -> np.ndarray:
    """Per firm and segment, the projected mean warm lead rate over the next `days_left` days
    against the round's mean (1 where the round had none), with decisions held."""
    m, a = game.market, game.accounts
    p = m.params
    F, S = m.shape
    rates, _ = m.lead_rates(a, m.appeal(m.fit()))  # expected per day at the close, pre-routing
    inbound, referral = rates[:, 0], rates[:, 1]
    factor = np.ones((F, S))
    if days_left > 0:
        N = m.accounts
        c = a.customers.astype(float)
        aware0 = m.aware.astype(float)
        rate, target = m.goodwill(a.satisfaction, c)  # customers held
        lift = p.brand_lift[:, None]
        base = np.maximum(aware0 - c, 0.0)
        steps = min(MAX_STEPS, max(1, math.ceil(days_left / STEP_DAYS)))
        dt = days_left / steps / 365.0
        forget = -np.expm1(-m.forgetting * dt)
        aware = aware0.copy()
        total = np.zeros((F, S))
        for k in range(1, steps + 1):
            hazard = m.learning_hazard(aware)
            aware = aware + (N - aware) * -np.expm1(-hazard * dt) - (aware - c) * forget
            aware = np.clip(aware, c, N)
            brand = target + (m.brand - target) * np.exp(-rate * k * dt)
            total += np.maximum(aware - c, 0.0) * np.exp(lift * (brand - m.brand)[:, None] / 50.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(base > 0, total / steps / base, 1.0)
    ahead = inbound * factor + referral
    days = max(float(game.scenario.meta.round_days), 1.0)
    mean_now = m.warm_pre / days
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean_now > 0, ahead / mean_now, 1.0)


def alignment_outlooks(game: Game, rounds_left: int) -> list[float | None]:
    """Each firm's outlook (see the module docstring); None where it has no hunting slots."""
    days_left = rounds_left * float(game.scenario.meta.round_days)
    growth = warm_growth(game, days_left)
    m = game.market
    out: list[float | None] = []
    for i, force in enumerate(game.forces):
        if force.slot_days <= 0:
            out.append(None)
            continue
        drawn = m.warm_drawn[i]
        expected = m.warm_expected[i]
        hold = force.offered / drawn.sum() if drawn.sum() > 0 else 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            offered = np.where(drawn > 0, force.offered_by * expected / drawn, expected * hold)
        out.append(float((offered * growth[i]).sum() / force.slot_days))
    return out


def payback_days(game: Game, firm: int, load: dict[str, float]) -> float:
    """Days a change of split takes to pay: a new rep's ramp, then a deal's cycle (the
    segments weighted by `load`, their share of the warm workload; by potential without)."""
    m = game.market
    weights = np.array([load.get(s.id, 0.0) for s in game.scenario.segments])
    if weights.sum() <= 0:
        weights = m.accounts * m.deal_value
    cycle = float((m.cycle_days * weights).sum() / weights.sum())
    return float(game.params.ramp_days[firm]) + cycle
