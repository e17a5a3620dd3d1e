"""Class play in the terminal, through the keyboard: a team logs in, submits, and sees the
round when the instructor closes it; the instructor's dashboard closes rounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input

from sim.classroom.store import Classroom
from tui.app import InstructorApp, JigsawApp
from tui.class_session import ClassSession
from tui.screens import boardroom
from tui.screens.boardroom import Boardroom
from tui.screens.class_login import ClassLogin
from tui.screens.dashboard import Dashboard
from tui.screens.dialogs import Confirm
from tui.screens.new_game import NewGame
from tui.screens.round_report import RoundReportScreen
from tui.widgets.boards import NewsFeed, RivalBoard
from tui.widgets.decision_form import DecisionForm

from .conftest import eventually, shortened


@pytest.fixture
def room(tmp_path: Path) -> tuple[Classroom, str, dict[str, str]]:
    return Classroom.create(tmp_path / "class.db", shortened("classic", 2), ["Red", "Blue"], 5)


def text_of(widget) -> str:
    """What a Static shows, as plain text (Rich tables included)."""
    console = Console(width=100, record=True)
    console.print(widget.content)
    return console.export_text()


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_team_logs_in_submits_and_sees_the_round_when_the_instructor_closes_it(
    room, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, instructor, codes = room
    monkeypatch.setattr(boardroom, "POLL_SECONDS", 0.1)
    app = JigsawApp(class_db=c.path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ClassLogin)
        await pilot.press("enter", "down", "enter")  # open the team list, pick Red
        await pilot.press("tab", *"WRONG-CODE-0000", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ClassLogin)
        assert "wrong code for team Red" in text_of(app.screen.query_one("#login-problem"))
        await pilot.press(*codes["Red"], "enter")
        await settle(pilot)
        assert isinstance(app.screen, Boardroom)
        assert not app.screen.query("#whatif")  # no what-if in a class
        await pilot.press("right", "n")  # 45% marketing, submit
        await settle(pilot)
        assert app.screen.sub_title == "Round 1 of 2 · submitted"
        mine = c.own_decision(c.team("Red"))
        assert mine is not None and mine.decision.marketing_share == pytest.approx(0.45)
        assert isinstance(app.session, ClassSession) and app.session.game.round == 0

        c.advance(instructor)  # the instructor closes the round elsewhere
        await eventually(pilot, lambda: isinstance(app.screen, RoundReportScreen))
        assert isinstance(app.screen, RoundReportScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.sub_title == "Round 2 of 2 · not submitted"
        c.set_deadline(instructor, datetime.now(UTC) + timedelta(minutes=30))  # set elsewhere
        await eventually(pilot, lambda: "closes in" in app.screen.sub_title)
        assert "closes in 30 min" in app.screen.sub_title
        rows = text_of(app.screen.query_one(RivalBoard)).splitlines()
        blue = next(r for r in rows if "Blue" in r)
        red = next(r for r in rows if "Red" in r)
        assert blue.split()[-1] == "?"  # the other firms' brand equity is not public
        assert red.split()[-1] == "?"  # nor our own, without a brand tracker


async def test_a_team_seat_shows_only_its_own_books(room) -> None:
    c, instructor, codes = room
    c.submit("Blue", codes["Blue"], {"budget": 310_000, "marketing_share": 0.55})
    session = ClassSession.login(c.path, "Red", codes["Red"])
    assert session.player == "you" and session.public_only and not session.can_forecast
    assert session.draft.budget != 310_000 or session.draft.marketing_share != 0.55
    with pytest.raises(Exception, match="what-if is not available"):
        session.forecast()


async def test_the_instructor_closes_a_round_from_the_dashboard(room) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], {"budget": 300_000, "marketing_share": 0.4})
    app = InstructorApp(c.path, instructor)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, Dashboard)
        text = text_of(app.screen.query_one("#submissions"))
        assert "1 of 2 teams submitted" in text
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await settle(pilot)
        await settle(pilot)
        assert Classroom(c.path).open_round == 2
        assert "Round 2 of 2" in app.screen.sub_title
        board = text_of(app.screen.query_one("#leaderboard"))
        assert "Red" in board and "Blue" in board


async def test_the_dashboard_shows_wrong_codes_with_their_source(room) -> None:
    c, instructor, _ = room
    with pytest.raises(Exception, match="wrong code"):
        c.check_team("Blue", "WRONG-CODE-0000", source="ana@lab (screen 42)")
    app = InstructorApp(c.path, instructor)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Blue from ana@lab (screen 42)" in text_of(app.screen.query_one("#failed-logins"))


async def test_the_dashboards_help_is_its_own_and_lists_every_key(room) -> None:
    from tui.screens.dashboard import Dashboard
    from tui.screens.dialogs import HelpScreen

    c, instructor, _ = room
    app = InstructorApp(c.path, instructor)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text or ""
        assert "instructor's dashboard" in text and "You run a company" not in text
        for b in Dashboard.BINDINGS:  # the hidden ones too (b: reopen a round, c: new code)
            assert f"| `{b.key}` | {b.description} |" in text


SOLO = {"New game", "Save game", "Screenshot", "What-if forecast", "Advance the round"}


async def test_a_class_seat_offers_no_solo_action_before_or_after_login(room) -> None:
    """The login screen and the team's boardroom: the palette has nothing that leads to solo
    play, saving, loading or a file on the machine; ctrl+s and new_game do nothing."""
    c, _, codes = room
    app = JigsawApp(class_db=c.path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ClassLogin)
        titles = {cmd.title for cmd in app.get_system_commands(app.screen)}
        assert not titles & SOLO and {"Help", "Quit"} <= titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"new game", "enter")
        await pilot.pause(0.3)
        app.new_game()  # even called directly
        await pilot.pause()
        assert not isinstance(app.screen, NewGame)
        app.start_session(ClassSession.login(c.path, "Red", codes["Red"]))
        await settle(pilot)
        assert isinstance(app.screen, Boardroom)
        titles = {cmd.title for cmd in app.get_system_commands(app.screen)}
        assert not titles & SOLO and "Submit decisions" in titles
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, Boardroom) and not app.session.can_save


async def test_an_open_boardroom_notices_a_rollback_and_an_announcement(
    room, monkeypatch: pytest.MonkeyPatch
) -> None:
    c, instructor, codes = room
    monkeypatch.setattr(boardroom, "POLL_SECONDS", 0.1)
    c.submit("Red", codes["Red"], {"budget": 300_000, "marketing_share": 0.4})
    c.advance(instructor)
    app = JigsawApp(ClassSession.login(c.path, "Red", codes["Red"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)  # (no settle: the 0.1 s poll worker replaces itself)
        assert app.screen.sub_title == "Round 2 of 2 · not submitted"
        c.announce(instructor, "Round 1 is reopened: check your price")
        c.rollback(instructor, 1)
        await eventually(pilot, lambda: app.screen.sub_title.startswith("Round 1 of 2"))
        assert app.screen.sub_title == "Round 1 of 2 · submitted"  # its decision kept
        await pilot.pause(0.3)  # the notices follow the new state
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "reopened round 1" in toasts and "check your price" in toasts
        news = text_of(app.screen.query_one(NewsFeed))
        assert "Instructor (round 2): Round 1 is reopened" in news


async def test_the_dashboard_pauses_announces_reopens_and_shows_each_team(room) -> None:
    c, instructor, codes = room
    c.submit("Red", codes["Red"], {"budget": 300_000, "marketing_share": 0.4})
    c.advance(instructor)
    c.submit("Red", codes["Red"], {"budget": 280_000, "marketing_share": 0.5, "price": 1.1})
    app = InstructorApp(c.path, instructor)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        teams = text_of(app.screen.query_one("#submissions"))
        red = next(line for line in teams.splitlines() if line.strip().startswith("Red"))
        assert "280k 50% 1.10" in red and "sent " in red  # its open decision, and when
        assert len(red.split()) >= 8  # cash, share, rho and score too
        await pilot.press("p")
        await settle(pilot)
        assert Classroom(c.path).paused and "paused" in app.screen.sub_title
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"Prices are public", "enter")
        await settle(pilot)
        assert Classroom(c.path).announcements()[-1][2] == "Prices are public"
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("1", "enter")
        await settle(pilot)
        await settle(pilot)
        assert Classroom(c.path).open_round == 1
        log = [w for _, _, w in Classroom(c.path).log()]
        assert any("rolled back to round 1" in w for w in log) and "paused the class" in " ".join(
            log
        )
        await pilot.press("p")  # resume
        await settle(pilot)
        assert not Classroom(c.path).paused


async def test_after_the_last_round_the_dashboard_offers_no_round_to_close(room) -> None:
    c, instructor, _ = room
    c.advance(instructor)
    c.advance(instructor)
    app = InstructorApp(c.path, instructor)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#advance").display
        assert "Close round" not in screen_footer(app)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, Dashboard)  # no confirmation: nothing to close


async def test_the_dashboards_footer_holds_its_keys_and_the_palette_has_every_one(room) -> None:
    """At 120 columns the footer ends with help and quit, not cut mid-word; the keys it
    leaves out (refresh, reopen, a new code) are in the command palette with the others."""
    from tui.screens.dashboard import Dashboard

    c, instructor, _ = room
    app = InstructorApp(c.path, instructor)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        from tests.test_tui_names import screen_text

        for _ in range(50):  # a loaded machine may lay the footer out a few frames late
            last = screen_text(app).rstrip("\n").splitlines()[-1]  # the footer, as it shows
            if "q Quit" in last:
                break
            await pilot.pause(0.1)
        assert "d Debrief" in last and "? Help" in last and "q Quit" in last, last
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {b.description for b in Dashboard.BINDINGS} <= titles
        assert "Quit" in titles


def screen_footer(app) -> str:
    return " ".join(
        b.binding.description
        for b in app.screen.active_bindings.values()
        if b.enabled and b.binding.show
    )


async def test_a_team_is_told_its_decision_was_carried_and_an_n_on_the_report_submits_nothing(
    room, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Red never pressed n in round 1: the report says its decisions were carried, the n it
    presses as the report opens closes the report (and says round 2 is not submitted), a
    submission from another screen shows in this one, and the scorecard marks round 1."""
    from tui.screens.scorecard import Scorecard

    c, instructor, codes = room
    monkeypatch.setattr(boardroom, "POLL_SECONDS", 0.1)
    app = JigsawApp(ClassSession.login(c.path, "Red", codes["Red"]))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause(0.3)
        assert app.screen.sub_title == "Round 1 of 2 · not submitted"
        c.advance(instructor)
        await eventually(pilot, lambda: isinstance(app.screen, RoundReportScreen))
        assert isinstance(app.screen, RoundReportScreen)
        first = text_of(app.screen.query(".report-line").first())
        assert first.startswith("• You did not submit round 1: the class kept your last")
        await pilot.press("n")  # meant for the boardroom, landed on the report
        await pilot.pause(0.2)
        assert isinstance(app.screen, Boardroom)
        assert app.screen.sub_title == "Round 2 of 2 · not submitted"
        assert c.own_decision(c.team("Red")) is None  # nothing was submitted by that n
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "Press n again to submit" in toasts
        c.submit("Red", codes["Red"], {"budget": 250_000, "marketing_share": 0.6}, by="Ana (file)")
        await eventually(pilot, lambda: app.screen.sub_title.endswith("· submitted"))
        assert app.screen.sub_title == "Round 2 of 2 · submitted"
        await pilot.pause(0.3)
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "submitted from elsewhere (Ana (file)" in toasts
        assert app.session.draft.marketing_share == pytest.approx(0.6)  # the form shows it
        c.advance(instructor)
        await eventually(pilot, lambda: isinstance(app.screen, RoundReportScreen))
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, Scorecard)
        rounds = text_of(app.screen.query_one("#splits")).splitlines()
        assert "carried" in next(r for r in rounds if r.strip().startswith("1 "))
        assert "submitted" in next(r for r in rounds if r.strip().startswith("2 "))


