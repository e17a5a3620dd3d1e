"""Hostile files, silent networks, full disks and huge grids: each is refused in one line (exit
2, naming the file and the limit), and no game or finished row is lost."""

from __future__ import annotations

import argparse
import base64
import builtins
import csv
import dataclasses
import errno
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from concurrent.futures import CancelledError, Future
from contextlib import contextmanager
from pathlib import Path

import pytest

from sim.classroom.store import Classroom
from sim.experiments.results import RowWriter
from sim.experiments.sweep import checks, grid
from sim.model import saves
from sim.model.decisions import simple
from sim.model.errors import InputError
from sim.model.files import LIMITS, MAX_DEPTH, MAX_NUMBER, MAX_VALUES
from sim.model.game import Game
from sim.model.rivals import strategy
from sim.model.scenario import load_scenario, parse_scenario
from sim.model.workload import MAX_LEADS, TooManyLeads, check_workload, workload
from tests.test_bad_input import cli, one_error
from tui import launch
from tui.cli.common import MAX_LINE
from tui.cli.sweep import streamed
from tui.session import Session, autosaves, tidy_saves

JIGSAW = str(Path(sys.executable).with_name("jigsaw"))
TUTORIAL = Path(__file__).parents[1] / "scenarios" / "tutorial.toml"


def short_tutorial(tmp_path: Path) -> Path:
    """The tutorial cut to one round, as a TOML file (for decisions and experiments)."""
    path = tmp_path / "short.toml"
    if not path.exists():
        text = TUTORIAL.read_text(encoding="utf-8")
        assert "rounds = 6" in text
        path.write_text(text.replace("rounds = 6", "rounds = 1"), encoding="utf-8")
    return path


def deep_toml(depth: int) -> str:
    return "x = " + "{a = " * depth + "1" + "}" * depth + "\n"


# --- files that are not what they claim ---------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("scenario", "validate", "{f}"),
        ("run", "tutorial", "--decisions", "{f}"),
        ("sweep", "--file", "{f}"),
    ],
)
def test_deeply_nested_toml_is_refused_in_one_line(capsys, tmp_path: Path, argv) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(deep_toml(400), encoding="utf-8")  # 2.4 KB that once gave 3,002 lines
    args = [a.replace("{f}", str(path)) for a in argv]
    one_error(cli(capsys, *args), str(path), f"nests deeper than {MAX_DEPTH}")
    path.write_text(deep_toml(MAX_DEPTH + 1), encoding="utf-8")  # parses, still too deep
    one_error(cli(capsys, *args), str(path), f"nests deeper than {MAX_DEPTH}")


