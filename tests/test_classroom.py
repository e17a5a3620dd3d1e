"""The classroom: one SQLite file per class, teams submit, the instructor advances.

A team never sees or changes another team's decisions before the round closes; wrong codes,
closed rounds, another class's codes and malformed files are refused with one clear line;
30 teams submitting at once while the instructor advances lose nothing and run each round
once; a process killed in the middle of `advance` leaves the class before or after the round,
never in between.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.classroom.debrief import write_debrief
from sim.classroom.store import Classroom, seat_teams
from sim.model.decisions import expand
from sim.model.errors import InputError
from sim.model.game import MODEL_VERSION, Game
from sim.model.scenario import Scenario, parse_scenario
from sim.numbers import money

from .conftest import shortened

JIGSAW = str(Path(sys.executable).with_name("jigsaw"))
GOOD = {"budget": 300_000, "marketing_share": 0.4}


def jigsaw(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [JIGSAW, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}
    )


@pytest.fixture
def room(tmp_path: Path) -> tuple[Classroom, str, dict[str, str]]:
    return Classroom.create(tmp_path / "class.db", shortened("classic", 3), ["Red", "Blue"], 7)


def crowd(n: int, rounds: int = 2) -> Scenario:
    """A market of n firms (tutorial's, one segment)."""
    data = shortened("tutorial", rounds).model_dump(mode="json")
    base = data["firms"][1]
    data["firms"] = [
        dict(base, id=f"f{k:02d}", name="", controlled_by="balanced", customers={})
        for k in range(n)
    ]
    return parse_scenario(data, f"{n} firms")


# --- setting up ----------------------------------------------------------------------------


def test_class_new_prints_one_code_per_line_and_stores_them_only_hashed(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    proc = jigsaw("class", "new", "classic", "--teams", "Red,Blue,Green", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split(": ")[0] for line in lines] == ["instructor", "Red", "Blue", "Green"]
    codes = [line.split(": ")[1] for line in lines]
    assert len(set(codes)) == 4 and all(len(c) == 14 for c in codes)
    raw = db.read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("c.db-")
    )
    for code in codes:
        assert code.encode() not in raw and code.replace("-", "").encode() not in raw
    status = jigsaw("class", "status", "--db", str(db))
    assert "Round 1 of 8" in status.stdout
    assert "Computer-run: Initech (adaptive)" in status.stdout


def test_teams_take_player_seats_first_and_the_rest_stay_computer_run() -> None:
    scenario, teams = seat_teams(shortened("classic", 2), ["Red", "Blue"])
    assert [(t.name, t.firm_id) for t in teams] == [("Red", "you"), ("Blue", "northwind")]
    assert [f.controlled_by for f in scenario.firms][:2] == ["player", "player"]
    assert [f.label for f in scenario.firms][:2] == ["Red", "Blue"]
    assert all(not f.is_player for f in scenario.firms[2:])
    with pytest.raises(InputError, match="at most 4 teams"):
        seat_teams(shortened("classic", 2), ["a", "b", "c", "d", "e"])
    with pytest.raises(InputError, match="must be different"):
        seat_teams(shortened("classic", 2), ["Red", "red"])


def test_a_class_file_is_never_overwritten(tmp_path: Path) -> None:
    Classroom.create(tmp_path / "c.db", shortened("classic", 2), ["Red"])
    with pytest.raises(InputError, match="already exists"):
        Classroom.create(tmp_path / "c.db", shortened("classic", 2), ["Red"])


# --- who may do what -----------------------------------------------------------------------


def test_wrong_codes_are_refused(room, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.classroom import store

    monkeypatch.setattr(store, "BACKOFF_AFTER", 100)  # each refusal's own reason (back-off: below)
    c, instructor, codes = room
    other, other_instructor, other_codes = Classroom.create(
        tmp_path / "other.db", shortened("classic", 3), ["Red", "Blue"], 7
    )
    for team, code, why in [
        ("Red", "AAAA-BBBB-CCCC", "wrong code for team Red"),
        ("Red", codes["Blue"], "wrong code for team Red"),  # another team's
        ("Red", other_codes["Red"], "wrong code for team Red"),  # another class's
        ("Red", instructor, "wrong code for team Red"),
        ("Purple", codes["Red"], "no team 'Purple'"),
    ]:
        with pytest.raises(InputError, match=why):
            c.submit(team, code, GOOD)
    with pytest.raises(InputError, match="wrong instructor code"):
        c.advance(other_instructor)
    with pytest.raises(InputError, match="wrong instructor code"):
        c.advance(codes["Red"])
    assert c.status().submitted == {} and c.open_round == 1
    # Codes are forgiving about case and dashes, not about characters.
    assert c.submit("red", codes["Red"].lower().replace("-", " "), GOOD) == 1


def test_a_team_never_sees_another_teams_decisions_before_the_round_closes(room) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], {"budget": 280_000, "marketing_share": 0.35})
    assert c.decisions() == []  # the open round's decisions are nobody's business yet
    assert c.own_decision(c.team("Blue")) is None
    assert list(c.status().submitted) == ["Red"]  # who, not what
    _, view = c.team_view("Blue", codes["Blue"])
    assert view.own == [] and view.public == []
    c.advance(instructor)
    (red, blue) = c.decisions()
    assert red.team == "Red" and red.how == "submitted" and red.decision.total_budget == 280_000
    assert blue.team == "Blue" and blue.how == "carried"
    _, view = c.team_view("Blue", codes["Blue"])
    assert len(view.own) == 1 and view.own[0].name == "Blue"
    assert set(view.public[0]["you"]) == {
        "market_share",
        "price",
        "revenue",
        "customers",
        "bankrupt",
    }


def test_results_show_a_team_its_own_books_and_only_the_public_report(room) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], {"budget": 287_000, "marketing_share": 0.37})
    c.advance(instructor)
    c.close()
    proc = jigsaw(
        "class",
        "results",
        "--db",
        str(c.path),
        "--team",
        "Blue",
        env={"JIGSAW_CODE": codes["Blue"]},
    )
    assert proc.returncode == 0, proc.stderr
    assert "Your books" in proc.stdout and "Market report, round 1 (public)" in proc.stdout
    assert "287k" not in proc.stdout and "37%" not in proc.stdout.split("Market report")[1]
    # its own figures in full: the income statement, which adds up to its operating profit
    again = Classroom(c.path)
    _, view = again.team_view("Blue", codes["Blue"])
    again.close()
    blue = view.own[0]
    statement = proc.stdout.split("Income statement by round")[1].split("Market report")[0]
    profit_line = next(line for line in statement.splitlines() if line.startswith("Operating"))
    assert profit_line.split()[-1] == money(blue.profit)
    assert round(sum(v for _, v in blue.statement()) - blue.profit, 2) == 0
    for name, value in blue.statement():
        if round(value, 2) != 0:
            assert name in statement and money(value) in statement, name


