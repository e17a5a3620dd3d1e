"""The boardroom: decide the next round, see the last one, watch the market."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Static

from sim.errors import InputError
from sim.report import RoundReport
from tui.narrative import money
from tui.session import Session
from tui.widgets.boards import AlignmentGauge, Funnel, KpiBoard, NewsFeed, RivalBoard
from tui.widgets.charts import GameCharts
from tui.widgets.decision_form import DecisionForm

REPLICATIONS = 4


def panel(title: str, board: Widget, id: str | None = None) -> Vertical:
    """A titled, bordered box around one board."""
    box = Vertical(board, id=id, classes="panel")
    box.border_title = title
    return box


class Boardroom(Screen):
    """The main screen of a solo game."""

    BINDINGS = [
        Binding("escape", "leave_field", "Leave field", show=False),
        Binding("n", "advance", "Advance round"),
        Binding("w", "whatif", "What-if"),
        Binding("f", "toggle_full", "Full/simple"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.busy = False
        self.forecast_shown = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="columns"):
            with VerticalScroll(id="left", classes="panel") as left:
                left.border_title = "Your decisions"
                yield DecisionForm(self.session, id="form")
                with Horizontal(id="actions"):
                    yield Button("What-if (w)", id="whatif")
                    yield Button("Advance (n)", id="advance", variant="primary")
                yield Static(id="forecast")
            with Vertical(id="middle"):
                yield panel("Last round", KpiBoard(), id="kpis")
                yield GameCharts(id="charts", classes="panel")
            with VerticalScroll(id="right"):
                yield panel("Alignment", AlignmentGauge())
                yield panel("Funnel", Funnel())
                yield panel("Market", RivalBoard())
                yield panel("News", NewsFeed())
        yield Footer()

    def on_mount(self) -> None:
        self.show_state()
        self.query_one("#split").focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 110, "narrow")

    # --- state flows down -------------------------------------------------------------------

    def show_state(self) -> None:
        s = self.session
        self.title = f"Jigsaw · {s.scenario.meta.name}"
        self.sub_title = s.round_label if not s.finished else "Game over"
        reports = s.reports
        now = reports[-1].firms[s.player] if reports else None
        before = reports[-2].firms[s.player] if len(reports) > 1 else None
        self.query_one(KpiBoard).show(now, before)
        self.query_one(Funnel).show(now)
        self.query_one(AlignmentGauge).show(now.alignment_ratio if now else None, now is not None)
        self.query_one(RivalBoard).show(s.last, s.scenario, s.player)
        self.query_one(NewsFeed).show(reports)
        self.query_one(GameCharts).show(reports, s.scenario, s.player)
        self.query_one(DecisionForm).refresh_derived()

    # --- actions ----------------------------------------------------------------------------

    @on(Button.Pressed, "#advance")
    def _advance_pressed(self) -> None:
        self.action_advance()

    @on(Button.Pressed, "#whatif")
    def _whatif_pressed(self) -> None:
        self.action_whatif()

    @on(DecisionForm.Edited)
    def _edited(self) -> None:
        if self.forecast_shown:
            self.forecast_shown = False
            self.query_one("#forecast", Static).update(
                Text("Decisions changed: press w for a new forecast.", style="dim")
            )

    def action_leave_field(self) -> None:
        """Escape from a number field back to the split bar, where n, w and f work."""
        self.query_one("#split").focus()

    def action_toggle_full(self) -> None:
        form = self.query_one(DecisionForm)
        form.set_full_mode(not self.session.full_mode)
        self.notify("Full decisions mode" if self.session.full_mode else "Simple mode")

    def action_advance(self) -> None:
        if self.busy:
            return
        if self.session.finished:
            self.app.show_scorecard()
            return
        problem = self.query_one(DecisionForm).problem()
        if problem:
            self.notify(problem, title="Cannot play this round", severity="error")
            return
        self.busy = True
        self.query_one("#advance", Button).loading = True
        self.advance_round()

    @work(thread=True, exclusive=True, group="advance")
    def advance_round(self) -> None:
        try:
            report = self.session.advance()
        except InputError as exc:
            self.app.call_from_thread(self._advance_failed, str(exc))
            return
        self.app.call_from_thread(self._advanced, report)

    def _advance_failed(self, message: str) -> None:
        self.busy = False
        self.query_one("#advance", Button).loading = False
        self.notify(message, title="Cannot play this round", severity="error")

    def _advanced(self, report: RoundReport) -> None:
        self.busy = False
        self.query_one("#advance", Button).loading = False
        self.query_one("#forecast", Static).update("")
        self.forecast_shown = False
        self.show_state()
        self.app.show_round_report(report)

    def action_whatif(self) -> None:
        if self.busy:
            return
        if self.session.finished:
            self.notify("The game is over.")
            return
        problem = self.query_one(DecisionForm).problem()
        if problem:
            self.notify(problem, title="No forecast for these decisions", severity="error")
            return
        self.query_one("#forecast", Static).update(
            Text(f"Forecasting the next round ({REPLICATIONS} draws of luck)...", style="dim")
        )
        self.forecast(self.session.game.round)

    @work(thread=True, exclusive=True, group="whatif")
    def forecast(self, at_round: int) -> None:
        status = self.query_one("#forecast", Static)

        def progress(done: int, total: int) -> None:
            note = Text(
                f"Forecasting the next round: {done} of {total} draws of luck...", style="dim"
            )
            self.app.call_from_thread(status.update, note)

        try:
            reports = self.session.forecast(REPLICATIONS, progress)
        except InputError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._show_forecast, at_round, reports)

    def _show_forecast(self, at_round: int, reports: list[RoundReport]) -> None:
        if at_round != self.session.game.round:
            return  # the round was played meanwhile: this forecast is stale
        p = self.session.player
        firms = [r.firms[p] for r in reports]
        table = Table(
            title=f"What-if: {self.session.round_label}", expand=True, title_style="bold", box=None
        )
        table.add_column("")
        table.add_column("low", justify="right")
        table.add_column("high", justify="right")

        def row(name: str, values: list[float], fmt) -> None:
            table.add_row(name, fmt(min(values)), fmt(max(values)))

        row("Revenue", [f.revenue for f in firms], money)
        row("Profit", [f.profit for f in firms], money)
        row("Customers", [f.total_customers for f in firms], lambda x: f"{x:.0f}")
        row("Deals won", [f.deals_won for f in firms], lambda x: f"{x:.0f}")
        row("Leads cold", [f.leads_cold for f in firms], lambda x: f"{x:.0f}")
        rhos = [f.alignment_ratio for f in firms]
        if any(r is None for r in rhos):
            table.add_row("rho", "no reps", "no reps")
        else:
            row("rho", rhos, lambda x: f"{x:.2f}")
        forecast = self.query_one("#forecast", Static)
        forecast.update(table)
        forecast.scroll_visible()
        self.forecast_shown = True
