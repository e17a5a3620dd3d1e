"""Charts over the rounds, drawn with textual-plotext."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import TabbedContent, TabPane
from textual_plotext import PlotextPlot

from sim.report import RoundReport
from sim.scenario import Scenario


class GameCharts(Vertical):
    """Revenue and profit, awareness by segment, market share by firm."""

    DEFAULT_CSS = (
        "GameCharts { height: 1fr; min-height: 12; } GameCharts PlotextPlot { height: 1fr; }"
    )

    def compose(self) -> ComposeResult:
        with TabbedContent():
            with TabPane("Revenue & profit", id="chart-money"):
                yield PlotextPlot(id="plot-money")
            with TabPane("Awareness", id="chart-awareness"):
                yield PlotextPlot(id="plot-awareness")
            with TabPane("Share", id="chart-share"):
                yield PlotextPlot(id="plot-share")

    def show(self, reports: list[RoundReport], scenario: Scenario, player: str) -> None:
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

        plot, plt = prepare("plot-awareness", "Your awareness by segment (%)")
        if rounds:
            for seg in scenario.segments:
                plt.plot(
                    rounds,
                    [100 * r.firms[player].awareness[seg.id] for r in reports],
                    label=seg.label,
                    marker="braille",
                )
        plot.refresh()

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
