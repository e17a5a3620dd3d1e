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
from textual.widgets import Button, Header, Static

from sim.model.errors import InputError
from sim.model.forecast import DRAWS, LEVEL, band
from sim.model.gauge import rho_text
from sim.model.report import RoundReport
from sim.model.research import last_known, redact
from sim.narrative import money
from tui.screens.dialogs import Confirm
from tui.screens.tour import Tour, tour_taken
from tui.session import Session
from tui.widgets.boards import AlignmentGauge, Funnel, GoalBoard, KpiBoard, NewsFeed, RivalBoard
from tui.widgets.charts import GameCharts
from tui.widgets.decision_form import DecisionForm
from tui.widgets.footer import KeyBar

POLL_SECONDS = 2.0  # a class seat looks for the instructor's advance this often


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
        Binding("n", "submit", "Submit decisions"),  # a class seat: only one of the two shows
        Binding("w", "whatif", "What-if"),
        Binding("f", "toggle_full", "Full/simple"),
        Binding("u", "undo", "Undo"),
        # On a small terminal the panels stack in one scrolling page: page keys move the page
        # from any field (a panel's own scrolling has nothing to scroll there).
        Binding("pagedown", "page(1)", show=False, priority=True),
        Binding("pageup", "page(-1)", show=False, priority=True),
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
                    if self.session.can_forecast:
                        yield Button("What-if (w)", id="whatif")
                    label = "Submit (n)" if self.session.submits else "Advance (n)"
                    yield Button(label, id="advance", variant="primary")
                yield Static(id="forecast", markup=False)
            with Vertical(id="middle"):
                yield panel("Last round", KpiBoard(), id="kpis")
                yield GameCharts(id="charts", classes="panel")
            with VerticalScroll(id="right"):
                if self.session.scenario.meta.goals:
                    yield panel("Goals", GoalBoard(), id="goals")
                yield panel("Alignment", AlignmentGauge())
                yield panel("Funnel", Funnel())
                yield panel("Market", RivalBoard())
                yield panel("News", NewsFeed())
        yield KeyBar()

    def on_mount(self) -> None:
        self.show_state()
        self.query_one("#split").focus()
        s = self.session
        if s.scenario.meta.tour and not s.submits and s.game.round == 0 and not tour_taken():
            self.call_after_refresh(self.action_tour)
        if self.session.submits:
            self.set_interval(POLL_SECONDS, self.poll_class)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A class seat submits (n) and has no what-if; a solo game advances (n)."""
        if action == "whatif":
            return self.session.can_forecast
        if action == "advance":
            return not self.session.submits
        if action == "submit":
            return self.session.submits
        if action == "undo":
            return self.session.can_undo and bool(self.session.game.history)
        if action == "page":
            return self.has_class("narrow")  # else the key goes to the panel in focus
        return True

    def action_page(self, pages: int) -> None:
        """Scroll the stacked page (narrow terminals) a screenful up or down."""
        columns = self.query_one("#columns")
        columns.scroll_to(
            y=columns.scroll_y + pages * max(1, columns.size.height - 2), animate=False
        )

    def action_tour(self) -> None:
        """The guided tour of this screen (tui/screens/tour.py)."""
        self.app.push_screen(Tour(self, self.session))

    def action_submit(self) -> None:
        self.action_advance()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 110, "narrow")

    # --- state flows down -------------------------------------------------------------------

    def show_state(self) -> None:
        s = self.session
        self.title = f"Jigsaw · {s.scenario.meta.name}"
        self.sub_title = s.round_label if not s.finished else "Game over"
        reports = s.reports
        now = redact(reports[-1].firms[s.player]) if reports else None
        before = redact(reports[-2].firms[s.player]) if len(reports) > 1 else None
        tracker, age = last_known(reports, s.player, "brand_tracker")
        brand = (tracker[s.player]["brand_equity"], age) if tracker and age is not None else None
        self.query_one(KpiBoard).show(now, before, brand, gated=True)
        self.query_one(Funnel).show(now)
        if s.scenario.meta.goals:
            self.query_one(GoalBoard).show(s.goals())
        by_segment = None
        if now is not None and s.full_mode and len(s.scenario.segments) > 1:
            by_segment = [
                (
                    seg.label,
                    now.alignment_by_segment.get(seg.id),
                    now.hunting_slots_by.get(seg.id) if now.hunting_slots_by else None,
                    now.load_by_segment.get(seg.id, 0.0),
                )
                for seg in s.scenario.segments
            ]
        self.query_one(AlignmentGauge).show(
            now.alignment_ratio if now else None,
            now is not None,
            by_segment,
            outlook=now.alignment_outlook if now and not s.finished else None,
            advice=now.gauge_reading if now else None,
        )
        brands = {
            fid: f"{v['brand_equity']:.0f}" + (f" ({age}r)" if age else "")
            for fid, v in (tracker or {}).items()
        }
        if not reports:  # the scenario's starting figures are public
            brands = {f.id: f"{f.brand_equity:.0f}" for f in s.scenario.firms}
            if s.public_only:
                brands = {s.player: brands[s.player]}
        self.query_one(RivalBoard).show(s.last, s.scenario, s.player, brands=brands)
        self.query_one(NewsFeed).show(reports, s.announcements())
        targeting = s.draft.targeting or s.scenario.default_targeting()
        focus = max(targeting, key=lambda k: targeting[k]) if targeting else None
        self.query_one(GameCharts).show(reports, s.scenario, s.player, gated=True, segment=focus)
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

    def action_undo(self) -> None:
        """Solo play: take the last round back (the game replays to the round before)."""
        if self.busy or not self.session.can_undo:
            return
        try:
            open_round = self.session.undo()
        except InputError as exc:
            self.notify(exc.message, severity="warning")
            return
        self.query_one(DecisionForm).load_draft()
        self.query_one("#forecast", Static).update("")
        self.forecast_shown = False
        self.show_state()
        self.refresh_bindings()
        self.notify(
            f"Back to round {open_round}: its decisions are in the form, play them again or "
            "change them.",
            title="Went back a round",
        )

    def action_leave_field(self) -> None:
        """Escape from a number field back to the split bar, where n, w and f work."""
        self.query_one("#split").focus()

    def action_toggle_full(self) -> None:
        form = self.query_one(DecisionForm)
        dropped = form.set_full_mode(not self.session.full_mode)
        if self.session.full_mode:
            self.notify("Full decisions mode")
        else:
            self.notify(
                "Simple mode"
                + (f"; dropped {' and '.join(dropped)} (full mode sets them)" if dropped else "")
            )

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
        if self.session.confirm_overrun():

            def answer(yes: bool | None) -> None:
                if yes:
                    self._go()

            verb = "Submit" if self.session.submits else "Play"
            self.app.push_screen(
                Confirm(
                    "Spend beyond your budget?", self.session.over_budget(), yes=f"{verb} anyway"
                ),
                answer,
            )
            return
        self._go()

    def _go(self) -> None:
        self.busy = True
        self.query_one("#advance", Button).loading = True
        self.advance_round()

    @work(thread=True, exclusive=True, group="advance")
    def advance_round(self) -> None:
        try:
            result = self.session.advance()
        except InputError as exc:
            self.app.call_from_thread(self._advance_failed, str(exc))
            return
        if result.report is not None:
            self.app.call_from_thread(self._advanced, result.report)
            if self.session.autosave_problem:
                self.app.call_from_thread(
                    self.notify,
                    f"{self.session.autosave_problem}. The round was played; save the game "
                    "somewhere else (command palette: Save game) before you quit.",
                    title="Autosave failed",
                    severity="error",
                    timeout=20,
                )
        elif result.submitted is not None:
            self.app.call_from_thread(self._submitted, result.submitted)

    def _submitted(self, round_no: int) -> None:
        self.busy = False
        self.query_one("#advance", Button).loading = False
        self.sub_title = self.session.round_label
        self.notify(
            f"Your decisions for round {round_no} are in. You may change and resubmit them "
            "until the instructor closes the round.",
            title="Submitted",
        )

    def poll_class(self) -> None:
        """A class seat: has the instructor closed the round? (Not while a round report or a
        dialog is open: the next look happens when the player is back.)"""
        if not self.busy and self.app.screen is self:
            self.check_closed()

    @work(thread=True, exclusive=True, group="poll")
    def check_closed(self) -> None:
        try:
            reports = self.session.poll()
        except Exception as exc:  # noqa: BLE001 - a class file in trouble must not end the game
            message = str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(
                self.notify, message, title="Cannot read the class", severity="error"
            )
            return
        news = self.session.news()
        # the title's time left (a deadline set, moved or cleared, or just a minute gone)
        self.app.call_from_thread(setattr, self, "sub_title", self.session.round_label)
        if reports:
            self.app.call_from_thread(self._advanced, reports[-1])
        elif news:
            self.app.call_from_thread(self._changed_elsewhere)
        for line in news:
            self.app.call_from_thread(
                self.notify, line, title="From your class", severity="warning", timeout=15
            )

    def _changed_elsewhere(self) -> None:
        """The class changed under this seat (a rollback, a submission from another screen):
        the boards and the form show it."""
        self.sub_title = self.session.round_label
        form = self.query_one(DecisionForm)
        if self.session.full_mode and form.has_class("simple"):  # shown, never played unseen
            form.set_full_mode(True)
        form.load_draft()
        self.show_state()

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
        if self.busy or not self.session.can_forecast:
            return
        if self.session.finished:
            self.notify("The game is over.")
            return
        problem = self.query_one(DecisionForm).problem()
        if problem:
            self.notify(problem, title="No forecast for these decisions", severity="error")
            return
        self.query_one("#forecast", Static).update(
            Text(f"Forecasting the next round ({DRAWS} draws of luck)...", style="dim")
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
            reports = self.session.forecast(DRAWS, progress)
        except InputError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._show_forecast, at_round, reports)

    def _show_forecast(self, at_round: int, reports: list[RoundReport]) -> None:
        if at_round != self.session.game.round:
            return  # the round was played meanwhile: this forecast is stale
        p = self.session.player
        firms = [r.firms[p] for r in reports]
        title = (
            f"What-if: {self.session.round_label}, {LEVEL:.0%} interval over "
            f"{len(firms)} draws of luck"
        )
        # narrow enough for the decisions column beside its scrollbar: no padding at the
        # table's edges, labels never wrapped
        table = Table(title=title, expand=True, title_style="bold", box=None, pad_edge=False)
        table.add_column("", no_wrap=True)
        for name in ("low", "median", "high"):
            table.add_column(name, justify="right")

        def row(name: str, values: list[float], fmt) -> None:
            low, mid, high = band(values)
            table.add_row(name, fmt(low), fmt(mid), fmt(high))

        row("Revenue", [f.revenue for f in firms], money)
        row("Profit", [f.profit for f in firms], money)
        row("Customers", [f.total_customers for f in firms], lambda x: f"{x:.0f}")
        row("Deals won", [f.deals_won for f in firms], lambda x: f"{x:.0f}")
        row("Leads cold", [f.leads_cold for f in firms], lambda x: f"{x:.0f}")
        rhos = [f.alignment_ratio for f in firms]
        if any(r is None for r in rhos):
            table.add_row("rho", *(["no reps"] * 3))
        else:
            row("rho", rhos, rho_text)
        forecast = self.query_one("#forecast", Static)
        forecast.update(table)
        # once laid out at its new height (before, it scrolled to the forecast's old size and
        # left most of it below the fold at 80x24)
        self.call_after_refresh(forecast.scroll_visible, animate=False)
        self.forecast_shown = True