def test_a_closed_round_is_refused_and_resubmitting_replaces(room) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], {"budget": 200_000, "marketing_share": 0.3})
    c.submit("Red", codes["Red"], {"budget": 250_000, "marketing_share": 0.5})
    c.advance(instructor)
    red = c.decisions()[0]
    assert red.decision.total_budget == 250_000 and red.decision.marketing_share == 0.5
    with pytest.raises(InputError, match="round 1 is closed; round 2 is open"):
        c.submit("Red", codes["Red"], GOOD, expect_round=1)
    with pytest.raises(InputError, match="round 3 is not open yet"):
        c.submit("Red", codes["Red"], GOOD, expect_round=3)
    submissions = c.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    assert submissions == 2  # both kept in the history


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("budget = 300000\nmarketing_share = 1.5\n", "marketing_share"),
        ("budget = 300000\nmarketing_share = 0.4\ncolour = 'red'\n", "colour"),
        ("budget = 'lots'\nmarketing_share = 0.4\n", "budget"),
        ("budget = 300000\nmarketing_share = \n", "TOML"),
        ("budget = 90000000\nmarketing_share = 0.4\n", "more than cash plus credit"),
        # the budget fits cash plus credit, the reps it hires do not (as the team's screen says)
        ("budget = 1900000\nmarketing_share = 0.0\n", "of hiring and severance) is more than"),
    ],
)
def test_a_malformed_decisions_file_is_refused_with_one_line(
    room, tmp_path: Path, content: str, expected: str
) -> None:
    c, _, codes = room
    c.close()
    path = tmp_path / "d.toml"
    path.write_text(content)
    proc = jigsaw(
        "class",
        "submit",
        "--db",
        str(c.path),
        "--team",
        "Red",
        str(path),
        env={"JIGSAW_CODE": codes["Red"]},
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert str(path) in proc.stderr and expected in proc.stderr
    assert "Traceback" not in proc.stderr
    assert Classroom(c.path).status().submitted == {}


def test_sql_is_parameterised_so_a_hostile_team_name_is_just_a_name(tmp_path: Path) -> None:
    hostile = "Robert'); DROP TABLE teams;--"
    c, instructor, codes = Classroom.create(
        tmp_path / "c.db", shortened("classic", 2), [hostile, "<b>Blue</b>"]
    )
    assert c.submit(hostile, codes[hostile], GOOD, by="x' OR '1'='1") == 1
    c.advance(instructor)
    again = Classroom(c.path)
    assert [t.name for t in again.teams] == [hostile, "<b>Blue</b>"]
    assert again.decisions()[0].by == "x' OR '1'='1"
    source = Path("sim/classroom/store.py").read_text()
    # Every statement with a value in it binds it with ?; the only f-strings are PRAGMAs of
    # module constants.
    for line in source.splitlines():
        if 'execute(f"' in line:
            assert "PRAGMA" in line and any(
                c in line for c in ("{BUSY_TIMEOUT_MS}", "{SCHEMA_VERSION}", "{DUPLICATE_SCHEMA}")
            )


def test_a_file_that_is_not_a_class_or_of_another_schema_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.commit()
    c, _, _ = Classroom.create(tmp_path / "newer.db", shortened("classic", 2), ["Red"])
    c.db.execute("PRAGMA user_version = 99")
    c.close()
    for path, expected in [
        (junk, "is not a Jigsaw class file"),
        (other, "is not a Jigsaw class file"),
        (tmp_path / "newer.db", "schema 99 is not supported"),
        (tmp_path / "missing.db", "no such class file"),
    ]:
        proc = jigsaw("class", "status", "--db", str(path))
        assert proc.returncode == 2 and expected in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


# --- rounds --------------------------------------------------------------------------------


def test_a_team_that_did_not_submit_keeps_its_last_decision_and_it_is_logged(room) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], {"budget": 260_000, "marketing_share": 0.45})
    c.submit("Blue", codes["Blue"], {"budget": 240_000, "marketing_share": 0.3})
    c.advance(instructor)
    c.submit("Blue", codes["Blue"], {"budget": 250_000, "marketing_share": 0.5})
    done = c.advance(instructor)
    assert done.round == 2 and done.carried == {"Red": "kept its last decision"}
    red2 = [s for s in c.decisions() if s.round == 2 and s.team == "Red"][0]
    assert red2.how == "carried" and red2.decision.total_budget == 260_000
    assert any("Red did not submit round 2: kept its last decision" in w for _, _, w in c.log())


def test_advancing_the_same_round_twice_plays_it_once(room) -> None:
    c, instructor, _ = room
    first = c.advance(instructor, expect_round=1)
    second = c.advance(instructor, expect_round=1)
    assert first.round == 1 and second.round is None and "already closed" in second.message
    assert c.db.execute("SELECT COUNT(*) FROM rounds").fetchone()[0] == 1
    assert c.open_round == 2


def test_the_class_replays_to_the_same_market_as_a_game_played_straight(room) -> None:
    c, instructor, codes = room
    plan = [(0.3, 0.5), (0.45, 0.4), (0.6, 0.35)]
    for red, blue in plan:
        c.submit("Red", codes["Red"], {"budget": 300_000, "marketing_share": red})
        c.submit("Blue", codes["Blue"], {"budget": 300_000, "marketing_share": blue})
        c.advance(instructor)
    assert c.status().over and c.status().headline == "Game over: all 3 rounds played"
    straight = Game(c.scenario, c.seed)
    for red, blue in plan:
        straight.play_round(
            {
                fid: expand(c.scenario, {"budget": 300_000, "marketing_share": m}, firm_id=fid)
                for fid, m in (("you", red), ("northwind", blue))
            }
        )
    assert [r.to_dict() for r in c.game().reports] == [r.to_dict() for r in straight.reports]
    cached = [c.cached_report(k) for k in (1, 2, 3)]
    assert cached == [r.to_dict() for r in straight.reports]
    with pytest.raises(InputError, match="the game is over"):
        c.advance(instructor)
    with pytest.raises(InputError, match="the game is over"):
        c.submit("Red", codes["Red"], GOOD)


# --- concurrency and crashes ---------------------------------------------------------------


def _submit_at_once(db: str, team: str, code: str, share: float, start, out) -> None:
    start.wait()
    c = Classroom(db)
    k = c.submit(team, code, {"budget": 200_000, "marketing_share": share}, by=team)
    out.put((team, k))


def _advance_at_once(db: str, code: str, start, out) -> None:
    start.wait()
    out.put(("instructor", Classroom(db).advance(code, expect_round=1).round))


def test_thirty_teams_submitting_while_the_instructor_advances_lose_nothing(tmp_path: Path) -> None:
    names = [f"Team{k:02d}" for k in range(30)]
    c, instructor, codes = Classroom.create(tmp_path / "c.db", crowd(30, rounds=3), names, seed=3)
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(32), ctx.Queue()
    db = str(c.path)
    procs = [
        ctx.Process(target=_submit_at_once, args=(db, n, codes[n], 0.2 + k / 100, start, out))
        for k, n in enumerate(names)
    ] + [ctx.Process(target=_advance_at_once, args=(db, instructor, start, out)) for _ in range(2)]
    for p in procs:
        p.start()
    got = [out.get(timeout=180) for _ in range(32)]
    results = {who: k for who, k in got if who != "instructor"}
    closed = sorted((k for who, k in got if who == "instructor"), key=lambda k: k or 0)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert closed == [None, 1]  # two advances of round 1 at once: one played it, one did not
    assert c.db.execute("SELECT round FROM rounds ORDER BY round").fetchall() == [(1,)]
    rows = c.db.execute("SELECT team, round, how, by FROM decisions").fetchall()
    assert c.db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 30
    for team, k in results.items():
        # Each submission landed in exactly the round submit() said, and was played.
        assert (team, k, "submitted", team) in rows
    assert sorted(t for t, r, _, _ in rows if r == 1) == names  # submitted or carried
    assert set(results.values()) <= {1, 2}


