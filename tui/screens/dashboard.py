"""The instructor's dashboard: who has submitted, the leaderboard, close the round, debrief.

It reads the class file every two seconds (in a worker thread), so submissions appear as
teams make them, from terminals, files or browsers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Static

from sim.classroom.store import Classroom, Status, opened
from sim.classroom.when import deadline_time
from sim.experiments.luck import DRAWS
from sim.model.decisions import Decision
from sim.model.errors import InputError
from sim.model.gauge import rho_text
from sim.numbers import money, time_left
from tui.screens.dialogs import Ask, Confirm
from tui.widgets.footer import KeyBar

REFRESH_SECONDS = 2.0


@dataclass(frozen=True)
class Snapshot:
    """What the dashboard shows, read from the class file in one go."""

    name: str
    status: Status
    board: list[tuple[int, str, float, float]]  # the leaderboard: rank, who, score, profit
    events: list[tuple[int, str]]
    log: list[tuple[str, str, str]]
    failed: list[tuple[str, str, str]]  # wrong codes, newest first: (when, team, source)
    paused: bool
    deadline: datetime | None
    last: dict[str, tuple[float, float, float | None]]  # team -> cash, share, rho last round
    scores: dict[str, float]  # team -> its score
    pending: dict[str, Decision]  # team -> its decision for the open round (instructor's eyes)


def snapshot(db: Path, cache: dict[tuple, tuple]) -> Snapshot:
    with opened(db) as room:
        status = room.status()
        closed = status.open_round - 1
        key = (closed, tuple(room.teams))  # a team added or renamed since is read afresh
        if key not in cache:  # replay only when a round has closed since last time
            markets = room.markets()
            game = markets[room.teams[0].name]  # the one market, or the first team's copy
            events = [(r.round, e) for r in game.reports for e in r.events]
            last = {
                t.name: (f.cash, f.market_share, f.alignment_ratio)
                for t in room.teams
                if markets[t.name].reports
                for f in [markets[t.name].reports[-1].firms[t.firm_id]]
            }
            board = []
            scores = {}
            for row in room.leaderboard(markets):
                profit = sum(r.firms[row.firm_id].profit for r in row.game.reports)
                who = row.name if row.team is not None else f"{row.name} (computer)"
                board.append((row.rank, who, row.total, profit))
                if row.team is not None:
                    scores[row.team.name] = row.total
            cache.clear()
            cache[key] = (board, scores, events, last)
        board, scores, events, last = cache[key]
        pending = {
            t.name: mine.decision for t in room.teams if (mine := room.own_decision(t)) is not None
        }
        return Snapshot(
            room.scenario.meta.name + (" (duplicate)" if room.duplicate else ""),
            status,
            board,
            events,
            room.log()[-40:],
            room.failed_logins(10),
            room.paused,
            room.deadline,
            last,
            scores,
            pending,
        )


def dashboard_help() -> str:
    """The dashboard's help page: what it shows and every key it answers (its bindings)."""
    keys = "\n".join(
        f"| `{b.key}` | {b.description} |" for b in Dashboard.BINDINGS if isinstance(b, Binding)
    )
    return (
        "# The instructor's dashboard\n\n"
        "Each team's state in the open round (submitted when, or waiting), what it submitted, "
        "its cash, share, rho and score after the last round, wrong codes typed, the events "
        "and the class log. It is the instructor's screen: do not project it while a round "
        "is open (every team would see the others' decisions).\n\n"
        "| key | action |\n|---|---|\n"
        f"{keys}\n| `ctrl+p` | every action by name |\n| `?` | this help |\n"
        "| `ctrl+q` | quit |\n\n"
        "The whole guide, from creating a class to the debrief, is docs/CLASSROOM.md."
    )


