"""Books that add up: every round's income statement equals the ledger to the cent, the
boardroom's Books tab and the round report show it, the draft's cash after spending counts
every cost, and spending beyond the budget is warned about (and asked about when large)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, TabbedContent

from sim import Game, load_scenario
from sim.model.errors import InputError
from sim.model.rivals import strategy
from sim.numbers import money
from tests.test_tui import settle
from tui.app import JigsawApp
from tui.screens.boardroom import Boardroom
from tui.screens.dialogs import Confirm
from tui.screens.history import History
from tui.screens.round_report import RoundReportScreen
from tui.session import Session


@pytest.fixture(autouse=True)
def saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JIGSAW_SAVE_DIR", str(tmp_path / "saves"))
    return tmp_path / "saves"


@pytest.mark.parametrize("name", ["tutorial", "classic", "enterprise", "recession", "channels"])
def test_every_income_statement_adds_up_to_the_ledger_to_the_cent(name: str) -> None:
    game = Game(load_scenario(name), 5)
    play = strategy("adaptive")
    game.play(lambda g, fid: play(g.view(fid)))
    for report in game.reports:
        for firm in report.firms.values():
            lines = firm.statement()
            assert sum(round(v * 100) for _, v in lines) == round(firm.profit * 100)
            assert dict(lines)["Fixed costs"] == -firm.fixed_costs
            assert dict(lines)["Cost of revenue"] == -firm.cost_of_revenue
    cash = [r.firms["you"].cash for r in game.reports]
    start = game.scenario.firm("you").cash
    for k, report in enumerate(game.reports):  # cash moves by exactly the operating profit
        before = start if k == 0 else cash[k - 1]
        assert round(cash[k] - before, 2) == round(report.firms["you"].profit, 2)


def test_cash_after_spending_counts_hires_severance_studies_and_fixed_costs() -> None:
    session = Session.new(load_scenario("tutorial"), 1)
    econ = session.scenario.economics_for(session.scenario.firm("you"))
    session.draft.budget = 600_000  # far more sales budget: many hires
    x = session.derived()
    assert x["hires"] > 0 and x["hiring"] == x["hires"] * econ.hiring_cost
    assert x["spend"] == pytest.approx(x["marketing"] + x["sales"] + x["product"] + x["hiring"])
    assert x["cash_after"] == pytest.approx(x["cash"] - x["spend"] - econ.fixed_costs_per_round)
    session.draft.budget = 50_000  # fewer reps than today: severance
    y = session.derived()
    assert y["fires"] > 0 and y["severance"] > 0
    assert "severance" in session.over_budget()


def test_spending_beyond_the_budget_is_named_and_a_large_overrun_asks_first() -> None:
    session = Session.new(load_scenario("tutorial"), 1)
    assert "hiring" in session.over_budget() and not session.confirm_overrun()  # the default
    session.draft.budget = 20_000
    assert session.confirm_overrun() and "over your budget of 20k" in session.over_budget()


async def test_a_large_overrun_asks_before_the_round_is_played() -> None:
    session = Session.new(load_scenario("tutorial"), 1)
    session.draft.budget = 20_000  # letting most reps go costs severance beyond this budget
    app = JigsawApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, Confirm) and "over your budget" in app.screen.note
        await pilot.press("n")  # no: nothing is played
        await pilot.pause()
        assert isinstance(app.screen, Boardroom) and session.game.round == 0
        await pilot.press("n", "y")
        await settle(pilot)
        assert session.game.round == 1 and isinstance(app.screen, RoundReportScreen)


async def test_the_books_tab_and_the_round_report_show_the_ledger() -> None:
    session = Session.new(load_scenario("classic"), 2)
    app = JigsawApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
            report = app.screen
            assert isinstance(report, RoundReportScreen)
            shown = report.books()
            mine = session.game.reports[-1].firms["you"]
            rows = [str(cell) for cell in shown.columns[1].cells]
            assert money(mine.profit) in rows and money(-mine.fixed_costs) in rows
            await pilot.press("enter")
            await pilot.pause()
        app.screen.query_one(TabbedContent).active = "chart-books"
        await pilot.pause()
        table = app.screen.query_one("#books", DataTable)
        names = [str(table.get_row_at(k)[0]) for k in range(table.row_count)]
        assert names[0] == "Revenue" and "Fixed costs" in names and "Cost of revenue" in names
        profit = table.get_row_at(names.index("Operating profit"))
        mine = [r.firms["you"] for r in session.game.reports][::-1]  # newest round first
        assert [str(c.label) for c in table.ordered_columns[1:5]] == ["R3", "R2", "R1", "Total"]
        assert [str(c) for c in profit[1:4]] == [money(f.profit) for f in mine]
        assert str(profit[4]) == money(sum(f.profit for f in mine))
        fixed = table.get_row_at(names.index("Fixed costs"))
        assert [str(c) for c in fixed[1:4]] == [money(-f.fixed_costs) for f in mine]
        # classic has routes to market: the books by route, the reps' own revenue among them
        reps = table.get_row_at(names.index("Revenue: your reps"))
        assert [str(c) for c in reps[1:4]] == [money(f.revenue_by_route["direct"]) for f in mine]
        assert {"Deals: partners", "Customers: self-serve"} <= set(names)
        assert "Sales: partner margins" not in names  # a cost a direct seller never had


async def test_the_history_tab_shows_your_rounds_every_firms_public_figures_and_segments() -> None:
    session = Session.new(load_scenario("classic"), 2)
    app = JigsawApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        for share in ("left", "right"):
            await pilot.press(share)
            await pilot.press("n")
            await settle(pilot)
            await pilot.press("enter")
            await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, History)
        game = session.game
        mine = app.screen.query_one("#history", DataTable)
        assert mine.row_count == 2
        assert [str(mine.get_row_at(k)[2]) for k in range(2)] == [
            f"{h['you'].marketing_share:.0%}" for h in game.history
        ]
        second = list(mine.rows)[1]  # the column by its key: studies moved to the end
        assert str(mine.get_cell(second, "profit")) == money(game.reports[1].firms["you"].profit)
        rivals = app.screen.query_one("#rivals", DataTable)
        firms = len(session.scenario.firms)
        assert rivals.row_count == 2 * firms
        last = game.reports[1].public()
        row = rivals.get_row_at(firms + 1)  # round 2, the second firm
        fid = session.scenario.firms[1].id
        assert str(row[1]) == session.scenario.firms[1].label
        assert str(row[4]) == money(last[fid]["revenue"])
        segments = app.screen.query_one("#segments", DataTable)
        assert segments.row_count == 2 * len(session.scenario.segments)
        won = sum(int(str(segments.get_row_at(k)[2])) for k in range(segments.row_count))
        assert won == sum(r.firms["you"].deals_won for r in game.reports)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, Boardroom)


def test_the_studies_come_and_one_study_comes_on_top_of_the_budget() -> None:
    session = Session.new(load_scenario("classic"), 1)
    session.draft.budget = 20_000
    session.draft.research = ["brand_tracker", "win_loss"]
    assert "the studies (" in session.over_budget() and ") come on top" in session.over_budget()
    session.draft.research = ["brand_tracker"]
    assert "the study (" in session.over_budget()


def test_a_round_whose_hiring_takes_it_past_cash_plus_credit_is_refused() -> None:
    """The budget alone fits cash plus credit; the reps it hires do not: a round played so
    would bankrupt the firm at once, so it is refused like a budget beyond cash plus credit."""
    session = Session.new(load_scenario("classic"), 3)
    session.draft.budget = 1_900_000
    session.draft.marketing_share = 0.0
    x = session.derived()
    assert session.draft.budget <= session.view().room < x["spend"]
    with pytest.raises(InputError, match=r"with [\d,]+ of hiring and severance\) is more than"):
        session.decision()
    session.draft.budget = 1_000_000  # fits, hires included
    session.decision()
