"""The handshake between marketing and sales: the lead score, the qualification bar and the
nurture stock (docs/MODEL.md, "The qualification bar and nurture").

Each new warm lead carries a lead score, uniform on [0, 1): an imperfect reading of its own
chance to buy. A firm's `marketing.qualification` q sends the leads scored below q (a share q
of its new warm leads, the lowest-scored) to nurture instead of sales. Nurtured leads wait in
a stock that marketing automation keeps warm, at a cost per lead; each leaves it at a constant
hazard, to come back to sales (warmer) or to lose interest for good:

    dN/dt = inflow - (return_rate + drop_rate) N       N* = inflow / (return_rate + drop_rate)

and a lead that leaves comes back with probability return_rate / (return_rate + drop_rate).
"""

from __future__ import annotations

import numpy as np

from sim.model.chance import Chance

DT = 1.0 / 365.0


def lead_score(fate: np.ndarray, noise: np.ndarray, accuracy: float) -> np.ndarray:
    """Scores uniform on [0, 1) that rank leads by their chance to buy with `accuracy`: the
    score is the distribution function of x = a (1 - fate) + (1 - a) noise, the weighted sum
    of two uniforms (a lead wins when its fate is low; `noise` is independent of it), so a
    bar q sends exactly the share q of leads, in expectation, and more of the likely losers
    the more accurate the score."""
    a = float(min(max(accuracy, 0.0), 1.0))
    b = 1.0 - a
    x = a * (1.0 - np.asarray(fate)) + b * np.asarray(noise)
    lo, hi = min(a, b), max(a, b)
    if lo <= 0.0:
        return np.asarray(x / hi)
    below = x * x / (2.0 * a * b)
    middle = (2.0 * x - lo) / (2.0 * hi)
    above = 1.0 - (1.0 - x) ** 2 / (2.0 * a * b)
    return np.where(x < lo, below, np.where(x <= hi, middle, above))


def release(
    stock: np.ndarray, return_rate: float, drop_rate: float, chance: Chance
) -> tuple[np.ndarray, np.ndarray]:
    """One day of a firm's nurture stock (counts by segment): each lead leaves with the
    probability of one event of hazard return_rate + drop_rate in a day, and a lead that
    leaves comes back to sales with probability return_rate / (return + drop). Returns (the
    stock after the day, the leads coming back)."""
    rate = return_rate + drop_rate
    if rate <= 0.0 or not stock.any():
        return stock, np.zeros_like(stock)
    leaving = chance.binomial(stock, np.array(1.0 - np.exp(-rate * DT)))
    back = chance.binomial(leaving, np.array(return_rate / rate))
    return stock - leaving, back
