"""A duplicate class: as in duplicate bridge, each team plays its own copy of the market, in
the same seat, with the same seed against the same computer rivals, so teams are compared on
equal luck and equal opponents. Two teams that decide alike get the same results, round after
round; a rollback, a late team, a rename, the grades, the luck and the debrief all work on the
copies.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sim.classroom.debrief import write_debrief
from sim.classroom.grades import grades
from sim.classroom.store import DUPLICATE_SCHEMA, Classroom
from sim.model.errors import InputError
from sim.model.game import Game

from .conftest import shortened

JIGSAW = str(Path(sys.executable).with_name("jigsaw"))
GOOD = {"budget": 300_000, "marketing_share": 0.4}
OTHER = {"budget": 260_000, "marketing_share": 0.7, "price": 1.2}


def make(tmp_path: Path, teams: list[str], rounds: int = 3, name: str = "dup.db"):
    return Classroom.create(
        tmp_path / name, shortened("classic", rounds), teams, seed=5, duplicate=True
    )


def reports(game: Game, firm: str) -> list[dict]:
    """The firm's round reports, without its name (each copy is named after its team)."""
    return [
        {k: v for k, v in r.to_dict()["firms"][firm].items() if k != "name"} for r in game.reports
    ]


def market(game: Game) -> list[dict]:
    """Every firm's round reports, the team's seat without its name."""
    return [reports(game, fid) for fid in game.ids]


def test_two_teams_that_decide_alike_get_identical_results_every_round(tmp_path: Path) -> None:
    room, instructor, codes = make(tmp_path, ["Red", "Blue", "Green"])
    for k in range(1, 4):
        room.submit("Red", codes["Red"], GOOD)
        room.submit("Blue", codes["Blue"], GOOD)
        room.submit("Green", codes["Green"], OTHER)
        room.advance(instructor)
        markets = Classroom(room.path).markets()  # read back from the file's snapshots
        red, blue, green = (reports(markets[n], "you") for n in ("Red", "Blue", "Green"))
        assert len(red) == k
        # the whole round, rivals included, is the same market in both copies
        assert market(markets["Red"]) == market(markets["Blue"])
        assert red[-1]["profit"] != green[-1]["profit"]
    board = room.leaderboard()
    assert [s.name for s in board if s.name in ("Red", "Blue")] and all(s.team for s in board)
    assert {s.name for s in board} == {"Red", "Blue", "Green"}  # teams only: no rivals' rows
    red_row, blue_row = (next(s for s in board if s.name == n) for n in ("Red", "Blue"))
    assert red_row.total == blue_row.total
    assert red_row.rank == blue_row.rank  # alike, so ranked alike: ties share a rank
    assert sorted(s.rank for s in board) in ([1, 1, 3], [1, 2, 2])


def test_each_copy_is_the_scenario_with_the_team_in_the_first_player_seat(
    tmp_path: Path,
) -> None:
    """More teams than the scenario has firms: each has a market of its own; the rivals are
    the scenario's computer-run firms, the same in every copy, and a team's copy of the market
    is the one a solo player in that seat, with the team's decisions, plays."""
    scenario = shortened("classic", 2)
    names = [f"T{k}" for k in range(len(scenario.firms) + 2)]
    room, instructor, codes = make(tmp_path, names, rounds=2)
    assert room.schema == DUPLICATE_SCHEMA and room.duplicate
    assert {t.firm_id for t in room.teams} == {"you"} and len({t.copy for t in room.teams}) == 6
    room.submit("T0", codes["T0"], OTHER)
    room.advance(instructor)  # the other teams carried: the balanced default
    solo = Game(scenario, 5)
    solo.play_round({"you": room.decisions()[0].decision})
    assert reports(room.game(team=room.team("T0")), "you") == reports(solo, "you")
    assert room.scenario_of(room.team("T3")).firm("you").name == "T3"
    with pytest.raises(ValueError, match="name the team"):
        room.game()


def test_a_corrupted_snapshot_of_one_copy_is_never_used(tmp_path: Path) -> None:
    room, instructor, codes = make(tmp_path, ["Red", "Blue"], rounds=2)
    for _ in range(2):
        room.submit("Red", codes["Red"], GOOD)
        room.submit("Blue", codes["Blue"], OTHER)
        room.advance(instructor)
    before = {n: reports(g, "you") for n, g in room.markets().items()}
    db = sqlite3.connect(room.path)
    db.execute("UPDATE snapshots SET data = zeroblob(length(data)) WHERE copy = 2")
    db.commit()
    db.close()
    again = Classroom(room.path)
    assert {n: reports(g, "you") for n, g in again.markets().items()} == before


