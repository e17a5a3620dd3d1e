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


def test_hindsight_is_like_for_like_at_the_split_played() -> None:
    """The player's own decisions (price, mix, R&D, studies), only the split varied: at the
    split the player kept every round the look back is the game as played, to the cent."""
    from sim.model.decisions import expand
    from sim.model.game import Game

    scenario = shortened("classic", 3)
    mine = expand(
        scenario,
        {
            "marketing": {"budget": 120_000, "mix": {"advertising": 0.7, "pr": 0.3}},
            "sales": {"budget": 180_000, "commission_rate": 0.1},
            "product": {"budget": 20_000},
            "price": 1.3,
            "research": ["win_loss"],
        },
    )
    game = Game(scenario, 6)
    game.play(lambda g, fid: mine.within(scenario, g.room(fid)))
    played = sum(r.firms["you"].profit for r in game.reports)
    looks = look_back(scenario, 6, "you", 0.0, [0.2, 0.4, 0.6], workers=1, mine=[mine] * 3)
    assert looks[1].profit == played and looks[1].score == game.score()["you"]["total"]
    assert looks[0].profit != played != looks[2].profit
    assert mine.with_split(0.2).price == 1.3 and mine.with_split(0.2).research == ["win_loss"]