@pytest.mark.parametrize("point", ["carried", "played", "before-commit"])
def test_killing_advance_midway_leaves_the_round_before(room, point: str) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], GOOD)
    before = c.db.execute("SELECT COUNT(*) FROM log").fetchone()[0]
    proc = jigsaw(
        "class",
        "advance",
        "--db",
        str(c.path),
        env={"JIGSAW_CLASS_FAULT": point, "JIGSAW_CODE": instructor},
    )
    assert proc.returncode == -signal.SIGKILL
    after = Classroom(c.path)
    assert after.open_round == 1
    assert after.db.execute("SELECT COUNT(*) FROM rounds").fetchone()[0] == 0
    assert after.db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 1  # Red's only
    assert after.db.execute("SELECT COUNT(*) FROM log").fetchone()[0] == before
    assert after.advance(instructor).round == 1  # and the class goes on


def test_killing_advance_at_any_moment_leaves_the_round_before_or_after(room) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], GOOD)
    seen = set()
    # kills from 0.05 s on, each a third later than the one before (up to about a minute): on
    # any machine the early ones land before the round closes and the later ones after
    for delay in (0.05 * 1.35**i for i in range(24)):
        proc = subprocess.Popen(
            [JIGSAW, "class", "advance", "--db", str(c.path)],
            env={**os.environ, "JIGSAW_CODE": instructor},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = Classroom(c.path)
        k = now.open_round
        closed = now.db.execute("SELECT COUNT(*) FROM rounds").fetchone()[0]
        played = now.db.execute("SELECT COUNT(*) FROM decisions WHERE round < ?", (k,))
        pending = now.db.execute(
            "SELECT COUNT(*) FROM decisions WHERE how='carried' AND round >= ?", (k,)
        )
        # Closed rounds have their report and both teams' decisions; the open one nothing carried.
        assert closed == k - 1 and played.fetchone()[0] == 2 * (k - 1)
        assert pending.fetchone()[0] == 0
        seen.add(k)
        now.close()
        if k > 3:  # the game is over: nothing left to interrupt
            break
    assert len(seen) > 1  # kills landed before and after at least one round closed


# --- the debrief ---------------------------------------------------------------------------


def test_the_debrief_has_the_leaderboard_charts_decisions_and_csv(tmp_path: Path) -> None:
    c, instructor, codes = Classroom.create(
        tmp_path / "c.db", shortened("classic", 3), ["Red", "<script>x</script>"], 2
    )
    evil = "<script>x</script>"
    for k in range(3):
        c.submit("Red", codes["Red"], {"budget": 300_000, "marketing_share": 0.3 + 0.1 * k})
        if k != 1:
            c.submit(evil, codes[evil], {"budget": 250_000, "marketing_share": 0.5})
        c.advance(instructor)
    c.close()
    out = tmp_path / "debrief"
    proc = jigsaw(
        "class",
        "report",
        "--db",
        str(c.path),
        "--out",
        str(out),
        "--seeds",
        "4",
        "--quality-seeds",
        "1",
        env={"JIGSAW_CODE": instructor},
    )
    assert proc.returncode == 0, proc.stderr
    page = (out / "index.html").read_text()
    assert page.count("<b>Decision quality</b>") == 2  # a table per team, round by round
    assert "Left on the table over the game" in page
    assert "Leaderboard" in page and page.count("<svg") == 5 + 2  # and a luck strip per team
    assert "Luck against skill" in page and "4 other draws of luck" in page
    assert page.count("score over the draws of luck</text>") == 2
    for title in ("Revenue", "Profit", "Market share", "Awareness", "Alignment ratio"):
        assert f'aria-label="{title}' in page
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "carried: not submitted" in page  # the evil team skipped round 2
    # the story: lessons for the class, then one section per team (a page each in print)
    assert "Lessons for the class" in page and page.count("<section class='team'>") == 2
    assert page.count("<b>Round 1.</b>") == 2 and "Alignment" in page
    assert "The team did not submit: its last decisions were kept." in page
    # the split each round is the one Red decided (its sales spent also counts commission)
    assert "<th>split decided</th>" in page
    for share in ("30%", "40%", "50%"):
        assert f"<td>{share}</td><td>1.00</td>" in page
    assert page.count("the best fixed split was") == 2
    assert page.count("class='legend'") == 5  # each chart with its own legend
    assert "@media print" in page and "break-before: page" in page
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # nothing external
    assert "hindsight: team 2 of 2" in proc.stderr
    with open(out / "rounds.csv", newline="") as fh:
        rounds = list(csv.DictReader(fh))
    assert len(rounds) == 3 * 4 and {r["team"] for r in rounds} == {"Red", evil, ""}
    with open(out / "decisions.csv", newline="") as fh:
        decisions = list(csv.DictReader(fh))
    assert [(d["round"], d["team"], d["how"]) for d in decisions][2:4] == [
        ("2", "Red", "submitted"),
        ("2", evil, "carried"),
    ]
    assert {"qualification", "holdout", "coverage.smb"} <= set(decisions[0])  # every lever
    routes = {"routes.partner.smb", "routes.self_serve.enterprise", "routes.partner_margin"}
    assert routes <= set(decisions[0]) and "routes.partner.mid" not in decisions[0]
    with open(out / "scorecard.csv", newline="") as fh:
        assert [r["rank"] for r in csv.DictReader(fh)] == ["1", "2", "3", "4"]
    again = jigsaw("class", "report", "--db", str(c.path), "--out", str(out))
    assert again.returncode == 2 and "already holds a debrief" in again.stderr  # before a code
    empty = jigsaw("class", "report", "--db", str(c.path), "--out", "")
    assert empty.returncode == 2 and "needs a path, got an empty one" in empty.stderr
    wrong = jigsaw(
        "class",
        "report",
        "--db",
        str(c.path),
        "--code",
        codes["Red"],
        "--out",
        str(out),
        "--force",
    )
    assert wrong.returncode == 2 and "wrong instructor code" in wrong.stderr
    assert "--code can be seen by other users" in wrong.stderr  # a warning, one line


def test_a_class_in_a_missing_folder_is_refused_with_one_line(tmp_path: Path) -> None:
    proc = jigsaw(
        "class", "new", "classic", "--teams", "Red", "--db", str(tmp_path / "no" / "c.db")
    )
    assert proc.returncode == 2 and "no such folder" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# --- rules that do not change under a class ----------------------------------------------------


def as_made_by_an_older_jigsaw(path: Path) -> None:
    """Turn a class file into one of schema 1 (model version 2): no model column, and a
    scenario that asks for mean-field mode (as the tutorial's did before model version 4)."""
    db = sqlite3.connect(path)
    (text,) = db.execute("SELECT scenario FROM class WHERE id = 1").fetchone()
    data = json.loads(text)
    data["meta"]["mean_field"] = True
    db.execute("UPDATE class SET scenario = ? WHERE id = 1", (json.dumps(data),))
    db.execute("ALTER TABLE class DROP COLUMN model")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


def test_a_class_from_an_older_model_is_refused_in_one_line_until_migrated(room) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], {"budget": 300_000, "marketing_share": 0.45})
    c.advance(instructor)
    before = c.cached_report(1)
    c.close()
    as_made_by_an_older_jigsaw(c.path)
    with pytest.raises(InputError, match=f"model version 2.*model version {MODEL_VERSION}"):
        Classroom(c.path)
    proc = jigsaw("class", "status", "--db", str(c.path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "class migrate" in proc.stderr
    proc = jigsaw("class", "migrate", "--db", str(c.path), env={"JIGSAW_CODE": "WRONG"})
    assert proc.returncode == 2 and "wrong instructor code" in proc.stderr
    proc = jigsaw("class", "migrate", "--db", str(c.path), env={"JIGSAW_CODE": instructor})
    assert proc.returncode == 0, proc.stderr
    assert f"migrated from model version 2 to {MODEL_VERSION}" in proc.stdout
    again = Classroom(c.path)
    assert again.model == MODEL_VERSION and again.open_round == 2
    assert any("migrated from model version 2" in what for _, _, what in again.log())
    assert again.cached_report(1) == before  # this file was played under today's rules
    assert again.migrate(instructor).endswith("nothing done")
    again.close()


def test_a_team_low_on_cash_after_rd_and_studies_is_carried_within_its_means(
    tmp_path: Path,
) -> None:
    """A team that spent on R&D and every study, ran low on cash and did not submit: its
    carried decision is cut (studies too) to what cash and credit allow, so the class goes
    on (it used to stop the instructor: "spending ... is more than cash plus credit")."""
    scenario = shortened("classic", 3)
    c, instructor, codes = Classroom.create(tmp_path / "class.db", scenario, ["Red", "Blue"], 7)
    every_study = ["brand_tracker", "perceptual_map", "win_loss", "pipeline_benchmark"]
    c.submit(
        "Red", codes["Red"], {"budget": 1_400_000, "product_share": 0.6, "research": every_study}
    )
    c.advance(instructor)
    game = c.game(1)
    room = game.room("you")
    assert not game.ledgers[0].bankrupt and room < 1_453_000
    done = c.advance(instructor)
    assert done.round == 2 and done.carried["Red"].endswith("cut to what cash and credit allow")
    red2 = [s for s in c.decisions() if s.round == 2 and s.team == "Red"][0].decision
    assert red2.spending(scenario) <= room + 1e-6
    assert red2.product_share == pytest.approx(0.6) and red2.marketing_share == pytest.approx(0.4)


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path: Path) -> None:
    """Every CSV the project writes: a text cell starting = + - @ tab or CR gets a leading
    apostrophe; numbers (negative ones too) are written as they are."""
    from sim.csvtext import csv_text, neutral
    from sim.experiments.results import RowWriter

    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert neutral(f"{start}1+2") == f"'{start}1+2"
    assert neutral(-263.5) == -263.5 and neutral("Red") == "Red" and neutral(None) is None
    assert csv_text(["a", "b"], [{"a": "=1+2", "b": -3}]) == "a,b\n'=1+2,-3\n"

    evil = '=HYPERLINK("http://x")'
    c, instructor, codes = Classroom.create(
        tmp_path / "c.db", shortened("classic", 2), [evil, "@Blue"], 3
    )
    c.submit(evil, codes[evil], {"budget": 300_000, "marketing_share": 0.4}, by="=cmd|'/C calc'!A0")
    c.advance(instructor)
    out = tmp_path / "debrief"
    write_debrief(c, out, hindsight=False)
    for name in ("rounds.csv", "decisions.csv", "scorecard.csv", "log.csv"):
        with open(out / name, newline="") as fh:
            cells = [cell for row in csv.reader(fh) for cell in row]
        risky = [x for x in cells if x.startswith(("=", "+", "@", "\t", "\r"))]
        assert not risky, f"{name}: {risky}"
        risky = [x for x in cells if x.startswith("-") and not _number(x)]
        assert not risky, f"{name}: {risky}"
    assert "'=cmd|'/C calc'!A0" in (out / "decisions.csv").read_text()

    sweep = tmp_path / "cells.csv"
    with RowWriter(str(sweep)) as rows:
        rows.write({"label": "=2+2", "profit": -5.0})
    assert sweep.read_text() == "label,profit\n'=2+2,-5.0\n"


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_a_signature_is_bounded_and_never_the_instructor(tmp_path: Path) -> None:
    c, _, codes = Classroom.create(tmp_path / "c.db", shortened("classic", 2), ["Red"], 3)
    plan = {"budget": 300_000, "marketing_share": 0.4}
    for bad in ("x" * 81, "instructor", "Instructor (really)", "", "a\nb"):
        with pytest.raises(InputError, match="--by"):
            c.submit("Red", codes["Red"], plan, by=bad)
    assert c.submit("Red", codes["Red"], plan, by="Ana (Red)") == 1


def _in_a_terminal(
    argv: list[str], env: dict[str, str], typed: str | None = None, until: bytes = b""
) -> tuple[int, str, str]:
    """Run jigsaw on a pseudo-terminal of its own (its controlling terminal, as in a shell):
    type `typed` when asked, or (None) let it run until killed once it has shown `until`
    (a full screen drawn). Returns (pid, what it showed while running, /proc cmdline)."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: jigsaw itself
        os.execve(JIGSAW, [JIGSAW, *argv], {**os.environ, **env})
    shown, cmdline = b"", ""
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            import select

            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                shown += chunk
            if not cmdline:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    cmdline = fh.read().replace(b"\0", b" ").decode()
            if typed is not None and b"code" in shown.lower() and typed:
                os.write(fd, typed.encode() + b"\r")
                typed = ""
            if typed is None and len(shown) > 2000 and until in shown:  # done looking
                break
    finally:
        if typed is None:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace"), cmdline


def test_codes_come_from_the_environment_or_a_prompt_never_the_command_line(room) -> None:
    c, instructor, codes = room
    c.close()
    db = str(c.path)
    env = {k: v for k, v in os.environ.items() if k != "JIGSAW_CODE"}
    refused = subprocess.run(  # no terminal to ask on, no variable: one line
        [JIGSAW, "class", "results", "--db", db, "--team", "Red"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert refused.returncode == 2 and "set JIGSAW_CODE" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    code, shown, _ = _in_a_terminal(
        ["class", "results", "--db", db, "--team", "Red"], {}, codes["Red"]
    )
    assert code == 0 and "Join code for Red:" in shown and "No round has closed yet" in shown
    assert codes["Red"] not in shown  # typed without echo
    code, shown, _ = _in_a_terminal(["class", "results", "--db", db, "--team", "Red"], {}, "WRONG")
    assert code == 2 and "wrong code for team Red" in shown
    # the dashboard, its code from the variable: nothing on its command line
    code, shown, cmdline = _in_a_terminal(
        ["class", "dashboard", "--db", db], {"JIGSAW_CODE": instructor}, until=b"Submissions"
    )
    assert "Submissions" in shown and "dashboard" in cmdline and instructor not in cmdline


def test_the_class_file_is_the_owners_alone(room) -> None:
    c, _, codes = room
    c.submit("Red", codes["Red"], GOOD)  # a write: the journal files exist now
    files = [c.path, *c.path.parent.glob(c.path.name + "-*")]
    assert len(files) >= 2  # the class file and its WAL journal
    for f in files:
        assert f.stat().st_mode & 0o777 == 0o600, f


def test_wrong_codes_are_logged_and_a_guessing_source_waits_without_locking_others_out(
    room,
) -> None:
    c, instructor, codes = room
    for _ in range(5):
        with pytest.raises(InputError, match="wrong code for team Red"):
            c.check_team("Red", "WRONG-CODE-0000", source="tab A")
    assert [(team, src) for _, team, src in c.failed_logins()] == [("Red", "tab A")] * 5
    assert any(who == "security" and "tab A" in what for _, who, what in c.log())
    with pytest.raises(InputError, match="5 wrong codes from here in a row: wait 1 s"):
        c.check_team("Red", codes["Red"], source="tab A")  # even the right code waits
    assert c.check_team("Red", codes["Red"], source="tab B").name == "Red"  # not locked out
    time.sleep(1.05)
    assert c.check_team("Red", codes["Red"], source="tab A").name == "Red"  # waited enough
    with pytest.raises(InputError, match="wrong code"):
        c.check_team("Red", "WRONG-CODE-0000", source="tab A")
    with pytest.raises(InputError, match="wait 2 s"):  # the wait doubles
        c.check_team("Red", codes["Red"], source="tab A")
    with pytest.raises(InputError, match="wrong instructor code"):
        c.check_instructor("WRONG", source="tab C")
    assert c.failed_logins(1) == [(c.failed_logins(1)[0][0], "instructor", "tab C")]


def _class_cli(capsys, monkeypatch, code: str, *argv: str) -> tuple[int, str]:
    """A class command in this process (so a test may squeeze SQLite): exit code, stderr."""

    rc, _, err = _class_cli_full(capsys, monkeypatch, code, *argv)
    return rc, err


def _class_cli_full(capsys, monkeypatch, code: str, *argv: str) -> tuple[int, str, str]:
    """A class command in this process: exit code, stdout, stderr."""
    from tui.cli import main

    monkeypatch.setenv("JIGSAW_CODE", code)
    capsys.readouterr()
    rc = main(["class", *argv])
    got = capsys.readouterr()
    return rc, got.out, got.err


def test_a_lock_held_past_the_busy_timeout_is_one_line(room, tmp_path, capsys, monkeypatch) -> None:
    from sim.classroom import store

    c, _, codes = room
    c.close()
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 200)
    decisions = tmp_path / "d.toml"
    decisions.write_text("budget = 300000\nmarketing_share = 0.4\n")
    holder = sqlite3.connect(c.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another jigsaw in the middle of a write
    try:
        with store.holding(c.path, "closing round 1"):  # ... which leaves its note, as advance
            rc, err = _class_cli(
                capsys,
                monkeypatch,
                codes["Red"],
                "submit",
                "--db",
                str(c.path),
                "--team",
                "Red",
                str(decisions),
            )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert rc == 2 and len(err.strip().splitlines()) == 1, err
    assert str(c.path) in err and "busy" in err and "try again" in err
    assert f"held by {store.whoami()}, pid {os.getpid()}, closing round 1 since" in err
    assert not (c.path.parent / "class.db.busy").exists()  # the note goes with the write


def test_a_full_disk_is_one_line_and_leaves_the_round_open(room, capsys, monkeypatch) -> None:
    """SQLite's max_page_count caps the file where it is: the next write that needs a page
    fails as a full disk would."""
    c, instructor, _ = room
    c.close()
    connect = Classroom._connect

    def full(path):
        db = connect(path)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    monkeypatch.setattr(Classroom, "_connect", staticmethod(full))
    rc, err = _class_cli(capsys, monkeypatch, instructor, "advance", "--db", str(c.path))
    monkeypatch.undo()
    assert rc == 2 and len(err.strip().splitlines()) == 1, err
    assert "disk is full" in err and "nothing was written" in err
    assert Classroom(c.path).open_round == 1


def test_a_damaged_class_file_is_one_line(room, capsys, monkeypatch) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], GOOD)
    c.advance(instructor)
    c.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    data = bytearray(c.path.read_bytes())
    for at in range(4096, len(data), 4096):  # every page but the first: garbage
        data[at + 8 : at + 64] = b"\xff" * 56
    c.path.write_bytes(bytes(data))
    for argv in (["status"], ["advance"], ["report", "--out", str(c.path.parent / "out")]):
        rc, err = _class_cli(capsys, monkeypatch, instructor, *argv, "--db", str(c.path))
        assert rc == 2 and len(err.strip().splitlines()) == 1, (argv, err)
        assert "damaged" in err and "backup" in err, err


def test_a_backup_is_a_consistent_copy_that_plays_on(room, tmp_path, capsys, monkeypatch) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], GOOD)
    c.advance(instructor)
    c.submit("Blue", codes["Blue"], GOOD)  # an open round's decision is in the copy too
    copy = tmp_path / "copy.db"
    rc, err = _class_cli(
        capsys, monkeypatch, instructor, "backup", "--db", str(c.path), "--out", str(copy)
    )
    assert rc == 0, err
    assert copy.stat().st_mode & 0o777 == 0o600
    rc, err = _class_cli(
        capsys, monkeypatch, instructor, "backup", "--db", str(c.path), "--out", str(copy)
    )
    assert rc == 2 and "already exists" in err  # never over a file
    restored = Classroom(copy)
    assert restored.status() == c.status()
    assert restored.advance(instructor).round == c.advance(instructor).round == 2
    assert [r.to_dict() for r in restored.game().reports] == [r.to_dict() for r in c.game().reports]


def test_a_read_only_class_file_reads_and_refuses_writes_in_one_line(tmp_path: Path) -> None:
    """A class file another user owns (or on a read-only mount): status, results and the
    report work; advance says it is read-only, in one line. Run as a user who cannot write
    it (as root, a forked child drops to `nobody`)."""
    import tempfile

    import sim.classroom.debrief  # noqa: F401 - imported before dropping privileges
    from tui.cli import main

    where = Path(tempfile.mkdtemp(prefix="jigsaw-ro-"))
    try:
        c, instructor, codes = Classroom.create(where / "c.db", shortened("classic", 2), ["Red"], 3)
        c.submit("Red", codes["Red"], GOOD)
        c.advance(instructor)
        c.close()
        out = where / "debrief"
        out.mkdir()
        os.chmod(out, 0o777)
        for f in where.glob("c.db*"):
            os.chmod(f, 0o444)
        os.chmod(where, 0o555)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: a user who may read the class but not write it
            os.close(read)
            try:
                if os.getuid() == 0:
                    os.setgid(65534)
                    os.setuid(65534)
                os.environ["JIGSAW_CODE"] = instructor
                err = io.StringIO()
                sys.stderr = err
                sys.stdout = io.StringIO()
                db = str(where / "c.db")
                rcs = [
                    main(["class", "status", "--db", db]),
                    main(["class", "report", "--db", db, "--out", str(out), "--no-hindsight"]),
                    main(["class", "advance", "--db", db]),
                ]
                os.write(write, json.dumps({"rcs": rcs, "err": err.getvalue()}).encode())
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read) as fh:
            got = json.loads(fh.read() or "{}")
        os.waitpid(pid, 0)
        assert got["rcs"] == [0, 0, 2], got
        assert got["err"].strip().count("\n") == 0 and "is read-only here" in got["err"]
        assert (out / "index.html").exists()
    finally:
        os.chmod(where, 0o755)
        shutil.rmtree(where, ignore_errors=True)


# --- the instructor's corrections ----------------------------------------------------------

BAD = {"budget": 300_000, "marketing_share": 0.05, "price": 2.0}  # the team's typo


def test_rollback_then_reclosing_equals_playing_the_corrected_decision_straight(
    tmp_path: Path,
) -> None:
    """Red typed 5% marketing at price 2.00 in round 2. The instructor rolls back to round 2,
    overrides Red's decision, and closes rounds 2 and 3 again: every report is the one a class
    that played the corrected decision straight gets (Blue's submitted round-3 decision kept,
    Blue's carried round-2 decision carried again)."""
    scenario = shortened("classic", 3)
    plays = {}
    for name, round2 in (("mistake", BAD), ("straight", GOOD)):
        c, instructor, codes = Classroom.create(
            tmp_path / f"{name}.db", scenario, ["Red", "Blue"], 4
        )
        c.submit("Red", codes["Red"], GOOD)
        c.submit("Blue", codes["Blue"], {"budget": 280_000, "marketing_share": 0.5})
        c.advance(instructor)
        c.submit("Red", codes["Red"], round2)
        c.advance(instructor)  # Blue carried
        c.submit("Blue", codes["Blue"], {"budget": 260_000, "marketing_share": 0.3})
        plays[name] = (c, instructor, codes)
    c, instructor, codes = plays["mistake"]
    assert "rolled back to round 2" in c.rollback(instructor, 2)
    assert c.open_round == 2 and c.status().submitted.keys() == {"Red"}  # Red's kept
    assert c.override(instructor, "Red", GOOD) == 2
    c.advance(instructor)  # round 2 again, Blue carried again
    c.advance(instructor)  # round 3 again, with Blue's round-3 decision
    plays["straight"][0].advance(plays["straight"][1])  # round 3
    fixed, straight = (plays[n][0] for n in ("mistake", "straight"))
    assert [r.to_dict() for r in fixed.game().reports] == [
        r.to_dict() for r in straight.game().reports
    ]
    log = [what for _, who, what in fixed.log() if who == "instructor"]
    assert any("rolled back to round 2" in w for w in log)
    assert any("overrode Red's decision for round 2" in w for w in log)
    red2 = next(d for d in fixed.decisions() if d.round == 2 and d.team == "Red")
    assert red2.by == "instructor"
    with pytest.raises(InputError, match="expected a closed round"):
        fixed.rollback(plays["mistake"][1], 4)


def test_a_reset_code_replaces_the_old_one_at_once(room) -> None:
    c, instructor, codes = room
    fresh = c.reset_code(instructor, "Red")
    assert fresh != codes["Red"]
    with pytest.raises(InputError, match="wrong code for team Red"):
        c.check_team("Red", codes["Red"], source="old")
    assert c.check_team("Red", fresh).name == "Red"
    new_instructor = c.reset_code(instructor)
    with pytest.raises(InputError, match="wrong instructor code"):
        c.check_instructor(instructor, source="old")
    c.check_instructor(new_instructor)
    assert sum("new code issued for Red" in w for _, _, w in c.log()) == 1


def test_a_paused_class_refuses_submissions_until_it_resumes(room) -> None:
    c, instructor, codes = room
    c.pause(instructor)
    with pytest.raises(InputError, match="paused the class"):
        c.submit("Red", codes["Red"], GOOD)
    c.pause(instructor, paused=False)
    assert c.submit("Red", codes["Red"], GOOD) == 1
    log = [w for _, _, w in c.log()]
    assert "paused the class: submissions refused" in log and "resumed the class" in log


def test_an_announcement_reaches_every_team_and_is_logged(room, capsys, monkeypatch) -> None:
    c, instructor, _ = room
    rc, err = _class_cli(
        capsys, monkeypatch, instructor, "announce", "--db", str(c.path), "Close at 3 pm"
    )
    assert rc == 0, err
    assert c.announcements()[0][::2] == (1, "Close at 3 pm")
    assert any("announced (round 1): Close at 3 pm" in w for _, _, w in c.log())
    with pytest.raises(InputError, match="printable"):
        c.announce(instructor, "x" * 501)


def test_the_operations_run_from_the_command_line(room, tmp_path, capsys, monkeypatch) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], GOOD)
    c.advance(instructor)
    db = str(c.path)
    plan = tmp_path / "fix.toml"
    plan.write_text("budget = 250000\nmarketing_share = 0.45\n")
    for argv, expected in (
        (["rollback", "--to-round", "1"], "rolled back to round 1"),
        (["override", "--team", "blue", str(plan)], "Blue: the instructor's decisions"),
        (["pause"], "paused"),
        (["resume"], "resumed"),
    ):
        rc, out, err = _class_cli_full(capsys, monkeypatch, instructor, *argv, "--db", db)
        assert rc == 0 and expected in out, (argv, out, err)
    rc, out, _ = _class_cli_full(
        capsys, monkeypatch, instructor, "reset-code", "--team", "Red", "--db", db
    )
    fresh = out.split(": ", 1)[1].strip()
    assert rc == 0 and out.startswith("Red: ") and Classroom(c.path).check_team("Red", fresh)
    rc, err = _class_cli(capsys, monkeypatch, instructor, "rollback", "--to-round", "5", "--db", db)
    assert rc == 2 and "--to-round" in err