def test_rollback_replays_every_copy_and_keeps_what_was_submitted(tmp_path: Path) -> None:
    room, instructor, codes = make(tmp_path, ["Red", "Blue"])
    straight, i2, c2 = make(tmp_path, ["Red", "Blue"], name="straight.db")
    for c, ins, cs, round2 in ((room, instructor, codes, OTHER), (straight, i2, c2, GOOD)):
        c.submit("Red", cs["Red"], GOOD)
        c.submit("Blue", cs["Blue"], GOOD)
        c.advance(ins)
        c.submit("Red", cs["Red"], round2)  # Blue carried in round 2
        c.advance(ins)
    assert "rolled back to round 2" in room.rollback(instructor, 2)
    assert room.open_round == 2 and room.status().submitted.keys() == {"Red"}
    room.override(instructor, "Red", GOOD)
    room.advance(instructor)
    for name in ("Red", "Blue"):
        assert reports(room.game(team=room.team(name)), "you") == reports(
            straight.game(team=straight.team(name)), "you"
        )


def test_a_late_team_gets_a_copy_the_computer_ran_before_it_joined(tmp_path: Path) -> None:
    room, instructor, codes = make(tmp_path, ["Red", "Blue"])
    room.submit("Red", codes["Red"], GOOD)
    room.advance(instructor)
    team, code, what = room.add_team(instructor, "Late")
    assert team.copy == 3 and "market of its own" in what
    late = [s for s in room.decisions() if s.team == "Late"]
    assert [(s.round, s.how, s.by) for s in late] == [(1, "carried", "computer: balanced")]
    # Blue did not submit round 1 either: it was carried the balanced default, so the late
    # team's copy and Blue's are the same market
    assert reports(room.game(team=team), "you") == reports(room.game(team=room.team("Blue")), "you")
    room.submit("Late", code, OTHER)
    room.advance(instructor)
    assert len(room.game(team=team).reports) == 2
    assert Classroom(room.path).team("Late") == team


def test_a_renamed_team_keeps_its_copy_and_its_snapshots(tmp_path: Path) -> None:
    room, instructor, codes = make(tmp_path, ["Red", "Blue"], rounds=2)
    room.submit("Red", codes["Red"], OTHER)
    room.advance(instructor)
    before = reports(room.game(team=room.team("Red")), "you")
    room.rename_team(instructor, "Red", "Crimson")
    again = Classroom(room.path)
    crimson = again.team("Crimson")
    assert crimson.copy == 1
    assert again.scenario_of(crimson).firm("you").name == "Crimson"
    restored = again._restored(  # the snapshot still matches its copy's decisions
        Game(again.scenario_of(crimson), again.seed), 1, [{}], crimson.copy
    )
    assert restored is not None and reports(restored, "you") == before
    again.check_team("Crimson", codes["Red"])  # the code keeps working


def test_grades_rank_teams_against_each_other_by_result_and_by_skill(tmp_path: Path) -> None:
    room, instructor, codes = make(tmp_path, ["Red", "Blue", "Green"], rounds=2)
    for _ in range(2):
        room.submit("Red", codes["Red"], GOOD)
        room.submit("Blue", codes["Blue"], GOOD)
        room.submit("Green", codes["Green"], {"budget": 120_000, "marketing_share": 0.05})
        room.advance(instructor)
    rows = grades(room)
    by_team = {r["team"]: r for r in rows}
    assert by_team["Red"]["score"] == by_team["Blue"]["score"]
    assert by_team["Red"]["rank"] == by_team["Blue"]["rank"]
    assert [r["rank"] for r in rows] in ([1, 1, 3], [1, 2, 2])
    skill = grades(room, by="skill", draws=3)
    by_skill = {r["team"]: r for r in skill}
    # equal decisions, equal luck: the same expected score and the same luck percentile
    assert by_skill["Red"]["score"] == by_skill["Blue"]["score"]
    assert by_skill["Red"]["luck"] == by_skill["Blue"]["luck"]
    assert by_skill["Red"]["rank"] == by_skill["Blue"]["rank"]


