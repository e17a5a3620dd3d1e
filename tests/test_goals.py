"""A scenario's goals: each is decided by the rule of its kind, and the bundled goals reward
the lesson (reference play meets them all; each corner of the split misses at least one)."""

from __future__ import annotations

import pytest

from sim.model.errors import InputError
from sim.model.game import Game
from sim.model.goals import check, check_goals
from sim.model.rivals import strategy
from sim.model.scenario import Goal, load_scenario, parse_scenario
from sim.narrative import goal_line


class Round:
    """The one figure a goal reads, as a round's report would carry it."""

    def __init__(self, **figures: float) -> None:
        self.__dict__.update(figures)


def rounds(kpi: str, *values: float) -> list:
    attr = {"market_share": "market_share", "cash": "cash", "profit": "profit"}[kpi]
    return [Round(**{attr: v}) for v in values]


def test_a_final_goal_is_decided_when_the_game_ends() -> None:
    goal = Goal(text="55% share", kpi="market_share", at_least=0.55)
    assert check(goal, rounds("market_share", 0.6), 3).status == "open"
    assert check(goal, rounds("market_share", 0.6, 0.7, 0.56), 3).status == "met"
    assert check(goal, rounds("market_share", 0.6, 0.7, 0.5), 3).status == "missed"
    assert "now 60%" in goal_line(check(goal, rounds("market_share", 0.6), 3))


def test_a_figure_that_rounds_to_the_goal_shows_the_digits_that_tell_them_apart() -> None:
    goal = Goal(text="55% share", kpi="market_share", at_least=0.55)
    assert "now 54.7%" in goal_line(check(goal, rounds("market_share", 0.547), 3))
    assert "now 55%" in goal_line(check(goal, rounds("market_share", 0.55), 3))
    assert "(54.7%)" in goal_line(check(goal, rounds("market_share", 0.6, 0.547), 2))
    cash = Goal(text="cash", kpi="cash", over="every", at_least=0)
    assert "lowest -400" in goal_line(check(cash, rounds("cash", 5e5, -400.0), 8))


def test_an_every_round_goal_is_missed_at_the_first_round_out_of_range() -> None:
    goal = Goal(text="cash", kpi="cash", over="every", at_least=0)
    assert check(goal, rounds("cash", 5.0, -1.0), 8).status == "missed"
    assert check(goal, rounds("cash", 5.0, 1.0), 8).status == "open"
    assert check(goal, rounds("cash", 5.0, 1.0), 2).status == "met"
    assert check(goal, rounds("cash", 5.0, 1.0), 2).value == 1.0  # the lowest


def test_a_total_goal_sums_the_rounds() -> None:
    goal = Goal(text="profit", kpi="profit", over="total", at_least=0)
    assert check(goal, rounds("profit", -5.0, 7.0), 2).status == "met"
    assert check(goal, rounds("profit", -5.0, 3.0), 2).status == "missed"
    assert check(goal, rounds("profit", -5.0), 2).status == "open"


def test_a_rounds_goal_is_met_as_soon_as_enough_rounds_are_in_range() -> None:
    goal = Goal(text="share", kpi="market_share", over="rounds", at_least=0.5, rounds=2)
    assert check(goal, rounds("market_share", 0.6, 0.7), 6).status == "met"
    assert check(goal, rounds("market_share", 0.1, 0.1, 0.1, 0.1, 0.6), 6).status == "open"
    assert check(goal, rounds("market_share", 0.1, 0.1, 0.1, 0.1, 0.1), 6).status == "missed"
    assert check(goal, rounds("market_share", 0.1, 0.6), 6).status == "open"


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"kpi": "happiness", "at_least": 1}, "unknown kpi"),
        ({"kpi": "cash"}, "give at_least"),
        ({"kpi": "cash", "aligned": True}, "alignment_ratio kpi only"),
        ({"kpi": "cash", "at_least": 0, "over": "rounds"}, "rounds goes with"),
    ],
)
def test_a_malformed_goal_is_refused_naming_the_field(fields, why) -> None:
    data = load_scenario("tutorial").model_dump(mode="json")
    data["meta"]["goals"] = [{"text": "x", **fields}]
    with pytest.raises(InputError, match=why) as err:
        parse_scenario(data, "goal.toml")
    assert "meta.goals[0]" in str(err.value)


def play(name: str, how: str, seed: int = 1) -> list:
    scenario = load_scenario(name)
    me = scenario.player_ids[0]
    game = Game(scenario, seed)
    decide = strategy(how)
    while not game.finished:
        game.play_round({me: decide(game.view(me))})
    return check_goals(scenario, [r.firms[me] for r in game.reports])


@pytest.mark.parametrize("name", ["tutorial", "classic", "enterprise", "recession", "channels"])
def test_reference_play_meets_every_goal_and_each_corner_of_the_split_misses_one(name) -> None:
    reference = play(name, "balanced")
    assert len(reference) >= 3
    assert all(g.status == "met" for g in reference), [goal_line(g) for g in reference]
    for corner in ("split:0", "split:1"):
        checks = play(name, corner)
        assert any(g.status == "missed" for g in checks), (corner, [goal_line(g) for g in checks])


def test_a_bankrupt_players_game_is_over_on_every_line_of_its_scorecard() -> None:
    """Bankrupt after round 1 of 6: the title says so (not "Round 2 of 6"), no goal is still
    open, and a luck that every draw shares says there is none to read."""
    from sim.narrative import luck_line
    from tui.session import Session

    data = load_scenario("tutorial").model_dump(mode="json")
    data["firms"][0]["cash"] = -data["firms"][0]["credit_line"]  # at the line: fixed costs sink it
    data["firms"][0]["customers"] = {}  # no revenue to save it
    data["economics"]["severance_weeks"] = 0.0  # letting the reps go costs nothing
    session = Session(Game(parse_scenario(data), 1))
    session.draft.budget = 0.0
    session.advance()
    assert session.bankrupt and session.round_label == "Bankrupt after round 1 of 6"
    assert session.goals() and all(g.status != "open" for g in session.goals())
    line = luck_line(100.0, 28.0, 28.0, 28.0, 28.2, 20, True)
    assert "same score (28, within half a point)" in line and "luckier" not in line
