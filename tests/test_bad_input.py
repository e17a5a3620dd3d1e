"""Bad input gets one clear line, never a traceback.

Through the real command line: `jigsaw` exits 2 and prints exactly one line on stderr that
names the file, the field path and what was expected (docs/SCENARIOS.md for scenario files,
the README for decisions and the command line). Most cases call `tui.cli.main(argv)` in
process (fast); a few run the installed console script in a subprocess so that its real exit
code is checked too. The good paths run end to end as well.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.model.errors import InputError
from sim.model.scenario import bundled_scenarios, parse_scenario
from tui.cli import main

CLASSIC = bundled_scenarios()["classic"]
CLASSIC_TEXT = CLASSIC.read_text(encoding="utf-8")
CLASSIC_DATA = tomllib.loads(CLASSIC_TEXT)
SEGMENTS = [s["id"] for s in CLASSIC_DATA["segments"]]
ROUNDS = CLASSIC_DATA["meta"]["rounds"]


def _script() -> str:
    beside = Path(sys.executable).with_name("jigsaw")
    found = str(beside) if beside.exists() else shutil.which("jigsaw")
    assert found, "the jigsaw console script is not installed"
    return found


JIGSAW = _script()


# --- running the command line ----------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """`jigsaw ARGV` in process: (exit code, stdout, stderr)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def script(*argv: object, cwd: Path | None = None) -> tuple[int, str, str]:
    """`jigsaw ARGV` as the installed console script, in a subprocess."""
    done = subprocess.run(
        [JIGSAW, *map(str, argv)], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    return done.returncode, done.stdout, done.stderr


def one_error(result: tuple[int, str, str], *needles: str) -> str:
    """Exit 2, no traceback, exactly one non-empty stderr line holding every needle."""
    code, out, err = result
    assert "Traceback" not in err and "Traceback" not in out, err
    assert code == 2, (code, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.strip(), err
    assert line.startswith("jigsaw"), line
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    return line


# --- scenario files ----------------------------------------------------------------------------


def edit(text: str, key: str, nth: int, new: str | None) -> str:
    """Replace (or with None, delete) the `nth` line that sets `key` in a TOML text."""
    pattern = re.compile(rf"^{re.escape(key)}\s*=.*$", re.MULTILINE)
    hits = list(pattern.finditer(text))
    assert len(hits) > nth, f"classic.toml has no {nth}th {key!r} line"
    m = hits[nth]
    if new is None:
        return text[: m.start()] + text[m.end() + 1 :]
    return text[: m.start()] + new + text[m.end() :]


def write_text(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# (file name, how to break classic.toml, field path, what was expected)
SCENARIO_CASES = [
    pytest.param(
        "wrong_type.toml",
        lambda t: edit(t, "accounts", 0, 'accounts = "many"'),
        "segments[0].accounts",
        "must be a whole number, got 'many'",
        id="wrong-type",
    ),
    pytest.param(
        "missing.toml",
        lambda t: edit(t, "deal_value", 1, None),
        "segments[1].deal_value",
        "required",
        id="missing-field",
    ),
    pytest.param(
        "churn.toml",
        lambda t: edit(t, "churn", 1, "churn = 3"),
        "segments[1].churn",
        "must be at most 1.0, got 3",
        id="out-of-range",
    ),
    pytest.param(
        "typo.toml",
        lambda t: edit(t, "imitation", 1, "imitaton = 0.4"),
        "segments[1].imitaton",
        "not a known field",
        id="unknown-field",
    ),
    pytest.param(
        "awareness.toml",
        lambda t: edit(t, "awareness", 0, "awareness = { nosuch = 0.05 }"),
        "firms[0].awareness.nosuch",
        "unknown segment",
        id="awareness-unknown-segment",
    ),
    pytest.param(
        "duplicate.toml",
        lambda t: edit(t, "id", 1, f'id = "{SEGMENTS[0]}"'),
        "segments[1].id",
        "unique",
        id="duplicate-segment-id",
    ),
    pytest.param(
        "nan.toml",
        lambda t: edit(edit(t, "rounds", 0, "rounds = 1"), "cash", 0, "cash = nan"),
        "firms[0].cash",
        "finite",
        id="nan-cash",
    ),
]


@pytest.mark.parametrize("command", [("scenario", "validate"), ("run",)], ids=["validate", "run"])
@pytest.mark.parametrize(("name", "breaks", "field", "expected"), SCENARIO_CASES)
def test_a_bad_scenario_gets_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    command: tuple[str, ...],
    name: str,
    breaks: Callable[[str], str],
    field: str,
    expected: str,
) -> None:
    path = write_text(tmp_path, name, breaks(CLASSIC_TEXT))
    line = one_error(cli(capsys, *command, path), str(path), field, expected)
    assert f"{path}: {field}: " in line


@pytest.mark.parametrize("command", [("scenario", "validate"), ("run",)], ids=["validate", "run"])
def test_a_scenario_that_is_not_toml(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: tuple[str, ...]
) -> None:
    path = write_text(tmp_path, "syntax.toml", edit(CLASSIC_TEXT, "rounds", 0, "rounds = = 8"))
    one_error(cli(capsys, *command, path), str(path), "bad TOML", "line ")


@pytest.mark.parametrize("command", [("scenario", "validate"), ("run",)], ids=["validate", "run"])
def test_a_scenario_that_is_not_utf8(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: tuple[str, ...]
) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(CLASSIC_TEXT.replace("Your company", "Café company").encode("latin-1"))
    one_error(cli(capsys, *command, path), str(path), "UTF-8")


@pytest.mark.parametrize("command", [("scenario", "validate"), ("run",)], ids=["validate", "run"])
def test_a_missing_scenario_file_via_the_script(tmp_path: Path, command: tuple[str, ...]) -> None:
    one_error(script(*command, "nowhere.toml", cwd=tmp_path), "nowhere.toml", "no such")


@pytest.mark.parametrize("command", [("scenario", "validate"), ("run",)], ids=["validate", "run"])
def test_the_script_names_a_relative_scenario_file_as_typed(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    write_text(tmp_path, "mine.toml", edit(CLASSIC_TEXT, "churn", 1, "churn = 3"))
    line = one_error(script(*command, "mine.toml", cwd=tmp_path))
    assert line == "jigsaw: mine.toml: segments[1].churn: must be at most 1.0, got 3"


# --- decisions files --------------------------------------------------------------------------

EVEN_TARGETING = ", ".join(f"{s} = {1 / len(SEGMENTS)!r}" for s in SEGMENTS)
FULL = f"""
[marketing]
budget = 120000
mix = {{ advertising = 0.5, pr = 0.2, demand_gen = 0.3 }}
targeting = {{ {EVEN_TARGETING} }}

[sales]
budget = 180000
training_share = 0.1
commission_rate = 0.08
account_management = 0.2
"""

# (decisions TOML, field path, what was expected)
DECISION_CASES = [
    pytest.param(
        FULL.replace("budget = 120000", "budget = -5"),
        "marketing.budget",
        "must be at least 0",
        id="negative-budget",
    ),
    pytest.param(
        FULL.replace("demand_gen = 0.3", "demand_gen = 0.2"),
        "marketing",
        "mix shares must sum to 1, got 0.9",
        id="mix-not-summing-to-1",
    ),
    pytest.param(
        FULL.replace(f"{SEGMENTS[0]} = ", "nosuch = ", 1),
        "marketing.targeting.nosuch",
        "unknown segment; expected one of " + ", ".join(SEGMENTS),
        id="targeting-unknown-segment",
    ),
    pytest.param(
        "budget = 1e9\nmarketing_share = 0.4\n",
        "budget",
        "more than cash plus credit",
        id="beyond-cash-and-credit",
    ),
    pytest.param(
        "budget = 300000\nmarketing_share = 1.5\n",
        "marketing_share",
        "must be at most 1.0, got 1.5",
        id="marketing-share-1.5",
    ),
    pytest.param(
        "[[rounds]]\nbudget = 300000\nmarketing_share = 0.4\n" * (ROUNDS + 1),
        "rounds",
        f"has {ROUNDS + 1} entries; the scenario has {ROUNDS} rounds",
        id="too-many-rounds",
    ),
    pytest.param(
        'budget = "lots"\nmarketing_share = 0.4\n',
        "budget",
        "must be a number, got 'lots'",
        id="wrong-type",
    ),
    pytest.param(
        "budget = 300000\nmarketing_shar = 0.4\n",
        "marketing_shar",
        "is not a simple-mode field",
        id="unknown-key-simple",
    ),
    pytest.param(
        FULL.replace("training_share", "trainig_share"),
        "sales.trainig_share",
        "not a known field",
        id="unknown-key-full",
    ),
    pytest.param(
        'budget = 300000\n"market\\nshare" = 0.4\n',
        "share",
        "is not a simple-mode field",
        id="key-with-a-newline-stays-on-one-line",
    ),
    pytest.param(
        FULL.replace(f"{SEGMENTS[0]} = {1 / len(SEGMENTS)!r}", f'{SEGMENTS[0]} = "a lot"'),
        f"marketing.targeting.{SEGMENTS[0]}",
        "must be a number",
        id="targeting-not-a-number",
    ),
    pytest.param(
        FULL.replace("advertising = 0.5", "advertising = nan"),
        "marketing.mix",
        "finite",
        id="nan-mix-share",
    ),
]


@pytest.mark.parametrize(("text", "field", "expected"), DECISION_CASES)
def test_a_bad_decisions_file_gets_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, field: str, expected: str
) -> None:
    path = write_text(tmp_path, "plan.toml", text)
    line = one_error(cli(capsys, "run", "classic", "--decisions", path), str(path), field, expected)
    assert line.startswith(f"jigsaw: {path}: ")


def rounds_file(*marketing_budgets: float) -> str:
    """A full-form `[[rounds]]` decisions file, one entry per marketing budget."""
    entry = FULL.replace("[marketing]", "[rounds.marketing]").replace("[sales]", "[rounds.sales]")
    return "".join(
        "[[rounds]]\n" + entry.replace("budget = 120000", f"budget = {b!r}")
        for b in marketing_budgets
    )


def test_spending_beyond_cash_names_the_round_entry(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write_text(tmp_path, "plan.toml", rounds_file(120000, 5e7))
    one_error(
        cli(capsys, "run", "classic", "--decisions", path),
        str(path),
        "rounds[1].marketing.budget + sales.budget",
        "more than cash plus credit",
        "in round 2",
    )


def test_a_bad_decisions_file_via_the_script(tmp_path: Path) -> None:
    write_text(tmp_path, "plan.toml", "budget = -1\nmarketing_share = 0.4\n")
    line = one_error(script("run", "classic", "--decisions", "plan.toml", cwd=tmp_path))
    assert line == "jigsaw: plan.toml: budget: must be at least 0.0, got -1"


def test_a_missing_decisions_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    one_error(cli(capsys, "run", "classic", "--decisions", path), str(path), "no such")


# --- save files ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def save(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A real save, made once by the console script."""
    path = tmp_path_factory.mktemp("save") / "game.json"
    code, out, err = script("run", "classic", "--save", path)
    assert code == 0, err
    assert "Traceback" not in err
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(tmp_path: Path, data: object, name: str = "save.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def tampered(save: dict, change: Callable[[dict], None]) -> dict:
    data = json.loads(json.dumps(save))
    change(data)
    return data


def test_a_save_from_another_version_via_the_script(save: dict, tmp_path: Path) -> None:
    path = write_json(tmp_path, tampered(save, lambda d: d.update(version=99)))
    one_error(script("run", "--load", path), str(path), "version", "99", "versions 1, 2")


@pytest.mark.parametrize(
    ("field", "value"), [("streams", True), ("streams", 2.0), ("version", True), ("version", 2.0)]
)
def test_a_save_whose_version_or_streams_is_not_a_whole_number_is_refused(
    capsys: pytest.CaptureFixture[str], save: dict, tmp_path: Path, field: str, value: object
) -> None:
    # true == 1 in Python: read as 1, it would replay with the old streams, other results
    path = write_json(tmp_path, tampered(save, lambda d: d.update({field: value})))
    one_error(cli(capsys, "run", "--load", path), str(path), field)


def test_a_save_that_is_not_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "save.json"
    path.write_text("this is not { json", encoding="utf-8")
    one_error(cli(capsys, "run", "--load", path), str(path), "not a JSON save file")


@pytest.mark.parametrize(
    "data", [{"hello": "world"}, [1, 2, 3], None], ids=["dict", "list", "null"]
)
def test_json_that_is_not_a_save(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data: object
) -> None:
    path = write_json(tmp_path, data)
    one_error(cli(capsys, "run", "--load", path), str(path), "format", "not a Jigsaw save")


def _budget(value: float) -> Callable[[dict], None]:
    def change(d: dict) -> None:
        d["decisions"][2]["you"]["marketing"]["budget"] = value

    return change


def _mix(d: dict) -> None:
    d["decisions"][2]["you"]["marketing"]["mix"]["pr"] = 0.9


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        (_budget(-100), "decisions[2].you.marketing.budget", "must be at least 0"),
        (_mix, "decisions[2].you.marketing", "mix shares must sum to 1"),
        (_budget(1e9), "decisions[2]", "more than cash plus credit"),
    ],
    ids=["negative-budget", "mix-sum", "beyond-cash"],
)
def test_a_save_with_tampered_decisions(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    save: dict,
    change: Callable[[dict], None],
    field: str,
    expected: str,
) -> None:
    path = write_json(tmp_path, tampered(save, change))
    one_error(cli(capsys, "run", "--load", path), str(path), field, expected)


def test_a_save_with_a_bad_scenario(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, save: dict
) -> None:
    path = write_json(
        tmp_path, tampered(save, lambda d: d["scenario"]["segments"][1].update(churn=3))
    )
    one_error(
        cli(capsys, "run", "--load", path), str(path), "scenario", "segments[1].churn", "at most"
    )


def test_a_save_with_a_negative_seed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, save: dict
) -> None:
    path = write_json(tmp_path, tampered(save, lambda d: d.update(seed=-5)))
    one_error(cli(capsys, "run", "--load", path), str(path), "seed", "-5")


def test_a_missing_save(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    one_error(cli(capsys, "run", "--load", path), str(path), "no such save file")


def test_a_save_that_cannot_be_written(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = write_text(tmp_path, "a_file", "")
    target = blocker / "game.json"
    one_error(
        cli(capsys, "run", "classic", "--save", target), str(target), "is not a folder"
    )  # before the game


# --- usage -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (("run", "classic", "--strategy", "nosuch"), ("--strategy", "nosuch", "balanced")),
        (("run", "classic", "--strategy", "split:2"), ("--strategy", "split:2", "between 0 and 1")),
        (("run", "classic", "--seed", "-1"), ("--seed", "from 0 to")),
        (("run", "classic", "--seed", "many"), ("--seed", "whole number")),
        (("run", "classic", "--json", "--csv"), ("--csv", "--json")),
        (("run",), ("SCENARIO",)),
        (("run", "classic", "--load", "game.json"), ("--load", "SCENARIO")),
        (("scenario", "validate"), ("FILE", "required")),
        (("nosuchcommand",), ("nosuchcommand", "run")),
    ],
    ids=[
        "unknown-strategy",
        "split-2",
        "negative-seed",
        "seed-not-a-number",
        "json-and-csv",
        "run-without-scenario",
        "load-with-scenario",
        "validate-without-file",
        "unknown-command",
    ],
)
def test_bad_usage_gets_one_line(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    one_error(cli(capsys, *argv), *needles)


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (("run", "classic", "--bogus"), ("unrecognized arguments: --bogus", "jigsaw run --help")),
        (("class", "status", "--bogus"), ("jigsaw class status: unrecognized", "status --help")),
        (("run", "classic", "--strategy", "nosuch"), ("--strategy", "nosuch", "unknown strategy")),
    ],
    ids=["unknown-option", "unknown-option-of-a-subcommand", "unknown-strategy"],
)
def test_bad_usage_via_the_script(argv: tuple[str, ...], needles: tuple[str, ...]) -> None:
    one_error(script(*argv), *needles)


