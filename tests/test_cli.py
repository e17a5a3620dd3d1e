"""The `jigsaw` command line, end to end: run with each output format, save and load."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.model.game import MODEL_VERSION
from tui.cli import main

REPORT_FIELDS = {
    "revenue",
    "bookings",
    "profit",
    "cash",
    "marketing_spend",
    "sales_spend",
    "awareness",
    "brand_equity",
    "leads_inbound",
    "leads_referral",
    "leads_outbound",
    "leads_cold",
    "deals_won",
    "deals_lost",
    "win_rate",
    "cycle_days",
    "customers",
    "churned",
    "market_share",
    "rep_utilization",
    "alignment_ratio",
    "cac",
    "ltv",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One tutorial game saved to disk and its JSON report (the real console script)."""
    path = tmp_path_factory.mktemp("save") / "game.json"
    exe = Path(sys.executable).with_name("jigsaw")
    proc = subprocess.run(
        [str(exe), "run", "tutorial", "--seed", "7", "--json", "--save", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return path, json.loads(proc.stdout)


def test_run_json_has_every_report_field(saved: tuple[Path, dict]) -> None:
    _, doc = saved
    assert set(doc) == {"scenario", "seed", "model", "gauge", "rounds", "score"}
    assert doc["seed"] == 7 and len(doc["rounds"]) == 6
    for rnd in doc["rounds"]:
        assert set(rnd) >= {"round", "firms", "events"}
        for firm in rnd["firms"].values():
            assert REPORT_FIELDS <= set(firm)
    assert set(doc["score"]) == {"you", "steady"}
    ranks = sorted(s["rank"] for s in doc["score"].values())
    assert ranks == [1, 2]


def test_loading_a_save_replays_the_same_game(
    capsys: pytest.CaptureFixture[str], saved: tuple[Path, dict]
) -> None:
    path, doc = saved
    code, out, err = run(capsys, "run", "--load", str(path), "--json")
    assert code == 0 and err == ""
    assert json.loads(out) == doc


def test_save_is_written_atomically_and_readable(saved: tuple[Path, dict]) -> None:
    path, _ = saved
    data = json.loads(path.read_text())
    assert (
        data["format"] == "jigsaw-save" and data["version"] == 3 and data["model"] == MODEL_VERSION
    )
    assert len(data["decisions"]) == 6 and set(data["decisions"][0]) == {"you", "steady"}
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_run_csv_has_one_row_per_round_and_firm(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "run", "tutorial", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 6 * 2
    assert {"round", "firm", "revenue", "awareness.smb", "customers.smb"} <= set(rows[0])


def test_run_table_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "run", "tutorial", "--strategy", "split:0.5")
    assert code == 0
    assert "Round 6 of 6" in out and "Balanced scorecard" in out and "*you" in out


def test_decisions_file_drives_the_player(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        "[[rounds]]\nbudget = 200000\nmarketing_share = 0.9\n"
        "[[rounds]]\nbudget = 100000\nmarketing_share = 0.2\nprice = 1.2\n"
    )
    code, out, _ = run(capsys, "run", "tutorial", "--decisions", str(plan), "--json")
    assert code == 0
    rounds = json.loads(out)["rounds"]
    you = [r["firms"]["you"] for r in rounds]
    assert you[0]["marketing_share"] == pytest.approx(0.9)
    assert all(f["marketing_share"] == pytest.approx(0.2) for f in you[1:])  # repeats the last
    assert all(f["price"] == pytest.approx(1.2) for f in you[1:])


def test_scenario_list_names_every_bundled_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scenario", "list")
    assert code == 0
    for name in ("tutorial", "classic", "enterprise", "recession", "channels"):
        assert name in out


def test_help_exits_zero() -> None:
    exe = Path(sys.executable).with_name("jigsaw")
    for args in (["--help"], ["run", "--help"], ["scenario", "--help"]):
        proc = subprocess.run([str(exe), *args], capture_output=True, text=True)
        assert proc.returncode == 0 and "usage" in proc.stdout


def test_the_readmes_full_form_decisions_example_plays(tmp_path: Path) -> None:
    """The example users copy first must work as printed."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    block = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "full.toml"
    path.write_text(block)
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("jigsaw")), "run", "classic", "--decisions", str(path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def test_a_save_made_before_its_first_round_says_there_is_nothing_to_score(
    capsys, tmp_path
) -> None:
    from sim import Game, load_scenario

    save = tmp_path / "zero.json"
    Game(load_scenario("tutorial"), 1).save(save)
    assert main(["run", "--load", str(save)]) == 0
    out = capsys.readouterr().out
    assert "No round played yet" in out and "Balanced scorecard" not in out
