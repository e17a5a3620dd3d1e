"""The key bar at the foot of every screen, kept whole on a narrow terminal.

Below `NARROW` columns it packs the keys tighter (Textual's compact footer) and leaves out the
command palette's key (ctrl+p still opens it, and the help lists it), so that an 80-column
terminal still shows every key of the boardroom, `? Help` and `q Quit` among them."""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

NARROW = 100  # columns


class KeyBar(Footer):
    """A `Footer` that packs itself below `NARROW` columns."""

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self.compact or narrow == self.show_command_palette:
            self.compact = narrow
            self.show_command_palette = not narrow
            self.refresh(recompose=True)