# --- the good paths ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_bundled_scenario_validates(capsys: pytest.CaptureFixture[str], name: str) -> None:
    for target in (name, bundled_scenarios()[name]):
        code, out, err = cli(capsys, "scenario", "validate", target)
        assert (code, err) == (0, "")
        assert f"{target}: ok" in out


def test_scenario_show_prints_toml_that_validates_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = cli(capsys, "scenario", "show", "classic")
    assert (code, err) == (0, "")
    parse_scenario(tomllib.loads(out), "shown")
    copy = write_text(tmp_path, "copy.toml", out)
    code, out, err = script("scenario", "validate", copy)
    assert (code, err) == (0, "")
    assert "ok" in out


def test_scenario_schema_is_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "scenario", "schema")
    assert (code, err) == (0, "")
    schema = json.loads(out)
    assert "properties" in schema
    assert {"meta", "segments", "firms"} <= set(schema["properties"])


@pytest.mark.parametrize(
    "text",
    [
        "budget = 300000\nmarketing_share = 0.4\n",
        rounds_file(100000, 140000),
    ],
    ids=["simple", "full-rounds"],
)
def test_a_good_decisions_file_runs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
) -> None:
    path = write_text(tmp_path, "plan.toml", text)
    code, out, err = cli(capsys, "run", "classic", "--decisions", path)
    assert (code, err) == (0, "")
    assert f"Round {ROUNDS} of {ROUNDS}" in out
    assert "Balanced scorecard" in out


