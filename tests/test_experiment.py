"""Sweeps and Monte Carlo replications: identical whatever the executor, common random
numbers, and bad --vary refused with one clear line."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.experiments.sweep import _execute, grid, interval, parse_vary, run_sweep
from sim.model.errors import InputError
from sim.model.scenario import parse_scenario

from .conftest import shortened

SCENARIO = shortened("classic", 2)
AXES = {"marketing_share": [0.3, 0.5]}


@pytest.fixture(scope="module")
def serial():
    return run_sweep(SCENARIO, AXES, reps=4, seed=11, workers=1)


def test_the_same_sweep_gives_identical_rows_serially_and_with_two_processes(serial) -> None:
    pooled = run_sweep(SCENARIO, AXES, reps=4, seed=11, workers=2)
    assert pooled.rows == serial.rows
    assert not serial.failed and len(serial.rows) == 8


def test_replication_r_uses_the_same_seed_at_every_point(serial) -> None:
    seeds = {(r["point"], r["replication"]): r["seed"] for r in serial.rows}
    for rep in range(4):
        assert seeds[(0, rep)] == seeds[(1, rep)] == 11 + rep


def test_common_random_numbers_narrow_the_paired_difference() -> None:
    """The same seeds at both points: the paired interval of the difference is much narrower
    than the one independent seeds would give (Welch on the same rows)."""
    scenario = shortened("classic", 4)
    sweep = run_sweep(scenario, {"marketing_share": [0.3, 0.5]}, reps=8, seed=3, workers=2)
    d, lo, hi = sweep.paired(0, 1)
    ud, ulo, uhi = sweep.unpaired(0, 1)
    assert d == pytest.approx(ud)
    assert hi - lo < 0.6 * (uhi - ulo)


def test_parse_vary_reads_ranges_and_lists() -> None:
    assert parse_vary("marketing_share=0:1:3") == ("marketing_share", [0.0, 0.5, 1.0])
    assert parse_vary("price=0.8,1,1.2") == ("price", [0.8, 1.0, 1.2])
    assert grid({"a": [1, 2], "b": [3, 4]}) == [
        {"a": 1, "b": 3},
        {"a": 1, "b": 4},
        {"a": 2, "b": 3},
        {"a": 2, "b": 4},
    ]
    m, lo, hi = interval([1.0, 2.0, 3.0])
    assert m == 2.0 and lo == pytest.approx(2 - 4.303 / 3**0.5) and hi > m


def test_scenario_parameters_can_be_varied() -> None:
    sweep = run_sweep(SCENARIO, {"economics.deals_per_rep": [6, 12]}, reps=1, workers=1)
    assert [r["economics.deals_per_rep"] for r in sweep.rows] == [6.0, 12.0]


@pytest.mark.parametrize(
    "vary, expected",
    [
        ("nonsense=0:1:3", "unknown parameter"),
        ("marketing_share=0:1:0", "needs 1 to 10,000 steps"),
        ("marketing_share=", "expected NAME=START:STOP:STEPS"),
        ("marketing_share=0:1.5:4", "must be between 0 and 1"),
        ("segments.smb.churn=0:3:4", "segments[0].churn"),
        ("segments.nope.churn=0.1,0.2", "unknown segment"),
        ("price=a,b", "values must be numbers"),
    ],
)
def test_a_bad_vary_exits_2_with_one_clear_line(vary: str, expected: str) -> None:
    exe = Path(sys.executable).with_name("jigsaw")
    proc = subprocess.run(
        [str(exe), "sweep", "tutorial", "--vary", vary, "--reps", "1", "--workers", "1"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert expected in lines[0]


def test_sweep_writes_one_csv_row_per_point_and_replication(tmp_path: Path) -> None:
    out = tmp_path / "rows.csv"
    exe = Path(sys.executable).with_name("jigsaw")
    proc = subprocess.run(
        [
            str(exe),
            "sweep",
            "tutorial",
            "--vary",
            "marketing_share=0.2,0.6",
            "--reps",
            "2",
            "--workers",
            "1",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 4 and {"point", "replication", "seed", "marketing_share", "profit"} <= set(
        rows[0]
    )
    assert "mean profit" in proc.stdout and "best" in proc.stdout


def test_bad_reps_is_refused() -> None:
    with pytest.raises(InputError):
        run_sweep(SCENARIO, AXES, reps=0)


def test_an_experiment_file_runs_as_a_study(tmp_path: Path) -> None:
    study = tmp_path / "study.toml"
    study.write_text(
        'scenario = "tutorial"\nseed = 4\nreps = 2\nworkers = 1\n'
        f'out = "{tmp_path / "rows.csv"}"\n[vary]\nmarketing_share = [0.2, 0.6]\n'
    )
    exe = Path(sys.executable).with_name("jigsaw")
    proc = subprocess.run([str(exe), "sweep", "--file", str(study)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader((tmp_path / "rows.csv").open()))
    assert [int(r["seed"]) for r in rows] == [4, 5, 4, 5]
    assert "seeds 4..5" in proc.stdout


def test_a_bad_experiment_file_names_the_field(tmp_path: Path) -> None:
    study = tmp_path / "bad.toml"
    study.write_text('scenario = "tutorial"\nreps = 0\n[vary]\nmarketing_share = "0:1:3"\n')
    exe = Path(sys.executable).with_name("jigsaw")
    proc = subprocess.run([str(exe), "sweep", "--file", str(study)], capture_output=True, text=True)
    assert proc.returncode == 2 and "reps" in proc.stderr and "Traceback" not in proc.stderr


def test_the_shipped_experiment_files_are_valid() -> None:
    from sim.experiments.sweep import load_experiment
    from sim.model.rivals import check_strategy

    root = Path(__file__).resolve().parents[1] / "experiments"
    sweeps = [p for p in sorted(root.glob("*.toml")) if not p.name.startswith("lab_")]
    assert len(sweeps) >= 3  # the lab's files (lab_*.toml) are held by tests/test_lab.py
    for path in sweeps:
        spec, scenario, axes = load_experiment(path)
        assert (axes or spec.strategies) and spec.reps >= 1 and scenario.meta.name
        for name in spec.strategies:
            check_strategy(name, scenario)


def test_the_response_curve_is_drawn(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from sim.experiments.plot import response_curve

    sweep = run_sweep(
        SCENARIO, {"marketing_share": [0.2, 0.5], "price": [1.0, 1.2]}, reps=2, workers=1
    )
    for name in ("curve.png", "curve.svg"):
        path = response_curve(sweep, "profit", tmp_path / name)
        assert path.stat().st_size > 1000
    with pytest.raises(InputError):
        response_curve(sweep, "profit", tmp_path / "curve.txt")


def test_a_tournament_puts_every_strategy_in_every_seat() -> None:
    from sim.experiments.sweep import run_tournament

    names = ["balanced", "split:0.2"]
    serial = run_tournament(shortened("tutorial", 2), names, reps=2, seed=5, workers=1)
    pooled = run_tournament(shortened("tutorial", 2), names, reps=2, seed=5, workers=2)
    assert serial.rows == pooled.rows and not serial.failed
    seats = {(r["seat"], r["strategy"]) for r in serial.rows}
    assert seats == {(s, n) for s in ("you", "steady") for n in names}
    assert {r["seed"] for r in serial.rows} == {5, 6}
    summary = serial.summary()
    assert [row["n"] for row in summary] == [4, 4]
    with pytest.raises(InputError):
        run_tournament(SCENARIO, ["no_such_strategy"], reps=1)


def test_a_tournament_file_runs(tmp_path: Path) -> None:
    study = tmp_path / "t.toml"
    study.write_text(
        'scenario = "tutorial"\nreps = 1\nworkers = 1\nstrategies = ["balanced", "discounter"]\n'
    )
    exe = Path(sys.executable).with_name("jigsaw")
    proc = subprocess.run([str(exe), "sweep", "--file", str(study)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "discounter" in proc.stdout and "mean rank" in proc.stdout


def test_the_same_sweep_gives_identical_rows_on_a_dask_local_cluster(serial) -> None:
    pytest.importorskip("distributed", reason="Dask is the extra jigsaw-sim[cluster]")
    on_dask = run_sweep(SCENARIO, AXES, reps=4, seed=11, workers=2, scheduler="local")
    assert on_dask.rows == serial.rows and not on_dask.failed


PARENT = os.getpid()


def play_or_die(job: int) -> dict[str, int]:
    """A cell that kills its worker process when it runs away from the test process, and
    that fails everywhere when job is negative."""
    if job < 0:
        raise ValueError("this cell always fails")
    if job == 3 and os.getpid() != PARENT:
        os._exit(1)
    return {"job": job, "square": job * job}


@pytest.mark.parametrize("scheduler", [None, "local"])
def test_a_worker_that_dies_loses_no_other_result(scheduler: str | None) -> None:
    if scheduler:
        pytest.importorskip("distributed", reason="Dask is the extra jigsaw-sim[cluster]")
    jobs = [(k,) for k in range(6)] + [(-1,)]
    rows, errors = _execute(play_or_die, jobs, 2, None, scheduler)
    assert rows[:6] == [{"job": k, "square": k * k} for k in range(6)]
    assert rows[6] is None and list(errors) == [6]
    assert "this cell always fails" in errors[6]


def test_rows_are_written_to_parquet_and_match_the_csv(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow.parquet", reason="Parquet is the extra jigsaw-sim[parquet]")
    exe = Path(sys.executable).with_name("jigsaw")
    args = ["sweep", "tutorial", "--vary", "marketing_share=0.3,0.6", "--reps", "2"]
    for name in ("rows.csv", "rows.parquet"):
        proc = subprocess.run(
            [str(exe), *args, "--workers", "1", "--out", str(tmp_path / name)],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "rows.csv", newline="") as fh:
        from_csv = list(csv.DictReader(fh))
    table = pa.read_table(tmp_path / "rows.parquet").to_pylist()
    assert len(table) == len(from_csv) == 4
    assert list(table[0]) == list(from_csv[0])
    for a, b in zip(table, from_csv, strict=True):
        assert a["profit"] == pytest.approx(float(b["profit"]))


def test_a_bad_output_file_is_refused_before_any_game(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("jigsaw")
    proc = subprocess.run(
        [str(exe), "sweep", "tutorial", "--vary", "marketing_share=0.3,0.6", "--out", "r.xlsx"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip() == "jigsaw: r.xlsx: expected a .csv or .parquet file name, got '.xlsx'"
    )


def test_the_progress_bar_counts_games_on_stderr_and_leaves_stdout_clean() -> None:
    exe = Path(sys.executable).with_name("jigsaw")
    proc = subprocess.run(
        [str(exe), "sweep", "tutorial", "--vary", "marketing_share=0.3,0.6", "--reps", "2"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "games" in proc.stderr and "4/4" in proc.stderr
    assert "games" not in proc.stdout and "mean profit" in proc.stdout


def test_an_unknown_scheduler_is_refused() -> None:
    with pytest.raises(InputError, match="expected 'local' or an address"):
        run_sweep(SCENARIO, AXES, reps=1, scheduler="nowhere")


def test_a_sweep_over_rd_on_a_firm_low_on_cash_records_every_cell() -> None:
    """The player's fixed play is cut to what cash allows (R&D and studies too), so a cell
    whose budget the firm cannot afford is played and recorded, never aborting the sweep."""
    data = shortened("classic", 3).model_dump(mode="json")
    data["firms"][0].update(cash=200_000, credit_line=100_000)
    scenario = parse_scenario(data, "low cash")
    sweep = run_sweep(scenario, {"product_share": [0.0, 0.6], "budget": [600_000]}, reps=1)
    assert not sweep.failed and len(sweep.rows) == 2
    assert sweep.rows[0]["profit"] != sweep.rows[1]["profit"]
