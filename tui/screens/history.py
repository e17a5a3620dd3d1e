"""The game so far, round by round: your decisions and results, every firm's public figures,
and you by segment (`h` in the boardroom and on the scorecard; escape closes it)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from sim.history import history_tables
from tui.session import Session

KEYS = ("history", "rivals", "segments")  # the widget ids of the three tables


class History(ModalScreen[None]):
    """Three tables over the rounds played: what you decided and what came of it; what anyone
    can see of every firm (share, price, revenue, customers); your deals, customers, share of
    accounts and churn by segment."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("h", "close", show=False)]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.tables = history_tables(
            session.scenario, session.reports, session.game.history, session.player
        )

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="history-panel") as panel:
            panel.border_title = "History (escape closes)"
            for table, key in zip(self.tables, KEYS, strict=True):
                yield Static(table.title, classes="table-title")
                yield DataTable(id=key, cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for table, key in zip(self.tables, KEYS, strict=True):
            widget = self.query_one(f"#{key}", DataTable)
            for col in table.columns:
                widget.add_column(col, key=col)
            for row in table.rows:  # cells as Text: names typed by users are never markup
                widget.add_row(*(Text(cell) for cell in row))
        if not self.session.reports:
            self.query_one("#history", DataTable).add_row(
                Text("Nothing yet: the history starts after the first round.")
            )

    def action_close(self) -> None:
        self.dismiss(None)
