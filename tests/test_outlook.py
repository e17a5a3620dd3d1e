"""The gauge's outlook (`sim.model.outlook`): the rho to expect over the rest of the game if a
firm holds its decisions, and the rule that a change too late to pay back is not advised."""

from __future__ import annotations

import numpy as np
import pytest

from sim import Game, load_scenario
from sim.model.gauge import ALIGNED, reading
from sim.model.outlook import STEP_DAYS, payback_days, warm_growth
from sim.model.rivals import budget_decision


def held(name: str, share: float, seed: int, rounds: int | None = None) -> Game:
    game = Game(load_scenario(name), seed)
    for _ in range(rounds or game.scenario.meta.rounds):
        game.play_round({"you": budget_decision(game.view("you"), share)})
    return game


def test_projected_awareness_follows_the_bass_closed_form_when_innovation_alone_moves_it() -> None:
    """With no imitation, no forgetting, no advertising lift and no brand effect, the hazard
    of learning is the constant p, so N - A(t) = (N - A0) e^(-p t): the projection's weekly
    steps are exact, and the inbound rate grows with aware prospects (A - c) / (A0 - c)."""
    game = held("tutorial", 0.45, 1, rounds=1)
    m, a = game.market, game.accounts
    m.imitation = np.zeros_like(m.imitation)
    m.forgetting = np.zeros_like(m.forgetting)
    m.ad_lift = np.zeros_like(m.ad_lift)
    m.params.brand_lift = np.zeros_like(m.params.brand_lift)
    rates, _ = m.lead_rates(a, m.appeal(m.fit()))
    days = float(game.scenario.meta.round_days)
    m.warm_pre = rates.sum(axis=1) * days  # the round's mean rate is the close's
    left = 3 * days
    growth = warm_growth(game, left)

    steps = int(np.ceil(left / STEP_DAYS))
    t = np.arange(1, steps + 1) * (left / steps) / 365.0
    N, A0, c = m.accounts, m.aware[0], a.customers[0]
    aware = N - (N - A0) * np.exp(-m.innovation[:, None] * t)  # segments x steps
    factor = (aware - c[:, None]).mean(axis=1) / (A0 - c)
    inbound, referral = rates[0, 0], rates[0, 1]
    expected = (inbound * factor + referral) / (inbound + referral)
    assert growth[0] == pytest.approx(expected, rel=1e-9)
    assert (factor > 1).all()  # more accounts learn of the firm: the workload grows


def test_at_the_profit_best_split_the_gauge_holds_while_rho_is_still_climbing() -> None:
    """Classic's profit-best split is 40% (docs/BALANCE.md). In round 1 rho reads below the
    band, because awareness and brand are still building; the outlook reads inside it, and
    the gauge says hold."""
    lo, hi = ALIGNED
    for seed in (1, 2, 3):
        f = held("classic", 0.4, seed, rounds=1).reports[-1].firms["you"]
        assert f.alignment_ratio is not None and f.alignment_ratio < lo, seed
        assert f.alignment_outlook is not None and lo <= f.alignment_outlook <= hi, seed
        assert f.alignment_outlook > f.alignment_ratio
        assert f.gauge_reading == "aligned", seed


def test_the_gauge_says_hold_when_a_change_could_not_pay_back_before_the_end() -> None:
    """Enterprise: a new rep ramps for 90 days, then works deals of 120 to 170 days. With two
    rounds (182 days) or one left, a change of split cannot pay back: the gauge says hold
    ("late"); with three left (273 days) it still reads the outlook; after the last round
    there is no decision to advise on, and the reading is the outlook's again."""
    game = held("enterprise", 0.3, 1)
    rounds = game.scenario.meta.rounds
    for report in game.reports:
        f = report.firms["you"]
        left_days = (rounds - report.round) * game.scenario.meta.round_days
        payback = payback_days(game, game.ids.index("you"), f.load_by_segment)
        assert 90 + 120 <= payback <= 90 + 170
        late = 0 < left_days < payback
        assert (f.gauge_reading == "late") == late, (report.round, left_days, payback)
        if not late:
            assert f.gauge_reading == reading(f.alignment_outlook)
    readings = [r.firms["you"].gauge_reading for r in game.reports]
    assert readings[5:7] == ["late", "late"] and "late" not in readings[:5] + readings[7:]


def test_a_firm_with_no_reps_has_no_outlook_and_is_told_to_hire() -> None:
    f = held("tutorial", 1.0, 1, rounds=1).reports[-1].firms["you"]
    assert f.hunting_slots == 0 and f.alignment_outlook is None
    assert f.gauge_reading == "no_reps"
