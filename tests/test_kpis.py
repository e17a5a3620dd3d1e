"""One registry of KPIs: the run table, sweeps and their --metric choices read it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sim import Game
from sim.experiments.sweep import METRICS, Cell, _decision, play_cell
from sim.model.kpis import GAME_KPIS, ROUND_KPIS
from sim.numbers import money, show

from .conftest import shortened

JIGSAW = str(Path(sys.executable).with_name("jigsaw"))


def test_a_sweep_row_holds_every_game_kpi_and_only_those_can_be_summarised() -> None:
    scenario = shortened("tutorial", 2)
    row = play_cell(scenario.model_dump(mode="json"), "you", Cell(0, 0, {}, 0, 3))
    assert METRICS == tuple(GAME_KPIS)
    assert [k for k in row if k in GAME_KPIS] == list(GAME_KPIS)
    fixed = _decision(scenario, "you", {})
    game = Game(scenario, 3)
    game.play(lambda g, fid: fixed.within(scenario, g.room(fid)))
    assert row["profit"] == round(sum(r.firms["you"].profit for r in game.reports), 2)
    assert row["score"] == game.score()["you"]["total"]


def test_the_round_table_has_a_column_per_round_kpi() -> None:
    proc = subprocess.run(
        [JIGSAW, "run", "tutorial", "--seed", "2"], capture_output=True, text=True, check=True
    )
    header = next(line for line in proc.stdout.splitlines() if line.strip().startswith("firm"))
    assert header.split() == ["firm", *(k.label for k in ROUND_KPIS.values())]


def test_every_kpi_reads_as_its_kind() -> None:
    assert show("money", 1_234_567) == "1.23M" and show("share", 0.256) == "26%"
    assert show("ratio", None) == "inf" and show("count", 12.0) == "12"
    game = Game(shortened("classic", 1), 1)
    game.play(lambda g, fid: g.decide_for(fid, "balanced"))
    firm = game.reports[0].firms["you"]
    for kpi in ROUND_KPIS.values():
        assert show(kpi.kind, kpi.value(firm)) != "", kpi.name


def test_a_sum_of_money_reads_short_in_its_unit_at_any_size() -> None:
    """A figure moves up a unit where the smaller would show 1000 (never '1000k'); the
    largest sums, as a fortune spent in a hostile game, stay short."""
    cases = {
        0.0: "0",
        -0.4: "0",
        999.4: "999",
        999_499: "999k",
        999_600: "1.00M",
        -1_234_000: "-1.23M",
        999_996_000: "1.00B",
        -899_999_999.18e6: "-900.00T",
        2e18: "2.0e+18",
        float("-inf"): "-inf",
    }
    for value, text in cases.items():
        assert money(value) == text, value
