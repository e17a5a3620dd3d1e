"""The terminal game, played through the keyboard with Textual's Pilot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static, TabbedContent

from sim import Game, load_scenario
from sim.model.decisions import expand
from sim.narrative import statement_rows
from sim.numbers import money
from tests.conftest import eventually, shortened
from tui.app import JigsawApp
from tui.screens.boardroom import Boardroom
from tui.screens.dialogs import Confirm, ConfirmQuit, HelpScreen
from tui.screens.new_game import NewGame
from tui.screens.round_report import RoundReportScreen
from tui.screens.scorecard import Scorecard
from tui.session import Session
from tui.widgets.decision_form import DecisionForm
from tui.widgets.split_bar import SplitBar


@pytest.fixture(autouse=True)
def saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JIGSAW_SAVE_DIR", str(tmp_path / "saves"))
    return tmp_path / "saves"


async def settle(pilot) -> None:
    """Let workers finish and the screen catch up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def advance(pilot) -> None:
    """Press n, wait for the round, close the round report."""
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RoundReportScreen)
    await pilot.press("enter")
    await pilot.pause()


async def test_a_whole_game_through_the_keyboard() -> None:
    app = JigsawApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, NewGame)
        await pilot.press("enter")  # the tutorial is highlighted: first games start there
        await pilot.pause()
        assert isinstance(app.screen, Boardroom)
        session = app.session
        assert session is not None and session.scenario.meta.name.startswith("Tutorial")
        assert app.screen.sub_title == "Round 1 of 6"

        await pilot.press("right", "right")  # 40% -> 50% marketing
        assert app.screen.query_one(SplitBar).share == pytest.approx(0.5)
        assert session.draft.marketing_share == pytest.approx(0.5)

        await pilot.press("w")
        await settle(pilot)
        assert app.screen.forecast_shown
        assert session.game.round == 0  # a forecast changes nothing

        for k in range(1, 7):
            await advance(pilot)
            assert session.game.round == k
            if k < 6:
                assert app.screen.sub_title == f"Round {k + 1} of 6"
        await settle(pilot)
        assert isinstance(app.screen, Scorecard)
        assert session.finished
        await eventually(pilot, lambda: app.screen.hindsight_done, 30)
        luck = str(app.screen.query_one("#luck", Static).render())
        assert luck.startswith("Luck: your result was at the")
        await pilot.press("n")  # a player still pressing n does not leave the scorecard
        await pilot.pause()
        assert isinstance(app.screen, Scorecard)
        mine = session.game.history[0]["you"]
        assert mine.marketing_share == pytest.approx(0.5)


async def test_save_quit_load_and_continue_with_identical_results(saves: Path) -> None:
    scenario = load_scenario("classic")
    app = JigsawApp(Session.new(scenario, 5))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("left")  # 35% marketing
        await advance(pilot)
        await advance(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        path = app.session.save_path
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuit)
        await pilot.press("y")
        await pilot.pause()
    assert path.exists() and json.loads(path.read_text())["seed"] == 5

    again = JigsawApp(Session.load(path), hindsight=False)  # no look back: the game is the point
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert again.screen.sub_title == "Round 3 of 8"
        assert again.session.draft.marketing_share == pytest.approx(0.35)
        for _ in range(6):
            await advance(pilot)
        await settle(pilot)
        played = again.session.game

    # The same decisions played headless in one go give the same game, to the byte.
    assert all(h["you"].marketing_share == pytest.approx(0.35) for h in played.history)
    straight = Game(scenario, 5)
    plan = expand(scenario, {"budget": 300_000, "marketing_share": 0.35})
    straight.play(lambda g, fid: plan)
    assert json.dumps(straight.to_json()) == json.dumps(played.to_json())


