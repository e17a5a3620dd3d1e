"""Luck against skill (sim.experiments.luck, jigsaw luck): the luck percentile of decisions
that do not depend on luck is uniform; better decisions have the higher expected value
whatever their luck; a class team sees its own row only."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.classroom.store import Classroom
from sim.experiments.luck import draw_seeds, luck, percentile
from sim.model.decisions import simple
from sim.model.game import Game
from sim.model.scenario import load_scenario, parse_scenario
from tests.conftest import shortened
from tests.test_bad_input import cli, one_error

JIGSAW = str(Path(sys.executable).with_name("jigsaw"))


def two_players(rounds: int, round_days: int = 91):
    """classic with its first rival's seat played by a second player, cut short."""
    data = shortened("classic", rounds, round_days=round_days).model_dump(mode="json")
    data["firms"][1]["controlled_by"] = "player"
    return parse_scenario(data)


def fixed_plan(scenario, shares: dict[str, float]):
    """Every firm's decision, the same whatever happens: decisions that carry no luck."""
    budget = scenario.meta.budget_per_round
    return {
        f.id: simple(scenario, budget, shares.get(f.id, 0.45), firm_id=f.id) for f in scenario.firms
    }


def played(scenario, seed: int, plan) -> Game:
    game = Game(scenario, seed)
    while not game.finished:
        game.play_round({fid: d.within(scenario, game.room(fid)) for fid, d in plan.items()})
    return game


def test_the_percentile_counts_ties_as_half() -> None:
    assert percentile(5.0, [1.0, 5.0, 9.0, 9.0]) == 100 * 1.5 / 4
    assert percentile(0.0, [1.0, 2.0]) == 0 and percentile(3.0, [1.0, 2.0]) == 100
    assert list(draw_seeds(7, 3)) == [8, 9, 10]
    assert list(draw_seeds(2**63 - 2, 3)) == [2**63 - 5, 2**63 - 4, 2**63 - 3]


def test_the_luck_of_fixed_decisions_is_uniform() -> None:
    """Decisions that do not depend on luck: the game as played is one more draw, so its
    rank among the draws is uniform (randomised PIT; Kolmogorov-Smirnov at 1%)."""
    scenario = two_players(rounds=1, round_days=21)
    plan = fixed_plan(scenario, {})
    rng = np.random.default_rng(20261204)
    pits = []
    for seed in range(1, 31):
        result = luck(played(scenario, seed * 1000, plan), draws=7, workers=1)
        for f in result.firms:
            below = sum(1 for s in f.profits if s < f.profit)
            equal = sum(1 for s in f.profits if s == f.profit)
            pits.append((below + rng.random() * (equal + 1)) / (len(f.profits) + 1))
    pits.sort()
    n = len(pits)
    d = max(max((k + 1) / n - p, p - k / n) for k, p in enumerate(pits))
    assert d < 1.628 / math.sqrt(n), (d, pits)  # the 1% critical value


def test_better_decisions_have_the_higher_expected_value_whatever_their_luck() -> None:
    scenario = two_players(rounds=3)
    ids = scenario.firm_ids
    plan = fixed_plan(scenario, {ids[0]: 0.45, ids[1]: 1.0})  # balanced against all-marketing
    for seed in (3, 4):
        result = luck(played(scenario, seed, plan), draws=4, workers=1)
        good, bad = result.firm(ids[0]), result.firm(ids[1])
        assert good.expected_profit > bad.expected_profit
        assert good.score_low > bad.score_high  # apart beyond their 95% intervals
        assert good.skill_rank < bad.skill_rank


def test_the_draws_are_the_same_serially_and_on_a_pool() -> None:
    game = played(two_players(rounds=2), 5, fixed_plan(two_players(rounds=2), {}))
    assert luck(game, draws=3, workers=1).to_json() == luck(game, draws=3, workers=2).to_json()


def test_the_tutorial_has_luck_to_measure() -> None:
    """Every game draws its luck (mean-field mode is gone): other draws of the tutorial's
    first round give other scores, around the same decisions' expectation."""
    game = Game(load_scenario("tutorial"), 1)
    game.play_round({"you": simple(game.scenario, 200_000, 0.4)})
    result = luck(game, draws=3, workers=1)
    assert result.lucky
    assert len(set(result.firm("you").scores)) > 1


@pytest.fixture
def save(tmp_path: Path) -> Path:
    game = Game(shortened("classic", 2), 3)
    game.play(lambda g, fid: simple(g.scenario, 300_000, 0.45, firm_id=fid))
    path = tmp_path / "game.json"
    game.save(path)
    return path


