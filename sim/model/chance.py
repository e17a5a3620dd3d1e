"""Random streams: separate per purpose and firm.

Every stream is a numpy `Generator` keyed by `SeedSequence(seed, spawn_key=(purpose, firm))`,
so a stream depends only on the seed and its key, never on the order in which streams are
made or on what other firms draw. Changing one firm's decisions changes only that firm's draws
(common random numbers). Every game draws its luck: a mean-field mode, which replaced draws by
expectations, was removed in model version 4 because its smooth results were not the mean of
play with luck (docs/MODEL.md, "Why every game has luck").

Streams are per (purpose, firm), vectorised over segments; a firm's deals draw their fate from
its leads stream when the lead arrives. Within a round, the leads stream restarts each day, and
the awareness and churn streams each week, at a fixed point of the round's stream
(`start_day`: the PCG64 state jumped by the day or week), so a decision that changes how many
draws a firm makes today does not shift what it draws tomorrow: common random numbers hold
day by day where most draws are made (a daily jump for every stream would cost a third of a
game's time; these cost about 5%). (Saves of version 1 replay with the round-keyed streams they were
played with: `per_day=False`.)
"""

from __future__ import annotations

import numpy as np

PURPOSES = ("awareness", "leads", "churn", "events", "studies", "nurture", "routes")
# How often (days) each purpose's stream restarts at a fixed point of the round's stream: the
# leads stream, which most decisions change the size of, daily; the others weekly.
RESYNC_DAYS = {
    PURPOSES.index("leads"): 1,
    PURPOSES.index("awareness"): 7,
    PURPOSES.index("churn"): 7,
}
# Arrays up to this many cells are drawn cell by cell (faster than numpy's broadcasting there).
SCALAR_CELLS = 12
# numpy's `PCG64.jumped` step, (phi - 1) x 2^128: a day's restart point is the round's state
# advanced by this many draws times (restarts so far + 1), exactly as `jumped` would place it.
JUMP = 0x9E3779B97F4A7C15F39CC0605CEDC835


class Chance:
    """The draws one firm (or the market, firm=-1 -> index 0 of its own key) makes for one purpose."""

    def __init__(
        self,
        seed: int,
        purpose: str,
        firm: int,
        per_day: bool = True,
    ) -> None:
        self.seed = seed
        self.key = (PURPOSES.index(purpose), firm + 1)
        self.salt = 0
        self.per_day = per_day
        self._round_bits: np.random.PCG64
        self.rng = self._generator(self.key)
        # One generator reused for every day's restart: `PCG64.jumped` would build a new bit
        # generator each time, seeding it from OS entropy before overwriting its state.
        self._day_bits = np.random.PCG64(0)
        self._day_rng = np.random.Generator(self._day_bits)

    def _generator(self, key: tuple[int, ...]) -> np.random.Generator:
        self._round_bits = np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=key))
        return np.random.Generator(self._round_bits)

    def start_round(self, round_no: int) -> None:
        """Each round draws from its own stream, keyed (purpose, firm, round): a decision that
        changes how much a firm draws in one round does not shift its draws in the next, so
        common random numbers hold round by round."""
        key = (*self.key, round_no)
        self.rng = self._generator((*key, self.salt) if self.salt else key)

    def start_day(self, day: int) -> None:
        """Every RESYNC_DAYS days (by purpose) the draws restart at a fixed point of the
        round's stream, so what a decision changes in today's draws does not shift later ones."""
        # (looked up, not kept on the stream: a stream pickled in a snapshot cache by an
        # earlier Jigsaw has only the attributes it had then)
        every = RESYNC_DAYS.get(self.key[0], 7)
        if self.per_day and day % every == 0:
            self._day_bits.state = self._round_bits.state
            self._day_bits.advance(JUMP * (day // every + 1))
            self.rng = self._day_rng

    def fork(self, salt: int) -> None:
        """From the next round on, draw from sibling streams (the keys plus `salt`): another
        draw of luck for what follows, as used by forecasts."""
        self.salt = salt

    def binomial(self, n: np.ndarray, p: np.ndarray) -> np.ndarray:
        """Successes among n accounts with probability p each (float array of counts)."""
        # Counts are whole numbers held in floats (sums of whole numbers stay exact). A few
        # cells are drawn one by one (numpy's broadcasting costs more than the draws there);
        # a cell with no trials or no chance draws nothing either way, so the draws are the
        # ones `Generator.binomial(n, p)` makes, in the same order.
        if n.size > SCALAR_CELLS:
            trials = np.maximum(n, 0.0).astype(np.int64)
            return self.rng.binomial(trials, p).astype(np.float64)
        draw = self.rng.binomial
        cells = n.ravel().tolist()
        odds = (p if p.shape == n.shape else np.broadcast_to(p, n.shape)).ravel().tolist()
        out = [
            draw(int(k), q) if k >= 1.0 and q > 0.0 else 0 for k, q in zip(cells, odds, strict=True)
        ]
        return np.array(out, dtype=np.float64).reshape(n.shape)

    def count(self, lam: np.ndarray) -> np.ndarray:
        """Whole-number arrivals with mean lam: Poisson, drawn one by one as `binomial` (a
        zero mean draws nothing either way)."""
        draw = self.rng.poisson
        return np.array(
            [draw(x) if x > 0.0 else 0 for x in lam.ravel().tolist()], dtype=np.int64
        ).reshape(lam.shape)

    def uniform(self, size: int | tuple[int, int]) -> np.ndarray:
        """Uniforms on [0, 1)."""
        return self.rng.random(size)

    def lead_draws(
        self, n: int, firms: int, shape: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A day's draws for n leads, in this order: three uniforms per lead (knows the
        brand, arrival offset, fate), one cycle-time variate per lead (`standard_gamma`), and
        last one uniform per lead and firm (on the shortlist), drawn firm by firm (column j is
        firm j's block), so a firm added at the end leaves every other draw as it was."""
        own = self.rng.random((n, 3))
        cycle = self.standard_gamma(shape, n)
        return own, cycle, self.rng.random((firms, n)).T

    def standard_gamma(self, shape: float, size: int) -> np.ndarray:
        """Gamma variates with mean 1 and the given shape."""
        return self.rng.standard_gamma(shape, size) / shape

    def choice(self, n: int) -> int:
        """An index in range(n)."""
        return int(self.uniform(1)[0] * n) if n else 0
