"""End of game: the balanced scorecard, the ranking and a debrief."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, ProgressBar, Static
from textual_plotext import PlotextPlot

from sim.model.gauge import rho_text
from sim.model.scenario import MEASURE_LABELS
from sim.narrative import goal_line, money
from tui.session import Session
from tui.widgets.boards import GoalBoard
from tui.widgets.charts import GameCharts
from tui.widgets.footer import KeyBar

SHARES = [round(0.1 * k, 1) for k in range(11)]


class Scorecard(Screen):
    """The scorecard and the debrief; the hindsight search runs in a worker."""

    BINDINGS = [
        Binding("ctrl+n", "new_game", "New game"),
        Binding("n", "game_over", show=False),
    ]

    def __init__(self, session: Session, search: bool = True) -> None:
        super().__init__()
        self.session = session
        self.search = search
        self.hindsight_done = False  # the hindsight search and the luck line are on screen

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="columns"):
            with VerticalScroll(id="left", classes="panel") as left:
                left.border_title = "Balanced scorecard"
                yield Static(id="goals")
                yield Static(id="luck")
                yield Static(id="ranking")
                yield Static(id="splits")
                yield GameCharts(id="charts")
            with VerticalScroll(id="middle", classes="panel") as panel:
                panel.border_title = "In hindsight"
                yield Static(id="hindsight")
                yield ProgressBar(total=len(SHARES), id="hindsight-progress", show_eta=False)
                yield PlotextPlot(id="hindsight-plot")
        yield KeyBar()

    def on_mount(self) -> None:
        s = self.session
        self.title = f"Jigsaw · {s.scenario.meta.name}"
        self.sub_title = "Game over" if s.finished else s.round_label
        goals = s.goals()
        shown = self.query_one("#goals", Static)
        shown.display = bool(goals)
        if goals:
            met = sum(1 for g in goals if g.status == "met")
            text = Text(f"Your goals: {met} of {len(goals)} met\n", style="bold")
            for check in goals:
                text.append(goal_line(check) + "\n", style=GoalBoard.STYLE[check.status])
            shown.update(text)
        ranking = self.query_one("#ranking", Static)
        ranking.update(self.ranking())
        ranking.tooltip = Text("\n".join(f.label for f in s.scenario.firms))  # names in full
        self.query_one("#splits", Static).update(self.splits())
        self.query_one(GameCharts).show(s.reports, s.scenario, s.player)
        if self.search and s.reports:
            self.query_one("#hindsight", Static).update(
                Text("Replaying the game at fixed splits, same seed...", style="dim")
            )
            self.look_back()
        else:
            self.query_one("#luck").display = False
            self.query_one("#hindsight-progress").display = False
            self.query_one("#hindsight-plot").display = False
            if s.submits:  # a class seat: the instructor's debrief looks back instead
                self.query_one("#middle").display = False

    def on_resize(self) -> None:
        """Under 100 columns the panels stack (the look back had 16 columns at 80x24)."""
        self.set_class(self.size.width < 100, "narrow")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_game" and self.session.submits:
            return False  # a team stays in its class
        return True

    def ranking(self) -> Table:
        s = self.session
        score = s.game.score()
        weights = s.scenario.scoring.weights()
        table = Table(
            expand=True, box=None, title="Ranking", title_style="bold", collapse_padding=True
        )
        table.add_column("#")
        table.add_column("Firm", ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column("Total", justify="right")
        for m in weights:
            table.add_column(MEASURE_LABELS[m], justify="right")
        for fid, row in sorted(score.items(), key=lambda kv: kv[1]["rank"]):
            name = Text(("▶ " if fid == s.player else "  ") + s.scenario.firm(fid).label)
            style = "bold" if fid == s.player else ""
            table.add_row(
                str(row["rank"]),
                name,
                f"{row['total']:.1f}",
                *(f"{v:.0f}" for v in row["scores"].values()),
                style=style,
            )
        return table

    def splits(self) -> Table:
        s = self.session
        table = Table(expand=True, box=None, title="Your rounds", title_style="bold")
        columns = ["Round", "Marketing %", "Budget", "Profit", "rho", "Cold"]
        if s.submits:
            columns.append("Decided")  # a class seat: submitted, carried or by the instructor
        for col in columns:
            table.add_column(col, justify="right")
        for r, decided in zip(s.reports, s.game.history, strict=False):
            f = r.firms[s.player]
            d = decided.get(s.player)
            how = [s.how(r.round)] if s.submits else []
            table.add_row(
                str(r.round),
                f"{d.marketing_share:.0%}" if d else "-",
                money(d.total_budget) if d else "-",
                money(f.profit),
                "-" if f.alignment_ratio is None else rho_text(f.alignment_ratio),
                str(f.leads_cold),
                *how,
            )
        total = sum(r.firms[s.player].profit for r in s.reports)
        table.add_row(
            "all", "", "", money(total), "", "", *([""] if s.submits else []), style="bold"
        )
        return table

    @work(thread=True, exclusive=True, group="hindsight")
    def look_back(self) -> None:
        bar = self.query_one("#hindsight-progress", ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, progress=done)

        results = self.session.hindsight(SHARES, progress=progress)
        self.app.call_from_thread(self._show_hindsight, results)
        luck = self.query_one("#luck", Static)
        self.app.call_from_thread(
            luck.update,
            Text("Luck: replaying your decisions over other draws of luck...", style="dim"),
        )
        line = self.session.luck()
        self.app.call_from_thread(self._show_luck, line)

    def _show_luck(self, line: str) -> None:
        self.query_one("#luck", Static).update(Text(line + "\n"))
        self.hindsight_done = True

    def _show_hindsight(self, results: list[tuple[float, float, float]]) -> None:
        s = self.session
        mine = sum(r.firms[s.player].profit for r in s.reports)
        score = s.game.score()[s.player]["total"]
        played = [h[s.player] for h in s.game.history if s.player in h]
        spent = sum(d.marketing.budget for d in played)
        total = sum(d.marketing.budget + d.sales.budget for d in played)
        split = spent / total if total > 0 else 0.0
        best = max(results, key=lambda t: t[1])
        text = Text()
        text.append(
            f"Like for like (your own decisions every round, only the marketing/sales split "
            f"changed; same seed and rivals' rules), the most profitable fixed split would have "
            f"been {best[0]:.0%} marketing: profit {money(best[1])}, score {best[2]:.0f}, against "
            f"your {money(mine)} and {score:.0f} at {split:.0%} on average.\n\n"
        )
        plot = self.query_one("#hindsight-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Profit over the game (thousands) by fixed marketing share; yours among them")
        plt.xlabel("profit over the game, thousands")
        # your own game sits among the fixed splits, where its average split falls
        bars = sorted(
            [(share, f"{share:.0%}", p) for share, p, _ in results]
            + [(split, f"you {split:.0%}", mine)],
            key=lambda bar: bar[0],
        )
        plt.bar(
            [label for _, label, _ in bars],
            [p / 1e3 for _, _, p in bars],
            orientation="horizontal",
            width=0.6,
        )
        plot.refresh()
        self.query_one("#hindsight", Static).update(text)
        self.query_one("#hindsight-progress").display = False

    def action_game_over(self) -> None:
        """n advanced rounds; here the game is over, so say so instead of leaving."""
        self.notify("The game is over. ctrl+n starts a new one; q quits.")

    def action_new_game(self) -> None:
        self.app.new_game()
