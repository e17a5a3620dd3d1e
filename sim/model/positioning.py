"""Positioning: where buyers place each firm on the perceptual map, and what that costs it.

The map has two axes, both 0..1: power (simple .. powerful: what the product does) and
service (self-serve .. high-touch: how it is sold and supported). Each segment has an ideal
point; each firm has a perceived position in each segment.

Dynamics, per firm f and segment s, per day (rates per year, t in years):

    dP/dt = m (T - P) + d (R - P),   m = move_rate x (h_ad[f,s] + h_pr[f]) / 2,  d = drift_rate

T is the target the firm's communications claim (a decision), R the product's reality: power
= its quality q (`sim.model.product`), service = its starting service position. Communications
(advertising and PR saturation, Hill, 0..1) pull the perception toward the claim; without
them it drifts back to reality. With m and d constant over a day the step is exact:
P <- P* + (P - P*) e^{-(m+d) dt}, P* = (m T + d R) / (m + d), a convex combination, so
positions stay on the map.

Fit: D = |P - I_s|^2 (0..2). The firm's appeal in the segment is multiplied by
e^{-w_s (D - D_ref)} and the buyer's logit utility changes by -w_s (D - D_ref) (w_s = the
segment's fit_weight, D_ref = 0.1: about a third of the map away neither helps nor hurts).
With w = 4, a firm on the ideal point gains e^0.4 = 1.49x inbound interest and 0.4 logit of
win odds; one half a map away on one axis (D = 0.25) loses 45% of its interest and 0.6 logit.
Segments without an ideal ignore positions (their weight is 0).
"""

from __future__ import annotations

import numpy as np


def settle(
    position: np.ndarray,
    target: np.ndarray,
    reality: np.ndarray,
    move: np.ndarray,
    drift: np.ndarray | float,
    dt: float,
) -> np.ndarray:
    """One exact step of dP/dt = m (T - P) + d (R - P) over dt (years).

    position: firms x segments x 2; target, reality: firms x 2; move: firms x segments (per
    year); drift: per year (scalar or per firm)."""
    m = move[..., None]
    d = np.broadcast_to(np.asarray(drift, dtype=float), move.shape)[..., None]
    rate = m + d
    safe = np.where(rate > 0, rate, 1.0)
    goal = (m * target[:, None, :] + d * reality[:, None, :]) / safe
    goal = np.where(rate > 0, goal, position)
    return goal + (position - goal) * np.exp(-rate * dt)


def distance2(position: np.ndarray, ideal: np.ndarray) -> np.ndarray:
    """Squared distance firms x segments between perceived positions and segment ideals."""
    return ((position - ideal[None, :, :]) ** 2).sum(axis=-1)


FIT_REFERENCE = 0.1  # squared distance at which fit neither helps nor hurts (0.32 map units)


def fit_penalty(position: np.ndarray, ideal: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """w_s (|P - I_s|^2 - D_ref), firms x segments: negative (a gain) closer than
    sqrt(D_ref) to the ideal, positive farther; 0 where a segment has no ideal (weight 0)."""
    return weight[None, :] * (distance2(position, ideal) - FIT_REFERENCE)


def drifted_ideal(base: np.ndarray, drift: np.ndarray, round_no: int) -> np.ndarray:
    """The ideal points at round `round_no` (1-based): base + drift x (round - 1), on the map."""
    return np.clip(base + drift * (round_no - 1), 0.0, 1.0)