def test_grades_per_team_per_member_and_in_canvas_and_moodle_layouts(
    room, tmp_path, capsys, monkeypatch
) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], GOOD)
    c.advance(instructor)
    score = c.game().score()
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,id,email,team,section\n"
        "Ana Lima,1001,ana@uni.edu,red,A\n"
        "=Bob,1002,bob@uni.edu,Blue,B\n"
        "Cy,1003,cy@uni.edu,Red,A\n"
    )
    db = str(c.path)

    def sheet(*argv: str) -> list[dict[str, str]]:
        out = tmp_path / "g.csv"
        rc, text, err = _class_cli_full(
            capsys, monkeypatch, instructor, "grades", "--db", db, "--out", str(out), *argv
        )
        assert rc == 0, err
        with open(out, newline="") as fh:
            return list(csv.DictReader(fh))

    teams = sheet()
    assert [t["team"] for t in teams] == sorted(
        ["Red", "Blue"], key=lambda n: score[c.team(n).firm_id]["rank"]
    )
    red = next(t for t in teams if t["team"] == "Red")
    assert float(red["score"]) == pytest.approx(score[c.team("Red").firm_id]["total"], abs=0.05)
    assert set(score[c.team("Red").firm_id]["scores"]) <= set(red)  # each measure
    members = sheet("--roster", str(roster))
    assert [(m["name"], m["team"]) for m in members] == [
        ("Ana Lima", "Red"),
        ("'=Bob", "Blue"),
        ("Cy", "Red"),  # a formula name neutralised
    ]
    canvas = sheet("--roster", str(roster), "--lms", "canvas", "--assignment", "Sim")
    assert list(canvas[0]) == [
        "Student Name",
        "Student ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Sim",
    ]
    assert canvas[0]["Sim"] == red["score"] and canvas[0]["SIS Login ID"] == "ana@uni.edu"
    moodle = sheet("--roster", str(roster), "--lms", "moodle")
    assert list(moodle[0]) == ["email", "Jigsaw"] and moodle[2] == {
        "email": "cy@uni.edu",
        "Jigsaw": red["score"],
    }
    roster.write_text("name,id,email,team\nDee,9,dee@uni.edu,Purple\n")
    rc, err = _class_cli(
        capsys,
        monkeypatch,
        instructor,
        "grades",
        "--db",
        db,
        "--out",
        str(tmp_path / "x.csv"),
        "--roster",
        str(roster),
    )
    assert rc == 2 and "line 2.team" in err and "no team 'Purple'" in err
    assert sum("written to g.csv" in w for _, _, w in c.log()) == 4  # each export logged