async def test_bad_input_is_refused_in_place_and_nothing_is_lost() -> None:
    app = JigsawApp(Session.new(load_scenario("tutorial"), 1, full_mode=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.screen.query_one(DecisionForm)
        budget = app.screen.query_one("#budget")
        budget.value = "lots"
        await pilot.pause()
        assert "Budget" in (form.problem() or "")
        assert "must be a number from 0 to 1,000,000,000,000" in (form.problem() or "")
        await pilot.press("n")
        await settle(pilot)
        assert app.session.game.round == 0  # refused, not crashed
        assert isinstance(app.screen, Boardroom)

        budget.value = "200000"
        await pilot.pause()
        assert form.problem() is None

        app.screen.query_one("#mix-advertising").value = "150"  # a share over 100%
        await pilot.pause()
        assert "Ads" in (form.problem() or "")
        app.screen.query_one("#mix-advertising").value = "40"
        await pilot.pause()
        assert form.problem() is None

        budget.value = "999999999"  # beyond cash plus credit
        await pilot.pause()
        assert "more than cash plus credit" in (form.problem() or "")
        await pilot.press("n")
        await settle(pilot)
        assert app.session.game.round == 0
        budget.value = "200000"
        await pilot.pause()
        await advance(pilot)
        assert app.session.game.round == 1


async def test_quit_asks_first_and_help_explains_the_model() -> None:
    app = JigsawApp(Session.new(load_scenario("tutorial"), 1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuit)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, Boardroom)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, Boardroom)


async def test_the_command_palette_offers_every_action() -> None:
    app = JigsawApp(Session.new(load_scenario("tutorial"), 1))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for title in (
            "Advance the round",
            "What-if forecast",
            "Save game",
            "Help",
            "Quit",
            "New game",
            "Full or simple decisions",
        ):
            assert title in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"advance")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.game.round == 1


async def test_the_boardroom_shows_only_the_research_bought(tmp_path: Path) -> None:
    """No study: brand equity '?' and an unknown map. Buy the brand tracker and the
    perceptual map (full mode's checkboxes), play a round: both appear, the map as a plot."""
    from rich.console import Console

    from tui.widgets.boards import KpiBoard
    from tui.widgets.charts import GameCharts

    def text_of(widget) -> str:
        console = Console(width=100, record=True)
        console.print(widget.content)
        return console.export_text()

    app = JigsawApp(Session.new(load_scenario("classic"), 2, full_mode=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await advance(pilot)
        kpis = text_of(app.screen.query_one(KpiBoard))
        assert "Brand equity" in kpis and "buy a tracker" in kpis
        charts = app.screen.query_one(GameCharts)
        assert "unknown" in charts.map_title
        for study in ("brand_tracker", "perceptual_map"):
            app.screen.query_one(f"#study-{study}").value = True
        await pilot.pause()
        assert app.session.draft.research == ["brand_tracker", "perceptual_map"]
        await advance(pilot)
        kpis = text_of(app.screen.query_one(KpiBoard))
        assert "buy a tracker" not in kpis
        title = charts.map_title
        assert title.startswith("Perceptual map:") and "unknown" not in title
        assert app.session.reports[-1].firms["you"].research_spend == 35_000


async def test_u_goes_back_a_round_and_the_same_decisions_replay_identically() -> None:
    session = Session.new(load_scenario("tutorial"), 4)
    app = JigsawApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("right")  # 45% marketing
        await advance(pilot)
        await advance(pilot)
        played = json.dumps(session.game.to_json())
        await pilot.press("u")
        await pilot.pause()
        assert session.game.round == 1 and app.screen.sub_title == "Round 2 of 6"
        assert session.draft.marketing_share == pytest.approx(0.45)
        await advance(pilot)
        assert json.dumps(session.game.to_json()) == played


async def test_the_guided_tour_walks_a_first_game_through_every_panel_once() -> None:
    from tui.screens.tour import Tour, stops, tour_flag

    tour_flag().unlink()  # a player who has never taken it
    session = Session.new(load_scenario("tutorial"), 1)
    app = JigsawApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, Tour)
        board = app.screen.board
        seen = []
        for stop in stops(session):
            assert board.query(stop.where), stop.where  # every stop points at a real part
            assert all(w.has_class("toured") for w in board.query(stop.where))
            seen.append(str(app.screen.query_one("#tour-title").render()))
            await pilot.pause()
            if stop.where != "#left":  # the welcome speaks of the whole column; others are
                box = app.screen.query_one("#tour").region  # left in view, not covered
                part = board.query(stop.where).first().region
                assert not box.overlaps(part), (stop.title, box, part)
            await pilot.press("enter")
            await pilot.pause()
        assert seen[0] == "Welcome" and len(seen) == len(stops(session))
        assert isinstance(app.screen, Boardroom) and not board.query(".toured")
        assert tour_flag().exists()
        assert session.game.round == 0  # the tour's enters played nothing
    again = JigsawApp(Session.new(load_scenario("tutorial"), 2))
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, Boardroom)  # taken once: not shown again


