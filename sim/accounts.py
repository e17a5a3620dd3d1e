"""Customers: subscription revenue, satisfaction, churn, one firm per account.

Scenario: a won account pays `deal_value x price` a year, at the price it signed at,
recognised daily, until it churns (a later price change reaches new deals, not old contracts).
Account management keeps customers covered; covered, fairly priced customers are satisfied,
churn less and refer others. An account is a customer of at most one firm; a churned account
returns to the prospects. Accounts are conserved: prospects + all firms' customers = accounts.
"""

from __future__ import annotations

import numpy as np

from sim.chance import Chance
from sim.scenario import Scenario

DT = 1.0 / 365.0
SATISFACTION_RATE = 2.0  # per year: how fast satisfaction follows its drivers


def satisfaction_target(coverage: np.ndarray, price: np.ndarray, skill: np.ndarray) -> np.ndarray:
    """Where satisfaction (0..100) heads: 50 + 30 coverage - 25 ln(price) + 20 (skill - 0.5)."""
    return np.clip(50.0 + 30.0 * coverage - 25.0 * np.log(price) + 20.0 * (skill - 0.5), 0, 100)


def churn_rate(
    base: np.ndarray,
    am_reduction: np.ndarray,
    coverage: np.ndarray,
    price: np.ndarray,
    satisfaction: np.ndarray,
) -> np.ndarray:
    """Annual churn hazard, firms x segments: base x (1 - reduction x coverage) x price x
    (1.5 - satisfaction / 100). At coverage 0, price 1, satisfaction 50 it is the base rate."""
    firm = (1.0 - am_reduction * coverage) * price * (1.5 - satisfaction / 100.0)
    return firm[:, None] * base[None, :]


class Accounts:
    """Who buys from whom, what they pay, and who leaves."""

    def __init__(
        self, scenario: Scenario, seed: int, am_reduction: np.ndarray, streams: int = 2
    ) -> None:
        segs = scenario.segments
        self.size = np.array([float(s.accounts) for s in segs])
        self.deal_value = np.array([float(s.deal_value) for s in segs])
        self.base_churn = np.array([float(s.churn) for s in segs])
        self.am_reduction = am_reduction
        self.customers = np.array(
            [[float(f.customers.get(s.id, 0)) for s in segs] for f in scenario.firms]
        )
        self.prospects = self.size - self.customers.sum(axis=0)
        # annual contract value of each firm's customers per segment (starting ones at list)
        self.contracts = self.customers * self.deal_value
        self.satisfaction = np.array([float(f.satisfaction) for f in scenario.firms])
        mf = scenario.meta.mean_field
        self.chance = [
            Chance(seed, "churn", i, mf, per_day=streams >= 2) for i in range(len(scenario.firms))
        ]
        self.churned = np.zeros_like(self.customers)  # this round
        self.won = np.zeros_like(self.customers)  # this round

    def satisfy(
        self,
        coverage: np.ndarray,
        price: np.ndarray,
        skill: np.ndarray,
        active: np.ndarray,
        quality_bonus: np.ndarray | float = 0.0,
    ) -> None:
        """Satisfaction relaxes toward its target (plus the product's quality bonus, points)."""
        target = np.clip(satisfaction_target(coverage, price, skill) + quality_bonus, 0, 100)
        moved = target + (self.satisfaction - target) * np.exp(-SATISFACTION_RATE * DT)
        self.satisfaction = np.where(active, moved, self.satisfaction)

    def serve(
        self,
        price: np.ndarray,
        coverage: np.ndarray,
        churn_multiplier: np.ndarray,
        active: np.ndarray,
    ) -> np.ndarray:
        """One day: customers pay (revenue per firm), then some churn back to the prospects."""
        revenue = self.contracts.sum(axis=1) * DT
        rate = churn_rate(self.base_churn, self.am_reduction, coverage, price, self.satisfaction)
        p = -np.expm1(-rate * churn_multiplier[None, :] * DT)
        for i, chance in enumerate(self.chance):
            if not active[i]:
                continue
            lost = np.minimum(chance.binomial(self.customers[i], p[i]), self.customers[i])
            held = self.customers[i]
            # churners leave with the average contract of their segment
            self.contracts[i] -= np.divide(
                self.contracts[i] * lost, held, out=np.zeros_like(lost), where=held > 0
            )
            self.customers[i] -= lost
            self.prospects += lost
            self.churned[i] += lost
        return np.where(active, revenue, 0.0)

    def win(self, firm: int, segment: int, value: float) -> bool:
        """A won deal turns a prospect into the firm's customer (paying `value` a year), if
        one is still free."""
        if self.prospects[segment] < 1.0:
            return False
        self.prospects[segment] -= 1.0
        self.customers[firm, segment] += 1.0
        self.contracts[firm, segment] += value
        self.won[firm, segment] += 1.0
        return True

    def release(self, firm: int) -> None:
        """A bankrupt firm's customers return to the prospects."""
        self.prospects += self.customers[firm]
        self.customers[firm] = 0.0
        self.contracts[firm] = 0.0

    def expected_churn(
        self, firm: int, price: float, coverage: float, multiplier: np.ndarray
    ) -> float:
        """The firm's current annual churn hazard, averaged over its customers (or over the
        segments, if it has none)."""
        rate = churn_rate(
            self.base_churn * multiplier,
            self.am_reduction[firm : firm + 1],
            np.array([coverage]),
            np.array([price]),
            self.satisfaction[firm : firm + 1],
        )[0]
        cust = self.customers[firm]
        return float((rate * cust).sum() / cust.sum()) if cust.sum() > 0 else float(rate.mean())

    def start_round(self) -> None:
        self.churned[:] = 0.0
        self.won[:] = 0.0