def test_a_round_closes_by_itself_at_its_deadline(room, capsys, monkeypatch) -> None:
    from datetime import UTC, datetime, timedelta

    from tui.class_session import ClassSession

    c, instructor, codes = room
    assert c.close_if_due(instructor) is None  # no deadline: nothing happens
    # a few seconds ahead: a busy machine (CI) may take over a second to log a seat in
    soon = datetime.now(UTC) + timedelta(seconds=4)
    assert "round 1 closes by itself" in c.set_deadline(instructor, soon)
    seat = ClassSession.login(c.path, "Red", codes["Red"])
    assert "· not submitted · closes in" in seat.round_label  # the team sees the time left
    assert c.close_if_due(instructor) is None  # not yet
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.1)
    c.pause(instructor)
    assert c.close_if_due(instructor) is None  # a paused class waits
    c.pause(instructor, paused=False)
    assert c.close_if_due(instructor).round == 1
    assert c.open_round == 2 and c.deadline is None  # a deadline is for one round
    assert any("round 1 closed at its deadline" in w for _, _, w in c.log())
    with pytest.raises(InputError, match="in the past"):
        c.set_deadline(instructor, soon)
    db = str(c.path)
    rc, out, err = _class_cli_full(
        capsys, monkeypatch, instructor, "deadline", "--db", db, "--in", "1h30m"
    )
    assert rc == 0 and "round 2 closes by itself at" in out, err
    assert timedelta(minutes=89) < c.deadline - datetime.now(UTC) <= timedelta(minutes=90)
    rc, out, err = _class_cli_full(capsys, monkeypatch, instructor, "status", "--db", db)
    assert rc == 0 and "Deadline: round 2 closes in 90 min" in out, err
    for bad in (
        ["--in", "soon"],
        ["--in", "0m"],
        ["--in", "١m"],  # digits of another script
        ["--at", "25:99"],
        ["--at", "١٢:٠٠"],
        ["--at", "2020-01-01T10:00"],
    ):
        rc, err = _class_cli(capsys, monkeypatch, instructor, "deadline", "--db", db, *bad)
        assert rc == 2 and len(err.strip().splitlines()) == 1, (bad, err)
    rc, out, _ = _class_cli_full(capsys, monkeypatch, instructor, "deadline", "--db", db, "--clear")
    assert rc == 0 and c.deadline is None


