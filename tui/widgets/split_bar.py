"""The central control: one budget, split between marketing and sales."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

STEP = 0.05


class SplitBar(Widget, can_focus=True):
    """A stepped bar: left is marketing, right is sales. Arrows move it 5 points (shift: 1),
    a click sets it where you click. (Home and End once jumped it to an extreme: a player
    reaching for them to scroll let every rep go, so there is no key for a corner.)"""

    COMPONENT_CLASSES = {"split-bar--marketing", "split-bar--sales"}
    DEFAULT_CSS = """
    SplitBar { height: 3; border: round $primary 60%; padding: 0 1; }
    SplitBar:focus { border: round $accent; }
    SplitBar > .split-bar--marketing { background: $accent 70%; color: $text; text-style: bold; }
    SplitBar > .split-bar--sales { background: $success 60%; color: $text; text-style: bold; }
    """
    BINDINGS = [
        Binding("left", "nudge(-0.05)", "Marketing -5", show=False),
        Binding("right", "nudge(0.05)", "Marketing +5", show=False),
        Binding("shift+left", "nudge(-0.01)", show=False),
        Binding("shift+right", "nudge(0.01)", show=False),
    ]

    share: reactive[float] = reactive(0.4)

    class Changed(Message):
        """The player moved the split."""

        def __init__(self, bar: SplitBar, share: float) -> None:
            super().__init__()
            self.bar = bar
            self.share = share

        @property
        def control(self) -> SplitBar:
            return self.bar

    def validate_share(self, share: float) -> float:
        return round(min(1.0, max(0.0, share)), 2)

    def watch_share(self, share: float) -> None:
        self.post_message(self.Changed(self, share))

    def action_nudge(self, delta: float) -> None:
        self.share = self.share + delta

    def on_click(self, event: events.Click) -> None:
        width = max(1, self.content_size.width)
        self.share = round((event.x - self.gutter.left) / width / 0.01) * 0.01

    def render(self) -> Text:
        width = max(10, self.content_size.width)
        cut = round(self.share * width)
        left = f" Marketing {self.share:.0%}"
        right = f"Sales {1 - self.share:.0%} "
        line = list(" " * width)
        for k, ch in enumerate(left[:width]):
            line[k] = ch
        for k, ch in enumerate(right[-width:]):
            line[width - len(right[-width:]) + k] = ch
        text = Text("".join(line))
        text.stylize(self.get_component_rich_style("split-bar--marketing"), 0, cut)
        text.stylize(self.get_component_rich_style("split-bar--sales"), cut, width)
        return text