def test_the_debrief_shows_each_team_from_its_own_copy(tmp_path: Path) -> None:
    room, instructor, codes = make(tmp_path, ["Red", "<b>Blue</b>"], rounds=2)
    room.submit("Red", codes["Red"], GOOD)
    room.submit("<b>Blue</b>", codes["<b>Blue</b>"], OTHER)
    room.advance(instructor)
    out = tmp_path / "debrief"
    write_debrief(room, out, hindsight=True)
    page = (out / "index.html").read_text()
    assert "each team played its own copy of the market" in page
    assert "<b>Blue</b>" not in page and "&lt;b&gt;Blue&lt;/b&gt;" in page
    rows = list(csv.DictReader(io.StringIO((out / "rounds.csv").read_text())))
    assert {r["market"] for r in rows} == {"Red", "<b>Blue</b>"}
    mine = {r["market"]: r for r in rows if r["team"]}
    markets = room.markets()
    for name, row in mine.items():
        assert float(row["profit"]) == pytest.approx(markets[name].reports[0].firms["you"].profit)
    score = list(csv.DictReader(io.StringIO((out / "scorecard.csv").read_text())))
    assert [r["team"] for r in score] == [s.name for s in room.leaderboard()]


def test_class_new_duplicate_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    env = {**os.environ, "JIGSAW_SAVE_DIR": str(tmp_path)}
    teams = "A,B,C,D,E,F"  # more teams than classic has firms
    proc = subprocess.run(
        [JIGSAW, "class", "new", "classic", "--teams", teams, "--duplicate", "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "duplicate: each team plays its own market" in proc.stderr
    status = subprocess.run(
        [JIGSAW, "class", "status", "--db", str(db)], capture_output=True, text=True, env=env
    )
    assert "Duplicate class" in status.stdout and "F" in status.stdout
    proc = subprocess.run(
        [JIGSAW, "class", "new", "classic", "--teams", teams, "--db", str(tmp_path / "n.db")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2 and "at most 4 teams" in proc.stderr


def test_a_scenario_without_a_player_seat_cannot_be_played_in_duplicate(tmp_path: Path) -> None:
    data = shortened("classic", 2).model_dump(mode="json")
    for f in data["firms"]:
        f["controlled_by"] = "balanced"
    from sim.model.scenario import parse_scenario

    with pytest.raises(InputError, match="no player seat"):
        Classroom.create(tmp_path / "x.db", parse_scenario(data, "x"), ["A"], duplicate=True)


def test_two_teams_in_one_copy_of_the_market_are_refused_in_one_line(tmp_path: Path) -> None:
    """A file whose teams table lost its constraint and gives two teams the same copy would
    show one team the other's market: it is refused as edited."""
    room, instructor, codes = make(tmp_path, ["Red", "Blue"], rounds=2)
    room.close()
    db = sqlite3.connect(room.path)
    db.executescript(
        "CREATE TABLE t2 AS SELECT * FROM teams; DROP TABLE teams; ALTER TABLE t2 RENAME TO teams;"
        "UPDATE teams SET copy = 1;"
    )
    db.close()
    with pytest.raises(InputError, match="each team plays a copy of its own"):
        Classroom(room.path)


def test_a_team_is_never_named_as_a_computer_rival(tmp_path: Path) -> None:
    rival = shortened("classic", 2).firms[1].label
    with pytest.raises(InputError, match="a computer-run firm has that name"):
        make(tmp_path, ["Red", rival.upper()])
    room, instructor, codes = make(tmp_path, ["Red", "Blue"], rounds=2, name="ok.db")
    with pytest.raises(InputError, match="a computer-run firm has that name"):
        room.rename_team(instructor, "Blue", rival)
    with pytest.raises(InputError, match="a computer-run firm has that name"):
        room.add_team(instructor, rival)


@pytest.mark.parametrize("duplicate", [True, False])
def test_a_decision_deleted_from_a_closed_round_is_named_in_one_line(
    tmp_path: Path, duplicate: bool
) -> None:
    room, instructor, codes = Classroom.create(
        tmp_path / "c.db", shortened("classic", 3), ["Red", "Blue"], 5, duplicate=duplicate
    )
    for _ in range(2):
        room.submit("Red", codes["Red"], GOOD)
        room.advance(instructor)
    room.close()
    db = sqlite3.connect(room.path)
    db.execute("DELETE FROM decisions WHERE round = 2 AND team = 'Red'")
    db.execute("DELETE FROM snapshots")  # so that the rounds are replayed from the decisions
    db.commit()
    db.close()
    again = Classroom(room.path)
    with pytest.raises(InputError, match=r"decisions \(round 2, Red\).*every team's decision"):
        again.game(team=again.team("Red"))
