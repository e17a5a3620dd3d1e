"""Names typed by users are text, never markup: hostile team, firm and scenario names appear
verbatim on every screen, crash nothing and fire no action."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from sim.classroom.store import Classroom
from sim.model.scenario import parse_scenario
from tui.app import InstructorApp, JigsawApp
from tui.class_session import ClassSession
from tui.screens.boardroom import Boardroom
from tui.screens.class_login import ClassLogin
from tui.screens.dashboard import Dashboard
from tui.screens.dialogs import Confirm
from tui.screens.round_report import RoundReportScreen
from tui.screens.scorecard import Scorecard
from tui.session import Session
from tui.widgets.boards import RivalBoard

from .conftest import eventually, shortened

CLICK = "[@click=app.quit]x[/]"
TEAMS = [
    "[/]",
    CLICK,
    "[b]x[/b]",
    "<script>",
    "=1+2",
    "W" * 40,
    "فريق الأحمر",
]
SCENARIO_NAME = "[b red]Big[/] [link=http://x]Class[/link]"
WIDE = (200, 60)


def screen_text(app) -> str:
    """Everything the terminal shows now, as plain text (what a player reads)."""
    console = Console(width=app.size.width, file=io.StringIO(), record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


FIRMS = ["[i]Contoso", "Ini[/]tech", CLICK]


def hostile_scenario(rounds: int = 2, firms: int = 4):
    """classic, cut short, with a hostile name and hostile firm names (`firms` of them: the
    last rival copied as often as needed)."""
    data = shortened("classic", rounds).model_dump(mode="json")
    data["meta"]["name"] = SCENARIO_NAME
    while len(data["firms"]) < firms:
        copy = dict(data["firms"][-1], id=f"rival_{len(data['firms'])}")
        data["firms"].append(copy)
    for k, firm in enumerate(data["firms"][1:]):
        firm["name"] = FIRMS[k % len(FIRMS)]
    return parse_scenario(data, "hostile")


@pytest.fixture
def hostile_class(tmp_path: Path):
    """Every hostile team name in one class, and one computer firm with a hostile name."""
    scenario = hostile_scenario(firms=len(TEAMS) + 1)
    return Classroom.create(tmp_path / "class.db", scenario, TEAMS, 3)


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def click_each(pilot, names: list[str]) -> None:
    """Click where each name shows: a name is text, so nothing happens."""
    lines = screen_text(pilot.app).splitlines()
    for name in names:
        for y, line in enumerate(lines):
            x = line.find(name)
            if x >= 0:
                await pilot.click(offset=(x + 1, y))
                await pilot.pause()
                break
    assert pilot.app.is_running, "a click on a name quit the app"


def shows(text: str, names: list[str], cut: bool = False) -> None:
    """Each name is in the text verbatim (or, with `cut`, at least its first 8 characters
    followed by an ellipsis, where a column is narrower than the name)."""
    missing = [
        n
        for n in names
        if n not in text and not (cut and re.search(re.escape(n[:8]) + r"[^ ]*…", text))
    ]
    assert not missing, f"not shown verbatim: {missing}"


async def test_the_dashboard_shows_hostile_team_names_verbatim(hostile_class) -> None:
    room, instructor, codes = hostile_class
    teams = [t.name for t in room.teams]
    room.submit(teams[0], codes[teams[0]], {"budget": 300_000, "marketing_share": 0.4})
    app = InstructorApp(room.path, instructor)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, Dashboard)
        shows(screen_text(app), teams + [SCENARIO_NAME])
        await click_each(pilot, teams)
        await pilot.press("a")  # the confirmation lists the teams still waiting
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        shows(screen_text(app), teams[1:])
        await pilot.press("y")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, Dashboard)
        seated = {t.firm_id for t in room.teams}
        computer = [f"{f.label} (computer)" for f in room.scenario.firms if f.id not in seated]
        assert computer and all(c.split(" (")[0] in FIRMS for c in computer)
        shows(screen_text(app), teams + computer)
        await click_each(pilot, teams)


async def test_the_login_screen_and_boardroom_show_hostile_names_verbatim(hostile_class) -> None:
    room, instructor, codes = hostile_class
    teams = [t.name for t in room.teams]
    app = JigsawApp(class_db=room.path)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ClassLogin)
        shows(screen_text(app), [SCENARIO_NAME])
        await pilot.press("enter")  # the team list
        await pilot.pause()
        shows(screen_text(app), teams)
        await pilot.press("escape")
        session = ClassSession.login(room.path, CLICK, codes[CLICK])
        app.start_session(session)
        await settle(pilot)
        assert isinstance(app.screen, Boardroom)
        shows(screen_text(app), teams, cut=True)  # the market board's firm column
        market = app.screen.query_one(RivalBoard)
        assert all(t in market.tooltip.plain for t in teams)  # in full on hover
        await click_each(pilot, teams)
        await pilot.press("n")  # submit
        await settle(pilot)
        room.advance(instructor)
        await eventually(pilot, lambda: isinstance(app.screen, RoundReportScreen))
        assert isinstance(app.screen, RoundReportScreen)
        await click_each(pilot, teams)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, Boardroom)
        shows(screen_text(app), teams, cut=True)


async def test_solo_play_shows_hostile_firm_and_scenario_names_verbatim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIGSAW_SAVE_DIR", str(tmp_path / "saves"))
    scenario = hostile_scenario(rounds=1)
    session = Session.new(scenario, 2)
    app = JigsawApp(session)
    names = [f.label for f in scenario.firms[1:]]
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, Boardroom)
        shows(screen_text(app), names, cut=True)
        await click_each(pilot, names)
        await pilot.press("n")
        await settle(pilot)
        await pilot.pause()
        assert isinstance(app.screen, RoundReportScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, Scorecard)
        shows(screen_text(app), names, cut=True)
        assert all(n in app.screen.query_one("#ranking").tooltip.plain for n in names)
        await click_each(pilot, names)
