"""Small dialogs: quit confirmation and help."""

from __future__ import annotations

from importlib import resources

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Markdown

from sim.narrative import band


class ConfirmQuit(ModalScreen[bool]):
    """Quit? (y / n)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Quit"),
        Binding("n", "answer(False)", "Stay"),
        Binding("escape", "answer(False)", "Stay", show=False),
    ]

    def __init__(self, note: str = "") -> None:
        super().__init__()
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Quit Jigsaw?", id="quit-title")
            if self.note:
                yield Label(self.note, id="quit-note", markup=False)
            with Horizontal(id="quit-buttons"):
                yield Button("Quit (y)", id="yes", variant="error")
                yield Button("Stay (n)", id="no", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


def help_text() -> str:
    """The help page, with the aligned band filled in from the one place it is declared."""
    text = resources.files("tui").joinpath("help.md").read_text(encoding="utf-8")
    return text.replace("{aligned}", band())


class HelpScreen(ModalScreen[None]):
    """How the game works (from docs/MODEL.md, condensed) and the keys; or another screen's
    help (`text`: the dashboard's)."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("question_mark", "close", show=False)]

    def __init__(self, text: str | None = None) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(self.text if self.text is not None else help_text())

    def action_close(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """A yes/no question (y / n) before something that cannot be undone."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, title: str, note: str = "", yes: str = "Yes") -> None:
        super().__init__()
        self.question, self.note, self.yes = title, note, yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question, id="quit-title", markup=False)
            if self.note:
                yield Label(self.note, id="quit-note", markup=False)
            with Horizontal(id="quit-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="warning")
                yield Button("Cancel (n)", id="no", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class Ask(ModalScreen[str | None]):
    """One line of text (enter answers, escape cancels): a round number, an announcement."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, placeholder: str = "", note: str = "") -> None:
        super().__init__()
        self.question, self.placeholder, self.note = question, placeholder, note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question, id="quit-title", markup=False)
            if self.note:
                yield Label(self.note, id="quit-note", markup=False)
            yield Input(placeholder=self.placeholder, max_length=500, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
