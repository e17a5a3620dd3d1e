"""The Jigsaw terminal game (Textual).

State lives in a `Session` (the model's `Game` plus the player's draft decisions); screens
render it and send the player's intentions back as method calls on the session.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen

from sim.model.errors import InputError
from sim.model.report import RoundReport
from tui.screens.boardroom import Boardroom
from tui.screens.dialogs import ConfirmQuit, HelpScreen
from tui.screens.history import History
from tui.screens.new_game import NewGame
from tui.screens.round_report import RoundReportScreen
from tui.screens.scorecard import Scorecard
from tui.session import Session, tidy_saves

# Textual's own commands a class seat keeps (looks and keys; never a screenshot to a file).
SEAT_SYSTEM_COMMANDS = frozenset({"Theme", "Keys", "Maximize", "Minimize"})


class JigsawBase(App[None]):
    """What every Jigsaw app shares: looks, help (?) and a quit that asks first (q). Each
    app lists its own BINDINGS (HELP_AND_QUIT among them), which fixes their order in the
    footer."""

    CSS_PATH = "jigsaw.tcss"
    TITLE = "Jigsaw"
    HELP_AND_QUIT = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "request_quit", "Quit"),
    ]

    def quit_note(self) -> str:
        """A line under "Quit Jigsaw?" saying what is kept."""
        return ""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: messages carry names, paths and values that
        players typed, and no Jigsaw message uses markup (`markup` is ignored)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_request_quit(self) -> None:
        if isinstance(self.screen, ConfirmQuit):
            return

        def answer(quit_: bool | None) -> None:
            if quit_:
                self.exit()

        self.push_screen(ConfirmQuit(self.quit_note()), answer)


class JigsawApp(JigsawBase):
    """Solo play against computer-run rivals (and a team's seat in a class)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("h", "history", "History"),
        *JigsawBase.HELP_AND_QUIT,
    ]

    def __init__(
        self,
        session: Session | None = None,
        scenario: str = "tutorial",
        hindsight: bool = True,
        class_db: str | Path | None = None,
    ) -> None:
        """class_db: a team's seat in a class (its login screen first, unless `session` is
        already the team's `ClassSession`)."""
        super().__init__()
        self.session = session
        self.preselect = scenario
        self.class_db = class_db
        self.hindsight = hindsight and class_db is None and not (session and session.submits)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save" and (
            (self.session is not None and not self.session.can_save)
            or (self.session is None and self.class_db is not None)
        ):
            return False  # the class file keeps everything
        if action == "history":
            return self.session is not None and not isinstance(self.screen, NewGame)
        return True

    def on_mount(self) -> None:
        if not self.class_seat:
            tidy_saves()  # temp files a crash left, autosaves beyond the newest kept
        if self.session is None and self.class_db is not None:
            from tui.screens.class_login import ClassLogin

            self.push_screen(ClassLogin(self.class_db))
        elif self.session is None:
            self.push_screen(NewGame(self.preselect))
        elif self.session.finished:
            self.push_screen(Scorecard(self.session, self.hindsight))
        else:
            self.push_screen(Boardroom(self.session))
        self._tell_model(self.session)

    def _tell_model(self, session: Session | None) -> None:
        """A save made under another model says so (its results now differ)."""
        if session is not None and session.game.notice:
            self.notify(session.game.notice, title="Older save", severity="warning", timeout=12)

    # --- navigation ----------------------------------------------------------------------

    def start_session(self, session: Session) -> None:
        self.session = session
        if session.submits:
            self.hindsight = False
        screen = Scorecard(session, self.hindsight) if session.finished else Boardroom(session)
        self.switch_screen(screen)
        self._tell_model(session)

    def new_game(self) -> None:
        if self.class_seat:
            return  # a team stays in its class
        self.switch_screen(NewGame(self.preselect))

    def show_round_report(self, report: RoundReport) -> None:
        assert self.session is not None

        def after(_: None) -> None:
            if self.session is not None and (self.session.finished or self.session.bankrupt):
                self.show_scorecard()
            else:  # back on the split bar, where the arrows move the split (not a text cursor)
                self.call_after_refresh(self.back_to_the_split)

        self.push_screen(RoundReportScreen(self.session, report), after)

    def back_to_the_split(self) -> None:
        if isinstance(self.screen, Boardroom):
            self.screen.action_leave_field()

    def show_scorecard(self) -> None:
        assert self.session is not None
        self.switch_screen(Scorecard(self.session, self.hindsight))

    # --- actions -------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.session is not None and not self.session.can_save:
            self.notify("Nothing to save: the class file keeps every decision.")
            return
        if self.session is None or not self.session.game.history:
            self.notify("Nothing to save yet: play a round first.")
            return
        try:
            path = self.session.save()
        except InputError as exc:
            self.notify(str(exc), title="Not saved", severity="error")
            return
        self.notify(f"Saved to {path}", title="Saved")

    def quit_note(self) -> str:
        if self.session is not None and self.session.submits:
            return "Your submitted decisions are kept in the class file."
        if self.session is not None and self.session.game.history:
            if self.session.autosave_problem:
                return (
                    f"Your game could NOT be saved: {self.session.autosave_problem}. Press "
                    "Cancel and save it elsewhere from the command palette (Save game)."
                )
            return f"Your game is saved after every round ({self.session.autosave_path})."
        return ""

    def _on_boardroom(self, action: str) -> None:
        screen = self.screen
        if isinstance(screen, Boardroom):
            getattr(screen, f"action_{action}")()
        else:
            self.notify("Open the boardroom first.")

    @property
    def class_seat(self) -> bool:
        """A team's seat in a class (logged in or still at the login screen)."""
        return self.class_db is not None or (self.session is not None and self.session.submits)

    def action_history(self) -> None:
        """The game so far, round by round (tui/screens/history.py)."""
        if self.session is not None and not isinstance(self.screen, History):
            if isinstance(self.screen, ModalScreen):
                return  # not over a dialog (a report, a question, the help)
            self.push_screen(History(self.session))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette. A class seat offers only what a team may do in its class:
        nothing leads to solo play, saving, loading or a file on the machine serving it."""
        seat = self.class_seat
        for command in super().get_system_commands(screen):
            if command.title == "Quit":  # Textual's quits at once; ours asks first
                continue
            if seat and command.title not in SEAT_SYSTEM_COMMANDS:
                continue
            yield command
        solo = not seat
        if seat and self.session is not None:
            yield SystemCommand(
                "Submit decisions",
                "Submit your decisions for the open round (n)",
                lambda: self._on_boardroom("advance"),
            )
        playing = self.session is not None and not self.session.finished
        if solo and playing:
            yield SystemCommand(
                "Advance the round",
                "Play the next round (n)",
                lambda: self._on_boardroom("advance"),
            )
            yield SystemCommand(
                "What-if forecast",
                "Forecast the next round (w)",
                lambda: self._on_boardroom("whatif"),
            )
        if self.session is not None and playing:
            yield SystemCommand(
                "Guided tour",
                "Each panel and decision of the boardroom, one at a time",
                lambda: self._on_boardroom("tour"),
            )
        if solo or self.session is not None:
            yield SystemCommand(
                "Full or simple decisions",
                "Switch decisions mode (f)",
                lambda: self._on_boardroom("toggle_full"),
            )
        if solo:
            yield SystemCommand("Save game", "Save now (ctrl+s)", self.action_save)
        if self.session is not None:
            yield SystemCommand(
                "History",
                "Your decisions and results, every firm's public figures, you by segment (h)",
                self.action_history,
            )
        yield SystemCommand("Help", "How the game works (?)", self.action_help)
        if solo:
            yield SystemCommand("New game", "Back to the new-game screen", self.new_game)
        yield SystemCommand("Quit", "Leave Jigsaw (q)", self.action_request_quit)


class InstructorApp(JigsawBase):
    """`jigsaw class dashboard`: the instructor's screen for one class."""

    BINDINGS = JigsawBase.HELP_AND_QUIT

    def __init__(self, db: str | Path, code: str) -> None:
        super().__init__()
        self.db, self.code = db, code

    def on_mount(self) -> None:
        from tui.screens.dashboard import Dashboard

        self.push_screen(Dashboard(self.db, self.code))

    def action_help(self) -> None:
        """The dashboard's own help: its keys (from its bindings) and where the guide is."""
        from tui.screens.dashboard import dashboard_help

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(dashboard_help()))

    def quit_note(self) -> str:
        return "The class file keeps everything."

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette: every key of the dashboard, by name (the footer shows the
        common ones), then Textual's own."""
        from tui.screens.dashboard import Dashboard

        if isinstance(screen, Dashboard):
            for b in Dashboard.BINDINGS:
                assert isinstance(b, Binding)
                yield SystemCommand(
                    b.description,
                    f"The dashboard's {b.key} key",
                    partial(screen.run_action, b.action),
                )
        for command in super().get_system_commands(screen):
            if command.title != "Quit":  # Textual's quits at once; ours asks first
                yield command
        yield SystemCommand("Quit", "Leave the dashboard (q)", self.action_request_quit)
