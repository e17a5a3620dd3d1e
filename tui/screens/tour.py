"""The guided tour of a first game: each panel of the boardroom and each decision, one at a
time, before round 1 (scenarios with `meta.tour = true`, the tutorial). Skippable; once done
or skipped it is not shown again (a flag in the user's config folder); the command palette's
"Guided tour" shows it again."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from sim.narrative import band
from tui.session import Session


@dataclass(frozen=True)
class Stop:
    """One stop of the tour: the widget it points at (a selector on the boardroom) and what
    to say there."""

    where: str
    title: str
    text: str


def stops(session: Session) -> list[Stop]:
    """The tour of this game's boardroom, in the order a first round is played."""
    m = session.scenario.meta
    goals = "".join(f"\n• {g.text}" for g in m.goals)
    return [
        Stop(
            "#left",
            "Welcome",
            f"You run one firm for {m.rounds} rounds of {m.round_days} days. Each round you "
            "split one budget between marketing (awareness, brand, inbound leads) and sales "
            "(the reps who work those leads), then play it and read what happened."
            + (f"\n\nYour goals, checked on the scorecard:{goals}" if goals else ""),
        ),
        Stop(
            "#split",
            "The split",
            "The bar is your budget: marketing on the left, sales on the right. ←/→ move the "
            "divider by 5 points (shift: 1 point). Move it a step at a time: more sales budget "
            "hires reps, less lets them go, and both cost money.",
        ),
        Stop(
            "#derived",
            "What the decisions cost",
            "Under the form: the reps your sales budget employs, the hiring or severance a "
            "change costs, and your cash after everything you spend this round. Spending well "
            "past your budget asks first.",
        ),
        Stop(
            "#kpis",
            "Last round",
            "Revenue, profit, cash, market share and customers after each round, with the "
            "change from the round before. The tabs below chart them over the game, and Books "
            "shows every cost.",
        ),
        Stop(
            "AlignmentGauge",
            "The alignment gauge",
            "rho compares the leads marketing brings with what your reps can work. Inside the "
            f"band ({band()}) the two halves are aligned. Below it reps sit idle; above it "
            "leads wait and go cold. Marketing keeps building after you spend, so the gauge "
            "advises on what to expect if you hold your decisions ('if held', ○), not only on now.",
        ),
        Stop(
            "Funnel",
            "The funnel",
            "Where the leads went: inbound, referrals and the cold calls of idle reps; worked, "
            "gone cold, won and lost.",
        ),
        Stop(
            "RivalBoard",
            "The market",
            "Every firm's share, price and brand, as the market sees them.",
        ),
        Stop(
            "#actions",
            "Play the round",
            "w forecasts the next round with your decisions (its range over 20 draws of "
            "luck), n plays it, u takes a round back, ? explains every term. After each round a report says "
            "what happened and why. Press enter to start.",
        ),
    ]


def tour_flag() -> Path:
    """Where the tour remembers it was taken: $XDG_CONFIG_HOME/jigsaw/tour-done."""
    base = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    return base / "jigsaw" / "tour-done"


def tour_taken() -> bool:
    return tour_flag().exists()


def mark_tour_taken() -> None:
    """Remember the tour was taken or skipped (a folder that cannot be written: it shows
    again next time, nothing worse)."""
    flag = tour_flag()
    try:
        flag.parent.mkdir(parents=True, exist_ok=True)
        flag.touch()
    except OSError:
        pass


class Tour(ModalScreen[None]):
    """The tour over the boardroom: the panel it speaks of is outlined; enter or → goes on,
    ← goes back, escape skips the rest."""

    BINDINGS = [
        Binding("enter,right,space", "next", "Next"),
        Binding("left,backspace", "back", "Back"),
        Binding("escape", "skip", "Skip the tour"),
    ]
    DEFAULT_CSS = """
    Tour { align: center bottom; background: $background 0%; }
    Tour #tour { width: 84; max-width: 95%; height: auto; border: thick $accent;
                 background: $surface; padding: 0 2; margin-bottom: 2; }
    Tour #tour-step { color: $text-muted; }
    """

    def __init__(self, board: Screen, session: Session) -> None:
        super().__init__()
        self.board, self.stops, self.at = board, stops(session), 0

    def compose(self) -> ComposeResult:
        with Vertical(id="tour"):
            yield Label(id="tour-title", markup=False)
            yield Static(id="tour-text", markup=False)
            yield Label(id="tour-step", markup=False)

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        stop = self.stops[self.at]
        self.query_one("#tour-title", Label).update(Text(stop.title, style="bold"))
        self.query_one("#tour-text", Static).update(stop.text)
        last = self.at == len(self.stops) - 1
        self.query_one("#tour-step", Label).update(
            f"{self.at + 1} of {len(self.stops)} · "
            + ("enter: start playing" if last else "enter/→: next")
            + (" · ←: back" if self.at else "")
            + " · escape: skip the tour"
        )
        for k, other in enumerate(self.stops):
            for widget in self.board.query(other.where):
                widget.set_class(k == self.at, "toured")
        for widget in self.board.query(stop.where):
            widget.scroll_visible(animate=False)
        self.call_after_refresh(self.clear_of, stop)

    def clear_of(self, stop: Stop) -> None:
        """Put the box where it does not cover the panel it speaks of: at the top of the
        screen when the panel is in the lower half, at the bottom otherwise."""
        found = list(self.board.query(stop.where))
        if not found:
            return
        region = found[0].region
        low = region.y + region.height / 2 > self.size.height / 2
        self.styles.align_vertical = "top" if low else "bottom"
        box = self.query_one("#tour")
        box.styles.margin = (2, 0, 0, 0) if low else (0, 0, 2, 0)

    def action_next(self) -> None:
        if self.at == len(self.stops) - 1:
            self.action_skip()
            return
        self.at += 1
        self.show()

    def action_back(self) -> None:
        if self.at:
            self.at -= 1
            self.show()

    def action_skip(self) -> None:
        for stop in self.stops:
            for widget in self.board.query(stop.where):
                widget.remove_class("toured")
        mark_tour_taken()
        self.dismiss(None)