async def test_a_running_dashboard_closes_a_round_at_its_deadline(room, monkeypatch) -> None:
    from datetime import UTC, datetime, timedelta

    from tui.screens import dashboard

    c, instructor, _ = room
    monkeypatch.setattr(dashboard, "REFRESH_SECONDS", 0.2)
    c.set_deadline(instructor, datetime.now(UTC) + timedelta(seconds=4))
    app = InstructorApp(c.path, instructor)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        assert "closes in" in app.screen.sub_title
        assert Classroom(c.path).open_round == 1  # not before its time
        await eventually(pilot, lambda: Classroom(c.path).open_round == 2, 8)
        assert Classroom(c.path).open_round == 2
        await pilot.press("t")  # a deadline for round 2, from the dashboard
        await pilot.pause()
        await pilot.press(*"20m", "enter")
        await settle(pilot)
        due = Classroom(c.path).deadline
        assert due is not None and 19 * 60 < (due - datetime.now(UTC)).total_seconds() <= 20 * 60
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"none", "enter")
        await settle(pilot)
        assert Classroom(c.path).deadline is None


async def test_the_instructor_overrides_a_team_from_the_dashboard(room, tmp_path) -> None:
    c, instructor, _ = room
    plan = tmp_path / "fix.toml"
    plan.write_text("budget = 260000\nmarketing_share = 0.55\n")
    app = InstructorApp(c.path, instructor)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        await pilot.press(*"blue", "enter")
        await pilot.pause()
        await pilot.press(*str(plan), "enter")
        await settle(pilot)
        await settle(pilot)
    mine = Classroom(c.path).own_decision(c.team("Blue"))
    assert mine is not None and mine.by == "instructor"
    assert mine.decision.marketing_share == pytest.approx(0.55)


