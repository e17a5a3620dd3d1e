"""Customers: subscription revenue, satisfaction, churn, one firm per account.

Scenario: a won account pays `deal_value x price` a year, at the price it signed at,
recognised daily, until it churns (a later price change reaches new deals, not old contracts).
Customers are kept in cohorts by the round they signed in (round 0: the customers a firm starts
with, at list price), so every customer's churn and satisfaction follow the price that customer
pays, not the price the firm asks today. Account management keeps customers covered; covered,
fairly priced customers are satisfied, churn less and refer others. Serving a customer costs
the segment's `cost_to_serve` a year, whatever it pays. An account is a customer of at most one
firm; a churned account returns to the prospects. Accounts are conserved: prospects + all
firms' customers = accounts.

In a scenario with routes to market (`sim.model.routes`) a cohort is a (route, round) pair,
route-major: the direct route's rounds first, then the partners', then self-serve's, whose
customers churn at `self_serve_churn` x the rate; elsewhere there is one route, direct.
"""

from __future__ import annotations

import numpy as np

from sim.model.chance import Chance
from sim.model.scenario import Scenario

DT = 1.0 / 365.0
SATISFACTION_RATE = 2.0  # per year: how fast satisfaction follows its drivers
# Where a segment's `churn` is met: full account-management coverage, list price, and the
# satisfaction that ordinary play holds (full coverage, average skill and quality: about 80).
SATISFACTION_REFERENCE = 80.0


def satisfaction_target(coverage: np.ndarray, price: np.ndarray, skill: np.ndarray) -> np.ndarray:
    """Where satisfaction (0..100) heads: 50 + 30 coverage - 25 ln(price paid) + 20 (skill -
    0.5); `price` is the firm's customers' mean price index (geometric)."""
    return np.clip(50.0 + 30.0 * coverage - 25.0 * np.log(price) + 20.0 * (skill - 0.5), 0, 100)


def churn_factor(
    am_reduction: np.ndarray, coverage: np.ndarray, satisfaction: np.ndarray
) -> np.ndarray:
    """How a firm's service moves churn around the segment's base, per firm:
    (1 - r coverage) / (1 - r) x (1.5 - Sat/100) / (1.5 - 80/100). It is 1 at full coverage and
    satisfaction 80; no coverage multiplies churn by 1 / (1 - r) (2.5 at r = 0.6)."""
    cover = (1.0 - am_reduction * coverage) / np.maximum(1.0 - am_reduction, 1e-9)
    content = (1.5 - satisfaction / 100.0) / (1.5 - SATISFACTION_REFERENCE / 100.0)
    return cover * content