def test_jigsaw_luck_reads_a_save(save: Path) -> None:
    done = subprocess.run(
        [JIGSAW, "luck", str(save), "--seeds", "3", "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Luck against skill:" in out and "3 draws of luck (seeds 4..6)" in out
    assert "Luck: your result was at the" in out and "percentile of what your decisions" in out
    as_json = subprocess.run(
        [JIGSAW, "luck", str(save), "--seeds", "3", "--workers", "1", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    data = json.loads(as_json.stdout)
    assert data["draws"] == 3 and data["draw_seeds"] == [4, 6]
    assert len(data["firms"]) == 4 and all(len(f["scores"]) == 3 for f in data["firms"])


def test_bad_luck_requests_are_one_line(capsys, save: Path) -> None:
    one_error(cli(capsys, "luck"), "SAVE file or --db")
    one_error(cli(capsys, "luck", save, "--seeds", "1"), "--seeds")
    one_error(cli(capsys, "luck", save, "--team", "Red"), "--team goes with --db")


def test_a_team_sees_its_own_luck_and_the_instructor_every_firm(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "class.db"
    room, instructor, codes = Classroom.create(path, shortened("classic", 2), ["Red", "Blue"], 7)
    for _ in range(2):
        for team in ("Red", "Blue"):
            room.submit(team, codes[team], {"budget": 300_000, "marketing_share": 0.45})
        room.advance(instructor)
    room.close()
    monkeypatch.setenv("JIGSAW_CODE", codes["Red"])
    code, out, err = cli(capsys, "luck", "--db", path, "--team", "Red", "--seeds", "2", "--json")
    assert code == 0, err
    assert [f["name"] for f in json.loads(out)["firms"]] == ["Red"]
    monkeypatch.setenv("JIGSAW_CODE", codes["Blue"])
    one_error(cli(capsys, "luck", "--db", path, "--team", "Red", "--seeds", "2"), "code")
    monkeypatch.setenv("JIGSAW_CODE", instructor)
    code, out, err = cli(capsys, "luck", "--db", path, "--seeds", "2", "--json")
    assert code == 0, err
    assert len(json.loads(out)["firms"]) == 4
    assert any("luck against skill" in what for _, _, what in Classroom(path).log())


def test_grades_by_skill_rank_the_decisions_not_the_luck(capsys, tmp_path, monkeypatch) -> None:
    """Two teams, one playing the lesson (a balanced split), one all-marketing: graded by
    skill, the balanced team is first with the higher expected score whatever its luck, and
    the sheet says the score as played and its luck beside it."""
    path = tmp_path / "class.db"
    room, instructor, codes = Classroom.create(path, shortened("classic", 3), ["Red", "Blue"], 11)
    for _ in range(3):
        room.submit("Red", codes["Red"], {"budget": 300_000, "marketing_share": 0.45})
        room.submit("Blue", codes["Blue"], {"budget": 300_000, "marketing_share": 1.0})
        room.advance(instructor)
    room.close()
    monkeypatch.setenv("JIGSAW_CODE", instructor)
    out = tmp_path / "grades.csv"
    code, _, err = cli(
        capsys, "class", "grades", "--db", path, "--out", out, "--by", "skill", "--seeds", "4"
    )
    assert code == 0, err
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["team"] for r in rows] == ["Red", "Blue"]
    assert list(rows[0]) == ["team", "rank", "score", "score_low", "score_high", "played", "luck"]
    assert float(rows[0]["score_low"]) > float(rows[1]["score_high"])
    assert all(0 <= float(r["luck"]) <= 100 for r in rows)
    assert any("grades by skill written" in what for _, _, what in Classroom(path).log())


def test_a_class_restored_from_its_snapshot_is_measured_as_played(tmp_path: Path) -> None:
    """A class's game comes from its last snapshot, which knows the teams' decisions but not
    the computer's: the computer-run firms must be held at what they did, not at nothing."""
    path = tmp_path / "class.db"
    scenario = shortened("classic", 2)
    room, instructor, codes = Classroom.create(path, scenario, ["Red", "Blue"], 7)
    for _ in range(2):
        for team in ("Red", "Blue"):
            room.submit(team, codes[team], {"budget": 300_000, "marketing_share": 0.45})
        room.advance(instructor)
    restored = Classroom(path).game()
    assert any(len(h) < len(scenario.firms) for h in restored.history)  # teams' only
    replayed = Game(Classroom(path).scenario, 7)  # the class's: its firms named for the teams
    for decided in restored.history:
        replayed.play_round(decided)
    assert (
        luck(restored, draws=3, workers=1).to_json() == luck(replayed, draws=3, workers=1).to_json()
    )