def test_a_save_nested_a_hundred_thousand_deep_is_refused(capsys, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    one_error(cli(capsys, "run", "--load", path), str(path), "nests deeper than")


def test_a_five_thousand_digit_seed_is_refused(capsys, tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text('{"format": "jigsaw-save", "seed": ' + "9" * 5000 + "}", encoding="utf-8")
    one_error(cli(capsys, "run", "--load", path), str(path), "number too long to read")
    path.write_text('{"format": "jigsaw-save", "seed": ' + "9" * 30 + "}", encoding="utf-8")
    one_error(cli(capsys, "run", "--load", path), str(path), "seed", "too large a whole number")


def test_a_string_budget_in_a_save_is_not_taken_for_a_number(capsys, tmp_path: Path) -> None:
    save = tmp_path / "s.json"
    assert cli(capsys, "run", str(short_tutorial(tmp_path)), "--save", save)[0] == 0
    data = json.loads(save.read_text(encoding="utf-8"))
    data.pop("cache", None)
    data["decisions"][0]["you"]["marketing"]["budget"] = "300000"
    save.write_text(json.dumps(data), encoding="utf-8")
    one_error(cli(capsys, "run", "--load", save), str(save), "marketing.budget", "must be a number")


def test_an_absurd_budget_gets_a_short_line(capsys, tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text("[marketing]\nbudget = 1e308\n", encoding="utf-8")
    line = one_error(
        cli(capsys, "run", "tutorial", "--decisions", path), str(path), "too large a number"
    )
    assert len(line) < 200


DEVICE_ARGS = [
    ("scenario", "validate", "{f}"),
    ("run", "tutorial", "--decisions", "{f}"),
    ("run", "--load", "{f}"),
    ("sweep", "--file", "{f}"),
    ("class", "status", "--db", "{f}"),
]


@pytest.mark.parametrize("argv", DEVICE_ARGS)
def test_dev_zero_is_refused_by_every_command_that_reads_a_file(capsys, argv) -> None:
    args = [a.replace("{f}", "/dev/zero") for a in argv]
    one_error(cli(capsys, *args), "/dev/zero", "is a device, pipe or socket")


@pytest.mark.parametrize("argv", DEVICE_ARGS)
def test_a_fifo_is_refused_without_waiting_for_a_writer(capsys, tmp_path: Path, argv) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    args = [a.replace("{f}", str(fifo)) for a in argv]
    one_error(cli(capsys, *args), str(fifo), "is a device, pipe or socket")


def test_an_oversized_scenario_is_refused_before_it_is_read(capsys, tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(("# " + "x" * 1000 + "\n") * (LIMITS["scenario"] // 1000 + 10))
    one_error(cli(capsys, "scenario", "validate", path), str(path), "more than a scenario file")


# --- the workload guard -------------------------------------------------------------------


def test_a_scenario_too_big_to_play_is_refused_and_may_be_lifted(capsys, tmp_path: Path) -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    huge = tmp_path / "huge.toml"
    huge.write_text(
        text.replace("accounts = 15000", "accounts = 10000000").replace(
            "interest = 0.1", "interest = 20"
        ),
        encoding="utf-8",
    )
    assert "10000000" in huge.read_text(encoding="utf-8")
    one_error(cli(capsys, "scenario", "validate", huge), str(huge), "--max-leads", "leads")
    one_error(cli(capsys, "run", huge), str(huge), f"more than the {MAX_LEADS:,}")
    code, out, _ = cli(capsys, "scenario", "validate", huge, "--max-leads", "10000000000")
    assert code == 0 and "deals a round" in out


def test_every_bundled_scenario_reports_its_workload_well_inside_the_limit(capsys) -> None:
    for name in ("tutorial", "classic", "enterprise", "recession", "channels"):
        code, out, _ = cli(capsys, "scenario", "validate", name)
        assert code == 0 and "deals a round" in out
        assert workload(load_scenario(name)).leads < MAX_LEADS / 2


def tutorial_with(tmp_path: Path, name: str, extra: str, *swaps: tuple[str, str]) -> Path:
    text = TUTORIAL.read_text(encoding="utf-8")
    for old, new in swaps:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text + extra, encoding="utf-8")
    return path


def test_stacked_recessions_count_in_the_workload(capsys, tmp_path: Path) -> None:
    boom = "".join(
        '\n[[events]]\nround = 1\nkind = "recession"\nrounds = 6\ninterest_multiplier = 5\n'
        for _ in range(6)
    )  # 5^6 = 15,625 times the interest: once it validated at 13,000 leads and ran for minutes
    path = tutorial_with(tmp_path, "stacked.toml", boom)
    assert (
        workload(load_scenario(path, max_leads=1e18)).leads
        > 5**6 * workload(load_scenario("tutorial")).leads / 2
    )
    one_error(cli(capsys, "scenario", "validate", path), str(path), "--max-leads")


def test_referrals_count_in_the_workload(capsys, tmp_path: Path) -> None:
    path = tutorial_with(
        tmp_path,
        "referrals.toml",
        "",
        ("accounts = 15000", "accounts = 1000000"),
        ("[economics]\n", "[economics]\nreferral_rate = 10\n"),
    )
    # 1,000,000 accounts x 10 referrals a year x 6 rounds of 90 days: about 90 million
    assert workload(load_scenario(path, max_leads=1e18)).leads > 1e6 * 10 * 6 * 90 / 365
    one_error(cli(capsys, "run", path), str(path), "--max-leads")


def test_a_game_that_hires_past_its_bound_stops_at_its_limit(capsys, tmp_path: Path) -> None:
    """A fortune in cash buys more reps than a round's budget; every idle one prospects. The
    engine stops the game before the lead that would take it past its limit, and a solo game
    goes back to where it stood."""
    rich = tutorial_with(tmp_path, "rich.toml", "", ("cash = 1200000", "cash = 100000000000000"))
    plan = tmp_path / "plan.toml"
    plan.write_text("budget = 1000000000000\nmarketing_share = 0.0\n", encoding="utf-8")
    one_error(
        cli(capsys, "run", rich, "--decisions", plan),
        "stopped in round 1",
        f"reached the {MAX_LEADS:,} leads",
    )
    session = Session.new(load_scenario(rich), 1)
    session.draft.budget, session.draft.marketing_share = 1e12, 0.0
    with pytest.raises(InputError, match=f"{MAX_LEADS:,} leads"):
        session.advance()
    assert session.game.round == 0 and session.game.history == []
    session.draft.budget, session.draft.marketing_share = 200_000, 0.4
    assert session.advance().report is not None  # the game plays on as if nothing happened


def test_a_fortune_spent_on_reps_stops_before_any_lead_is_drawn() -> None:
    """Reps that cost next to nothing and the largest budget a decision takes (10^15): the
    day's expected leads pass any room (and 2^63) before a single one is drawn; the game
    stops in one line."""
    data = load_scenario("tutorial").model_dump(mode="json")
    for firm in data["firms"]:
        firm["cash"] = 9e17
    data["economics"]["rep_cost_per_year"] = 0.0001
    scenario = parse_scenario(data)
    game = Game(scenario, 1, max_leads=1e12)
    with pytest.raises(TooManyLeads, match="stopped in round 1"):
        game.play_round({"you": simple(scenario, MAX_NUMBER, 0.0)})


def test_price_wars_that_overlap_multiply_in_the_workload(tmp_path: Path) -> None:
    war = '\n[[events]]\nround = 1\nkind = "price_war"\nrounds = 6\nprice_cut = 0.5\n'
    one = workload(load_scenario(tutorial_with(tmp_path, "one.toml", war), max_leads=1e18))
    three = workload(load_scenario(tutorial_with(tmp_path, "three.toml", war * 3), max_leads=1e18))
    assert three.leads > one.leads  # three cuts of 50% leave an eighth of the price, not half


def test_a_market_too_wide_and_long_to_tick_is_refused(capsys, tmp_path: Path) -> None:
    data = load_scenario("classic").model_dump(mode="json")
    data["meta"]["rounds"], data["meta"]["round_days"] = 40, 365
    rival = data["firms"][-1]
    data["firms"] += [dict(rival, id=f"r{k}", name=f"R{k}") for k in range(36)]  # 40 firms
    with pytest.raises(InputError, match="firm-segment-days"):
        check_workload(parse_scenario(data), "wide", max_leads=1e18)


def test_a_save_too_big_to_load_again_leaves_its_cache_out(monkeypatch, tmp_path: Path) -> None:
    game = Game(load_scenario("tutorial"), 1)
    player = strategy("balanced")
    for _ in range(2):
        game.play_round({"you": player(game.view("you"))})
    plain = len(json.dumps(saves.document(game, cache=False), indent=1, sort_keys=True)) + 1
    path = tmp_path / "game.json"
    monkeypatch.setitem(LIMITS, "save", plain + 10)
    saves.write(game, path)
    assert "cache" not in json.loads(path.read_text(encoding="utf-8"))
    assert Game.load(path).reports == game.reports  # loads again, by replay
    monkeypatch.setitem(LIMITS, "save", plain // 2)
    with pytest.raises(InputError, match="larger than"):
        saves.write(game, path)
    assert "cache" not in json.loads(path.read_text(encoding="utf-8"))  # the file as it was


def test_a_forged_report_gives_the_game_no_more_room_than_its_limit() -> None:
    game = Game(load_scenario("tutorial"), 1)
    player = strategy("balanced")
    game.play_round({"you": player(game.view("you"))})
    forged = dataclasses.replace(game.reports[0].firms["you"], leads_inbound=-(10**12))
    game.reports[0].firms["you"] = forged
    game.play_round({"you": player(game.view("you"))})
    assert game._lead_room <= game.max_leads


# --- sweeps -------------------------------------------------------------------------------


def test_more_workers_than_the_machine_can_use_are_refused(capsys) -> None:
    one_error(
        cli(capsys, "sweep", "tutorial", "--vary", "price=1,1.1", "--workers", "1000"),
        "--workers must be 0",
        "two per core",
    )


def test_a_huge_grid_is_refused_unless_confirmed(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    one_error(
        cli(capsys, "sweep", "tutorial", "--vary", "price=0.5:2:1000", "--reps", "1000"),
        "1,000,000 games",
        "--yes",
    )


def test_a_balance_check_of_hours_is_refused_unless_confirmed(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    one_error(
        cli(capsys, "scenario", "balance", "tutorial", "--seeds", "200"), "9,200 games", "--yes"
    )
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(builtins, "input", lambda prompt: "n")
    one_error(cli(capsys, "scenario", "balance", "tutorial", "--seeds", "200"), "not started")


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
)
def test_ctrl_c_mid_sweep_leaves_every_finished_row_whole(
    tmp_path: Path, signum: int, code: int, said: str
) -> None:
    """Ctrl-C, or SIGTERM (a kill, a batch system's time limit; it once left the hidden
    temporary file behind)."""
    out = tmp_path / "rows.csv"
    proc = subprocess.Popen(
        [JIGSAW, "sweep", "classic", "--vary", "price=0.9,1.1", "--reps", "30", "--workers", "1"]
        + ["--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # Ctrl-C in a terminal goes to the whole process group
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until a few rows are in the hidden file
        temps = list(tmp_path.glob(".rows.csv.*.tmp"))
        if temps and temps[0].stat().st_size > 600:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"jigsaw sweep: {said};") and "of 60 rows written" in last
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert 1 <= len(rows) < 60 and f"{len(rows)} of 60" in last
    assert all(len(r) == len(rows[0]) and r["bankrupt"] in ("True", "False") for r in rows)
    assert not list(tmp_path.glob(".rows.csv.*.tmp"))


def test_a_cluster_lost_mid_sweep_keeps_the_finished_rows_and_names_the_missing(
    monkeypatch,
) -> None:
    from sim.experiments import sweep as sweep_module
    from sim.experiments.results import StoppedEarly

    class Lost:
        """A cluster that plays four cells, then is gone."""

        def __init__(self) -> None:
            self.n = 0

        def submit(self, fn, *args):  # noqa: ANN001, ANN202
            future: Future = Future()
            self.n += 1
            if self.n <= 4:
                future.set_result(fn(*args))
            else:
                future.set_exception(CancelledError())
            return future

    @contextmanager
    def lost_cluster(workers, scheduler) -> Iterator[Lost]:  # noqa: ANN001
        yield Lost()

    monkeypatch.setattr(sweep_module, "open_executor", lost_cluster)
    rows = []
    with pytest.raises(StoppedEarly) as stop:
        sweep_module.run_sweep(
            load_scenario("tutorial"),
            {"price": [0.9, 1.0, 1.1]},
            reps=3,
            workers=1,
            scheduler="tcp://lost:8786",
            sink=rows.append,
        )
    assert [(r["point"], r["replication"]) for r in rows] == [(0, 0), (0, 1), (0, 2), (1, 0)]
    assert stop.value.missing == [4, 5, 6, 7, 8] and "lost" in stop.value.reason


@contextmanager
def listening(answer: bytes | None) -> Iterator[str]:
    """A TCP server on 127.0.0.1 that accepts and says nothing (None) or sends `answer`."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            if answer is not None:
                try:
                    conn.sendall(answer)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()
        for conn in held:
            conn.close()


def test_a_silent_dask_scheduler_is_given_up_on_in_bounded_time() -> None:
    distributed = pytest.importorskip("distributed", reason="Dask is the extra [cluster]")
    from sim.experiments.executor import _connect
    from sim.model.errors import InputError

    with listening(None) as address:
        start = time.monotonic()
        with pytest.raises(InputError, match="no answer within 1 s"):
            _connect(distributed.Client, address, 1.0)
        assert time.monotonic() - start < 10


def test_a_garbage_dask_endpoint_is_one_line(capsys) -> None:
    pytest.importorskip("distributed", reason="Dask is the extra [cluster]")
    with listening(b"\xff" * 64 + os.urandom(4096)) as address:
        one_error(
            cli(capsys, "sweep", "tutorial", "--vary", "price=1,1.1", "--scheduler", address),
            address,
            "not a Dask scheduler",
        )


# --- autosaves ----------------------------------------------------------------------------


def played(scenario_name: str, seed: int) -> Session:
    session = Session.new(load_scenario(scenario_name), seed)
    session.advance()
    return session


def test_two_games_keep_two_autosaves(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JIGSAW_SAVE_DIR", str(tmp_path))
    first, second = played("tutorial", 1), played("tutorial", 1)  # same scenario and seed
    assert first.autosave_path != second.autosave_path
    assert first.autosave_path.exists() and second.autosave_path.exists()
    listed = {a.path for a in autosaves()}
    assert listed == {first.autosave_path, second.autosave_path}
    again = Session.load(first.autosave_path)  # continuing a game keeps its own autosave
    assert again.autosave_path == first.autosave_path and again.game.round == 1


def test_saving_a_second_game_of_the_same_seed_never_overwrites_the_first(
    monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JIGSAW_SAVE_DIR", str(tmp_path))
    first = played("tutorial", 1)
    kept = first.save().read_bytes()
    second = played("tutorial", 1)
    second.advance()  # another game: two rounds
    assert second.save() != first.save_path
    assert first.save_path.read_bytes() == kept  # ctrl+s of the second left the first alone
    assert second.save() == second.save_path  # and saves over its own file again
    again = Session.load(first.save_path)  # a loaded game saves back where it came from
    assert again.save() == first.save_path


def test_a_failed_autosave_is_shown_not_swallowed(monkeypatch, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("JIGSAW_SAVE_DIR", str(blocker / "saves"))  # cannot be created
    session = played("tutorial", 1)
    assert session.autosave_problem and "cannot write save" in session.autosave_problem
    from tui.app import JigsawApp

    assert "could NOT be saved" in JigsawApp(session).quit_note()


def test_temp_files_a_crash_left_are_removed_on_the_next_start(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("JIGSAW_SAVE_DIR", str(tmp_path))
    played("tutorial", 1)
    folder = tmp_path / "autosave"
    stale, fresh = folder / ".a.json.x1.tmp", folder / ".a.json.x2.tmp"
    stale.write_text("{", encoding="utf-8")
    fresh.write_text("{", encoding="utf-8")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    assert tidy_saves() == 1
    assert not stale.exists() and fresh.exists() and len(autosaves()) == 1


def test_ctrl_c_in_any_long_command_is_one_line(tmp_path: Path) -> None:
    long_game = tmp_path / "long.toml"
    text = (TUTORIAL.parent / "classic.toml").read_text(encoding="utf-8")
    assert "rounds = 8" in text
    long_game.write_text(text.replace("rounds = 8", "rounds = 40"), encoding="utf-8")
    proc = subprocess.Popen(
        [JIGSAW, "run", str(long_game), "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(1.5)  # inside the game (40 rounds of classic take several seconds)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (130, "jigsaw: interrupted\n")


# --- what a hand-edited or hostile file, path or terminal can still do -----------------------


def hand_edited_class(tmp_path: Path, sql: str, *params: object) -> Path:
    path = tmp_path / "class.db"
    Classroom.create(path, load_scenario("tutorial"), ["Red", "Blue"], 1)[0].db.close()
    db = sqlite3.connect(path)
    with db:
        db.execute(sql, params)
    db.close()
    return path


@pytest.mark.parametrize(
    ("sql", "params", "needle"),
    [
        ("UPDATE class SET scenario = ?", ("{not json",), "scenario"),
        ("UPDATE class SET scenario = ?", ("[" * 50_000 + "]" * 50_000,), "nests deeper"),
        ("UPDATE class SET scenario = ?", (b"\x00\xff",), "is not a scenario Jigsaw wrote"),
        ("UPDATE class SET seed = ?", ("one",), "seed"),
        ("UPDATE class SET seed = ?", (-4,), "seed"),
        ("UPDATE class SET model = ?", ("two",), "model"),
        ("UPDATE class SET open_round = ?", (1_000_000,), "open_round"),
        ("UPDATE class SET open_round = ?", ("one",), "open_round"),
        ("INSERT INTO settings (key, value) VALUES ('max_leads', ?)", ("abc",), "max_leads"),
        ("INSERT INTO settings (key, value) VALUES ('max_leads', ?)", ("nan",), "max_leads"),
        ("UPDATE teams SET seat = ? WHERE name = 'Red'", (99,), "teams.Red"),
        ("UPDATE teams SET firm_id = ? WHERE name = 'Red'", ("ghost",), "teams.Red"),
    ],
)
def test_a_hand_edited_class_file_is_refused_in_one_line(
    capsys, tmp_path: Path, sql: str, params: tuple[object, ...], needle: str
) -> None:
    path = hand_edited_class(tmp_path, sql, *params)
    one_error(cli(capsys, "class", "status", "--db", path), str(path), needle)


def played_class(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A tutorial class with its first round closed."""
    path = tmp_path / "class.db"
    room, instructor, codes = Classroom.create(path, load_scenario("tutorial"), ["Red"], 1)
    room.submit("Red", codes["Red"], {"budget": 200_000, "marketing_share": 0.4})
    room.advance(instructor)
    room.db.close()
    return path, codes


@pytest.mark.parametrize(
    ("sql", "needle"),
    [
        ('UPDATE decisions SET decision = \'{"budget": "lots"}\'', "decisions (round 1, Red)"),
        ("UPDATE decisions SET decision = 'not json'", "decisions (round 1, Red)"),
        ("UPDATE decisions SET team = 'Ghost'", "names no team of the class"),
        (  # a decision for a segment this market does not have: its marketing would vanish
            "UPDATE decisions SET decision = json_set(decision, '$.marketing.targeting', "
            "json('{\"zzz\": 1.0}'))",
            "decisions (round 1, Red)",
        ),
        ("UPDATE rounds SET report = '[]'", "rounds.report (round 1)"),
        ("UPDATE rounds SET report = '{\"firms\": 7}'", "rounds.report (round 1)"),
    ],
)
def test_hand_edited_decisions_and_reports_are_refused_in_one_line(
    capsys, tmp_path: Path, sql: str, needle: str
) -> None:
    path, codes = played_class(tmp_path)
    db = sqlite3.connect(path)
    with db:
        db.execute(sql)
    db.close()
    plan = tmp_path / "plan.toml"
    plan.write_text("budget = 200000\nmarketing_share = 0.4\n", encoding="utf-8")
    refused = 0
    for argv in (
        ("class", "results", "--db", path, "--team", "Red"),
        ("class", "submit", plan, "--db", path, "--team", "Red"),
    ):
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("JIGSAW_CODE", codes["Red"])
            code, out, err = cli(capsys, *argv)
        if code == 0:  # the command did not need what was edited
            continue
        one_error((code, out, err), str(path), needle)
        refused += 1
    assert refused


def test_a_class_snapshot_whose_reports_were_edited_is_not_used(tmp_path: Path) -> None:
    path, _ = played_class(tmp_path)
    honest = Classroom(path).game().reports[-1].to_dict()
    db = sqlite3.connect(path)
    with db:  # a report blob the snapshot's digest still matches cannot be read: replay
        report = json.loads(db.execute("SELECT report FROM rounds").fetchone()[0])
        del report["firms"][Classroom(path).team("Red").firm_id]["leads_inbound"]
        db.execute("UPDATE rounds SET report = ?", (json.dumps(report),))
        (data,) = db.execute("SELECT data FROM snapshots WHERE round = 1").fetchone()
    db.close()
    room = Classroom(path)
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE snapshots SET digest = ? WHERE round = 1", (room._digest(1, data),))
    db.close()
    assert Classroom(path).game().reports[-1].to_dict() == honest


def test_a_class_file_edited_to_a_huge_market_is_refused_unless_lifted(
    capsys, tmp_path: Path
) -> None:
    huge = load_scenario("tutorial").model_dump(mode="json")
    for segment in huge["segments"]:
        segment["accounts"], segment["interest"] = 10_000_000, 20
    path = hand_edited_class(tmp_path, "UPDATE class SET scenario = ?", json.dumps(huge))
    one_error(cli(capsys, "class", "status", "--db", path), str(path), "--max-leads")
    lifted = tmp_path / "lifted.db"
    scenario = load_scenario("tutorial")
    Classroom.create(lifted, scenario, ["Red", "Blue"], 1, max_leads=5e6)[0].db.close()
    assert Classroom(lifted).max_leads == 5e6  # the class remembers what it was lifted to


def test_a_save_cache_that_inflates_past_any_snapshot_is_not_inflated(tmp_path: Path) -> None:
    game = Game(load_scenario("tutorial"), 1)
    game.keep_snapshots = True
    game.play_round({"you": game.decide_for("you")})
    path = tmp_path / "bomb.json"
    saves.write(game, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    bomb = zlib.compress(b"\0" * (saves.MAX_SNAPSHOT * 8), 9)  # 128 MiB in 130 KB
    doc["cache"]["snapshot"] = base64.b64encode(bomb).decode("ascii")
    path.write_text(json.dumps(doc), encoding="utf-8")
    tracemalloc.start()
    try:
        loaded = saves.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert loaded.round == 1 and loaded.history == game.history  # replayed instead
    assert peak < 2 * saves.MAX_SNAPSHOT + 20 * 2**20


def test_a_file_of_millions_of_values_is_refused_in_well_under_a_second(
    capsys, tmp_path: Path
) -> None:
    path = tmp_path / "many.json"
    path.write_text("[" + "0," * (MAX_VALUES + 1) + "0]", encoding="utf-8")
    start = time.process_time()
    one_error(cli(capsys, "run", "--load", path), str(path), f"more than {MAX_VALUES:,} values")
    assert time.process_time() - start < 5  # once 79 s for a legal 32 MiB file of numbers


def test_error_lines_are_short_whatever_they_quote(capsys, tmp_path: Path) -> None:
    line = one_error(cli(capsys, "run", "tutorial", "--strategy", "x" * 6000), "--strategy")
    assert len(line) <= MAX_LINE
    line = one_error(cli(capsys, "run", "tutorial", "--seed", "9" * 6000), "--seed")
    assert len(line) <= MAX_LINE
    one_error(cli(capsys, "run", "tutorial", "--seed", str(2**63)), "from 0 to")


def test_control_characters_in_a_path_cannot_drive_the_terminal(capsys, tmp_path: Path) -> None:
    name = "a\x1b[2Jb\x07c\u2028d\x85e\x0bf\x0cg.toml"
    line = one_error(cli(capsys, "scenario", "validate", tmp_path / name), "\\x1b[2Jb\\x07c")
    assert not any(c in line for c in "\x1b\x07\u2028\x85\x0b\x0c")
    assert "\\u2028d\\x85e\\x0bf\\x0cg" in line  # shown as escapes, not folded to spaces


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('name = "Tutorial: first steps"', 'name = "Tut\\u001b[2Jorial"', "meta.name"),
        ('name = "Your company"', 'name = "You\\u0007r"', "firms[0].name"),
        ('name = "Steady & Co"', 'name = "Steady\\u202eoC"', "firms[1].name"),
        ('name = "Small business"', 'name = "Small\\nbusiness"', "segments[0].name"),
        ('currency = "USD"', 'currency = "U\\u0085D"', "meta.currency"),
    ],
)
def test_a_name_with_control_characters_is_refused_where_it_is_read(
    capsys, tmp_path: Path, old: str, new: str, field: str
) -> None:
    """Names reach every screen, table, CSV and debrief: an escape in one would recolour or
    clear the terminal, a bidi override reorder what follows, a line break split a row."""
    path = tutorial_with(tmp_path, "named.toml", "", (old, new))
    line = one_error(cli(capsys, "scenario", "validate", path), field, "printable text")
    assert "\x1b" not in line and "\u202e" not in line


def test_a_description_keeps_its_line_breaks_and_refuses_escapes() -> None:
    data = load_scenario("tutorial").model_dump(mode="json")
    data["meta"]["description"] = "one\ntwo\tthree"
    assert parse_scenario(data).meta.description == "one\ntwo\tthree"
    data["meta"]["description"] = "a\x1b[2Jb"
    with pytest.raises(InputError, match=r"meta.description: must be plain text"):
        parse_scenario(data)


def test_a_path_component_too_long_for_the_system_is_one_line(capsys, tmp_path: Path) -> None:
    long = str(tmp_path / ("a" * 300 + ".db"))
    for argv in (
        ("scenario", "validate", long),
        ("class", "status", "--db", long),
        ("class", "new", "tutorial", "--teams", "A,B", "--db", long),
        ("run", "tutorial", "--save", long),
    ):
        one_error(cli(capsys, *argv), "aaaa")


@pytest.mark.parametrize("argv", [["scenario", "list"], ["--help"], ["run", "--help"]])
def test_output_to_a_full_disk_is_one_line(argv) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([JIGSAW, *argv], stdout=full, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 1  # argparse's help once dropped the error and exited 0
    assert done.stderr == "jigsaw: cannot write the output (No space left on device)\n"


def test_a_closed_standard_output_is_one_line() -> None:
    done = subprocess.run(
        ["sh", "-c", f'"{JIGSAW}" run tutorial >&-'], stderr=subprocess.PIPE, text=True
    )
    assert done.returncode == 1
    assert done.stderr == "jigsaw: cannot write the output (standard output is closed)\n"


def test_ctrl_c_while_the_command_line_is_built_is_one_line(capsys, monkeypatch) -> None:
    import tui.cli
    import tui.cli.run

    def interrupted(sub: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(tui.cli.run, "add", interrupted)
    assert tui.cli.main(["run", "tutorial"]) == 130
    assert capsys.readouterr().err == "jigsaw: interrupted\n"


def test_ctrl_c_while_the_libraries_load_is_one_line(capsys, monkeypatch) -> None:
    real = builtins.__import__

    def interrupted(name: str, *args: object, **kwargs: object) -> object:
        if name == "tui.cli":
            raise KeyboardInterrupt
        return real(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "tui.cli")
    monkeypatch.setattr(builtins, "__import__", interrupted)
    assert launch.main() == 130
    assert capsys.readouterr().err == "jigsaw: interrupted\n"


# --- sweeps: bounds, interrupted or full outputs, files that cannot be written --------------


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (("sweep", "tutorial", "--vary", "price=1,1.1", "--reps", "99999999999"), ("--reps",)),
        (
            (
                "sweep",
                "tutorial",
                "--vary",
                "price=0.5:2:10000",
                "--vary",
                "marketing_share=0:1:1000",
            )
            + ("--reps", "1", "--yes"),
            ("10,000,000 games", "split it"),
        ),
        (("sweep", "tutorial", "--strategies", "balanced", "--reps", "2000000"), ("--reps",)),
        (("sweep", "tutorial", "--vary", "price=1,1.1", "--seed", str(2**63 - 2)), ("--seed",)),
        (("scenario", "balance", "tutorial", "--seeds", "100000"), ("--seeds", "2 to 200")),
        (("scenario", "balance", "tutorial", "--workers", "202"), ("--workers", "two per core")),
    ],
)
def test_every_study_size_is_bounded_before_any_game(capsys, argv, needles) -> None:
    start = time.process_time()
    one_error(cli(capsys, *argv), *needles)
    assert time.process_time() - start < 2  # refused before a grid or a game is made


def test_a_grid_of_a_million_points_is_checked_without_being_built() -> None:
    axes = {"price": [0.5 + k * 0.0015 for k in range(1000)], "marketing_share": [0.5] * 1000}
    points = grid(axes)
    assert len(points) == 1_000_000
    assert points[1001] == {"price": 0.5 + 0.0015, "marketing_share": 0.5}
    axes["marketing_share"] = [k / 1000 for k in range(1000)]
    small = {"a": [1, 2, 3], "b": [4, 5]}
    assert list(grid(small)) == [
        {"a": a, "b": b} for a in (1.0, 2.0, 3.0) for b in (4.0, 5.0)
    ]  # the first axis varies slowest
    checked = list(checks(axes))
    assert len(checked) == 1000 + 1000 + 4  # each value of each axis, then the corners
    assert list(checks(small)) == list(grid(small))  # a small grid: every point


def test_ctrl_c_before_the_first_row_leaves_an_old_out_file_alone(capsys, tmp_path) -> None:
    out = tmp_path / "rows.csv"
    yesterday = "point,replication,seed,profit\n0,0,1,5.0\n"  # yesterday's rows
    out.write_text(yesterday, encoding="utf-8")
    args = argparse.Namespace(out=str(out))

    def interrupted(progress, sink):  # noqa: ANN001, ANN202
        raise KeyboardInterrupt

    assert streamed(args, 40, interrupted) == (None, 130)
    assert out.read_text(encoding="utf-8") == yesterday
    assert "no row was written" in capsys.readouterr().err
    assert not list(tmp_path.glob(".rows.csv.*"))


def test_a_disk_that_fills_mid_sweep_is_one_line_and_leaves_no_temp_file(tmp_path) -> None:
    out = tmp_path / "rows.csv"
    args = argparse.Namespace(out=str(out))

    class Full:
        closed = False

        def write(self, data: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        flush = close = lambda self: (_ for _ in ()).throw(  # noqa: E731
            OSError(errno.ENOSPC, "No space left on device")
        )

    def play(progress, sink):  # noqa: ANN001, ANN202
        sink({"point": 0, "profit": 1.0})
        writer = sink.__self__
        writer._fh = Full()
        writer._csv = csv.writer(writer._fh)
        sink({"point": 1, "profit": 2.0})

    with pytest.raises(InputError, match="No space left on device"):
        streamed(args, 2, play)
    assert not out.exists() and not list(tmp_path.glob(".rows.csv.*"))


def test_rows_files_read_like_any_new_file(tmp_path) -> None:
    umask = os.umask(0o022)
    try:
        with RowWriter(str(tmp_path / "rows.csv")) as writer:
            writer.write({"point": 0})
    finally:
        os.umask(umask)
    assert (tmp_path / "rows.csv").stat().st_mode & 0o777 == 0o644


def test_a_plot_that_cannot_be_written_is_refused_before_any_game(
    capsys, tmp_path, monkeypatch
) -> None:
    import sim.experiments.sweep as sweeps

    def no_game(*job: object) -> dict[str, object]:
        raise AssertionError("a game was played before the plot was checked")

    monkeypatch.setattr(sweeps, "play_cell", no_game)
    (tmp_path / "file").write_text("", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    for plot, needle in (
        ("curve.gif", ".png or .svg"),
        (tmp_path / "file" / "c.png", "directory"),
        (tmp_path / ("c" * 300 + ".png"), "File name too long"),
        *(() if os.geteuid() == 0 else ((locked / "c.png", "Permission denied"),)),
    ):
        one_error(cli(capsys, "sweep", "tutorial", "--vary", "price=1,1.1", "--plot", plot), needle)


def test_a_fractional_value_for_a_whole_number_field_is_refused(capsys, tmp_path) -> None:
    one_error(
        cli(capsys, "sweep", "tutorial", "--vary", "segments.smb.accounts=1000.5,2000"),
        "takes whole numbers, got 1000.5",
    )
    exp = tmp_path / "exp.toml"
    exp.write_text(
        'scenario = "tutorial"\nreps = 1\n[vary]\n"segments.smb.accounts" = "1000.5,2000"\n',
        encoding="utf-8",
    )
    one_error(cli(capsys, "sweep", "--file", exp), f"{exp}: vary.segments.smb.accounts")


# --- the class: grades, rosters and debriefs --------------------------------------------------


def test_grades_before_any_closed_round_are_one_line(capsys, tmp_path, monkeypatch) -> None:
    path = tmp_path / "class.db"
    room, instructor, _ = Classroom.create(path, load_scenario("tutorial"), ["Red", "Blue"], 1)
    room.db.close()
    monkeypatch.setenv("JIGSAW_CODE", instructor)
    out = tmp_path / "grades.csv"
    one_error(
        cli(capsys, "class", "grades", "--db", path, "--out", out), "no round has been closed"
    )
    roster = tmp_path / "roster.csv"
    roster.write_text("name,id,email,team\n" + "x" * 200_000 + ",1,a@b,Red\n", encoding="utf-8")
    one_error(
        cli(capsys, "class", "grades", "--db", path, "--roster", roster, "--out", out),
        str(roster),
        "not a roster CSV",
    )


def test_a_folder_with_any_debrief_file_needs_force(capsys, tmp_path) -> None:
    path = tmp_path / "class.db"
    Classroom.create(path, load_scenario("tutorial"), ["Red", "Blue"], 1)[0].db.close()
    folder = tmp_path / "debrief"
    folder.mkdir()
    (folder / "rounds.csv").write_text("last term's\n", encoding="utf-8")
    one_error(
        cli(capsys, "class", "report", "--db", path, "--out", folder), "rounds.csv", "--force"
    )
    assert (folder / "rounds.csv").read_text(encoding="utf-8") == "last term's\n"


def test_a_sweep_whose_every_game_fails_says_so_without_a_traceback(capsys, monkeypatch) -> None:
    import sim.experiments.sweep as sweeps

    def broken(*job: object) -> dict[str, object]:
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(sweeps, "play_cell", broken)
    code, out, err = cli(capsys, "sweep", "tutorial", "--vary", "price=1", "--reps", "2")
    assert code == 1 and "Traceback" not in err
    assert "every game failed" in out
    assert err.count("failed: point 0 replication") == 2 and "the engine broke" in err


@pytest.mark.parametrize(
    "argv",
    [
        ("sweep", "tutorial", "--vary", "price=1", "--out", ""),
        ("sweep", "tutorial", "--vary", "price=1", "--plot", " "),
        ("run", "tutorial", "--save", ""),
        ("run", "--load", ""),
        ("class", "status", "--db", ""),
    ],
)
def test_an_empty_path_is_refused_not_taken_for_none(capsys, argv) -> None:
    """`--out ''` once wrote nothing and said nothing (an empty string reads as no option)."""
    one_error(cli(capsys, *argv), "needs a path, got an empty one")


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ('scenario = "exp.toml"\nstrategies = ["even"]\n', ("scenario", "this experiment file")),
        ('scenario = "tutorial"\nout = ""\nstrategies = ["even"]\n', ("out", "must name a file")),
        ('scenario = "tutorial"\nreps = 1000001\nstrategies = ["even"]\n', ("reps", "1000000")),
    ],
)
def test_an_experiment_file_is_held_to_the_command_lines_rules(
    capsys, tmp_path, text, needles
) -> None:
    path = tmp_path / "exp.toml"
    path.write_text(text, encoding="utf-8")
    one_error(cli(capsys, "sweep", "--file", path), str(path), *needles)


def test_a_disk_io_error_under_a_class_file_says_what_it_means(tmp_path: Path) -> None:
    """SQLite reports a disk that fills under its WAL as 'disk I/O error', not 'full'."""
    from sim.classroom.store import trouble

    said = str(trouble(tmp_path / "class.db", sqlite3.OperationalError("disk I/O error")))
    assert "may be full" in said and "nothing was changed" in said and "SQLite" not in said


def test_sigterm_during_luck_is_one_line_and_leaves_no_worker(tmp_path: Path) -> None:
    save = tmp_path / "game.json"
    game = Game(load_scenario("classic"), 2)
    player = strategy("balanced")
    game.play(lambda g, fid: player(g.view(fid)))
    game.save(save)
    proc = subprocess.Popen(
        [JIGSAW, "luck", str(save), "--seeds", "100", "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(4)  # the draws are under way on the pool
    proc.send_signal(signal.SIGTERM)  # the command alone, as `kill` would
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert err.replace("\r", "\n").strip().splitlines()[-1] == "jigsaw: terminated"
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-f", str(save)], capture_output=True, text=True).stdout
    assert left == "", f"workers left behind: {left}"


def test_a_forged_cache_that_cannot_play_on_is_replayed(tmp_path: Path) -> None:
    """A snapshot someone rewrote and re-signed (its check is a digest, not a secret) that
    restores but breaks the next round: the save is replayed from its decisions instead."""
    scenario = load_scenario("classic")
    honest = Game(scenario, 3)
    player = strategy("balanced")
    for _ in range(4):
        honest.play_round({"you": player(honest.view("you"))})
    early = honest.restore(honest.kept[2]) if honest.kept else None
    if early is None:  # no undo snapshots kept: rebuild round 2 by replay
        early = Game(scenario, 3)
        for decided in honest.history[:2]:
            early.play_round(decided)
    early.market.active = None  # forged: restores, cannot play a day
    doc = saves.document(early)
    doc["decisions"] = [{f: d.to_dict() for f, d in r.items()} for r in honest.history]
    cache = doc["cache"]
    cache["check"] = saves._check(doc, cache["round"], cache["reports"], cache["snapshot"])
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    loaded = Game.load(path)
    assert json.dumps(loaded.to_json()) == json.dumps(honest.to_json())


def test_a_class_with_no_team_or_a_blob_report_is_one_line(capsys, tmp_path, monkeypatch) -> None:
    path, codes = played_class(tmp_path)
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE rounds SET report = x'00ff'")
    db.close()
    monkeypatch.setenv("JIGSAW_CODE", codes["Red"])
    code, out, err = cli(capsys, "class", "results", "--db", path, "--team", "Red")
    assert code == 0 and "Your books" in out  # the snapshot no longer matches: replayed
    db = sqlite3.connect(path)
    with db:
        db.execute("DELETE FROM teams")
    db.close()
    code, out, err = cli(capsys, "class", "status", "--db", path)
    assert "Traceback" not in err and code in (0, 2)


def test_a_team_name_edited_into_the_file_is_refused(capsys, tmp_path) -> None:
    path = hand_edited_class(
        tmp_path, "UPDATE teams SET name = ? WHERE name = 'Red'", "\x1b[31mRed\u202e"
    )
    line = one_error(cli(capsys, "class", "status", "--db", path), "teams", "not a team name")
    assert "\x1b" not in line and "\u202e" not in line


def test_a_path_echoed_on_success_cannot_drive_the_terminal(capsys, tmp_path) -> None:
    path = tmp_path / "v\x1b[31m\u202e.toml"
    path.write_text(TUTORIAL.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = cli(capsys, "scenario", "validate", path)
    assert code == 0 and ": ok" in out
    assert "\x1b" not in out and "\u202e" not in out and "v\\x1b[31m\\u202e.toml" in out


def test_a_firms_own_budget_counts_in_the_workload(capsys, tmp_path) -> None:
    data = load_scenario("classic").model_dump(mode="json")
    data["firms"][1].update(cash=1e15, budget_per_round=1e15)
    with pytest.raises(InputError, match="--max-leads"):
        check_workload(parse_scenario(data), "rich rival")


def test_a_workload_refusal_names_what_would_shrink_it() -> None:
    """Ten thousand reps prospect for most of the leads: the hint is the reps, not the
    accounts; a market with a fortune of accounts and interest is told about those."""
    data = load_scenario("tutorial").model_dump(mode="json")
    data["firms"][0]["reps"] = 10_000
    with pytest.raises(InputError, match="fewer reps or a smaller budget"):
        check_workload(parse_scenario(data), "many reps")
    data = load_scenario("tutorial").model_dump(mode="json")
    data["segments"][0].update(accounts=10_000_000, interest=5.0)
    with pytest.raises(InputError, match="fewer accounts or less interest"):
        check_workload(parse_scenario(data), "many accounts")
