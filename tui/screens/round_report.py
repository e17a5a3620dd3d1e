"""After each round: what happened, in plain words drawn from the numbers."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from sim.model.report import RoundReport
from sim.narrative import explain, goal_line, statement_rows
from tui.screens.explain import ExplainScreen
from tui.session import Session


class RoundReportScreen(ModalScreen[None]):
    """The round report; escape or enter closes it."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("enter", "close", "Close", show=False),
        Binding("n", "close_on_n", show=False),
        Binding("x", "explain", "Explain"),
    ]

    def __init__(self, session: Session, report: RoundReport) -> None:
        super().__init__()
        self.session = session
        self.report = report

    def compose(self) -> ComposeResult:
        s = self.session
        idx = self.report.round - 1
        before = s.reports[idx - 1] if idx > 0 else None
        lines = s.round_notes(self.report.round) + explain(
            s.scenario, self.report, s.player, before, s.full_mode
        )
        lines += [
            f"Your instructor: {text}" for k, text in s.announcements() if k == self.report.round
        ]
        with Vertical(id="dialog", classes="report"):
            yield Label(
                f"Round {self.report.round} of {s.scenario.meta.rounds}: what happened",
                id="report-title",
            )
            with VerticalScroll(id="report-body"):
                for line in lines:
                    yield Static(Text(f"• {line}"), classes="report-line")
                yield Static(self.books(), id="report-books")
                goals = s.goals(self.report.round)
                if goals:
                    yield Static(Text("Goals", style="bold"), classes="report-line")
                    for check in goals:
                        yield Static(Text(goal_line(check)), classes="report-line")
            with Horizontal(id="report-buttons"):
                yield Button("Continue (enter)", id="close", variant="primary")
                if self.explainable:
                    yield Button("Explain the change (x)", id="explain")

    def books(self) -> Table:
        """The round's income statement: every line adds up to the operating profit."""
        f = self.report.firms[self.session.player]
        table = Table(
            title=f"Income statement ({self.session.scenario.meta.currency})",
            show_header=False,
            box=None,
            title_justify="left",
        )
        table.add_column("line")
        table.add_column("amount", justify="right")
        for name, amount in statement_rows(f):
            bold = name in ("Operating profit", "Cash at the close")
            table.add_row(Text(name, style="bold" if bold else ""), Text(amount))
        return table

    @property
    def explainable(self) -> bool:
        """A round after the first, in a session that explains (solo play)."""
        return self.report.round >= 2 and self.session.can_explain

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "explain":
            return self.explainable
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "explain":
            self.action_explain()
        else:
            self.action_close()

    def action_explain(self) -> None:
        if self.explainable:
            self.app.push_screen(ExplainScreen(self.session, self.report.round))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_close_on_n(self) -> None:
        """The rule for n pressed on the report (often as it opens, meant for the boardroom):
        it closes the report and never acts on the next round; a class seat is told that
        the round on screen is not submitted yet."""
        self.dismiss(None)
        s = self.session
        if s.submits and not s.finished:
            self.app.notify(
                f"Round {self.report.round} closed before that n: {s.round_label}. "
                "Press n again to submit these decisions.",
                title="Not submitted yet",
                severity="warning",
                timeout=12,
            )