async def test_the_tour_can_be_skipped_and_taken_again_from_the_palette() -> None:
    from tui.screens.tour import Tour, tour_flag

    tour_flag().unlink()
    app = JigsawApp(Session.new(load_scenario("tutorial"), 1))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, Tour)
        await pilot.press("right", "left", "escape")
        await pilot.pause()
        assert isinstance(app.screen, Boardroom) and tour_flag().exists()
        app.screen.action_tour()
        await pilot.pause()
        assert isinstance(app.screen, Tour)


async def test_the_scorecard_says_where_luck_put_the_result() -> None:
    scenario = shortened("classic", 1, round_days=45)
    session = Session.new(scenario, 2)
    session.advance()
    app = JigsawApp(Session(session.game))
    async with app.run_test(size=(120, 40)) as pilot:
        await eventually(pilot, lambda: getattr(app.screen, "hindsight_done", False), 60)
        luck = str(app.screen.query_one("#luck", Static).render())
        # (one short round: luck may move the score by less than the point it is shown to)
        assert luck.startswith("Luck: ") and "20 other draws of luck" in luck


async def play_on(pilot) -> None:
    """Press n, say yes if asked to spend past the budget (hiring), wait for the report."""
    await pilot.press("n")
    await pilot.pause()
    if isinstance(pilot.app.screen, Confirm):
        await pilot.press("y")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RoundReportScreen)


