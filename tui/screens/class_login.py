"""Join a class: a team picks its name and types its join code."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Select, Static

from sim.classroom.store import opened
from sim.model.errors import InputError
from tui.class_session import ClassSession
from tui.widgets.footer import KeyBar


class ClassLogin(Screen):
    """The first screen of `jigsaw class play` (and of the browser, through `class serve`)."""

    def __init__(self, db: str | Path) -> None:
        super().__init__()
        self.db = Path(db)
        with opened(self.db) as room:
            self.teams = [t.name for t in room.teams]
            self.headline = f"{room.scenario.meta.name}: {room.status().headline}"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="login", classes="panel") as box:
            box.border_title = "Join your class"
            yield Static(self.headline, id="login-class", markup=False)
            yield Label("Team")
            yield Select([(Text(t), t) for t in self.teams], prompt="Pick your team", id="team")
            yield Label("Join code (from your instructor)")
            yield Input(placeholder="XXXX-XXXX-XXXX", password=True, id="code")
            yield Button("Join", id="join", variant="primary")
            yield Static(id="login-problem", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "Jigsaw · class"
        self.query_one("#team").focus()

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#join")
    def join(self) -> None:
        team = self.query_one("#team", Select).value
        code = self.query_one("#code", Input).value
        problem = self.query_one("#login-problem", Static)
        if not isinstance(team, str):
            problem.update("Pick your team first.")
            return
        if not code.strip():
            problem.update("Type your team's join code.")
            return
        problem.update("Checking your code...")
        self.check(team, code)

    @work(thread=True, exclusive=True)
    def check(self, team: str, code: str) -> None:
        try:
            session = ClassSession.login(self.db, team, code)
        except InputError as exc:
            self.app.call_from_thread(self.refused, exc.message)
            return
        self.app.call_from_thread(self.app.start_session, session)  # type: ignore[attr-defined]

    def refused(self, message: str) -> None:
        self.query_one("#login-problem", Static).update(message)
        code = self.query_one("#code", Input)
        code.value = ""
        code.focus()
