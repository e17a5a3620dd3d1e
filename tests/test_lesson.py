"""The central lesson of the game, measured on `classic` over several seeds with a fixed
total budget (the scenario's budget_per_round): a balanced split between marketing and
sales makes more profit than either extreme, and the reasons show in the reports."""

from __future__ import annotations

import statistics
from functools import cache

import pytest

from sim import Game, load_scenario
from sim.model.rivals import strategy

SEEDS = (1, 2, 3, 4)
ALL_SALES, BALANCED, HEAVY, ALL_MARKETING = 0.0, 0.4, 0.7, 1.0


@cache
def play(share: float, seed: int) -> Game:
    scenario = load_scenario("classic")
    game = Game(scenario, seed)
    split = strategy(f"split:{share}")
    game.play(lambda g, fid: split(g.view(fid)))
    return game


def total(game: Game, field: str) -> float:
    return sum(getattr(r.firms["you"], field) for r in game.reports)


def profit(share: float, seed: int) -> float:
    return total(play(share, seed), "profit")


@pytest.mark.parametrize("seed", SEEDS)
def test_a_balanced_split_beats_both_extremes(seed: int) -> None:
    balanced = profit(BALANCED, seed)
    assert balanced > profit(ALL_SALES, seed) + 300_000
    assert balanced > profit(ALL_MARKETING, seed) + 1_000_000


def test_all_marketing_lets_most_leads_go_cold() -> None:
    for seed in SEEDS:
        game = play(ALL_MARKETING, seed)
        warm = total(game, "leads_inbound") + total(game, "leads_referral")
        assert warm > 1000  # marketing does make demand...
        assert total(game, "leads_cold") / warm > 0.8  # ...but nobody works it
        assert total(game, "deals_won") == 0


def test_all_sales_prospects_cold_accounts_and_wins_less_often() -> None:
    for seed in SEEDS:
        sales, balanced = play(ALL_SALES, seed), play(BALANCED, seed)
        assert total(sales, "leads_outbound") > 2 * total(sales, "leads_inbound")
        assert total(sales, "leads_cold") == 0  # reps are never short of time
        rate = lambda g: total(g, "deals_won") / (total(g, "deals_won") + total(g, "deals_lost"))  # noqa: E731
        assert rate(sales) < 0.6 * rate(balanced)  # strangers buy far less often


def test_the_alignment_ratio_rises_with_the_marketing_share() -> None:
    def late_rho(share: float) -> float:
        return statistics.mean(
            r.firms["you"].alignment_ratio for s in SEEDS for r in play(share, s).reports[-4:]
        )

    idle, balanced, starved = late_rho(ALL_SALES), late_rho(BALANCED), late_rho(HEAVY)
    assert idle < 0.2 < 0.6 < balanced < 1.4 < 2.5 < starved  # near 1 at the balanced split
    utilization = total(play(HEAVY, 1), "rep_utilization") / 8
    assert utilization > 0.85  # reps busy, leads queueing: sales is the bottleneck
