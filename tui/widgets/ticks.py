"""Tick boxes and radio buttons whose state reads without colour: Textual draws the same
glyph on and off and tells them apart by colour only ("X" in a study's box either way, "●" on
both radio buttons), which a colour-blind player, a monochrome terminal or a screen capture
cannot see."""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


class TickBox(Checkbox):
    """A checkbox that shows ✓ when ticked and nothing when not."""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # noqa: N802 (Textual's name for the glyph)
        return "✓" if self.value else " "


class Choice(RadioButton):
    """A radio button that shows ● when chosen and ○ when not."""

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # noqa: N802 (Textual's name for the glyph)
        return "●" if self.value else "○"