async def test_the_instructor_adds_and_renames_a_team_from_the_dashboard(room) -> None:
    c, instructor, _ = room
    app = InstructorApp(c.path, instructor)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await pilot.pause()
        await pilot.press(*"Green", "enter")
        await settle(pilot)
        await settle(pilot)
        assert [t.name for t in Classroom(c.path).teams] == ["Red", "Blue", "Green"]
        await eventually(pilot, lambda: "Green" in text_of(app.screen.query_one("#submissions")))
        assert "Green" in text_of(app.screen.query_one("#submissions"))
        await pilot.press("e")
        await pilot.pause()
        await pilot.press(*"green", "enter")
        await pilot.pause()
        await pilot.press(*"Emerald", "enter")
        await settle(pilot)
        await settle(pilot)
        assert [t.name for t in Classroom(c.path).teams] == ["Red", "Blue", "Emerald"]
        await eventually(pilot, lambda: "Emerald" in text_of(app.screen.query_one("#submissions")))
        assert "Emerald" in text_of(app.screen.query_one("#submissions"))
    log = " ".join(w for _, _, w in Classroom(c.path).log())
    assert "added team Green" in log and "renamed team Green to Emerald" in log


async def test_a_duplicate_class_dashboard_ranks_the_teams_from_their_own_markets(
    tmp_path: Path,
) -> None:
    c, instructor, codes = Classroom.create(
        tmp_path / "dup.db", shortened("classic", 2), ["Red", "Blue", "Green"], 5, duplicate=True
    )
    c.submit("Red", codes["Red"], {"budget": 300_000, "marketing_share": 0.4})
    c.submit("Blue", codes["Blue"], {"budget": 300_000, "marketing_share": 0.4})
    c.advance(instructor)
    app = InstructorApp(c.path, instructor)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "(duplicate)" in app.screen.sub_title
        board = text_of(app.screen.query_one("#leaderboard")).splitlines()
        ranked = [line.split()[1] for line in board if line.split() and line.split()[0].isdigit()]
        assert sorted(ranked) == ["Blue", "Green", "Red"]  # the teams only: no rivals' rows
        assert "(computer)" not in "\n".join(board)
        rows = text_of(app.screen.query_one("#submissions"))
        red = next(r for r in rows.splitlines() if r.strip().startswith("Red"))
        blue = next(r for r in rows.splitlines() if r.strip().startswith("Blue"))
        assert red.split()[-4:] == blue.split()[-4:]  # cash, share, rho, score: alike
    # a team's seat plays its own copy: its firm carries the team's name
    session = ClassSession.login(c.path, "Green", codes["Green"])
    assert session.game.scenario.firm("you").name == "Green"
    assert session.game.reports[0].firms["you"].name == "Green"


