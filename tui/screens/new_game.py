"""Start a game: pick a scenario, a seed and a decisions mode, or load a save."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.validation import Integer
from textual.widgets import (
    Button,
    Header,
    Input,
    Label,
    OptionList,
    RadioButton,
    RadioSet,
    Static,
)
from textual.widgets.option_list import Option

from sim.model.errors import InputError
from sim.model.scenario import Scenario, bundled_scenarios, load_scenario
from sim.numbers import plural
from tui.session import Session, autosaves
from tui.widgets.footer import KeyBar
from tui.widgets.ticks import Choice

ORDER = ("tutorial", "classic", "enterprise", "recession")
LISTED = 8  # autosaves offered, the most recently played first


def scenario_names() -> list[str]:
    names = list(bundled_scenarios())
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


class NewGame(Screen):
    """The first screen of `jigsaw play` without a scenario."""

    BINDINGS = [Binding("ctrl+enter", "start", "Start", show=False)]

    def __init__(self, preselect: str = "tutorial") -> None:
        super().__init__()
        self.scenarios: dict[str, Scenario] = {n: load_scenario(n) for n in scenario_names()}
        self.preselect = preselect if preselect in self.scenarios else next(iter(self.scenarios))
        self.chosen = self.preselect
        self.autosaves = autosaves()[:LISTED]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="new-game"):
            with VerticalScroll(id="pick", classes="panel") as pick:
                pick.border_title = "Scenario"
                yield OptionList(
                    *[
                        Option(Text(f"{s.meta.name} · {s.meta.difficulty}"), id=n)
                        for n, s in self.scenarios.items()
                    ],
                    id="scenarios",
                )
                yield Label("Seed (a whole number: same seed, same luck)")
                yield Input("1", id="seed", validators=[Integer(minimum=0, maximum=2**63 - 1)])
                yield Label("Decisions")
                with RadioSet(id="mode"):
                    yield Choice("Simple: one budget and a split", value=True, id="simple")
                    yield Choice("Full: mix, targeting, sales levers", id="full")
                yield Button("Start (enter)", id="start", variant="primary")
                yield Label(
                    "Or continue a game (each game autosaves after every round)",
                    id="autosaves-label",
                )
                yield OptionList(
                    *[Option(Text(a.label()), id=str(a.path)) for a in self.autosaves],
                    id="autosaves",
                )
                yield Label("Or load a save file")
                yield Input(placeholder="path/to/save.json", id="load-path")
                yield Button("Load", id="load")
                yield Static(id="new-problem", markup=False)
            with VerticalScroll(id="about", classes="panel") as about:
                about.border_title = "About"
                yield Static(id="scenario-about", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        for hidden in ("#autosaves", "#autosaves-label"):
            self.query_one(hidden).display = bool(self.autosaves)
        self.title = "Jigsaw"
        self.sub_title = "New game"
        options = self.query_one("#scenarios", OptionList)
        options.highlighted = list(self.scenarios).index(self.preselect)
        options.focus()
        self.describe(self.preselect)

    @on(OptionList.OptionHighlighted, "#scenarios")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.chosen = event.option.id
            self.describe(event.option.id)

    @on(OptionList.OptionSelected, "#scenarios")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_start()

    def describe(self, name: str) -> None:
        s = self.scenarios[name]
        m = s.meta
        text = Text()
        text.append(f"{m.name}\n", style="bold")
        text.append(
            f"{m.difficulty} · {m.rounds} rounds of {m.round_days} days · "
            f"{plural(len(s.segments), 'segment')} · {plural(len(s.firms) - 1, 'rival')} · budget "
            f"{m.budget_per_round:,.0f} {m.currency} a round\n\n",
            style="dim",
        )
        text.append(m.description.strip() + "\n\n")
        if m.learning_goals:
            text.append("You will learn\n", style="bold")
            for goal in m.learning_goals:
                text.append(f"• {goal}\n")
        if m.goals:
            text.append("\nYour goals\n", style="bold")
            for goal in m.goals:
                text.append(f"• {goal.text}\n")
        text.append("\nSegments\n", style="bold")
        for seg in s.segments:
            text.append(
                f"• {seg.label}: {seg.accounts:,} accounts, {seg.deal_value:,.0f} a year, "
                f"{seg.cycle_days:.0f}-day cycles\n"
            )
        self.query_one("#scenario-about", Static).update(text)

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    @on(Input.Submitted, "#seed")
    def _seed_submitted(self) -> None:
        self.action_start()

    def problem(self, message: str) -> None:
        """Say what is wrong under the form, scrolled into view (below the Load button, the
        last line of a full panel at 120x40)."""
        shown = self.query_one("#new-problem", Static)
        shown.update(Text(f"⚠ {message}", style="bold red"))
        self.query_one("#pick").scroll_end(animate=False, x_axis=False)  # after the refresh

    def action_start(self) -> None:
        seed_input = self.query_one("#seed", Input)
        result = seed_input.validate(seed_input.value)
        if result is not None and not result.is_valid:
            self.problem(f"Seed: {'; '.join(result.failure_descriptions)}")
            seed_input.focus()
            return
        full = self.query_one("#full", RadioButton).value
        session = Session.new(self.scenarios[self.chosen], int(seed_input.value), full_mode=full)
        self.app.start_session(session)

    @on(OptionList.OptionSelected, "#autosaves")
    def _continue(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.load(event.option.id)

    @on(Button.Pressed, "#load")
    @on(Input.Submitted, "#load-path")
    def _load(self) -> None:
        path = self.query_one("#load-path", Input).value.strip()
        if not path:
            self.problem("Type the path of a save file to load.")
            return
        self.load(path)

    def load(self, path: str) -> None:
        try:
            session = Session.load(path)
        except InputError as exc:
            self.problem(str(exc))
            return
        self.app.start_session(session)