def test_a_save_replays(capsys: pytest.CaptureFixture[str], tmp_path: Path, save: dict) -> None:
    path = write_json(tmp_path, save)
    code, out, err = cli(capsys, "run", "--load", path, "--json")
    assert (code, err) == (0, "")
    assert len(json.loads(out)["rounds"]) == ROUNDS


def test_a_bad_scenario_beside_an_experiment_file_is_named_with_its_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The experiment's scenario is a file next to it: its own name and field are said, not
    only 'exp.toml: scenario' (in the experiment's folder, the two names are the same)."""
    text = (Path(__file__).parents[1] / "scenarios" / "tutorial.toml").read_text()
    (tmp_path / "old.toml").write_text(text.replace("[meta]\n", "[meta]\nmean_field = true\n", 1))
    (tmp_path / "exp.toml").write_text(
        'scenario = "old.toml"\nreps = 2\n[vary]\nmarketing_share = [0.4]\n'
    )
    monkeypatch.chdir(tmp_path)
    one_error(cli(capsys, "sweep", "--file", "exp.toml"), "old.toml: meta.mean_field: ")


# --- outputs never written over what they must not replace -------------------------------------


def test_a_save_is_never_written_over_its_inputs_a_file_not_a_save_or_into_a_new_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run --save` refuses, before playing, to replace the scenario or decisions file it
    reads, a file that is not a save, or to grow a folder a typo named; nothing is changed."""
    scenario = tmp_path / "t.toml"
    scenario.write_text(bundled_scenarios()["tutorial"].read_text(encoding="utf-8"))
    decisions = tmp_path / "d.toml"
    decisions.write_text("budget = 200000\nmarketing_share = 0.4\n")
    precious = tmp_path / "notes.txt"
    precious.write_text("precious\n")
    before = {p: p.read_bytes() for p in (scenario, decisions, precious)}
    one_error(cli(capsys, "run", scenario, "--save", scenario), "is the scenario file")
    one_error(
        cli(capsys, "run", scenario, "--decisions", decisions, "--save", decisions),
        "is the decisions file",
    )
    one_error(cli(capsys, "run", scenario, "--save", precious), "is not a save file")
    one_error(cli(capsys, "run", scenario, "--save", tmp_path / "typo" / "s.json"), "no folder")
    assert not (tmp_path / "typo").exists()
    assert {p: p.read_bytes() for p in before} == before
    save = tmp_path / "s.json"
    assert cli(capsys, "run", scenario, "--save", save)[0] == 0
    monkeypatch.chdir(tmp_path)  # a bundled name is no file here: a save may take its name
    assert cli(capsys, "run", "tutorial", "--save", "tutorial")[0] == 0
    assert cli(capsys, "run", scenario, "--seed", "2", "--save", save)[0] == 0  # a save: replaced


def test_a_grade_sheet_is_never_written_over_the_class_file_or_a_file_not_a_csv(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.classroom.store import Classroom
    from sim.model.scenario import load_scenario

    db = tmp_path / "c.db"
    room, instructor, _ = Classroom.create(db, load_scenario("tutorial"), ["A", "B"], 1)
    room.close()
    monkeypatch.setenv("JIGSAW_CODE", instructor)
    kept = db.read_bytes()
    one_error(cli(capsys, "class", "grades", "--db", db, "--out", db), "is the class file")
    (tmp_path / "notes.txt").write_text("precious\n")
    one_error(
        cli(capsys, "class", "grades", "--db", db, "--out", tmp_path / "notes.txt"),
        "is not a grade sheet",
    )
    (tmp_path / "notes.csv").write_text("date,amount\n2026-12-01,5\n")  # a CSV, not ours
    one_error(
        cli(capsys, "class", "grades", "--db", db, "--out", tmp_path / "notes.csv"),
        "is not a grade sheet",
    )
    # files that only begin like a sheet: a contact list, notes, an export with more columns
    lookalikes = {
        "contacts.csv": "email,phone,notes\nboss@corp.com,555-1234,important\n",
        "moodle.csv": "email,phone\nboss@corp.com,555-1234\n",
        "words.txt": "team,rank,score are my notes\n",
        "ids.csv": "idnumber,name\n17,Ada\n",
        "wide.csv": "team,rank,score,Comment about the team\nA,1,50,good\n",
    }
    for name, text in lookalikes.items():
        (tmp_path / name).write_text(text)
        one_error(
            cli(capsys, "class", "grades", "--db", db, "--out", tmp_path / name),
            "is not a grade sheet",
        )
        assert (tmp_path / name).read_text() == text
    assert db.read_bytes() == kept and (tmp_path / "notes.txt").read_text() == "precious\n"
    assert (tmp_path / "notes.csv").read_text() == "date,amount\n2026-12-01,5\n"
    room = Classroom(db)
    room.advance(instructor)
    room.close()
    for sheet in ("g.csv", "grades"):  # a sheet it wrote, under any name, it may replace
        for _ in range(2):
            code, _, err = cli(capsys, "class", "grades", "--db", db, "--out", tmp_path / sheet)
            assert code == 0, err
            assert (tmp_path / sheet).stat().st_mode & 0o077 == 0  # its owner's only


def test_a_negative_zero_is_the_same_decision_as_zero_to_the_byte(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    reports = []
    for zero in ("-0.0", "0"):
        path = tmp_path / "d.toml"
        path.write_text(f"budget = 200000\nmarketing_share = {zero}\nproduct_share = -0.0\n")
        code, out, _ = cli(capsys, "run", "tutorial", "--decisions", path, "--json")
        assert code == 0
        reports.append(out)
    assert reports[0] == reports[1] and "-0.0" not in reports[0]


def test_a_full_decision_field_in_a_simple_decision_says_which_form_it_needs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "d.toml"
    path.write_text("budget = 200000\nmarketing_share = 0.4\n[routes]\npartner = {}\n")
    one_error(cli(capsys, "run", "classic", "--decisions", path), "routes", "full decisions")


def test_explaining_a_save_of_one_round_names_the_save(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from sim import Game
    from sim.model.rivals import strategy
    from sim.model.scenario import load_scenario

    game = Game(load_scenario("tutorial"), 1)
    game.play_round({"you": strategy("balanced")(game.view("you"))})
    save = tmp_path / "one.json"
    game.save(save)
    one_error(cli(capsys, "explain", save), str(save), "has 1 round played")


def test_a_save_through_a_symbolic_link_replaces_the_file_it_points_at(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "kept" / "game.json"
    target.parent.mkdir()
    link = tmp_path / "game.json"
    link.symlink_to(target)
    assert cli(capsys, "run", "tutorial", "--save", link)[0] == 0  # a link to nothing yet
    assert link.is_symlink() and target.is_file()
    first = target.read_bytes()
    assert cli(capsys, "run", "tutorial", "--seed", "2", "--save", link)[0] == 0
    assert link.is_symlink() and target.read_bytes() != first


def test_a_value_tried_against_each_kind_a_field_takes_is_blamed_where_it_went_wrong(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A sweep's axis is a range in quotes or a list of numbers: a list with one text in it
    is blamed for that text (its index), not for not being a string, and the name pydantic
    gives the member it tried ('str', 'list[float]') is no part of the field's name."""
    experiment = tmp_path / "e.toml"
    experiment.write_text('scenario = "classic"\n[vary]\nmarketing_share = [0.5, "x"]\n')
    line = one_error(cli(capsys, "sweep", "--file", experiment), "vary.marketing_share[1]")
    assert "must be a number, got 'x'" in line and ".str" not in line and "list[" not in line


def test_a_save_that_names_a_key_twice_is_refused_not_read_by_its_last(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    save = tmp_path / "s.json"
    assert cli(capsys, "run", "tutorial", "--save", save)[0] == 0
    text = save.read_text(encoding="utf-8")
    doubled = text.replace('"seed": 1,', '"seed": 1,\n "seed": 2,', 1)
    assert doubled != text
    save.write_text(doubled, encoding="utf-8")
    one_error(cli(capsys, "run", "--load", save), str(save), 'names the key "seed" twice')


def test_a_share_that_is_not_a_number_is_quoted_as_the_file_wrote_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "d.toml"
    path.write_text(
        "[marketing]\nbudget = 100000\n[sales]\nbudget = 100000\n"
        "[routes]\npartner = { smb = true }\n"
    )
    line = one_error(cli(capsys, "run", "classic", "--decisions", path), "routes.partner.smb")
    assert line.endswith("got true") and "True" not in line


def test_every_grade_sheet_layout_is_recognised_as_one_jigsaw_may_replace(tmp_path: Path) -> None:
    from sim.classroom.grades import CANVAS_HEADER, MEMBER_HEADER, TEAM_HEADER, is_grade_sheet
    from sim.csvtext import csv_text

    layouts = {
        "team": csv_text([*TEAM_HEADER, "profit"], [dict(team="A", rank=1, score=50, profit=9)]),
        "member": csv_text(MEMBER_HEADER, [dict.fromkeys(MEMBER_HEADER, "1")]),
        "canvas": csv_text(
            [*CANVAS_HEADER, "Jigsaw 1"], [dict.fromkeys(CANVAS_HEADER, "x") | {"Jigsaw 1": 61.5}]
        ),
        "moodle": csv_text(["email", "Jigsaw"], [{"email": "a@b.c", "Jigsaw": 61.5}]),
    }
    for name, text in layouts.items():
        (tmp_path / name).write_text(text)
        assert is_grade_sheet(tmp_path / name), name


def test_sweep_rows_are_never_written_over_an_input_or_a_file_not_its_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scenario = tmp_path / "scen.csv"  # a scenario under an output's name
    code, shown_text, _ = cli(capsys, "scenario", "show", "tutorial")
    assert code == 0
    scenario.write_text(shown_text)
    precious = tmp_path / "precious.csv"
    precious.write_text("my,precious\n")
    before = {p: p.read_bytes() for p in (scenario, precious)}
    grid = ("--vary", "marketing_share=0.5", "--reps", "1", "--workers", "1")
    one_error(cli(capsys, "sweep", scenario, *grid, "--out", scenario), "is the scenario")
    one_error(cli(capsys, "sweep", "tutorial", *grid, "--out", precious), "is not a result file")
    one_error(
        cli(capsys, "sweep", "tutorial", *grid, "--out", tmp_path / "a" / "r.csv"), "no folder"
    )
    assert not (tmp_path / "a").exists()
    assert {p: p.read_bytes() for p in before} == before
    rows = tmp_path / "rows.csv"
    for _ in range(2):  # its own rows it replaces
        assert cli(capsys, "sweep", "tutorial", *grid, "--out", rows)[0] == 0


def test_a_firm_that_starts_below_its_credit_line_is_refused_when_the_scenario_is_read() -> None:
    from sim.model.scenario import load_scenario

    data = load_scenario("tutorial").model_dump(mode="json")
    data["firms"][0]["cash"] = -data["firms"][0]["credit_line"] - 1
    with pytest.raises(InputError, match=r"firms\[0\]: cash must be at least minus the credit"):
        parse_scenario(data, "neg.toml")
    data["firms"][0]["cash"] = -data["firms"][0]["credit_line"]  # at the line: it may play
    parse_scenario(data, "neg.toml")


@pytest.mark.parametrize(
    "argv",
    [
        ("run", "tutorial", "--seed", "٤"),
        ("run", "tutorial", "--seed", "４"),
        ("run", "tutorial", "--strategy", "split:٠.٥"),
        ("sweep", "tutorial", "--vary", "marketing_share=١", "--workers", "1"),
        ("sweep", "tutorial", "--vary", "marketing_share=0:1:٣", "--workers", "1"),
        ("luck", "save.json", "--seeds", "٢٠"),
        ("sweep", "tutorial", "--vary", "marketing_share=0.5", "--workers", "١"),
    ],
    ids=["arabic-seed", "fullwidth-seed", "split", "vary-list", "vary-steps", "seeds", "workers"],
)
def test_a_number_on_the_command_line_is_ascii_digits_not_another_scripts(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    """int() and float() read the digits of every script; a command line reads the ones the
    help shows, as plain mode does."""
    code, out, err = cli(capsys, *argv)
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "number" in err or "split:X needs X" in err, err  # for its digits, nothing else


def test_an_experiment_axis_with_no_value_is_refused_not_played_as_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    experiment = tmp_path / "e.toml"
    experiment.write_text('scenario = "tutorial"\n[vary]\nmarketing_share = []\n')
    one_error(cli(capsys, "sweep", "--file", experiment), "vary.marketing_share", "empty")


def test_a_round_past_every_round_is_quoted_as_typed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    save = tmp_path / "s.json"
    assert cli(capsys, "run", "tutorial", "--save", save)[0] == 0
    one_error(cli(capsys, "explain", save, "--round", "9" * 20), "got " + "9" * 20)