class Dashboard(Screen):
    """`jigsaw class dashboard`: the instructor's screen."""

    BINDINGS = [
        # short words, so that the footer holds its keys at 120 columns; the screen reads the
        # class file by itself every few seconds (r), and reopening a round (b) and replacing
        # a lost code (c) are rare: those three are in the command palette, not the footer
        Binding("a", "advance", "Close round"),
        Binding("b", "rollback", "Reopen a round", show=False),
        Binding("p", "pause", "Pause"),
        Binding("m", "announce", "Announce"),
        Binding("c", "reset_code", "New code", show=False),
        Binding("o", "override", "Override"),
        Binding("t", "deadline", "Deadline"),
        Binding("j", "add_team", "Add team"),
        Binding("e", "rename_team", "Rename"),
        Binding("d", "debrief", "Debrief"),
        Binding("r", "refresh", "Refresh", show=False),
    ]

    def __init__(self, db: str | Path, code: str) -> None:
        super().__init__()
        self.db = Path(db)
        self.code = code
        self.cache: dict[tuple, tuple] = {}
        self.shown: Snapshot | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="dash-columns"):
            with VerticalScroll(id="dash-left"):
                box = Vertical(Static(id="submissions"), classes="panel")
                box.border_title = "Submissions"
                yield box
                with Horizontal(id="dash-actions"):
                    yield Button("Close the round (a)", id="advance", variant="warning")
                    yield Button("Debrief (d)", id="debrief")
                box = Vertical(Static(id="leaderboard"), classes="panel")
                box.border_title = "Leaderboard"
                yield box
            with VerticalScroll(id="dash-right"):
                box = Vertical(Static(id="events"), classes="panel")
                box.border_title = "Events"
                yield box
                box = Vertical(Static(id="failed-logins"), classes="panel")
                box.border_title = "Wrong codes"
                yield box
                box = Vertical(Static(id="class-log"), classes="panel")
                box.border_title = "Class log"
                yield box
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "Jigsaw · instructor"
        self.action_refresh()
        self.set_interval(REFRESH_SECONDS, self.action_refresh)

    # --- state flows down ------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.read()

    @work(thread=True, exclusive=True, group="read")
    def read(self) -> None:
        try:
            if not self.busy:  # a round whose deadline has passed closes by itself
                with opened(self.db) as room:
                    done = room.close_if_due(self.code)
                if done is not None and done.round is not None:
                    self.app.call_from_thread(
                        self.notify, f"Deadline: {done.message}", severity="warning", timeout=20
                    )
            snap = snapshot(self.db, self.cache)
        except InputError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.show, snap)

    def show(self, snap: Snapshot) -> None:
        self.shown = snap
        s = snap.status
        self.sub_title = (
            f"{snap.name} · {s.headline}"
            + (" · paused" if snap.paused else "")
            + (f" · {time_left(snap.deadline)}" if snap.deadline else "")
        )
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
        widest = max((len(t.name) for t in s.teams), default=4)
        table.add_column(  # a name stays readable however wide the other columns are
            "Team", no_wrap=True, overflow="ellipsis", min_width=min(widest, 16)
        )
        table.add_column(f"Round {s.open_round}" if not s.over else "", justify="right")
        for column in ("Decision", "Cash", "Share", "rho", "Score"):
            table.add_column(column, justify="right")
        for t in s.teams:
            if s.over:
                state = Text("done", style="dim")
            elif t.name in s.submitted:
                state = Text(f"sent {s.submitted[t.name][11:16]}", style="green")
            else:
                state = Text("waiting", style="yellow")
            d = snap.pending.get(t.name)
            decided = (
                f"{money(d.total_budget)} {d.marketing_share:.0%} {d.price:.2f}"
                if d is not None
                else "-"
            )
            cash, share, rho = snap.last.get(t.name, (None, None, None))
            total = snap.scores.get(t.name)
            table.add_row(
                Text(t.name),
                state,
                decided,
                "-" if cash is None else money(cash),
                "-" if share is None else f"{share:.0%}",
                "-" if cash is None else ("inf" if rho is None else rho_text(rho)),
                "-" if total is None else f"{total:.1f}",
            )
        done = len(s.submitted)
        header = Text(f"{s.headline}: {done} of {len(s.teams)} teams submitted\n", style="bold")
        header.append("Decision: budget, marketing share, price. Times in UTC.\n", style="dim")
        self.query_one("#submissions", Static).update(_stack(header, table))
        board = Table(box=None, expand=True, show_edge=False)
        for name, justify in (
            ("#", "right"),
            ("Firm", "left"),
            ("Score", "right"),
            ("Profit", "right"),
        ):
            board.add_column(name, justify=justify)  # type: ignore[arg-type]
        for rank, who, total, profit in snap.board:
            board.add_row(str(rank), Text(who), f"{total:.1f}", money(profit))
        self.query_one("#leaderboard", Static).update(
            board if snap.board else Text("No round has closed yet.", style="dim")
        )
        news = "\n".join(f"Round {k}: {e}" for k, e in reversed(snap.events)) or "No events yet."
        self.query_one("#events", Static).update(Text(news))
        log = "\n".join(f"{at[11:19]}  {who}: {what}" for at, who, what in reversed(snap.log))
        self.query_one("#class-log", Static).update(Text(log))
        failed = Text(
            "\n".join(f"{at[11:19]}  {team} from {source}" for at, team, source in snap.failed)
            or "None.",
            style="red" if snap.failed else "dim",
        )
        self.query_one("#failed-logins", Static).update(failed)
        button = self.query_one("#advance", Button)
        button.disabled = s.over or self.busy
        button.display = not s.over  # after the last round there is no round to close
        button.label = f"Close round {s.open_round} (a)"
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """After the last round there is no round to close (a rollback reopens one)."""
        if action == "advance" and self.shown is not None and self.shown.status.over:
            return False
        return True

    # --- actions ---------------------------------------------------------------------------

    @work(thread=True, group="operate")
    def _instructor(self, act: Callable[[Classroom], str], severity: str = "information") -> None:
        """Run one instructor operation on the class file (in a worker), then tell and
        refresh."""
        try:
            with opened(self.db) as room:
                message = act(room)
        except InputError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self.notify, message, severity=severity, timeout=20)  # type: ignore[arg-type]
        self.app.call_from_thread(self.action_refresh)

    def action_pause(self) -> None:
        paused = self.shown is not None and self.shown.paused
        self._instructor(lambda room: room.pause(self.code, paused=not paused))

    def action_announce(self) -> None:
        def said(text: str | None) -> None:
            if text:
                self._instructor(lambda room: room.announce(self.code, text))

        self.app.push_screen(Ask("Announce to every team", "e.g. Round 3 closes at 15:00"), said)

    def action_rollback(self) -> None:
        snap = self.shown
        if snap is None or snap.status.open_round <= 1:
            self.notify("No round has closed yet: nothing to reopen.")
            return
        last = snap.status.open_round - 1

        def chosen(answer: str | None) -> None:
            if answer is None:
                return
            if not answer.isdigit() or not 1 <= int(answer) <= last:
                self.notify(f"Type a closed round, 1 to {last}.", severity="error")
                return
            k = int(answer)
            self._instructor(lambda room: room.rollback(self.code, k), "warning")

        self.app.push_screen(
            Ask(
                f"Reopen which round? (1-{last})",
                str(last),
                "Its report and every later one are played again as you close them; the "
                "teams' submitted decisions are kept.",
            ),
            chosen,
        )

    def action_deadline(self) -> None:
        """When the open round closes by itself: in 20m, at 15:00, or none."""

        def chosen(answer: str | None) -> None:
            if answer is None:
                return
            text = answer.strip()

            def set_it(room: Classroom) -> str:
                if text.casefold() in ("none", "clear", "-"):
                    return room.set_deadline(self.code, None)
                when = deadline_time(text, None) if ":" in text else deadline_time(None, text)
                return room.set_deadline(self.code, when)

            self._instructor(set_it)

        self.app.push_screen(
            Ask("Close the open round by itself", "20m, 1h30m, 15:00 or none"), chosen
        )

    def action_override(self) -> None:
        """The instructor's decisions for a team in the open round, from a decisions file on
        this machine (the format of jigsaw class submit)."""

        def file_chosen(team: str, path: str | None) -> None:
            if not path:
                return

            def override(room: Classroom) -> str:
                from sim.model.files import read_toml

                source = Path(path).expanduser()
                if not source.is_file():
                    raise InputError(path, "", "no such decisions file")
                k = room.override(self.code, team, read_toml(source, "decisions"), path)
                return f"{room.team(team).name}: the instructor's decisions recorded for round {k}"

            self._instructor(override, "warning")

        def team_chosen(team: str | None) -> None:
            if team:
                self.app.push_screen(
                    Ask(f"Decisions file for {team}", "path/to/decisions.toml"),
                    lambda path: file_chosen(team, path),
                )

        self.app.push_screen(Ask("Override which team's decisions?", "a team name"), team_chosen)

    def action_reset_code(self) -> None:
        def chosen(answer: str | None) -> None:
            if answer is None:
                return
            team = None if answer.casefold() == "instructor" else answer

            def reset(room: Classroom) -> str:
                fresh = room.reset_code(self.code, team)
                if team is None:
                    self.code = fresh
                    return f"New instructor code: {fresh} (the old one no longer works)"
                return f"New code for {room.team(team).name}: {fresh} (shown only now)"

            self._instructor(reset, "warning")

        self.app.push_screen(
            Ask("A new code for which team?", "a team name, or instructor"), chosen
        )

    def action_add_team(self) -> None:
        """A late team takes a computer-run seat from the open round (`Classroom.add_team`);
        its code is shown once, here."""

        def chosen(name: str | None) -> None:
            if not name:
                return

            def add(room: Classroom) -> str:
                team, secret, what = room.add_team(self.code, name)
                return f"{what}. Code for {team.name}: {secret} (shown only now)"

            self._instructor(add, "warning")

        self.app.push_screen(
            Ask(
                "Name of the team that joins",
                "a team name",
                "It takes the first computer-run seat from the open round (in a duplicate "
                "class, a copy of the market of its own); the rounds before stay as the "
                "computer played them.",
            ),
            chosen,
        )

    def action_rename_team(self) -> None:
        def new_chosen(old: str, new: str | None) -> None:
            if new:
                self._instructor(lambda room: room.rename_team(self.code, old, new))

        def old_chosen(old: str | None) -> None:
            if old:
                self.app.push_screen(
                    Ask(f"New name for {old}", "a team name"), lambda new: new_chosen(old, new)
                )

        self.app.push_screen(Ask("Rename which team?", "a team name"), old_chosen)

    @on(Button.Pressed, "#advance")
    def _advance_pressed(self) -> None:
        self.action_advance()

    @on(Button.Pressed, "#debrief")
    def _debrief_pressed(self) -> None:
        self.action_debrief()

    def action_advance(self) -> None:
        snap = self.shown
        if snap is None or self.busy or snap.status.over:
            return
        s = snap.status
        waiting = [t.name for t in s.teams if t.name not in s.submitted]
        note = (
            f"Not submitted: {', '.join(waiting)}. Each keeps its last decision (the "
            "computer's balanced one if it has none yet)."
            if waiting
            else "Every team has submitted."
        )

        def answer(yes: bool | None) -> None:
            if yes:
                self.busy = True
                self.query_one("#advance", Button).loading = True
                self.advance(s.open_round)

        self.app.push_screen(
            Confirm(f"Close round {s.open_round} and play it?", note, "Close"), answer
        )

    @work(thread=True, exclusive=True, group="advance")
    def advance(self, round_no: int) -> None:
        try:
            with opened(self.db) as room:
                done = room.advance(self.code, expect_round=round_no)
        except InputError as exc:
            self.app.call_from_thread(self._advanced, str(exc), "error")
            return
        self.app.call_from_thread(self._advanced, done.message, "information")

    def _advanced(self, message: str, severity: str) -> None:
        self.busy = False
        self.query_one("#advance", Button).loading = False
        self.notify(message, severity=severity)  # type: ignore[arg-type]
        self.action_refresh()

    def action_debrief(self) -> None:
        self.write_debrief()

    @work(thread=True, exclusive=True, group="debrief")
    def write_debrief(self) -> None:
        from sim.classroom.debrief import write_debrief

        out = self.db.with_name(f"{self.db.stem}-debrief")
        try:
            with opened(self.db) as room:
                write_debrief(room, out, draws=DRAWS)
        except InputError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"{out}: {exc.strerror}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Debrief written to {out / 'index.html'}")


def _stack(*parts: object) -> Table:
    grid = Table.grid()
    for part in parts:
        grid.add_row(part)  # type: ignore[arg-type]
    return grid
