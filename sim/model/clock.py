"""The game's clock: a SimPy environment that can say which timers are pending and in what
order, and set a timer for an exact time, so a round boundary can be written down as data and
a fresh clock can continue from it exactly.

SimPy orders events by (time, priority, event id); the id is a counter, so two events due at
the same time fire in the order they were scheduled. A snapshot records each pending timer's
due time and its place in that order; restoring schedules them again in the same order, at
the same float times (a timeout of `due - now` could land one ulp away from `due`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from heapq import heappush

import simpy
from simpy.core import NORMAL


class Clock(simpy.Environment):
    """A SimPy environment whose pending timers can be listed and re-set exactly."""

    def order(self) -> dict[int, tuple[float, int]]:
        """Each pending event's due time and place among the pending events in the order
        they were scheduled (0, 1, 2, ...; ties in time fire in that order), by `id(event)`.
        Places, not SimPy's event ids: two clocks in the same state give the same places."""
        pending = sorted((eid, due, id(event)) for due, _, eid, event in self._queue)
        return {key: (due, place) for place, (_, due, key) in enumerate(pending)}

    def at(self, due: float) -> simpy.Event:
        """A timer that fires at exactly `due` (not before now), after every event already
        scheduled for that time."""
        if due < self._now:
            raise ValueError(f"cannot set a timer in the past ({due} < {self._now})")
        timer = simpy.Event(self)
        timer._ok = True
        timer._value = None
        heappush(self._queue, (due, NORMAL, next(self._eid), timer))
        return timer


# Objects allocated between collections of Python's youngest generation while a round runs
# (the default is 700). A round allocates an event, a process or a request every few
# microseconds, many of them in short-lived reference cycles (a process and the events it
# waits on); collecting every 700 allocations, and promoting survivors to older generations
# whose full collections walk every lead waiting in a swamped queue, cost up to 40% of a large
# market's game. Collections still happen, less often; memory grows by at most this many
# objects between them. Results do not depend on when the collector runs.
ROUND_GC_THRESHOLD = 50_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect the youngest generation every `ROUND_GC_THRESHOLD` allocations (restored after,
    also on error; a threshold already higher is kept)."""
    first, *rest = gc.get_threshold()
    if first == 0 or first >= ROUND_GC_THRESHOLD:  # collection off, or already rarer
        yield
        return
    gc.set_threshold(ROUND_GC_THRESHOLD, *rest)
    try:
        yield
    finally:
        gc.set_threshold(first, *rest)
