"""How numbers read, for every presentation of the model (the command line, the debrief, the
terminal game): short sums of money, percents, ratios. The model keeps numbers; this turns
them into text."""

from __future__ import annotations

from datetime import UTC, datetime

from sim.model.kpis import Kind


def money(x: float | None) -> str:
    """A sum of money, short: -1.23M, 456k, 789 ('-' when there is none)."""
    if x is None:
        return "-"
    sign = "-" if x < 0 else ""
    x = abs(x)
    if x >= 1e6:
        return f"{sign}{x / 1e6:.2f}M"
    if x >= 1e3:
        return f"{sign}{x / 1e3:.0f}k"
    return f"{sign}{x:.0f}"


def pct(x: float | None) -> str:
    """A fraction as a whole percent ('-' when there is none)."""
    return "-" if x is None else f"{100 * x:.0f}%"


def ratio(x: float | None) -> str:
    """A ratio to two places ('inf' when there is none: nothing to divide by)."""
    return "inf" if x is None else f"{x:.2f}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 segment', '2 segments' (`many` where the plural is not word + s)."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def show(kind: Kind, x: float | None) -> str:
    """A KPI's value as text, by its kind (`sim.model.kpis`)."""
    if kind == "money":
        return money(x)
    if kind == "share":
        return pct(x)
    if kind == "ratio":
        return ratio(x)
    if x is None:
        return "-"
    return f"{x:.0f}" if kind in ("count", "score") else f"{x:g}"


def time_left(deadline: datetime) -> str:
    """'closes in 12 min' (or 'closes now'), for the open round's deadline."""
    seconds = (deadline - datetime.now(UTC)).total_seconds()
    if seconds <= 0:
        return "closes now"
    if seconds < 120:
        return f"closes in {seconds:.0f} s"
    return f"closes in {seconds / 60:.0f} min"
