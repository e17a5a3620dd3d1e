"""The game so far, round by round: your decisions and results, every firm's public figures,
and you by segment (`h` in the boardroom and on the scorecard; escape closes it)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from sim.model.gauge import rho_text
from sim.numbers import money
from tui.session import Session
from tui.widgets.decision_form import STUDY_LABELS


class History(ModalScreen[None]):
    """Three tables over the rounds played: what you decided and what came of it; what anyone
    can see of every firm (share, price, revenue, customers); your deals, customers, share of
    accounts and churn by segment."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("h", "close", show=False)]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="history-panel") as panel:
            panel.border_title = "History (escape closes)"
            yield Static("Your decisions and results", classes="table-title")
            yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
            yield Static("Every firm's public figures", classes="table-title")
            yield DataTable(id="rivals", cursor_type="row", zebra_stripes=True)
            yield Static("You by segment", classes="table-title")
            yield DataTable(id="segments", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        s = self.session
        reports, scenario, player, history = s.reports, s.scenario, s.player, s.game.history
        mine = self.query_one("#history", DataTable)
        for col in (
            "round",
            "budget",
            "marketing",
            "price",
            "R&D",
            "revenue",
            "profit",
            "won",
            "customers",
            "rho",
            "studies",
        ):  # fmt: skip  (studies last: a long list must not push the figures off a narrow screen)
            mine.add_column(col, key=col)
        if not reports:
            mine.add_row(Text("Nothing yet: the history starts after the first round."))
        for r in reports:
            f = r.firms[player]
            d = history[r.round - 1].get(player) if r.round <= len(history) else None
            rho = "-" if f.alignment_ratio is None else rho_text(f.alignment_ratio)
            mine.add_row(
                str(r.round),
                money(d.total_budget) if d else "-",
                f"{d.marketing_share:.0%}" if d else "-",
                f"{d.price:.2f}" if d else "-",
                f"{d.product_share:.0%}" if d else "-",
                money(f.revenue),
                money(f.profit),
                str(f.deals_won),
                f"{f.total_customers:.0f}",
                rho,
                Text(", ".join(STUDY_LABELS[x] for x in d.research) if d and d.research else "-"),
            )
        rivals = self.query_one("#rivals", DataTable)
        for col in ("round", "firm", "share", "price", "revenue", "customers"):
            rivals.add_column(col, key=col)
        names = {firm.id: firm.label for firm in scenario.firms}
        for r in reports:
            for fid, p in r.public().items():
                label = names[fid] + (" (you)" if fid == player else "")
                label += " (bankrupt)" if p["bankrupt"] else ""
                rivals.add_row(
                    str(r.round),
                    Text(label),
                    f"{p['market_share']:.0%}",
                    f"{p['price']:.2f}",
                    money(p["revenue"]),
                    f"{p['customers']:.0f}",
                )
        by = self.query_one("#segments", DataTable)
        for col in ("round", "segment", "deals won", "customers", "share of accounts", "churned"):
            by.add_column(col, key=col)
        for r in reports:
            f = r.firms[player]
            for seg in scenario.segments:
                share = r.segments[seg.id].share.get(player) if seg.id in r.segments else None
                by.add_row(
                    str(r.round),
                    Text(seg.label),
                    str(f.deals_won_by.get(seg.id, 0)),
                    f"{f.customers.get(seg.id, 0):.0f}",
                    "-" if share is None else f"{share:.1%}",
                    f"{f.churned_by.get(seg.id, 0):.0f}",
                )

    def action_close(self) -> None:
        self.dismiss(None)
