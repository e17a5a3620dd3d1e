"""The alignment gauge: where rho (warm-lead workload over sales capacity) says the two
halves are in balance, and which way to move when they are not.

One home for the band: the round report, the boardroom, `jigsaw run --json` ("gauge") and the
docs all read `ALIGNED` and `reading` from here.
"""

from __future__ import annotations

import math
from typing import Literal

ALIGNED: tuple[float, float] = (0.65, 1.3)  # the band the game calls aligned

Reading = Literal["no_reps", "idle", "room", "aligned", "waiting", "cold", "late"]


def reading(rho: float | None) -> Reading:
    """Where rho sits: no reps, well below the band (idle), just below it (room), in it,
    just above it (waiting), or well above it (cold)."""
    lo, hi = ALIGNED
    if rho is None:
        return "no_reps"
    if rho < lo * 0.7:
        return "idle"
    if rho < lo:
        return "room"
    if rho <= hi:
        return "aligned"
    if rho <= hi * 1.6:
        return "waiting"
    return "cold"


def advice(outlook: float | None, late: bool = False) -> Reading:
    """The reading the gauge advises on: where the outlook (the rho to expect over the rest
    of the game at this round's decisions, `sim.model.outlook`) sits in the band, or `late`
    when a change of split could no longer pay back before the game ends."""
    return "late" if late else reading(outlook)


TOWARD: dict[str, int] = {
    "no_reps": -1,
    "idle": 1,
    "room": 1,
    "aligned": 0,
    "waiting": -1,
    "cold": -1,
    "late": 0,
}


def direction(where: str) -> int:
    """Which way the gauge tells a firm to move its split, from its reading (`advice`): +1
    toward marketing (reps idle or with room), -1 toward sales (leads waiting or going cold,
    or no reps), 0 when aligned or too late to pay back."""
    return TOWARD[where]


def rho_text(rho: float) -> str:
    """rho to two places; but a rho just outside the band that two places would round onto its
    edge (0.6496 -> "0.65", which the band calls aligned) shows three, rounded away from the
    band ("0.649"): a reading never contradicts the band it is shown beside."""
    lo, hi = ALIGNED
    two = f"{rho:.2f}"
    if rho < lo and float(two) >= lo:
        return f"{math.floor(rho * 1000) / 1000:.3f}"
    if rho > hi and float(two) <= hi:
        return f"{math.ceil(rho * 1000) / 1000:.3f}"
    return two