def test_an_overview_spans_the_sections_of_a_course(tmp_path, capsys, monkeypatch) -> None:
    a, ia, ca = Classroom.create(tmp_path / "mon.db", shortened("classic", 2), ["Red", "Blue"], 1)
    b, ib, _ = Classroom.create(tmp_path / "tue.db", shortened("tutorial", 2), ["Green"], 2)
    a.submit("Red", ca["Red"], GOOD)
    a.advance(ia)
    a.submit("Blue", ca["Blue"], GOOD)
    b.pause(ib)
    rc, out, err = _class_cli_full(
        capsys, monkeypatch, "", "overview", "--db", str(a.path), "--db", str(b.path)
    )
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["section", "scenario", "round", "submitted", "state", "leading"]
    mon = next(line for line in lines if line.startswith("mon.db"))
    tue = next(line for line in lines if line.startswith("tue.db"))
    assert "2 of 2" in mon and "1 of 2" in mon and re.search(r"(Red|Blue) \d+\.\d", mon)
    assert "paused" in tue and "0 of 1" in tue
    rc, err = _class_cli(capsys, monkeypatch, "", "overview", "--db", str(tmp_path / "none.db"))
    assert rc == 2 and "none.db" in err


def test_a_renamed_team_keeps_its_code_its_history_and_its_results(
    room, capsys, monkeypatch
) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], GOOD)
    c.advance(instructor)
    before = [r.to_dict()["firms"] for r in c.game().reports]
    rc, out, err = _class_cli_full(
        capsys, monkeypatch, instructor, "rename-team", "--db", str(c.path), "red", "Crimson"
    )
    assert rc == 0 and "renamed team Red to Crimson" in out, err
    again = Classroom(c.path)
    assert [t.name for t in again.teams] == ["Crimson", "Blue"]
    assert again.check_team("Crimson", codes["Red"]).name == "Crimson"  # the same code
    assert [d.team for d in again.decisions()].count("Crimson") == 1
    assert again.scenario.firm(again.team("Crimson").firm_id).label == "Crimson"
    k, data, digest = again.db.execute("SELECT round, data, digest FROM snapshots").fetchone()
    assert again._digest(k, data) == digest  # its snapshot still matches (re-keyed)
    assert [r.to_dict()["firms"] for r in again.game().reports] == before
    assert again.submit("Crimson", codes["Red"], GOOD) == 2
    for bad, why in (("Blue", "another team"), ("a,b", "no commas"), ("x" * 41, "1-40")):
        with pytest.raises(InputError, match=why):
            again.rename_team(instructor, "Crimson", bad)
    fresh = again.reset_code(instructor, "Crimson")  # a new code after a rename: hashed anew
    assert again.check_team("Crimson", fresh).name == "Crimson"


