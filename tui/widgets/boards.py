"""Read-only boards of the boardroom: KPIs, the funnel, the alignment gauge, rivals, news."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from sim.model.gauge import ALIGNED, reading, rho_text
from sim.model.goals import GoalCheck
from sim.model.report import FirmRound, RoundReport
from sim.model.scenario import Scenario
from sim.narrative import band, gauge_words, goal_line, money


def _delta(now: float, before: float | None, fmt: str = "pct") -> Text:
    if before is None:
        return Text("")
    diff = now - before
    if fmt == "pct":
        if before == 0:
            return Text("")
        label = f"{diff / abs(before):+.0%}"
    elif fmt == "money":
        label = money(diff) if diff < 0 else "+" + money(diff)
    elif fmt == "pts":
        label = f"{diff * 100:+.1f} pts"
    else:
        label = f"{diff:+.0f}"
    style = "green" if diff > 0 else "red" if diff < 0 else "dim"
    arrow = "▲" if diff > 0 else "▼" if diff < 0 else "="
    return Text(f"{arrow} {label}", style=style)


def _brand(
    now: FirmRound, before: FirmRound | None, known: tuple[float, int] | None, gated: bool
) -> tuple[str, Text]:
    """The brand equity cell: the truth, or what a brand tracker last said, with its age."""
    if not gated:
        return f"{now.brand_equity:.0f}", _delta(
            now.brand_equity, before.brand_equity if before else None, "abs"
        )
    if known is None:
        return "?", Text("buy a tracker", style="dim")
    value, age = known
    return f"{value:.0f}", Text("" if age == 0 else f"{age} rd old", style="dim")


class KpiBoard(Static):
    """Last round's key figures, with the change against the round before."""

    DEFAULT_CSS = "KpiBoard { height: auto; }"

    def show(
        self,
        now: FirmRound | None,
        before: FirmRound | None,
        brand: tuple[float, int] | None = None,
        gated: bool = False,
    ) -> None:
        """gated: brand equity comes only from a brand tracker (`brand` = (value, age in
        rounds), or None if none was ever bought)."""
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column("kpi", style="bold")
        table.add_column("value", justify="right")
        table.add_column("change", justify="right")
        if now is None:
            self.update(Text("No round played yet: set your split and press n.", style="dim"))
            return
        b = before
        rows = [
            ("Revenue", money(now.revenue), _delta(now.revenue, b.revenue if b else None)),
            ("Profit", money(now.profit), _delta(now.profit, b.profit if b else None, "money")),
            ("Cash", money(now.cash), _delta(now.cash, b.cash if b else None)),
            (
                "Market share",
                f"{now.market_share:.1%}",
                _delta(now.market_share, b.market_share if b else None, "pts"),
            ),
            (
                "Brand equity",
                *_brand(now, b, brand, gated),
            ),
            (
                "Customers",
                f"{now.total_customers:.0f}",
                _delta(now.total_customers, b.total_customers if b else None, "abs"),
            ),
        ]
        for name, value, delta in rows:
            table.add_row(name, value, delta)
        self.update(table)


class Funnel(Static):
    """Aware prospects -> leads -> worked / gone cold -> won / lost / still open, for the last
    round."""

    DEFAULT_CSS = "Funnel { height: auto; }"

    def show(self, f: FirmRound | None) -> None:
        if f is None:
            self.update(Text("The funnel appears after the first round.", style="dim"))
            return
        text = Text()
        if f.aware_prospects == f.aware_prospects:  # not nan: a brand tracker was bought
            text.append(f"{f.aware_prospects:>7,.0f}  aware prospects\n")
        else:
            text.append("      ?  aware prospects\n", style="dim")
        text.append(f"{f.leads:>7,}  leads", style="bold")
        text.append(f": {f.leads_inbound} in · {f.leads_referral} ref · {f.leads_outbound} out\n")
        text.append(f"{f.leads_worked:>7,}  worked · ")
        text.append(f"{f.leads_cold} cold\n", style="bold red" if f.leads_cold else "dim")
        text.append(f"{f.deals_won:>7,}  won", style="green")
        text.append(f" · {f.deals_lost} lost")
        if f.win_rate is not None:
            text.append(f" · win rate {f.win_rate:.0%}")
        text.append(f"\n{f.pipeline:>7,}  still open at the close", style="dim")
        self.update(text)