async def test_decisions_submitted_elsewhere_with_full_mode_levers_are_shown_in_full_mode(
    room, monkeypatch
) -> None:
    """A team's submission from a file that sends leads to partners: the seat opens in full
    mode (the routes in view, never played unseen); a seat in simple mode that sees such a
    submission arrive switches to full mode and says so."""
    c, instructor, codes = room
    from sim.model.decisions import simple

    routed = simple(c.scenario, 300_000, 0.4).to_dict()
    routed["routes"] = {"partner": {"smb": 0.4}}
    c.submit("Red", codes["Red"], routed, by="Ana (file)")
    session = ClassSession.login(c.path, "Red", codes["Red"])
    assert session.full_mode and session.draft.partner == {"smb": 0.4}
    assert not ClassSession.login(c.path, "Blue", codes["Blue"]).full_mode  # nothing set
    monkeypatch.setattr(boardroom, "POLL_SECONDS", 0.1)
    app = JigsawApp(ClassSession.login(c.path, "Blue", codes["Blue"]))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause(0.3)
        assert not app.session.full_mode
        c.submit("Blue", codes["Blue"], routed, by="Ben (file)")
        await eventually(pilot, lambda: app.session.full_mode)
        await pilot.pause(0.3)
        form = app.screen.query_one(DecisionForm)
        assert not form.has_class("simple")
        assert app.screen.query_one("#partner-smb", Input).value == "40"
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "switched to full mode" in toasts


