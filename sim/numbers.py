"""How numbers read, for every presentation of the model (the command line, the debrief, the
terminal game): short sums of money, percents, ratios. The model keeps numbers; this turns
them into text."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from sim.model.kpis import Kind

# Units of a short sum of money, smallest first: (suffix, size, decimals). A figure moves up a
# unit where the smaller one would show 1000 or more (999,600 is 1.00M, never 1000k).
MONEY_UNITS = (("", 1.0, 0), ("k", 1e3, 0), ("M", 1e6, 2), ("B", 1e9, 2), ("T", 1e12, 2))


def money(x: float | None) -> str:
    """A sum of money, short: -1.23M, 456k, 789, 3.40B ('-' when there is none); from a
    thousand trillion on, in powers of ten (1.2e+18)."""
    if x is None:
        return "-"
    sign = "-" if x < 0 else ""
    x = abs(x)
    if not math.isfinite(x):
        return f"{sign}{x}"
    for suffix, size, decimals in MONEY_UNITS:
        shown = round(x / size, decimals)
        if shown < 1000:
            return f"{sign if shown else ''}{x / size:.{decimals}f}{suffix}"
    return f"{sign}{x:.1e}"


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


def and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
