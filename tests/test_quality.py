"""Decision quality (sim.experiments.quality): each round's decision against its neighbours
(each lever a step each way), from the round's starting snapshot, on expected outcomes."""

from __future__ import annotations

import json

import pytest

from sim.experiments.quality import neighbours, quality
from sim.model.decisions import RANGES, STEPS, simple
from sim.model.game import Game
from tests.test_bad_input import cli
from tests.test_explain import every_firm_a_player


def played(scenario, seed: int, price: float = 1.0, rounds: int = 2) -> Game:
    budget = scenario.meta.budget_per_round
    plan = {f.id: simple(scenario, budget, 0.45, firm_id=f.id) for f in scenario.firms}
    plan["you"] = simple(scenario, budget, 0.45, price=price, firm_id="you")
    game = Game(scenario, seed)
    for _ in range(rounds):
        game.play_round({fid: d.within(scenario, game.room(fid)) for fid, d in plan.items()})
    return game


def test_every_lever_moves_one_step_each_way_within_its_range() -> None:
    scenario = every_firm_a_player(rounds=1)
    middle = simple(scenario, 300_000, 0.45, firm_id="you")
    assert len(neighbours(middle)) == 2 * len(STEPS)
    floor = simple(scenario, 300_000, 0.0, price=RANGES["price"][0], firm_id="you")
    moved = {(lever, step > 0) for lever, step, _ in neighbours(floor)}
    assert ("price", False) not in moved and ("marketing_share", False) not in moved
    assert ("price", True) in moved and ("marketing_share", True) in moved
    for lever, step, d in neighbours(middle):
        if lever == "price":
            assert d.price == pytest.approx(middle.price + step)
            assert d.total_budget == pytest.approx(middle.total_budget)


def test_a_price_at_the_floor_is_told_to_rise() -> None:
    """At the corner price the round's best neighbour raises it: the game teaches that the
    floor price gives value away."""
    game = played(every_firm_a_player(rounds=2), 2, price=RANGES["price"][0])
    judged = quality(game, "you", [2], draws=2, workers=1).rounds[0]
    assert judged.best is not None and (judged.best.lever, judged.best.step) == ("price", 0.1)
    assert judged.best.gain > 2 * judged.best.error > 0  # clearly, not by the draws' noise
    assert "most of it in price: you played price 0.50; price 0.60 would have created" in (
        judged.line()
    )


def test_the_way_back_loses_what_the_step_gained() -> None:
    """Common random numbers make the judgement consistent: had the player taken the price
    neighbour, the neighbour back to the decision taken is the same gain, lost."""
    scenario = every_firm_a_player(rounds=2, round_days=21)
    game = played(scenario, 4)
    step = next(
        n
        for n in quality(game, "you", [2], draws=2, workers=1).rounds[0].neighbours
        if n.lever == "price" and n.step > 0
    )
    other = Game(scenario, 4)
    other.play_round(game.history[0])
    other.play_round({**game.history[1], "you": game.history[1]["you"].nudged("price", 0.1)})
    back = next(
        n
        for n in quality(other, "you", [2], draws=2, workers=1).rounds[0].neighbours
        if n.lever == "price" and n.step < 0
    )
    assert back.gain == pytest.approx(-step.gain, abs=1e-6)


def test_the_draws_are_the_same_serially_and_on_a_pool() -> None:
    game = played(every_firm_a_player(rounds=2, round_days=14), 6)
    serial = quality(game, "you", draws=2, workers=1).to_json()
    assert serial == quality(game, "you", draws=2, workers=2).to_json()
    assert [r["round"] for r in serial["rounds"]] == [1, 2]


def test_jigsaw_explain_quality_says_what_was_left_on_the_table(capsys, tmp_path) -> None:
    path = tmp_path / "game.json"
    played(every_firm_a_player(rounds=2, round_days=14), 8).save(path)
    args = ("explain", path, "--seeds", "2", "--workers", "1", "--quality")
    code, out, err = cli(capsys, *args)
    assert code == 0, err
    assert "Decision quality: round 2's decision created" in out
    assert "\nDecision quality: Round 2: " in out
    code, out, err = cli(capsys, *args, "--json")
    data = json.loads(out)["quality"]
    assert data["round"] == 2 and len(data["neighbours"]) == 2 * len(STEPS)
    clear = [n["gain"] for n in data["neighbours"] if n["gain"] > 2 * n["error"] and n["gain"] > 0]
    assert data["left_on_the_table"] == max(clear, default=0.0)


@pytest.mark.parametrize("budget", [150_000, 300_000, 420_000, 1_000_000])
def test_a_training_neighbour_changes_the_headcount(budget: float) -> None:
    """Whole reps, the rest trains: a training step that keeps the same number of reps
    changes nothing at all, so the neighbour moves until one rep more or one fewer."""
    from sim.experiments.quality import TRAINING
    from sim.model.pipeline import headcount

    scenario = every_firm_a_player(rounds=1)
    rep_cost = scenario.economics.rep_cost_per_year * scenario.meta.round_days / 365
    taken = simple(scenario, budget, 0.45, firm_id="you")
    reps = headcount(taken.sales.budget, taken.sales.training_share, rep_cost)
    moves = [(step, d) for lever, step, d in neighbours(taken, rep_cost) if lever == TRAINING]
    assert moves
    for step, d in moves:
        assert abs(step) >= STEPS[TRAINING] - 1e-9
        now = headcount(d.sales.budget, d.sales.training_share, rep_cost)
        assert (now < reps) if step > 0 else (now > reps), (step, reps, now)
        assert d.sales.budget == pytest.approx(taken.sales.budget)


def test_a_simple_mode_player_is_judged_on_the_levers_it_has() -> None:
    """Simple mode shows the split and the price: its decision quality never says 'account
    management 15% would have earned more' (the playtest's complaint)."""
    from sim.model.decisions import SIMPLE_LEVERS
    from tests.conftest import shortened
    from tui.session import Session

    session = Session.new(shortened("tutorial", 2), 1)
    assert not session.full_mode
    session.advance()
    judged = session.quality(1)
    assert judged.neighbours and {n.lever for n in judged.neighbours} <= set(SIMPLE_LEVERS)
    full = neighbours(session.game.history[0]["you"])
    assert {lever for lever, _, _ in full} - set(SIMPLE_LEVERS)  # full mode has more
