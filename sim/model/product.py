"""Product development: R&D spend builds a quality index slowly, with diminishing returns and
a lag.

Per firm, per day (rates per year, t in years):

    K_t = decay x K_{t-1} + rd_t                        R&D stock (adstock; the lag)
    h   = K / (K + K_half)                              Hill saturation, 0..1
    dq/dt = a h (1 - q) - o q                            a = gain rate, o = obsolescence

so quality q (0..1) climbs toward q* = a h / (a h + o) at rate a h + o: each step of R&D buys
less than the one before (Hill, and the 1 - q headroom), and its effect builds up over the
stock's half-life. Exact step for h constant over the day: q <- q* + (q - q*) e^{-(a h + o) dt}.
Without R&D and without obsolescence quality stays where it is.

Quality is the product's real power: the perceived position drifts toward it on the power
axis (`sim.model.positioning`), and it lifts satisfaction by quality_satisfaction x (q - 0.5)
points, so satisfied customers churn less and refer more (`sim.model.accounts`).
"""

from __future__ import annotations

import numpy as np


def improve(
    quality: np.ndarray,
    saturation: np.ndarray,
    gain: np.ndarray,
    obsolescence: np.ndarray,
    dt: float,
) -> np.ndarray:
    """One exact step of dq/dt = a h (1 - q) - o q over dt (years)."""
    rate = gain * saturation + obsolescence
    safe = np.where(rate > 0, rate, 1.0)
    goal = np.where(rate > 0, gain * saturation / safe, quality)
    return goal + (quality - goal) * np.exp(-rate * dt)
