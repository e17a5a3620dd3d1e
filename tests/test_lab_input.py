"""Bad input to `jigsaw lab` (export, score, fit, design) and to lab scenarios: one clear line
naming the file and the field, exit 2, never a traceback; nothing the user keeps is written
over; every input bounded; names printed as text; writes atomic, folders too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sim.classroom.store import Classroom
from sim.csvtext import csv_text
from sim.lab.truth import truth
from sim.model.errors import InputError
from sim.model.game import Game
from sim.model.scenario import CHANNELS, load_scenario, parse_scenario
from tests.conftest import shortened
from tests.test_bad_input import cli, one_error

LAB = Path(__file__).resolve().parents[1] / "experiments"
TRUTH = ("--draws", "1", "--workers", "1")  # the quickest truth: one draw, in this process


def one_round() -> Game:
    """Classic cut to two rounds of 14 days, one played: a game exported in a blink."""
    game = Game(shortened("classic", 2, round_days=14), 5)
    game.play_round({"you": game.decide_for("you")})
    return game


@pytest.fixture(scope="module")
def game() -> Game:
    return one_round()


@pytest.fixture(scope="module")
def truth_doc(game: Game) -> dict[str, Any]:
    return truth(game, "you", draws=1, workers=1, roas_only=True)


@pytest.fixture
def save(game: Game, tmp_path: Path) -> Path:
    path = tmp_path / "game.json"
    game.save(path)
    return path


@pytest.fixture
def truth_file(truth_doc: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "truth.json"
    path.write_text(json.dumps(truth_doc, indent=1))
    return path


def media(folder: Path, periods: int = 30, **columns: Any) -> Path:
    """A small media.csv (weekly, the three channels' spend moving, bookings following), with
    `columns` (name: a value or a function of the period) added or replacing its own."""
    header = ["date", "round", "days", *(f"spend_{ch}_smb" for ch in CHANNELS), "bookings"]
    header += [c for c in columns if c not in header]
    rows = []
    for t in range(periods):
        row: dict[str, Any] = {"date": f"w{t}", "round": t // 4 + 1, "days": 7, "bookings": 0}
        for k, ch in enumerate(CHANNELS):
            row[f"spend_{ch}_smb"] = 1000 * ((t * (k + 2)) % 5)
        row["bookings"] = 50_000 + 3 * sum(row[f"spend_{ch}_smb"] for ch in CHANNELS) + t % 3
        for name, value in columns.items():
            row[name] = value(t) if callable(value) else value
        rows.append(row)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "media.csv").write_text(csv_text(header, rows))
    return folder


def written(folder: Path, cell: str) -> Path:
    """The media.csv of `folder` with its BAD cell written as `cell`, as it is (a cell made by
    csv_text that starts with - gets a ' to keep spreadsheets from running it)."""
    path = folder / "media.csv"
    path.write_text(path.read_text().replace("BAD", cell))
    return folder


def strict_json(text: str) -> Any:
    """JSON as the standard has it: NaN and Infinity are not numbers."""

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in JSON output")

    return json.loads(text, parse_constant=refuse)


def lab_design(tmp_path: Path, targeting: str = "smb = 0.6, mid = 0.4") -> Path:
    """The shipped design over the lab market cut to 3 rounds, without its lift tests."""
    market = (LAB / "lab_market.toml").read_text().replace("rounds = 40", "rounds = 3", 1)
    (tmp_path / "market.toml").write_text(market)
    design = (LAB / "lab_design.toml").read_text().split("[[lift_tests]]")[0]
    design = design.replace('"lab_market.toml"', '"market.toml"')
    design = design.replace("smb = 0.6, mid = 0.4", targeting)
    path = tmp_path / "design.toml"
    path.write_text(design)
    return path


# --- lab scenarios ----------------------------------------------------------------------------


def test_a_class_cannot_be_made_of_a_lab_scenario(capsys, tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "class.db"
    monkeypatch.setenv("JIGSAW_CODE", "x")
    one_error(
        cli(capsys, "class", "new", LAB / "lab_market.toml", "--teams", "Red", "--db", db),
        "lab_market.toml: lab: is a lab scenario",
        "jigsaw lab design",
    )
    assert not db.exists()
    with pytest.raises(InputError, match="is a lab scenario"):
        Classroom.create(db, load_scenario(LAB / "lab_market.toml"), ["Red"], 1)


def test_a_lab_seed_is_never_written_in_a_scenario_file(capsys, tmp_path: Path) -> None:
    text = (LAB / "lab_market.toml").read_text().replace("[lab]\n", "[lab]\nseed = 5\n", 1)
    path = tmp_path / "seeded.toml"
    path.write_text(text)
    with pytest.raises(InputError, match="lab.seed: is not for a scenario file"):
        load_scenario(path)
    one_error(cli(capsys, "scenario", "validate", path), "seeded.toml: lab.seed")
    one_error(cli(capsys, "run", path), "lab.seed")


def test_lab_half_life_ranges_are_bounded_as_the_half_lives_are() -> None:
    data = load_scenario(LAB / "lab_market.toml").model_dump(mode="json")
    data["lab"]["half_life_days"]["advertising"] = [60.0, 1e12]
    with pytest.raises(InputError, match=r"lab\.half_life_days\.advertising: .*at most 3,650"):
        parse_scenario(data)
    data = load_scenario("classic").model_dump(mode="json")
    data["economics"]["half_life_days"]["pr"] = 1e12
    with pytest.raises(InputError, match="economics: half_life_days .*at most 3,650"):
        parse_scenario(data)
