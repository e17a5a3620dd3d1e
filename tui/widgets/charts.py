"""Charts over the rounds, and the perceptual map, drawn with textual-plotext."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, TabbedContent, TabPane
from textual_plotext import PlotextPlot

from sim.model.report import RoundReport
from sim.model.research import last_known
from sim.model.scenario import Scenario
from sim.narrative import statement_lines
from sim.numbers import money

# The routes to market as the Books name them (sim.model.routes.ROUTES).
ROUTE_LABELS = {"direct": "your reps", "partner": "partners", "self_serve": "self-serve"}


class GameCharts(Vertical):
    """Revenue and profit, awareness by segment, market share by firm, the perceptual map.

    gated (the boardroom): awareness and the map show only what studies bought; ungated (the
    scorecard, after the game): the whole truth."""

    DEFAULT_CSS = (
        "GameCharts { height: 1fr; min-height: 12; } GameCharts PlotextPlot { height: 1fr; }"
    )

    map_title = ""  # what the map shows (its title), for screens and tests

    def compose(self) -> ComposeResult:
        with TabbedContent():
            with TabPane("Revenue", id="chart-money"):
                yield PlotextPlot(id="plot-money")
            with TabPane("Awareness", id="chart-awareness"):
                yield PlotextPlot(id="plot-awareness")
            with TabPane("Share", id="chart-share"):
                yield PlotextPlot(id="plot-share")
            with TabPane("Map", id="chart-map"):
                yield PlotextPlot(id="plot-map")
            with TabPane("Books", id="chart-books"):
                # newest round first, as statements put the current period first: the
                # latest figures are always in view; older rounds and the total scroll in
                # from the right while the line names stay
                yield DataTable(id="books", cursor_type="row", zebra_stripes=True, fixed_columns=1)

    def show(
        self,
        reports: list[RoundReport],
        scenario: Scenario,
        player: str,
        gated: bool = False,
        segment: str | None = None,
    ) -> None:
        """segment: whose map to draw (default: the segment the player targets most)."""
        rounds = [r.round for r in reports]
        ticks = list(range(1, scenario.meta.rounds + 1))

        def prepare(plot_id: str, title: str):
            plot = self.query_one(f"#{plot_id}", PlotextPlot)
            plt = plot.plt
            plt.clear_data()
            plt.clear_figure()
            plt.title(title)
            plt.xticks(ticks)
            plt.xlim(0.8, scenario.meta.rounds + 0.2)
            return plot, plt

        plot, plt = prepare("plot-money", "Revenue and profit per round (k)")
        if rounds:
            plt.plot(
                rounds,
                [r.firms[player].revenue / 1e3 for r in reports],
                label="revenue",
                marker="braille",
            )
            plt.plot(
                rounds,
                [r.firms[player].profit / 1e3 for r in reports],
                label="profit",
                marker="braille",
            )
            plt.hline(0.0)
        plot.refresh()

        tracked = [r for r in reports if not gated or "brand_tracker" in r.firms[player].studies]
        title = "Your awareness by segment (%)"
        if gated and not tracked:
            title = "Awareness: unknown (buy a brand tracker)"
        plot, plt = prepare("plot-awareness", title)
        if tracked:
            for seg in scenario.segments:
                plt.plot(
                    [r.round for r in tracked],
                    [100 * r.firms[player].awareness[seg.id] for r in tracked],
                    label=seg.label,
                    marker="braille",
                )
        plot.refresh()
        self.show_map(reports, scenario, player, gated, segment)
        self.show_books(reports, player)

        plot, plt = prepare("plot-share", "Revenue share by firm (%)")
        if rounds:
            for firm in scenario.firms:
                plt.plot(
                    rounds,
                    [100 * r.firms[firm.id].market_share for r in reports],
                    label=firm.label,
                    marker="braille",
                )
        plot.refresh()

    def show_books(self, reports: list[RoundReport], player: str) -> None:
        """The player's income statement, one column a round, newest first, and the total
        over the game: every column adds up to its operating profit (`FirmRound.statement`)."""
        table = self.query_one("#books", DataTable)
        table.clear(columns=True)
        reports = reports[::-1]  # newest first
        mine = [r.firms[player] for r in reports]
        table.add_column("", key="line")
        for r in reports:
            table.add_column(f"R{r.round}", key=f"r{r.round}")
        table.add_column("Total", key="total")
        if not mine:
            table.add_row(Text("The books appear after the first round."))
            return
        for name, values in statement_lines(mine):
            style = "bold" if name == "Operating profit" else ""
            table.add_row(
                Text(name, style=style),
                *(Text(money(v), style=style, justify="right") for v in [*values, sum(values)]),
            )
        table.add_row(
            Text("Cash at the close"),
            *(Text(money(f.cash), justify="right") for f in mine),
            Text(""),
        )
        if mine[-1].revenue_by_route:  # a market with routes to market: the books by route
            for key, label in ROUTE_LABELS.items():
                values = [f.revenue_by_route.get(key, 0.0) for f in mine]
                table.add_row(
                    Text(f"Revenue: {label}"),
                    *(Text(money(v), justify="right") for v in [*values, sum(values)]),
                )
            for key, label in ROUTE_LABELS.items():
                deals = [f.deals_by_route.get(key, 0) for f in mine]
                table.add_row(
                    Text(f"Deals: {label}"),
                    *(Text(f"{v:,}", justify="right") for v in [*deals, sum(deals)]),
                )
            for key, label in ROUTE_LABELS.items():
                table.add_row(
                    Text(f"Customers: {label}"),
                    *(Text(f"{f.customers_by_route.get(key, 0):,}", justify="right") for f in mine),
                    Text(""),
                )

    def show_map(
        self,
        reports: list[RoundReport],
        scenario: Scenario,
        player: str,
        gated: bool,
        segment: str | None,
    ) -> None:
        """Where buyers in one segment place every firm, and what they want (the ideals)."""
        plot = self.query_one("#plot-map", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlim(0, 1)
        plt.ylim(0, 1)
        plt.xlabel("power: simple .. powerful")
        plt.ylabel("service")
        if not scenario.positioning:
            self.map_title = "This market has no perceptual map"
            plt.title(self.map_title)
            plot.refresh()
            return
        if gated:
            found, age = last_known(reports, player, "perceptual_map")
        else:
            found = None
            if reports:
                last = reports[-1]
                found = {
                    "ideals": {s: seg.ideal for s, seg in last.segments.items()},
                    "positions": {fid: dict(f.position) for fid, f in last.firms.items()},
                }
            age = 0
        if found is None:
            self.map_title = "Perceptual map: unknown (buy a perceptual map study)"
            plt.title(self.map_title)
            plot.refresh()
            return
        seg = segment or max(
            scenario.segment_ids,
            key=lambda s: reports[-1].firms[player].awareness.get(s, 0.0) if not gated else 0.0,
        )
        label = next(s.label for s in scenario.segments if s.id == seg)
        when = "" if not age else f", {age} round{'s' if age > 1 else ''} old"
        self.map_title = f"Perceptual map: {label}{when}"
        plt.title(self.map_title)
        for s_id, ideal in found["ideals"].items():
            if ideal is not None:
                name = next(s.label for s in scenario.segments if s.id == s_id)
                plt.scatter([ideal[0]], [ideal[1]], marker="x", label=f"{name} ideal")
        for firm in scenario.firms:
            p = found["positions"].get(firm.id, {}).get(seg)
            if p is not None:
                plt.scatter(
                    [p[0]], [p[1]], marker="o" if firm.id == player else "dot", label=firm.label
                )
        plot.refresh()