def test_a_teams_hindsight_holds_the_other_teams_decisions_as_they_were(room) -> None:
    """Like for like: Red played 40% at 300k every round, so Red's 40% game in hindsight is
    the class itself (Blue's varying decisions replayed), to the last currency unit."""
    from sim.experiments.hindsight import look_back

    c, instructor, codes = room
    for k in range(3):
        c.submit("Red", codes["Red"], GOOD)
        c.submit(
            "Blue",
            codes["Blue"],
            {"budget": 250_000 + 20_000 * k, "marketing_share": 0.2 * (k + 1)},
        )
        c.advance(instructor)
    game = c.game()
    red = c.team("Red").firm_id
    looks = look_back(c.scenario, c.seed, red, 300_000, [0.4, 0.7], workers=1, others=game.history)
    assert looks[0].profit == pytest.approx(
        sum(r.firms[red].profit for r in game.reports), abs=1e-6
    )
    assert looks[1].profit != looks[0].profit


def test_a_note_left_by_a_killed_advance_names_nobody(room) -> None:
    from sim.classroom import store

    c, _, _ = room
    note = c.path.with_name(c.path.name + ".busy")
    note.write_text(
        json.dumps(
            {
                "who": store.whoami(),
                "pid": 2**22 + 12345,
                "what": "closing round 1",
                "at": store.now(),
            }
        )
    )
    assert store.holder(c.path) == ""  # that process is gone
    note.write_text(
        json.dumps(
            {
                "who": store.whoami(),
                "pid": os.getpid(),
                "what": "closing round 1",
                "at": store.now(),
            }
        )
    )
    assert "held by" in store.holder(c.path)