class AlignmentGauge(Static):
    """The alignment ratio rho on a 0..3 scale, the aligned band marked, with what it means."""

    DEFAULT_CSS = "AlignmentGauge { height: auto; }"
    WIDTH = 22
    TOP = 3.0
    STYLE = {"aligned": "green", "idle": "yellow", "room": "yellow", "late": "green"}

    def show(
        self,
        rho: float | None,
        played: bool = True,
        segments: list[tuple[str, float | None, int | None, float]] | None = None,
        outlook: float | None = None,
        advice: str | None = None,
    ) -> None:
        """`segments`: per segment (label, its rho, its hunting slots under a coverage plan
        or None for one pool, its share of the warm workload), shown under the gauge.
        `outlook`: the rho to expect if the decisions are held; `advice`: the gauge's reading
        for the next decision (`FirmRound.gauge_reading`), which the words follow."""
        if not played:
            self.update(Text("rho appears after the first round.", style="dim"))
            return

        def place(x: float | None) -> int:
            value = self.TOP if x is None else min(x, self.TOP)
            return min(self.WIDTH - 1, int(value / self.TOP * self.WIDTH))

        mark = place(rho)
        ahead = None if outlook is None else place(outlook)
        lo, hi = (int(x / self.TOP * self.WIDTH) for x in ALIGNED)
        bar = Text()
        for k in range(self.WIDTH):
            ch = "●" if k == mark else "○" if k == ahead else ("│" if k in (lo, hi) else "─")
            zone = "yellow" if k < lo else "green" if k <= hi else "red"
            bar.append(ch, style=f"bold {zone}" if k in (mark, ahead) else zone)
        label = "∞" if rho is None else rho_text(rho)
        text = Text.assemble(("rho ", "bold"), (label, "bold"), " ●")
        if outlook is not None:
            text.append(f"  if held {rho_text(outlook)} ○", style="bold")
        text.append("\nidle ")
        text.append_text(bar)
        text.append(" cold\n")
        where = advice or reading(rho)
        text.append(gauge_words(where), style=self.STYLE.get(where, "red"))
        text.append(f"\naligned: {band()}", style="dim")
        if segments:
            self._by_segment(text, segments)
        self.update(text)

    def _by_segment(
        self, text: Text, segments: list[tuple[str, float | None, int | None, float]]
    ) -> None:
        """Under a coverage plan each segment's slots and rho; with one pool, where the warm
        workload came from (where a plan's reps would be busy)."""
        if all(slots is None for _, _, slots, _ in segments):
            load = " · ".join(f"{label} {share:.0%}" for label, _, _, share in segments)
            text.append(f"\nwarm load by segment: {load}", style="dim")
            return
        total = sum(slots or 0 for _, _, slots, _ in segments) or 1
        text.append("\nby segment (share of reps, rho):", style="bold")
        for label, seg_rho, slots, _ in segments:
            share = (slots or 0) / total
            if not slots:
                text.append(f"\n {label[:14]:<14} {share:>4.0%}  no reps", style="red")
                continue
            where = reading(seg_rho)
            value = "-" if seg_rho is None else rho_text(seg_rho)
            text.append(
                f"\n {label[:14]:<14} {share:>4.0%}  {value:>5} {where}",
                style=self.STYLE.get(where, "red"),
            )


class RivalBoard(Static):
    """Every firm's public figures from the last round."""

    DEFAULT_CSS = "RivalBoard { height: auto; }"

    def show(
        self,
        report: RoundReport | None,
        scenario: Scenario,
        player: str,
        public_only: bool = False,
        brands: dict[str, str] | None = None,
    ) -> None:
        """public_only: a rival's brand equity is not in the public report (class play).
        brands: what a brand tracker last said per firm (shown instead of the truth)."""
        table = Table(
            box=None,
            expand=True,
            padding=(0, 1),
            show_edge=False,
            collapse_padding=True,
            pad_edge=False,
        )
        table.add_column("Firm", no_wrap=True, overflow="ellipsis", ratio=1)
        table.add_column("Share", justify="right")
        table.add_column("Price", justify="right")
        table.add_column("Brand", justify="right")
        for firm in scenario.firms:
            f = report.firms[firm.id] if report else None
            mine = firm.id == player
            name = Text(("▶ " if mine else "  ") + firm.label)
            style = "bold" if mine else ""
            if f is None:
                brand = "?" if public_only and not mine else f"{firm.brand_equity:.0f}"
                if brands is not None:
                    brand = brands.get(firm.id, "?")
                table.add_row(name, "-", f"{firm.price:.2f}", brand, style=style)
            elif f.bankrupt:
                table.add_row(name, "bankrupt", "-", "-", style="dim")
            else:
                brand = "?" if public_only and not mine else f"{f.brand_equity:.0f}"
                if brands is not None:
                    brand = brands.get(firm.id, "?")
                table.add_row(name, f"{f.market_share:.0%}", f"{f.price:.2f}", brand, style=style)
        self.update(table)
        # A narrow column cuts long names with an ellipsis: hovering shows them in full.
        self.tooltip = Text("\n".join(firm.label for firm in scenario.firms))


class GoalBoard(Static):
    """The scenario's goals and where each stands: met, missed or still open."""

    DEFAULT_CSS = "GoalBoard { height: auto; }"

    STYLE = {"met": "green", "missed": "red", "open": ""}

    def show(self, checks: list[GoalCheck]) -> None:
        text = Text()
        for k, c in enumerate(checks):
            text.append(("\n" if k else "") + goal_line(c), style=self.STYLE[c.status])
        self.update(text)


class NewsFeed(Static):
    """Market events, newest first."""

    DEFAULT_CSS = "NewsFeed { height: auto; }"

    def show(
        self, reports: list[RoundReport], announcements: list[tuple[int, str]] | None = None
    ) -> None:
        """announcements: (round, text) from the instructor of a class, shown first."""
        notes = [f"Instructor (round {k}): {text}" for k, text in reversed(announcements or [])]
        news = [e for r in reversed(reports) for e in r.events]
        if not news and not notes:
            self.update(Text("No market news yet.", style="dim"))
            return
        text = Text()
        for line in notes[:3]:
            text.append(f"• {line}\n", style="bold yellow")
        text.append("\n".join(f"• {e}" for e in news[:6]))
        self.update(text)
