"""How the key screens look, at 120x40 and at 80x24 (pytest-textual-snapshot).

After an intended change of looks, regenerate with
    .venv/bin/python -m pytest tests/test_tui_snapshots.py --snapshot-update
and review the SVGs in tests/__snapshots__/.
"""

from __future__ import annotations

import pytest

from sim import load_scenario
from sim.model.decisions import simple
from tests.conftest import shortened
from tui.app import JigsawApp
from tui.session import Session

SIZES = [(120, 40), (80, 24)]


@pytest.fixture(autouse=True)
def saves(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIGSAW_SAVE_DIR", str(tmp_path / "saves"))


def played(name: str, rounds: int, seed: int = 1) -> Session:
    scenario = load_scenario(name)
    session = Session.new(scenario, seed)
    for _ in range(rounds):
        session.game.play_round({"you": simple(scenario, scenario.meta.budget_per_round, 0.4)})
    return Session(session.game)


async def settled(pilot) -> None:
    """Wait until every worker is done and its results are on screen."""
    await pilot.pause()
    for _ in range(200):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.05)
        if getattr(pilot.app.screen, "hindsight_done", True):
            break
    await pilot.pause(0.3)


@pytest.mark.parametrize("size", SIZES)
def test_new_game_screen(snap_compare, size) -> None:
    assert snap_compare(JigsawApp(), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES)
def test_boardroom_after_two_rounds(snap_compare, size) -> None:
    assert snap_compare(JigsawApp(played("classic", 2)), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES)
def test_round_report(snap_compare, size) -> None:
    async def advance(pilot) -> None:
        await pilot.pause()
        await pilot.press("n")
        await settled(pilot)

    assert snap_compare(JigsawApp(played("classic", 1)), terminal_size=size, run_before=advance)


@pytest.mark.parametrize("size", SIZES)
def test_scorecard(snap_compare, size) -> None:
    """A three-round tutorial to its end: the scorecard's luck and hindsight replay the game
    (20 draws, 11 splits), so a short game keeps the test quick."""
    scenario = shortened("tutorial", 3)
    session = Session.new(scenario, 1)
    for _ in range(3):
        session.game.play_round({"you": simple(scenario, scenario.meta.budget_per_round, 0.4)})
    app = JigsawApp(Session(session.game))
    assert snap_compare(app, terminal_size=size, run_before=settled)