class Accounts:
    """Who buys from whom, at what price, and who leaves."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        am_reduction: np.ndarray,
        streams: int = 2,
        self_serve_churn: np.ndarray | None = None,
    ) -> None:
        segs = scenario.segments
        F, S = len(scenario.firms), len(segs)
        self.size = np.array([float(s.accounts) for s in segs])
        self.deal_value = np.array([float(s.deal_value) for s in segs])
        self.base_churn = np.array([float(s.churn) for s in segs])
        self.cost_to_serve = np.array([float(s.cost_to_serve) for s in segs])
        self.am_reduction = am_reduction
        # customers by (firm, segment, cohort): cohort 0 is the start, k the round signed in;
        # with routes to market, one such run of rounds per route (route-major)
        self.rounds = K = scenario.meta.rounds + 1
        self.routes = R = 3 if scenario.offers_routes else 1
        self.cohorts = np.zeros((F, S, R * K))
        self.cohorts[:, :, 0] = [
            [float(f.customers.get(s.id, 0)) for s in segs] for f in scenario.firms
        ]
        self.paid = np.ones((F, R * K))  # each cohort's price index
        # each cohort's churn multiplier by route: self-serve customers leave faster
        self.route_churn = np.ones((F, R * K))
        if R > 1 and self_serve_churn is not None:
            self.route_churn[:, 2 * K :] = np.asarray(self_serve_churn)[:, None]
        self.cohort = 0  # the round deals signed now join (the direct route's cohort)
        self.customers = self.cohorts.sum(axis=2)
        self.prospects = self.size - self.customers.sum(axis=0)
        self.satisfaction = np.array([float(f.satisfaction) for f in scenario.firms])
        self.chance = [Chance(seed, "churn", i, per_day=streams >= 2) for i in range(F)]
        self.churned = np.zeros_like(self.customers)  # this round
        self.won = np.zeros_like(self.customers)  # this round
        self.signed = np.zeros((F, S, R))  # this round, by route
        self.revenue_by_route = np.zeros((F, R))  # this round

    def by_route(self) -> np.ndarray:
        """Customers by firm, segment and route (firms x segments x routes)."""
        F, S, _ = self.cohorts.shape
        return self.cohorts.reshape(F, S, self.routes, self.rounds).sum(axis=3)

    def by_round(self) -> np.ndarray:
        """Customers by firm, segment and the round they signed in, all routes together."""
        F, S, _ = self.cohorts.shape
        return self.cohorts.reshape(F, S, self.routes, self.rounds).sum(axis=2)

    @property
    def contracts(self) -> np.ndarray:
        """Annual contract value of each firm's customers per segment (firms x segments)."""
        return (self.cohorts * self.paid[:, None, :]).sum(axis=2) * self.deal_value

    def price_paid(self, asking: np.ndarray) -> np.ndarray:
        """Each firm's customers' mean price index (geometric, over all its customers); the
        asking price for a firm with none."""
        held = self.cohorts.sum(axis=1)  # firms x cohorts
        total = held.sum(axis=1)
        log_mean = np.divide(
            (held * np.log(self.paid)).sum(axis=1),
            total,
            out=np.log(asking).astype(float),
            where=total > 0,
        )
        return np.exp(log_mean)

    def satisfy(
        self,
        coverage: np.ndarray,
        price: np.ndarray,
        skill: np.ndarray,
        active: np.ndarray,
        quality_bonus: np.ndarray | float = 0.0,
    ) -> None:
        """Satisfaction relaxes toward its target (plus the product's quality bonus, points);
        price is the asking price, used only for a firm with no customers."""
        paid = self.price_paid(price)
        target = np.clip(satisfaction_target(coverage, paid, skill) + quality_bonus, 0, 100)
        moved = target + (self.satisfaction - target) * np.exp(-SATISFACTION_RATE * DT)
        self.satisfaction = np.where(active, moved, self.satisfaction)

    def hazard(self, coverage: np.ndarray, multiplier: np.ndarray | float = 1.0) -> np.ndarray:
        """Annual churn hazard of every cohort, firms x segments x cohorts: the segment's base,
        times the firm's service factor, times the price the cohort pays, times the market's
        (recession) multiplier."""
        firm = churn_factor(self.am_reduction, coverage, self.satisfaction)
        seg = self.base_churn * multiplier
        cohort = self.paid if self.routes == 1 else self.paid * self.route_churn
        return firm[:, None, None] * seg[None, :, None] * cohort[:, None, :]

    def serve(
        self, coverage: np.ndarray, churn_multiplier: np.ndarray, active: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """One day: customers pay (revenue per firm) and cost their service; then some churn
        back to the prospects. Returns (revenue, serving cost) per firm."""
        revenue = self.contracts.sum(axis=1) * DT
        if self.routes > 1:
            F, S, _ = self.cohorts.shape
            by_cohort = self.cohorts * self.paid[:, None, :] * self.deal_value[None, :, None]
            by_route = by_cohort.reshape(F, S, self.routes, self.rounds).sum(axis=(1, 3))
            self.revenue_by_route += np.where(active[:, None], by_route * DT, 0.0)
        serving = (self.customers * self.cost_to_serve).sum(axis=1) * DT
        p = -np.expm1(-self.hazard(coverage, churn_multiplier) * DT)
        lost = np.zeros_like(self.cohorts)
        for i, chance in enumerate(self.chance):
            if active[i]:
                lost[i] = chance.binomial(self.cohorts[i], p[i])
        lost = np.minimum(lost, self.cohorts)
        self.cohorts -= lost
        by_segment = lost.sum(axis=2)
        self.customers -= by_segment
        self.churned += by_segment
        self.prospects += by_segment.sum(axis=0)  # whole numbers: exact in any order
        return np.where(active, revenue, 0.0), np.where(active, serving, 0.0)

    def win(self, firm: int, segment: int, route: int = 0, count: float = 1.0) -> float:
        """Won deals turn prospects into the firm's customers (in this round's cohort of the
        route they came by), as many as are still free; returns how many."""
        n = min(count, float(np.floor(self.prospects[segment])))
        if n < 1.0:
            return 0.0
        self.prospects[segment] -= n
        self.customers[firm, segment] += n
        self.cohorts[firm, segment, route * self.rounds + self.cohort] += n
        self.won[firm, segment] += n
        self.signed[firm, segment, route] += n
        return n

    def release(self, firm: int) -> None:
        """A bankrupt firm's customers return to the prospects."""
        self.prospects += self.customers[firm]
        self.customers[firm] = 0.0
        self.cohorts[firm] = 0.0

    def equity(
        self,
        firm: int,
        coverage: np.ndarray,
        gross_margin: float,
        discount: float,
        years: float,
    ) -> float:
        """Customer equity: what the firm's customers are worth over the next `years`, each
        cohort's annual margin (contract x gross margin - cost to serve) discounted at
        `discount` and thinned by its churn hazard h: margin x (1 - e^-(h+d)T) / (h + d)."""
        rate = self.hazard(coverage)[firm] + discount
        margin = (
            self.deal_value[:, None] * self.paid[firm][None, :] * gross_margin
            - self.cost_to_serve[:, None]
        )
        horizon = -np.expm1(-rate * years) / rate
        return float((self.cohorts[firm] * margin * horizon).sum())

    def start_round(self, round_no: int, price: np.ndarray) -> None:
        """Deals signed this round join cohort `round_no`, at this round's price."""
        self.cohort = round_no
        for route in range(self.routes):
            self.paid[:, route * self.rounds + round_no] = price
        self.churned[:] = 0.0
        self.won[:] = 0.0
        self.signed[:] = 0.0
        self.revenue_by_route[:] = 0.0
