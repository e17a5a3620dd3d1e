"""A round explained: its change in profit and the other measures, split into what caused it
(`sim.experiments.explain`), then the decision's quality against its neighbours
(`sim.experiments.quality`), each computed in a worker while the screen shows its progress
(`x` on the round report; escape or enter closes it)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from sim.experiments.explain import Explanation
from sim.experiments.quality import RoundQuality
from sim.model.errors import InputError
from tui.session import Session


class ExplainScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("enter", "close", "Close", show=False),
        Binding("x", "close", show=False),
    ]

    def __init__(self, session: Session, round_no: int) -> None:
        super().__init__()
        self.session = session
        self.round_no = round_no
        self.explanation: Explanation | None = None
        self.quality: RoundQuality | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="explain"):
            yield Label(
                f"Round {self.round_no} explained: what changed since round {self.round_no - 1}",
                id="report-title",
            )
            with VerticalScroll(id="report-body"):
                yield Static(
                    Text("Playing the round again with each change switched on and off...", "dim"),
                    id="explain-status",
                )
                yield Static(id="explain-line", classes="report-line")
                yield Static(id="explain-quality", classes="report-line")
                yield Static(id="explain-table")
                yield Static(id="explain-notes", classes="report-line")
            yield Button("Close (enter)", id="close", variant="primary")

    def on_mount(self) -> None:
        self.work_out()

    @work(thread=True, exclusive=True, group="explain")
    def work_out(self) -> None:
        status = self.query_one("#explain-status", Static)

        def progress(done: int, total: int) -> None:
            note = Text(f"Explaining: {done} of {total} draws of luck played...", style="dim")
            self.app.call_from_thread(status.update, note)

        try:
            result = self.session.explain(self.round_no, progress)
        except InputError as exc:
            self.app.call_from_thread(status.update, Text(str(exc)))
            return
        self.app.call_from_thread(self._show, result)
        judged = self.query_one("#explain-quality", Static)

        def weighed(done: int, total: int) -> None:
            note = Text(f"Decision quality: {done} of {total} draws of its neighbours...", "dim")
            self.app.call_from_thread(judged.update, note)

        try:
            verdict = self.session.quality(self.round_no, weighed)
        except InputError as exc:
            self.app.call_from_thread(judged.update, Text(str(exc)))
            return
        self.app.call_from_thread(self._show_quality, verdict)

    def _show_quality(self, q: RoundQuality) -> None:
        self.quality = q
        self.query_one("#explain-quality", Static).update(
            Text(
                f"Decision quality (your decision against each lever moved a step, on the "
                f"value the round created, averaged over draws of luck): {q.line()}"
            )
        )

    def _show(self, e: Explanation) -> None:
        self.explanation = e
        self.query_one("#explain-status", Static).update(Text(e.heading(), style="dim"))
        self.query_one("#explain-line", Static).update(Text(e.line()))
        rows = e.rows()
        table = Table(box=None, pad_edge=False, collapse_padding=True)
        for k, head in enumerate(rows[0]):
            table.add_column(head, justify="left" if k == 0 else "right", no_wrap=k == 0)
        for row in rows[1:]:
            bold = row[0] in ("change",)
            table.add_row(*(Text(cell, style="bold" if bold else "") for cell in row))
        self.query_one("#explain-table", Static).update(table)
        self.query_one("#explain-notes", Static).update(Text("\n".join([*e.notes(), e.legend()])))

    def on_button_pressed(self) -> None:
        self.action_close()

    def action_close(self) -> None:
        self.dismiss(None)
