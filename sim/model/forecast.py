"""The what-if's interval: a prediction interval for the next round from draws of luck.

`Game.forecast` plays the next round DRAWS times from the round boundary, each with its own
luck (forked streams) and the same past, decisions and rivals' rules. The round as it will
really be played is one more draw of the same kind, so the draws and it are exchangeable, and
order statistics give a prediction interval that needs no assumption about the distribution:
for n draws sorted x_(1) <= ... <= x_(n) and a new draw X,

    P(x_(j) <= X <= x_(k)) >= (k - j) / (n + 1)      (equal for continuous outcomes)

With n = 20, j = 2 and k = 19 that is 17/21 = 81%: the interval from the second lowest to the
second highest of 20 draws is an 80% interval (at least 81%). Counts (deals, customers) tie,
which only widens it. `tests/test_forecast.py` measures the coverage over many forecasts.
"""

from __future__ import annotations

from collections.abc import Sequence

DRAWS = 20  # draws of luck in a what-if
LEVEL = 0.8  # the interval it states


def ranks(n: int, level: float = LEVEL) -> tuple[int, int]:
    """The order statistics (1-based j, k) whose interval covers a new draw with probability
    (k - j) / (n + 1), the narrowest symmetric pair at or above `level`."""
    best = (1, n)
    for j in range(1, n // 2 + 1):
        k = n + 1 - j
        if k > j and (k - j) / (n + 1) >= level:
            best = (j, k)
    return best


def coverage(n: int, level: float = LEVEL) -> float:
    """What the interval of `ranks(n, level)` covers at least: (k - j) / (n + 1)."""
    j, k = ranks(n, level)
    return (k - j) / (n + 1)


def band(values: Sequence[float], level: float = LEVEL) -> tuple[float, float, float]:
    """(low, median, high) of the draws: the prediction interval of `ranks` and the median.
    A single value (an exact forecast) is its own interval."""
    xs = sorted(values)
    n = len(xs)
    if n < 3:
        return xs[0], xs[n // 2], xs[-1]
    j, k = ranks(n, level)
    mid = xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
    return xs[j - 1], mid, xs[k - 1]
