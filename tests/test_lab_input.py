"""Bad input to `jigsaw lab` (export, score, fit, design) and to lab scenarios: one clear line
naming the file and the field, exit 2, never a traceback; nothing the user keeps is written
over; every input bounded; names printed as text; writes atomic, folders too."""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any

import pytest

import sim.model.files as files
from sim.classroom.store import Classroom
from sim.csvtext import csv_text
from sim.lab.design import read_design
from sim.lab.export import FILES, export
from sim.lab.fit import MAX_PERIODS, ChannelFit, Fit
from sim.lab.score import score
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


# --- outputs: never written over an input, a non-file, or what the user keeps -----------------


def test_truth_is_never_written_over_the_save_it_reads(capsys, save: Path) -> None:
    before = save.read_bytes()
    os.link(save, save.with_name("hard-link.json"))
    for target in (save, save.parent / "." / save.name, save.with_name("hard-link.json")):
        one_error(
            cli(capsys, "lab", "export", save, "--truth", target, *TRUTH),
            "is the save this command reads",
        )
    assert save.read_bytes() == before


def test_truth_is_never_written_over_the_class_file_it_reads(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "class.db"
    room, instructor, codes = Classroom.create(
        path, shortened("classic", 2, round_days=14), ["Red"], 7
    )
    room.submit("Red", codes["Red"], {"budget": 300_000, "marketing_share": 0.5})
    room.advance(instructor)
    room.close()
    monkeypatch.setenv("JIGSAW_CODE", instructor)
    export = ("lab", "export", "--db", path, "--firm", "Red", "--instructor", *TRUTH)
    one_error(cli(capsys, *export, "--truth", path), "is the class file this command reads")
    assert Classroom(path).team("Red").name == "Red"  # the class is whole


def test_outputs_are_written_only_as_regular_files(
    capsys, save: Path, tmp_path: Path, truth_file: Path, monkeypatch
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    data = media(tmp_path / "data")
    design = lab_design(tmp_path)
    monkeypatch.setenv("JIGSAW_LAB_SEED", "5")
    for target, what in ((fifo, "a device, pipe or socket"), (tmp_path, "a folder")):
        one_error(cli(capsys, "lab", "export", save, "--truth", target, *TRUTH), what)
        one_error(cli(capsys, "lab", "fit", data, "--estimates", target), what)
        one_error(cli(capsys, "lab", "design", design, "--save", target), what)
    one_error(cli(capsys, "lab", "fit", data, "--estimates", "/dev/null"), "a device")
    assert fifo.is_fifo()


def test_an_existing_file_of_another_kind_is_left_as_it_is(
    capsys, save: Path, tmp_path: Path, monkeypatch
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    mine = tmp_path / "mine.toml"
    mine.write_text("[half_life_days]\nadvertising = 20\n")  # a student's own estimates
    data = media(tmp_path / "data")
    design = lab_design(tmp_path)
    monkeypatch.setenv("JIGSAW_LAB_SEED", "5")
    kept = "Jigsaw wrote: left as it is"
    one_error(
        cli(capsys, "lab", "export", save, "--truth", notes, *TRUTH), "not a truth file", kept
    )
    one_error(cli(capsys, "lab", "fit", data, "--estimates", mine), "not an estimates file", kept)
    one_error(cli(capsys, "lab", "design", design, "--save", notes), "not a save file", kept)
    assert notes.read_text() == "my notes"
    assert mine.read_text() == "[half_life_days]\nadvertising = 20\n"
    # an earlier output of the same kind is replaced, as a new run of the command expects
    old = tmp_path / "truth.json"
    for _ in range(2):
        code, _, err = cli(capsys, "lab", "export", save, "--truth", old, *TRUTH)
        assert code == 0, err
    est = tmp_path / "est.toml"
    for _ in range(2):
        code, _, err = cli(capsys, "lab", "fit", data, "--estimates", est)
        assert code == 0, err
    again = tmp_path / "again.json"
    for _ in range(2):
        code, _, err = cli(capsys, "lab", "design", design, "--save", again)
        assert code == 0, err


def test_no_output_makes_a_missing_folder(capsys, save: Path, tmp_path: Path, monkeypatch) -> None:
    data = media(tmp_path / "data")
    design = lab_design(tmp_path)
    monkeypatch.setenv("JIGSAW_LAB_SEED", "5")
    nowhere = tmp_path / "nowhere"
    one_error(
        cli(capsys, "lab", "export", save, "--truth", nowhere / "t.json", *TRUTH), "no folder"
    )
    one_error(cli(capsys, "lab", "fit", data, "--estimates", nowhere / "x" / "e.toml"), "no folder")
    one_error(cli(capsys, "lab", "design", design, "--save", nowhere / "s.json"), "no folder")
    one_error(cli(capsys, "lab", "export", save, "--out", nowhere / "data"), "no folder")
    assert not nowhere.exists()


def test_estimates_are_never_written_over_the_media_or_the_truth_they_come_from(
    capsys, tmp_path: Path, truth_file: Path
) -> None:
    data = media(tmp_path / "data")
    before = (data / "media.csv").read_text(), truth_file.read_text()
    one_error(
        cli(capsys, "lab", "fit", data, "--estimates", data / "media.csv"),
        "is the media.csv this command reads",
    )
    one_error(
        cli(capsys, "lab", "fit", data, "--truth", truth_file, "--estimates", truth_file),
        "is the truth file this command reads",
    )
    assert ((data / "media.csv").read_text(), truth_file.read_text()) == before


def test_a_design_is_never_saved_over_its_own_file(capsys, tmp_path: Path, monkeypatch) -> None:
    design = lab_design(tmp_path)
    before = design.read_text()
    monkeypatch.setenv("JIGSAW_LAB_SEED", "5")
    one_error(
        cli(capsys, "lab", "design", design, "--save", design), "is the design file this command"
    )
    assert design.read_text() == before


def test_the_truth_never_lands_inside_the_data_folder_at_any_depth(
    capsys, save: Path, tmp_path: Path
) -> None:
    out = tmp_path / "ex"
    one_error(
        cli(capsys, "lab", "export", save, "--out", out, "--truth", out / "sub" / "t", *TRUTH),
        "inside the data folder",
    )
    assert not out.exists()  # refused before anything was written
    code, _, err = cli(capsys, "lab", "export", save, "--out", out)
    assert code == 0, err
    one_error(
        cli(capsys, "lab", "export", save, "--truth", out / "t.json", *TRUTH),
        "inside an export folder",
    )
    (tmp_path / "ex2").mkdir()
    for name in FILES:
        (tmp_path / "ex2" / name).write_text((out / name).read_text())
    (tmp_path / "ex2" / "deep").mkdir()
    one_error(
        cli(capsys, "lab", "export", save, "--truth", tmp_path / "ex2" / "deep" / "t", *TRUTH),
        "inside an export folder",
    )
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)


def test_every_output_is_checked_before_the_game_is_played_again(
    capsys, save: Path, tmp_path: Path, monkeypatch
) -> None:
    import tui.cli.lab as lab

    def no_work(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the work started before its outputs were checked")

    monkeypatch.setattr(lab, "truth", no_work)
    monkeypatch.setattr(lab, "play", no_work)
    monkeypatch.setattr(lab, "export", no_work)
    monkeypatch.setenv("JIGSAW_LAB_SEED", "5")
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    one_error(
        cli(capsys, "lab", "export", save, "--out", tmp_path / "d", "--truth", notes, *TRUTH),
        "notes.txt",
    )
    one_error(cli(capsys, "lab", "design", lab_design(tmp_path), "--save", notes), "notes.txt")


def test_errors_name_the_users_file_not_a_temporary_one(
    capsys, save: Path, tmp_path: Path, monkeypatch
) -> None:
    data = media(tmp_path / "data")
    design = lab_design(tmp_path)
    monkeypatch.setenv("JIGSAW_LAB_SEED", "5")
    real = os.replace

    def refused(src: Any, dst: Any) -> None:
        if ".tmp" in str(src):
            raise PermissionError(13, "Permission denied", str(src), None, str(dst))
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", refused)
    for argv, name in (
        (("lab", "export", save, "--truth", tmp_path / "t.json", *TRUTH), "t.json"),
        (("lab", "fit", data, "--estimates", tmp_path / "e.toml"), "e.toml"),
        (("lab", "design", design, "--save", tmp_path / "s.json"), "s.json"),
        (("lab", "export", save, "--out", tmp_path / "ex"), "ex"),
    ):
        code, out, err = cli(capsys, *argv)  # after the work: its progress line, then one line
        assert code == 2 and "Traceback" not in err, err
        line = err.splitlines()[-1]
        assert line.startswith(f"jigsaw: {tmp_path / name}: cannot write"), line
        assert ".tmp" not in line, line
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # none left behind


# --- the export folder: replaced whole ---------------------------------------------------------


def test_an_interrupted_export_leaves_the_old_folder_or_the_new_never_a_mix(
    game: Game, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "ex"
    export(game, "you").write(out)
    old = {p.name: p.read_text() for p in out.iterdir()}
    other = export(game, "northwind")
    written = 0
    real = files.write_atomic

    def interrupted(path: Path, content: Any) -> None:
        nonlocal written
        written += 1
        if written == 3:
            raise KeyboardInterrupt
        real(path, content)

    monkeypatch.setattr(files, "write_atomic", interrupted)
    with pytest.raises(KeyboardInterrupt):
        other.write(out)
    assert {p.name: p.read_text() for p in out.iterdir()} == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ex"]  # no half folder left
    monkeypatch.setattr(files, "write_atomic", real)
    other.write(out)
    assert {p.name: p.read_text() for p in out.iterdir()} == other.files
    monkeypatch.setattr(files, "_exchange", lambda a, b: False)  # no one-step swap here
    export(game, "you").write(out)
    assert {p.name: p.read_text() for p in out.iterdir()} == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ex"]


# --- tracebacks that must be lines -------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "field"),
    [
        (("parameters", "half_life_days", "advertising"), "30", "half_life_days.advertising"),
        (("parameters", "half_life_days", "advertising"), [30], "half_life_days.advertising"),
        (("roas", "advertising", "bookings", "value"), "1.5", "roas.advertising.bookings.value"),
        (("parameters", "hill", "advertising", "smb"), {"K": 1.0}, "hill.advertising.smb.S"),
        (("parameters", "churn"), [], "parameters.churn"),
        (("firm",), 3, "firm"),
    ],
)
def test_a_truth_whose_values_have_the_wrong_type_is_one_line(
    capsys,
    tmp_path: Path,
    truth_doc: dict[str, Any],
    where: tuple[str, ...],
    value: Any,
    field: str,
) -> None:
    doc = json.loads(json.dumps(truth_doc))
    table = doc
    for key in where[:-1]:
        table = table[key]
    table[where[-1]] = value
    bad = tmp_path / "truth.json"
    bad.write_text(json.dumps(doc))
    est = tmp_path / "est.toml"
    est.write_text("[half_life_days]\nadvertising = 25\n[roas]\nadvertising = 1.2\n")
    one_error(cli(capsys, "lab", "score", est, "--truth", bad), "truth.json", field)
    one_error(cli(capsys, "lab", "fit", media(tmp_path / "data"), "--truth", bad), field)


def test_a_truth_file_without_a_section_is_one_line(
    capsys, tmp_path: Path, truth_doc: dict[str, Any]
) -> None:
    est = tmp_path / "est.toml"
    est.write_text("[roas]\nadvertising = 1.2\n")
    for section in ("roas", "parameters", "incremental"):
        doc = {k: v for k, v in truth_doc.items() if k != section}
        (tmp_path / "t.json").write_text(json.dumps(doc))
        one_error(
            cli(capsys, "lab", "score", est, "--truth", tmp_path / "t.json"),
            f"{section}: is required but missing",
        )


def test_media_with_a_column_named_twice_is_one_line(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    rows = ["date,days,bookings,bookings,spend_pr_all"] + [
        f"d{t},7,{t},{t},{t % 3}" for t in range(30)
    ]
    (folder / "media.csv").write_text("\n".join(rows) + "\n")
    one_error(cli(capsys, "lab", "fit", folder), "media.csv", "line 1", "'bookings' twice")


def test_media_whose_periods_have_no_days_is_one_line(capsys, tmp_path: Path) -> None:
    one_error(
        cli(capsys, "lab", "fit", media(tmp_path / "zero", days=0)),
        "media.csv: line 2: days: expected a whole number of days from 1",
    )
    one_error(cli(capsys, "lab", "fit", media(tmp_path / "half", days=0.5)), "line 2: days")


def test_media_where_every_period_is_alike_fits_or_is_one_line(capsys, tmp_path: Path) -> None:
    folder = media(
        tmp_path / "flat", bookings=1000, price=1, **{f"spend_{ch}_smb": 500 for ch in CHANNELS}
    )
    code, out, err = cli(capsys, "lab", "fit", folder, "--json")
    assert "Traceback" not in err
    if code == 0:
        strict_json(out)
    else:
        one_error((code, out, err), "media.csv")


def test_a_cell_past_the_csv_field_limit_is_one_line(capsys, tmp_path: Path) -> None:
    folder = media(tmp_path / "data", date=lambda t: "x" * 200_000 if t == 3 else f"w{t}")
    one_error(cli(capsys, "lab", "fit", folder), "media.csv: line 5")
    folder = media(tmp_path / "long", bookings=lambda t: "1" * 100 if t == 0 else t)
    one_error(cli(capsys, "lab", "fit", folder), "line 2: bookings", "characters")


def test_a_design_whose_targeting_is_wrong_is_one_line_when_read(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    bad = lab_design(tmp_path, "smb = 0.6, mid = 0.3")
    with pytest.raises(InputError, match=r"plan\.targeting: targeting shares must sum to 1"):
        read_design(bad)
    monkeypatch.setenv("JIGSAW_LAB_SEED", "5")
    save = tmp_path / "s.json"
    one_error(cli(capsys, "lab", "design", bad, "--save", save), "design.toml: plan.targeting")
    bad = lab_design(tmp_path, "smb = 1.5, mid = -0.5")
    one_error(cli(capsys, "lab", "design", bad, "--save", save), "plan.targeting", "between 0")
    bad = lab_design(tmp_path, "smb = 0.6, moon = 0.4")
    one_error(cli(capsys, "lab", "design", bad, "--save", save), "plan.targeting", "'moon'")
    twice = lab_design(tmp_path)  # two lift tests in one round: the second would replace it
    with twice.open("a") as fh:
        fh.write('\n[[lift_tests]]\nround = 2\nsegment = "smb"\n')
        fh.write('\n[[lift_tests]]\nround = 2\nsegment = "mid"\n')
    one_error(
        cli(capsys, "lab", "design", twice, "--save", save),
        "lift_tests[1]: round 2 already has a lift test (lift_tests[0])",
    )
    assert not save.exists()


# --- bounds ------------------------------------------------------------------------------------


def test_media_csv_is_bounded_before_any_work(capsys, tmp_path: Path) -> None:
    rows = tmp_path / "rows"
    rows.mkdir()
    line = "2024-01-01,1,7,1000,0,0,5000\n"
    (rows / "media.csv").write_text(
        "date,round,days,spend_advertising_smb,spend_pr_smb,spend_demand_gen_smb,bookings\n"
        + line * 1_000_000
    )
    start = time.monotonic()
    one_error(cli(capsys, "lab", "fit", rows), "1,000,000 rows", f"at most {MAX_PERIODS:,}")
    wide = media(
        tmp_path / "wide", **{f"price_{k}": (lambda t, k=k: (t * k) % 7) for k in range(400)}
    )
    one_error(cli(capsys, "lab", "fit", wide), "columns")
    controls = media(
        tmp_path / "controls", **{f"churn_s{k}": (lambda t, k=k: t % (k + 2)) for k in range(60)}
    )
    one_error(cli(capsys, "lab", "fit", controls), "60 control columns")
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("value", ["1e308", "inf", "-inf", "nan", "1e16"])
def test_media_numbers_must_be_finite_and_of_sensible_size(
    capsys, tmp_path: Path, value: str
) -> None:
    folder = written(
        media(tmp_path / "data", bookings=lambda t: "BAD" if t == 4 else 1000 + t), value
    )
    one_error(cli(capsys, "lab", "fit", folder), "media.csv: line 6: bookings", "finite number")


def test_spend_in_media_is_never_negative(capsys, tmp_path: Path) -> None:
    folder = written(
        media(tmp_path / "data", spend_pr_smb=lambda t: "BAD" if t == 2 else 100), "-5"
    )
    one_error(cli(capsys, "lab", "fit", folder), "line 4: spend_pr_smb", "0 or more")


def test_lab_fit_json_never_holds_nan_or_infinity(capsys, tmp_path: Path) -> None:
    nan = math.nan
    broken = Fit("bookings", 30, 7, nan, [], [ChannelFit("pr", 1.0, 7.0, 1.0, 1.0, math.inf, nan)])
    data = strict_json(json.dumps(broken.to_json()))
    assert data["r2"] is None and data["channels"][0]["roas"] is None
    code, out, err = cli(capsys, "lab", "fit", media(tmp_path / "data"), "--json")
    assert code == 0, err
    strict_json(out)


def test_estimates_beyond_reason_are_one_line(
    capsys, tmp_path: Path, truth_doc: dict[str, Any], truth_file: Path
) -> None:
    with pytest.raises(InputError, match=r"fit: roas\.advertising: is 1e\+281"):
        score({"roas.advertising": 1e281}, truth_doc, "fit")
    with pytest.raises(InputError, match="roas.pr: is nan"):
        score({"roas.pr": math.nan}, truth_doc, "fit")
    est = tmp_path / "est.toml"
    est.write_text("[roas]\nadvertising = 1e281\n")
    one_error(cli(capsys, "lab", "score", est, "--truth", truth_file), "roas.advertising")
    near_zero = json.loads(json.dumps(truth_doc))
    near_zero["parameters"]["half_life_days"]["advertising"] = 1e-300
    result = score({"half_life_days.advertising": 1e15}, near_zero, "est.toml")
    strict_json(json.dumps(result.to_json()))  # a ratio past any float is no ratio: null


def test_an_empty_path_is_one_line_never_ignored(capsys, save: Path, tmp_path: Path) -> None:
    data = media(tmp_path / "data")
    one_error(cli(capsys, "lab", "export", save, "--out", tmp_path / "d", "--truth", ""), "--truth")
    one_error(cli(capsys, "lab", "fit", data, "--estimates", ""), "--estimates needs a path")
    one_error(cli(capsys, "lab", "fit", data, "--truth", ""), "--truth needs a path")
    one_error(cli(capsys, "lab", "fit", ""), "DIR needs a path")
    one_error(cli(capsys, "lab", "score", "", "--truth", save), "ESTIMATES.toml needs a path")
    assert not (tmp_path / "d").exists()


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


def test_an_empty_lab_seed_is_one_line_never_a_silent_draw(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    save = tmp_path / "s.json"
    for empty in ("", "  "):
        monkeypatch.setenv("JIGSAW_LAB_SEED", empty)
        one_error(
            cli(capsys, "lab", "design", lab_design(tmp_path), "--save", save),
            "$JIGSAW_LAB_SEED: is set but empty",
        )
    assert not save.exists()


# --- names are text ----------------------------------------------------------------------------


def test_control_column_names_are_printed_as_text_not_terminal_codes(
    capsys, tmp_path: Path
) -> None:
    folder = media(tmp_path / "data", **{"price_\x1b[2J": lambda t: 1 + (t % 4) / 10})
    code, out, err = cli(capsys, "lab", "fit", folder)
    assert code == 0, err
    assert "\x1b" not in out and "price_\\x1b[2J" in out


def test_skipped_quantity_names_are_printed_as_text(
    capsys, tmp_path: Path, truth_doc: dict[str, Any]
) -> None:
    doc = json.loads(json.dumps(truth_doc))
    doc["parameters"]["churn"]["s\x07\x1b[2J"] = {"base": 0.1, "faced": None}  # not measured
    (tmp_path / "t.json").write_text(json.dumps(doc))
    est = tmp_path / "est.toml"
    est.write_text('[churn]\n"s\\u0007\\u001b[2J" = 0.2\n[roas]\nadvertising = 1\n')
    code, out, err = cli(capsys, "lab", "score", est, "--truth", tmp_path / "t.json")
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out
    assert "not in this truth, so not scored: churn.s\\x07\\x1b[2J" in out


def test_the_readme_shows_names_as_text_not_markdown() -> None:
    data = shortened("classic", 2, round_days=14).model_dump(mode="json")
    data["firms"][0]["name"] = "**Acme** [win](http://x) <b>|"
    data["meta"]["name"] = "`Tick` _lab_"
    game = Game(parse_scenario(data), 3)
    game.play_round({"you": game.decide_for("you")})
    readme = export(game, "you").files["README.md"]
    title = readme.splitlines()[0]
    assert title == r"# Jigsaw lab export: \*\*Acme\*\* \[win\](http://x) \<b\>\| (you)"
    assert r"Scenario \`Tick\` \_lab\_, seed 3" in readme


# --- friendlier reading ------------------------------------------------------------------------


def test_a_byte_order_mark_at_the_start_of_an_input_is_not_part_of_it(
    capsys, tmp_path: Path, truth_file: Path
) -> None:
    bom = "\ufeff"
    est = tmp_path / "est.toml"
    est.write_text(bom + "[roas]\nadvertising = 1\n", encoding="utf-8")
    code, out, err = cli(capsys, "lab", "score", est, "--truth", truth_file)
    assert code == 0, err
    data = media(tmp_path / "data")
    text = (data / "media.csv").read_text()
    (data / "media.csv").write_text(bom + text, encoding="utf-8")
    code, out, err = cli(capsys, "lab", "fit", data)
    assert code == 0, err
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        bom + (Path(__file__).parents[1] / "scenarios" / "tutorial.toml").read_text()
    )
    assert load_scenario(scenario).meta.name
    truth_file.write_text(bom + truth_file.read_text(), encoding="utf-8")
    code, out, err = cli(capsys, "lab", "score", est, "--truth", truth_file)
    assert code == 0, err


def test_a_mistyped_estimate_is_named_never_silently_skipped(
    capsys, tmp_path: Path, truth_file: Path
) -> None:
    est = tmp_path / "est.toml"
    est.write_text("[roas]\nadvertizing = 3\n")
    one_error(
        cli(capsys, "lab", "score", est, "--truth", truth_file),
        "est.toml: roas.advertizing: is not a quantity of the truth",
        "did you mean roas.advertising?",
    )
    est.write_text("[roas]\nadvertizing = 3\npr = 1\n[hill.advertising.smb]\nk = 1\n")
    one_error(
        cli(capsys, "lab", "score", est, "--truth", truth_file), "(and hill.advertising.smb.k)"
    )
    est.write_text("[marginal_roas]\nadvertising = 3\n[roas]\nadvertising = 1\n")  # ROAS-only
    code, out, err = cli(capsys, "lab", "score", est, "--truth", truth_file)
    assert code == 0, err
    assert "not in this truth, so not scored: marginal_roas.advertising" in out
