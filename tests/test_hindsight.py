"""Hindsight: each fixed split's game, in parallel or not, gives the same results."""

from __future__ import annotations

from sim.experiments.hindsight import look_back, play_split

from .conftest import shortened


def test_the_look_back_is_the_same_on_a_pool_as_in_this_process() -> None:
    scenario = shortened("tutorial", 3)
    shares = [0.2, 0.5, 0.8]
    budget = scenario.meta.budget_per_round
    seen: list[tuple[int, int]] = []
    pooled = look_back(
        scenario, 4, "you", budget, shares, progress=lambda d, t: seen.append((d, t)), workers=2
    )
    here = look_back(scenario, 4, "you", budget, shares, workers=1)
    assert pooled == here
    assert [look.share for look in here] == shares
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert here[1] == play_split(scenario, 4, "you", budget, 0.5)
    assert len({look.profit for look in here}) == 3, "the splits play different games"