async def test_x_on_the_round_report_explains_the_change() -> None:
    """From the second round on, the round report explains its change: x plays the round
    again with each change switched on and off and shows the contributions and the sentence;
    the first round has nothing before it to compare with, and says nothing of it."""
    app = JigsawApp(Session.new(shortened("classic", 3, round_days=14), 5))
    async with app.run_test(size=(120, 40)) as pilot:
        await play_on(pilot)
        assert not app.screen.query("#explain") and not app.screen.check_action("explain", ())
        await pilot.press("enter")
        await pilot.press("right", "right")  # a change to explain: 40% -> 50% marketing
        await play_on(pilot)
        assert app.screen.query("#explain")
        await pilot.press("x")
        await eventually(pilot, lambda: getattr(app.screen, "explanation", None) is not None, 30)
        e = app.screen.explanation
        assert e is not None and e.round == 2 and e.changed[:2] == ["marketing", "sales"]
        line = str(app.screen.query_one("#explain-line", Static).render())
        assert line.startswith("Your profit ") and "from your marketing" in line
        await eventually(pilot, lambda: getattr(app.screen, "quality", None) is not None, 30)
        judged = str(app.screen.query_one("#explain-quality", Static).render())
        assert "Decision quality" in judged and "Round 2:" in judged
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RoundReportScreen)  # back to the report it explains


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_boardroom_key_bar_keeps_every_key_on_screen(size: tuple[int, int]) -> None:
    """At 80 columns the footer packs itself (and leaves ctrl+p to the help) so that every
    key, Help and Quit among them, stays inside the terminal."""
    from textual.widgets import Footer

    app = JigsawApp(Session.new(shortened("classic", 2), 1), hindsight=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await advance(pilot)  # from round 2 on, Undo shows too
        await settle(pilot)
        assert isinstance(app.screen, Boardroom)
        keys = list(app.screen.query_one(Footer).query("FooterKey"))
        shown = {k.description for k in keys}
        assert {"Advance round", "What-if", "Undo", "Save", "History", "Help", "Quit"} <= shown
        assert all(k.region.right <= size[0] and k.region.width > 0 for k in keys), [
            (k.description, k.region) for k in keys
        ]


async def test_a_command_key_typed_in_a_number_field_is_a_command() -> None:
    """'250000' then 'n' in the budget field plays the round at 250000: a letter is not part of
    a number, so it reaches the screen's keys instead of the field ('250000n')."""
    from textual.widgets import Input

    app = JigsawApp(Session.new(shortened("classic", 2), 1), hindsight=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        session = app.screen.session
        budget = app.screen.query_one("#budget", Input)
        budget.focus()
        budget.value = ""
        await pilot.press(*"250000", "n")
        await settle(pilot)
        assert isinstance(app.screen, RoundReportScreen)
        assert session.game.round == 1
        d = session.game.history[0]["you"]
        assert d.marketing.budget + d.sales.budget + d.product.budget == pytest.approx(250_000)
        assert budget.value == "250000"


async def test_a_refused_load_is_said_in_view_on_a_full_new_game_screen(
    saves: Path, tmp_path: Path
) -> None:
    """With an autosave listed the form fills the panel at 120x40: the refusal, under the
    Load button, is scrolled into view."""
    for seed in (1, 2):
        session = Session.new(shortened("tutorial", 2), seed)
        session.advance()
        session.autosave()
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    app = JigsawApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, NewGame)
        app.screen.query_one("#load-path", Input).value = str(bad)
        app.screen.query_one("#load").scroll_visible(animate=False)  # below the fold
        await pilot.pause()
        await pilot.click("#load")
        await settle(pilot)
        for _ in range(5):
            await pilot.pause()
        problem = app.screen.query_one("#new-problem", Static)
        assert "bad.json" in str(problem.render())
        panel = app.screen.query_one("#pick").region
        assert panel.contains_region(problem.region) and problem.region.height > 0


async def test_the_quit_dialog_shows_the_whole_save_path_at_80_columns(saves: Path) -> None:
    """The note under "Quit Jigsaw?" wraps; it was cut mid-word at 80x24 ('.../classic-b')."""
    session = Session.new(shortened("classic", 3), 1)
    session.advance()
    app = JigsawApp(session, hindsight=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuit)
        note = app.screen.query_one("#quit-note")
        text = str(note.render())
        assert str(session.autosave_path) in text
        assert note.region.right <= 80 and note.region.height * note.region.width >= len(text)


async def test_back_to_simple_mode_drops_the_studies_it_cannot_show() -> None:
    """Simple mode has no box to untick a study: leaving full mode drops them, and says so,
    so that none is bought unseen ('Studies 15k' with nothing to click)."""
    from textual.widgets import Checkbox

    app = JigsawApp(Session.new(shortened("classic", 2), 1), hindsight=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        session = app.screen.session
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#study-brand_tracker", Checkbox).value = True
        await pilot.pause()
        assert session.full_mode and session.draft.research == ["brand_tracker"]
        await pilot.press("f")
        await pilot.pause()
        assert not session.full_mode and session.draft.research == []
        assert "Studies" not in str(app.screen.query_one("#derived").render())
        await advance(pilot)
        assert session.game.history[0]["you"].research == []


async def test_on_a_small_terminal_the_what_if_shows_in_view_and_page_keys_scroll() -> None:
    """At 80x24 the panels stack in one page: the forecast is scrolled into view once laid
    out (it sat below the fold), and PageDown moves the page from any field."""
    app = JigsawApp(Session.new(shortened("classic", 3), 1), hindsight=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await eventually(pilot, lambda: app.screen.forecast_shown, 30)
        await settle(pilot)
        await pilot.pause(0.2)
        forecast = app.screen.query_one("#forecast").region
        assert forecast.height > 3 and forecast.bottom <= 23  # above the key bar
        page = app.screen.query_one("#columns")
        before = page.scroll_y
        await pilot.press("pagedown")
        await pilot.pause()
        assert page.scroll_y > before


async def test_a_ticked_study_and_the_chosen_mode_read_without_colour() -> None:
    """Textual drew 'X' in a box ticked or not, and '●' on both radio buttons: only colour
    told them apart."""
    from tui.widgets.ticks import Choice, TickBox

    app = JigsawApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        simple, full = app.screen.query(Choice)
        assert "●" in str(simple.render()) and "○" in str(full.render())
        await pilot.press("down", "enter")  # classic, below the tutorial: a game opens
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        box = app.screen.query_one("#study-brand_tracker", TickBox)
        assert "✓" not in str(box.render())
        box.value = True
        await pilot.pause()
        assert "✓" in str(box.render()) and app.screen.session.draft.research == ["brand_tracker"]


async def test_a_coverage_plan_is_set_in_full_mode_and_the_gauge_reads_by_segment() -> None:
    """One pool: the gauge says where the warm workload came from. Ticking the coverage plan
    starts it there; the next round's gauge reads each segment's reps and rho, and the plan
    is played as shown."""
    from rich.console import Console

    from tui.widgets.boards import AlignmentGauge

    def text_of(widget) -> str:
        console = Console(width=100, record=True)
        console.print(widget.content)
        return console.export_text()

    session = Session.new(load_scenario("classic"), 2, full_mode=True)
    app = JigsawApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await advance(pilot)
        gauge = text_of(app.screen.query_one(AlignmentGauge))
        assert "warm load by segment: Small business" in gauge
        load = session.reports[-1].firms["you"].load_by_segment
        app.screen.query_one("#coverage-on").value = True
        await pilot.pause()
        plan = session.draft.coverage
        assert plan is not None and sum(plan.values()) == pytest.approx(1.0)
        assert all(abs(plan[s] - load[s]) < 0.002 for s in load)
        app.screen.query_one("#cover-enterprise", Input).value = "0"
        app.screen.query_one("#cover-smb", Input).value = str(round(100 * plan["smb"], 1))
        await pilot.pause()
        assert "Coverage plan must add up to 100%" in str(
            app.screen.query_one("#problem", Static).content
        )
        rest = round(100 - 100 * plan["smb"], 1)
        app.screen.query_one("#cover-mid", Input).value = str(rest)
        await pilot.pause()
        await advance(pilot)
        played = session.game.history[-1]["you"].sales.coverage
        assert played is not None and played["enterprise"] == 0.0
        gauge = text_of(app.screen.query_one(AlignmentGauge))
        assert "by segment (share of reps, rho):" in gauge and "Enterprise" in gauge
        assert "no reps" in gauge
        app.screen.query_one("#coverage-on").value = False  # one pool again
        await pilot.pause()
        await advance(pilot)
        assert session.game.history[-1]["you"].sales.coverage is None


async def test_the_qualification_bar_is_set_in_full_mode_and_played_as_shown() -> None:
    session = Session.new(load_scenario("tutorial"), 3, full_mode=True)
    app = JigsawApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#qualify", Input).value = "25"
        await pilot.pause()
        assert session.draft.qualification == pytest.approx(0.25)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, RoundReportScreen)
        body = " ".join(str(w.content) for w in app.screen.query(Static))
        assert "Your qualification bar sent" in body
        await pilot.press("enter")
        await pilot.pause()
        assert session.game.history[-1]["you"].marketing.qualification == 0.25
        assert session.reports[-1].firms["you"].leads_nurtured > 0
        app.screen.query_one("#qualify", Input).value = "101"
        await pilot.pause()
        assert "Qualification bar: must be a number from 0 to 100" in str(
            app.screen.query_one("#problem", Static).content
        )


async def test_leaving_full_mode_drops_the_plan_and_the_bar_so_none_is_played_unseen(
    saves: Path,
) -> None:
    session = Session.new(load_scenario("classic"), 2, full_mode=True)
    app = JigsawApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#coverage-on").value = True
        app.screen.query_one("#qualify", Input).value = "30"
        await pilot.pause()
        assert session.draft.coverage is not None and session.draft.qualification == 0.3
        await pilot.press("f")
        await pilot.pause()
        assert not session.full_mode
        assert session.draft.coverage is None and session.draft.qualification == 0.0
        await pilot.press("f")  # back in full mode the form shows them gone
        await pilot.pause()
        assert app.screen.query_one("#qualify", Input).value == "0"
        assert not app.screen.query_one("#coverage-on").value
        app.screen.query_one("#qualify", Input).value = "20"
        await pilot.pause()
        await advance(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
    loaded = Session.load(session.save_path or session.autosave_path)
    assert loaded.full_mode and loaded.draft.qualification == 0.2  # a save that used the bar


async def test_routes_to_market_are_set_in_full_mode_played_and_shown_in_the_books(
    saves: Path,
) -> None:
    """Classic offers resellers in SMB and self-serve everywhere: the form shows a field for
    each, a share over 100% in a segment is refused in one line, the round plays the routes
    as typed, the round report says what they did, the Books carry the partners' margins and
    the route table, leaving full mode drops them and a save that used them loads in full
    mode."""
    session = Session.new(load_scenario("classic"), 2, full_mode=True)
    app = JigsawApp(session)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        assert not app.screen.query("#partner-mid")  # no partners in mid-market
        app.screen.query_one("#partner-smb", Input).value = "70"
        app.screen.query_one("#online-smb", Input).value = "40"
        await pilot.pause()
        problem = str(app.screen.query_one("#problem", Static).content)
        assert "routes.smb" in problem and "add up to 110%" in problem
        app.screen.query_one("#online-smb", Input).value = "20"
        app.screen.query_one("#margin", Input).value = "35"
        await pilot.pause()
        assert not str(app.screen.query_one("#problem", Static).content)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, RoundReportScreen)
        body = " ".join(str(w.content) for w in app.screen.query(Static))
        assert "Partners took" in body
        lines = dict(statement_rows(session.reports[-1].firms["you"]))
        assert "Sales: partner margins" in lines  # the Books the report shows
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one(TabbedContent).active = "chart-books"
        await pilot.pause()
        table = app.screen.query_one("#books", DataTable)
        rows = {str(table.get_row_at(k)[0]): table.get_row_at(k) for k in range(table.row_count)}
        f = session.reports[-1].firms["you"]
        assert str(rows["Sales: partner margins"][1]) == money(-f.partner_margins)
        assert str(rows["Deals: partners"][1]) == f"{f.deals_by_route['partner']:,}"
        played = session.game.history[-1]["you"].routes
        assert played is not None and played.partner == {"smb": 0.7}
        assert played.self_serve["smb"] == 0.2 and played.partner_margin == 0.35
        f = session.reports[-1].firms["you"]
        assert f.deals_by_route["partner"] + f.deals_by_route["self_serve"] > 0
        await pilot.press("ctrl+s")
        await pilot.pause()
        loaded = Session.load(session.save_path)
        assert loaded.full_mode and loaded.draft.partner == {"smb": 0.7}
        await pilot.press("f")
        await pilot.pause()
        assert not session.full_mode and not session.draft.routed


async def test_after_a_round_the_arrows_move_the_split_even_if_a_field_had_the_focus() -> None:
    """A playtester typed a budget, played the round, and found the arrows moving the text
    cursor in the budget field instead of the split."""
    session = Session.new(load_scenario("classic"), 1)
    app = JigsawApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#budget").focus()
        await pilot.pause()
        await advance(pilot)
        await pilot.pause()
        before = session.draft.marketing_share
        await pilot.press("right")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#split")
        assert session.draft.marketing_share == pytest.approx(before + 0.05)
