"""Random streams: separate per purpose and firm, or their expectations in mean-field mode.

Every stream is a numpy `Generator` keyed by `SeedSequence(seed, spawn_key=(purpose, firm))`,
so a stream depends only on the seed and its key, never on the order in which streams are
made or on what other firms draw. Changing one firm's decisions changes only that firm's draws
(common random numbers). In mean-field mode the same calls return expectations: counts become
expected values (or, where a whole number is needed, a running carry of expected values), and
uniforms become a low-discrepancy Weyl sequence, so deals still resolve one by one, smoothly.
"""

from __future__ import annotations

import math

import numpy as np

PURPOSES = ("awareness", "leads", "deals", "churn", "events")
GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


class Chance:
    """The draws one firm (or the market, firm=-1 -> index 0 of its own key) makes for one purpose."""

    def __init__(self, seed: int, purpose: str, firm: int, mean_field: bool = False) -> None:
        key = (PURPOSES.index(purpose), firm + 1)
        self.rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))
        self.mean_field = mean_field
        self._weyl = 0.5 * GOLDEN
        self._carry: dict[str, np.ndarray] = {}

    def binomial(self, n: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Successes among n accounts with probability p each (float array of counts)."""
        if self.mean_field:
            return n * p
        # Counts are whole numbers held in floats (sums of whole numbers stay exact).
        return self.rng.binomial(np.maximum(n, 0.0).astype(np.int64), p).astype(np.float64)

    def count(self, lam: np.ndarray, key: str) -> np.ndarray:
        """Whole-number arrivals with mean lam: Poisson, or a carry of expectations."""
        if not self.mean_field:
            return self.rng.poisson(np.maximum(lam, 0.0))
        carry = self._carry.get(key)
        total = (carry if carry is not None else 0.0) + np.maximum(lam, 0.0)
        whole = np.floor(total + 1e-12)
        self._carry[key] = total - whole
        return whole.astype(np.int64)

    def uniform(self, size: int | tuple[int, ...]) -> np.ndarray:
        """Uniforms on [0, 1): pseudo-random, or a Weyl sequence in mean-field mode."""
        if not self.mean_field:
            return self.rng.random(size)
        n = int(np.prod(size))
        seq = (self._weyl + GOLDEN * np.arange(1, n + 1)) % 1.0
        self._weyl = float(seq[-1]) if n else self._weyl
        return seq.reshape(size)

    def standard_gamma(self, shape: float, size: int) -> np.ndarray:
        """Gamma variates with mean 1 and the given shape (all ones in mean-field mode)."""
        if self.mean_field:
            return np.ones(size)
        return self.rng.standard_gamma(shape, size) / shape

    def choice(self, n: int) -> int:
        """An index in range(n)."""
        return int(self.uniform(1)[0] * n) if n else 0