def test_a_late_team_takes_a_computer_seat_from_the_open_round(room, capsys, monkeypatch) -> None:
    c, instructor, codes = room
    computer = Game(c.scenario, c.seed)  # the class before anyone joins, played straight
    c.submit("Red", codes["Red"], GOOD)
    c.submit("Blue", codes["Blue"], GOOD)
    c.advance(instructor)
    before = [r.to_dict() for r in c.game().reports]
    dashboard = Classroom(c.path)  # open in another terminal all along
    rc, out, err = _class_cli_full(
        capsys, monkeypatch, instructor, "add-team", "--db", str(c.path), "Green"
    )
    assert rc == 0, err
    seat = c.scenario.firms[2]  # the first computer-run seat: Contoso
    assert f"added team Green in seat {seat.id} (was {seat.name}, computer-run:" in out
    assert "it plays from round 2" in out
    green_code = out.strip().splitlines()[-1].removeprefix("Green: ")
    again = Classroom(c.path)
    assert [t.name for t in again.teams] == ["Red", "Blue", "Green"]
    assert again.check_team("Green", green_code).firm_id == seat.id
    assert again.joined("Green") == 2 and again.joined("Red") == 1
    assert again.scenario.firm(seat.id).controlled_by == "player"
    assert [r.to_dict() for r in again.game().reports] == before  # round 1 is as it was
    ((how, by),) = again.db.execute(
        "SELECT how, by FROM decisions WHERE team = 'Green' AND round = 1"
    ).fetchall()
    assert (how, by) == ("carried", f"computer: {seat.controlled_by}")
    assert "added team Green" in " ".join(what for _, _, what in again.log())
    assert [t.name for t in dashboard.status().teams] == ["Red", "Blue", "Green"]
    assert dashboard.scenario.firm(seat.id).name == "Green"
    assert {d.team for d in dashboard.decisions()} == {"Red", "Blue", "Green"}
    from tui.class_session import ClassSession

    seen = ClassSession(c.path, again.team("Green"), green_code)
    assert seen.how(1) == "computer"
    assert "Your team had not joined yet" in seen.round_notes(1)[0]

    green = {"budget": 250_000, "marketing_share": 0.7}
    again.submit("Green", green_code, green)
    again.submit("Red", codes["Red"], GOOD)
    again.submit("Blue", codes["Blue"], GOOD)
    again.advance(instructor)
    ours = {fid: expand(c.scenario, GOOD, firm_id=fid) for fid in ("you", "northwind")}
    computer.play_round(ours)
    computer.play_round({**ours, seat.id: expand(c.scenario, green, firm_id=seat.id)})

    def books(game: Game) -> list[dict]:  # every figure; the seat's name and controller change
        out = [r.to_dict() for r in game.reports]
        for r in out:
            for f in r["firms"].values():
                f.pop("name"), f.pop("controlled_by")
        return out

    assert books(again.game()) == books(computer)
    assert again.game().reports[1].firms[seat.id].name == "Green"
    again.db.execute("DELETE FROM snapshots")  # replayed from the decisions alone: the same
    again.db.commit()
    assert books(Classroom(c.path).game()) == books(computer)
    again = Classroom(c.path)
    again.rollback(instructor, 1)  # the computer's round stays the computer's
    assert again.db.execute(
        "SELECT by FROM decisions WHERE team = 'Green' AND round = 1"
    ).fetchone() == (f"computer: {seat.controlled_by}",)
    again.advance(instructor)
    again.advance(instructor)
    assert books(again.game()) == books(computer)
    again.add_team(instructor, "Yellow")
    for name, why in (("Purple", "no seat is free"), ("green", "another team")):
        with pytest.raises(InputError, match=why):
            again.add_team(instructor, name)
    again.advance(instructor)
    with pytest.raises(InputError, match="the game is over"):
        Classroom(c.path).add_team(instructor, "Late")


def test_a_team_that_never_submitted_is_told_the_computers_default_was_played(
    tmp_path: Path,
) -> None:
    """Round 1 without a submission plays the balanced default (there is nothing of the
    team's to keep); the debrief says so, not that its last decisions were kept."""
    from sim.classroom.debrief import write_debrief

    c, instructor, codes = Classroom.create(
        tmp_path / "c.db", shortened("classic", 2), ["Red", "Blue"], 2
    )
    c.submit("Red", codes["Red"], {"budget": 300_000, "marketing_share": 0.4})
    c.advance(instructor)  # Blue has no decision of its own yet
    c.submit("Red", codes["Red"], {"budget": 300_000, "marketing_share": 0.4})
    c.advance(instructor)  # ... and now keeps the default it was given
    write_debrief(c, tmp_path / "out", hindsight=False)
    page = (tmp_path / "out" / "index.html").read_text()
    assert page.count("had no decisions of its own yet") == 1
    assert page.count("its last decisions were kept") == 1
    assert "2 team-rounds went without a submission" in page
    c.close()


def test_status_says_when_the_class_is_paused(room, capsys, monkeypatch) -> None:
    c, instructor, _ = room
    c.pause(instructor, paused=True)
    rc, out, err = _class_cli_full(capsys, monkeypatch, instructor, "status", "--db", str(c.path))
    assert rc == 0 and "Paused: submissions wait" in out, err
    c.pause(instructor, paused=False)
    rc, out, _ = _class_cli_full(capsys, monkeypatch, instructor, "status", "--db", str(c.path))
    assert rc == 0 and "Paused" not in out and "Deadline" not in out