def test_after_a_round_closes_the_draft_is_what_the_team_played_in_it(room) -> None:
    """Submitted from a file while the screen looked elsewhere: once the round closes, the
    boardroom's draft is the decision played (which the class keeps), with a notice; a screen
    whose own submission was played is left as it was, without one."""
    c, instructor, codes = room
    from sim.model.decisions import simple

    seat = ClassSession.login(c.path, "Red", codes["Red"])
    c.submit("Red", codes["Red"], simple(c.scenario, 300_000, 0.5).to_dict(), by="Ana (file)")
    c.advance(instructor)
    assert seat.poll()  # round 1's report
    assert seat.draft.budget == 300_000 and seat.draft.marketing_share == pytest.approx(0.5)
    assert any("played with other decisions" in n for n in seat.news())
    seat.draft.marketing_share = 0.3
    assert seat.advance().submitted == 2  # this screen's own decision
    c.advance(instructor)
    assert seat.poll()
    assert seat.draft.marketing_share == pytest.approx(0.3)
    assert not any("played with other decisions" in n for n in seat.news())


def test_a_round_reopened_and_played_again_unseen_shows_its_new_results(room) -> None:
    """The instructor reopens round 1 and closes it again, with another decision, between two
    looks of a team's screen: the round number is the same, but the screen shows the new
    results, and says why."""
    c, instructor, codes = room
    from sim.model.decisions import simple

    seat = ClassSession.login(c.path, "Blue", codes["Blue"])
    c.advance(instructor)
    assert seat.poll()
    red = c.team("Red").firm_id  # its figures in the market report are public
    old = seat.game.reports[-1].firms[red].market_share
    c.rollback(instructor, 1)
    c.submit("Red", codes["Red"], simple(c.scenario, 600_000, 0.9).to_dict())
    c.advance(instructor)
    assert seat.poll() == [] and seat.game.round == 1
    assert any("played it again" in n for n in seat.news())
    new = c.game(team=c.team("Blue")).reports[-1].firms[red].market_share
    assert seat.game.reports[-1].firms[red].market_share == new != old


def test_a_submission_for_the_open_round_made_elsewhere_is_what_the_screen_shows(room) -> None:
    """Round 1 closes and the team submits round 2 from a file before its screen looks: the
    screen shows that submission, not what round 1 played."""
    c, instructor, codes = room
    from sim.model.decisions import simple

    seat = ClassSession.login(c.path, "Red", codes["Red"])
    c.submit("Red", codes["Red"], simple(c.scenario, 300_000, 0.5).to_dict(), by="Ana (file)")
    c.advance(instructor)
    c.submit("Red", codes["Red"], simple(c.scenario, 250_000, 0.3).to_dict(), by="Ana (file)")
    assert seat.poll()
    assert seat.draft.budget == 250_000 and seat.draft.marketing_share == pytest.approx(0.3)
    assert seat.submitted_round == 2


async def test_at_120_columns_the_dashboard_shows_every_team_name_whole_beside_its_decision(
    tmp_path: Path,
) -> None:
    from tests.test_tui_names import screen_text

    teams = ["Purple Rain Corp", "Blue Whales Ltd.", "Green Giants", "Red"]  # 16 characters
    c, instructor, codes = Classroom.create(
        tmp_path / "class.db", shortened("classic", 2), teams, 5
    )
    c.submit(teams[0], codes[teams[0]], {"budget": 280_000, "marketing_share": 0.5, "price": 1.1})
    c.submit(teams[1], codes[teams[1]], {"budget": 1_250_000, "marketing_share": 0.35})
    app = InstructorApp(c.path, instructor)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = screen_text(app).splitlines()
        rows = {t: next((line for line in shown if f"│ {t} " in line), "") for t in teams}
        assert all(rows.values()), shown  # every name whole, never cut to "Purple R…"
        assert "280k 50% 1.10" in rows[teams[0]] and "sent " in rows[teams[0]]
        assert "1.25M 35% 1.00" in rows[teams[1]]
        assert "waiting" in rows["Red"] and "…" not in "".join(rows.values())
