"""The diary: what a game did day by day, for an analyst's data (`sim.lab`).

A round report says what a round added up to; an analyst measuring marketing wants the days:
what each channel spent in each segment, what the firm charged, what it earned and booked,
which leads arrived by which route, how each lead ended, and how each cohort of customers
kept. A `Diary` attached to a game (`Game.diary`) is told each of these as it happens; it never
changes what the game does, and a game without one (the default) pays nothing for it.

Units: days from the start of the game (day 0 is the first), money in the scenario's
currency, counts of accounts and leads.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.model.pipeline import KINDS, Deal, DealRecord
from sim.model.scenario import CHANNELS

if TYPE_CHECKING:
    from sim.model.game import Game
    from sim.model.pipeline import LeadBatch

DT = 1.0 / 365.0
OPEN = "open"  # a lead still waiting, or a deal still in flight, when the game stopped


@dataclass(frozen=True, slots=True)
class Lead:
    """One lead's story for the analyst: how it came, how long it waited, how it ended."""

    firm: int
    segment: int
    kind: int  # index into pipeline.KINDS
    arrived: float  # day
    started: float  # day a slot took it (nan: never)
    ended: float  # day it was won, lost or went cold (nan: still open)
    outcome: str  # won, lost, cold, taken, or open
    stage: int  # index into pipeline.STAGES reached (-1: never started)
    reason: int  # index into pipeline.REASONS for a lead not won (-1: won or open)
    value: float  # the first-year contract booked (0 unless won)


@dataclass
class Diary:
    """Every day of one game, for every firm (arrays indexed [day, firm, ...])."""

    firms: int
    segments: int
    round_days: int
    deal_value: np.ndarray  # per segment
    spend: list[np.ndarray] = field(default_factory=list)  # channel x firm x segment per day
    price: list[np.ndarray] = field(default_factory=list)  # per firm: the price charged
    revenue: list[np.ndarray] = field(default_factory=list)  # firm x segment: recognised
    leads: list[np.ndarray] = field(default_factory=list)  # firm x kind x segment: arrived
    interest: list[np.ndarray] = field(default_factory=list)  # per segment: events' multiplier
    churn: list[np.ndarray] = field(default_factory=list)  # per segment: events' multiplier
    price_cut: list[np.ndarray] = field(default_factory=list)  # per firm: a price war's cut
    active: list[np.ndarray] = field(default_factory=list)  # per firm: still in the market
    held: list[np.ndarray] = field(default_factory=list)  # firm x segment: customers
    hazard: list[np.ndarray] = field(default_factory=list)  # firm x segment: churn hazard x held
    # won deals, by (day, firm, segment): bookings and the accounts that became customers
    booked: dict[tuple[int, int, int], float] = field(default_factory=dict)
    signed: dict[tuple[int, int, int], float] = field(default_factory=dict)
    # ... of them, those that came by partners and by self-serve (sim.model.routes)
    by_partner: dict[tuple[int, int, int], float] = field(default_factory=dict)
    by_self_serve: dict[tuple[int, int, int], float] = field(default_factory=dict)
    records: list[Lead] = field(default_factory=list)
    # at each round's close: customers by (firm, segment, cohort), and those won that round
    cohorts: list[np.ndarray] = field(default_factory=list)
    won: list[np.ndarray] = field(default_factory=list)

    @classmethod
    def of(cls, game: Game) -> Diary:
        return cls(
            firms=len(game.ids),
            segments=len(game.scenario.segments),
            round_days=game.scenario.meta.round_days,
            deal_value=game.market.deal_value.copy(),
        )

    @property
    def days(self) -> int:
        return len(self.spend)

    # --- what the game tells it ------------------------------------------------------------

    def morning(self, game: Game) -> None:
        """Before the day's market moves: what the customers pay today (their contracts, as
        `Accounts.serve` is about to recognise them), how many there are, and the churn hazard
        they face (per year, summed over customers: `Accounts.hazard` at today's coverage)."""
        active = game.market.active
        acc = game.accounts
        self.revenue.append(acc.contracts * DT * active[:, None])
        self.held.append(acc.customers.copy())
        hazard = acc.hazard(game.coverage(), game.market.churn_multiplier)
        self.hazard.append((hazard * acc.cohorts).sum(axis=2))

    def day(self, game: Game, batches: dict[int, LeadBatch]) -> None:
        """After the day's market moved: spend by channel and segment (as the ledger accrues
        it, nothing for a firm that left), the price, the events in force, the leads."""
        m = game.market
        active = m.active.copy()
        self.spend.append(np.stack([m.daily_spend[ch] for ch in CHANNELS]) * active[None, :, None])
        self.price.append(m.effective_price())
        self.interest.append(np.asarray(m.interest_multiplier, dtype=float).copy())
        self.churn.append(np.asarray(m.churn_multiplier, dtype=float).copy())
        self.price_cut.append(np.asarray(m.price_cut, dtype=float).copy())
        self.active.append(active)
        leads = np.zeros((self.firms, len(KINDS), self.segments), dtype=np.int64)
        for i, batch in batches.items():
            np.add.at(leads[i], (batch.kind, batch.segment), 1)
        self.leads.append(leads)

    def signed_up(
        self, firm: int, segment: int, when: float, value: float, count: int = 1, route: int = 0
    ) -> None:
        """Won deals (`count` of them, by `route`: 0 the reps, 1 partners, 2 self-serve)
        became customers, each booked at `value`."""
        key = (int(when), firm, segment)
        self.booked[key] = self.booked.get(key, 0.0) + value * count
        self.signed[key] = self.signed.get(key, 0) + count
        if route:
            table = self.by_partner if route == 1 else self.by_self_serve
            table[key] = table.get(key, 0) + count

    def round_closed(self, game: Game) -> None:
        """Before the books close: every lead that ended this round, the cohorts as they
        stand and the accounts won."""
        price = game.market.effective_price()
        for i, force in enumerate(game.forces):
            for r in force.records:
                value = float(self.deal_value[r.segment] * price[i]) if r.outcome == "won" else 0.0
                self.records.append(_lead(i, r, value))
        self.cohorts.append(game.accounts.by_round())
        self.won.append(game.accounts.won.copy())

    def stopped(self, game: Game) -> None:
        """The game is over (or stops here): the leads still waiting and the deals still in
        flight, as open."""
        for i, force in enumerate(game.forces):
            pool = force.slots
            for req in (*pool.users, *pool.put_queue):
                deal: Deal = req.deal
                started = deal.started
                self.records.append(
                    Lead(
                        i,
                        deal.segment,
                        deal.kind,
                        deal.arrived,
                        started,
                        math.nan,
                        OPEN,
                        deal.stage if started == started else -1,
                        -1,
                        0.0,
                    )
                )

    # --- read back -------------------------------------------------------------------------

    def stacked(self, name: str) -> np.ndarray:
        """One daily series as an array, day first."""
        return np.stack(getattr(self, name))

    def by_day(self, table: Mapping[tuple[int, int, int], float]) -> np.ndarray:
        """A won-deal table as an array [day, firm, segment]."""
        out = np.zeros((self.days, self.firms, self.segments))
        for (d, i, s), v in table.items():
            if d < self.days:
                out[d, i, s] += v
        return out


def _lead(firm: int, r: DealRecord, value: float) -> Lead:
    return Lead(
        firm, r.segment, r.kind, r.arrived, r.started, r.ended, r.outcome, r.stage, r.reason, value
    )
