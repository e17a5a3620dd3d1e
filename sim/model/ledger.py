"""Money: a firm's P&L per round, cash and credit line, bankruptcy.

Spending accrues daily (marketing, salaries, training, product development, serving
customers), revenue daily,
commission when a deal is booked (a partner's margin when a partner's deal is), hiring and severance when headcount changes, market studies
when they are bought (at the start of the round), fixed costs per round. At the close
each line is rounded to cents and cash moves by exactly the operating profit. A firm whose cash
falls below `-credit_line` is bankrupt and leaves the market.
"""

from __future__ import annotations

from dataclasses import dataclass


def cents(x: float) -> int:
    return int(round(x * 100.0))


@dataclass(frozen=True)
class Books:
    """One round's P&L, in currency (each line a whole number of cents)."""

    revenue: float
    cost_of_revenue: float  # the share of revenue (1 - gross margin) plus serving
    serving: float  # cost of serving the customers (part of cost_of_revenue)
    marketing: float
    salaries: float
    hiring: float
    severance: float
    training: float
    commission: float
    product: float
    research: float
    fixed: float
    bookings: float
    profit: float
    cash: float
    bankrupt: bool
    nurture: float = 0.0  # marketing automation of the leads sent to nurture
    partners: float = 0.0  # channel partners' margins on the deals they closed

    @property
    def sales(self) -> float:
        return round(
            self.salaries + self.hiring + self.severance + self.training + self.commission, 2
        )


class Ledger:
    """One firm's books."""

    LINES = (
        "revenue",
        "marketing",
        "salaries",
        "hiring",
        "severance",
        "training",
        "commission",
        "product",
        "research",
        "serving",
        "bookings",
        "nurture",
        "partners",
    )

    def __init__(
        self, cash: float, credit_line: float, gross_margin: float, fixed_per_round: float
    ) -> None:
        self.cash_cents = cents(cash)
        self.credit_line = credit_line
        self.gross_margin = gross_margin
        self.fixed_per_round = fixed_per_round
        self.bankrupt = False
        self.lines = dict.fromkeys(self.LINES, 0.0)

    @property
    def cash(self) -> float:
        return self.cash_cents / 100.0

    @property
    def room(self) -> float:
        """What the firm may still spend: its cash plus its credit line."""
        return self.cash + self.credit_line

    def accrue_day(
        self,
        revenue: float,
        marketing: float,
        salaries: float,
        training: float,
        product: float = 0.0,
        serving: float = 0.0,
        nurture: float = 0.0,
    ) -> None:
        ln = self.lines
        if nurture:
            ln["nurture"] += nurture
        ln["revenue"] += revenue
        ln["marketing"] += marketing
        ln["salaries"] += salaries
        ln["training"] += training
        ln["product"] += product
        ln["serving"] += serving

    def book(self, value: float, commission_rate: float) -> None:
        """A won deal: first-year contract value booked, commission paid on it."""
        self.lines["bookings"] += value
        self.lines["commission"] += value * commission_rate

    def pay_partner(self, margin: float) -> None:
        """A partner closed a deal: its margin on the first-year value."""
        self.lines["partners"] += margin

    def charge(self, hiring: float = 0.0, severance: float = 0.0, research: float = 0.0) -> None:
        self.lines["hiring"] += hiring
        self.lines["severance"] += severance
        self.lines["research"] += research

    def close(self) -> Books:
        """Close the round: profit in cents, cash moves by exactly that, bankruptcy checked."""
        c = {k: cents(v) for k, v in self.lines.items()}
        # cost of revenue: the share of revenue it takes, plus serving every customer
        cogs = cents(self.lines["revenue"] * (1.0 - self.gross_margin)) + c["serving"]
        fixed = 0 if self.bankrupt else cents(self.fixed_per_round)
        costs = (
            cogs
            + c["marketing"]
            + c["salaries"]
            + c["hiring"]
            + c["severance"]
            + c["training"]
            + c["commission"]
            + c["product"]
            + c["research"]
            + c["nurture"]
            + c["partners"]
            + fixed
        )
        profit = c["revenue"] - costs
        self.cash_cents += profit
        went_bankrupt = not self.bankrupt and self.cash_cents < -cents(self.credit_line)
        self.bankrupt = self.bankrupt or went_bankrupt
        books = Books(
            revenue=c["revenue"] / 100,
            cost_of_revenue=cogs / 100,
            serving=c["serving"] / 100,
            marketing=c["marketing"] / 100,
            salaries=c["salaries"] / 100,
            hiring=c["hiring"] / 100,
            severance=c["severance"] / 100,
            training=c["training"] / 100,
            commission=c["commission"] / 100,
            product=c["product"] / 100,
            research=c["research"] / 100,
            fixed=fixed / 100,
            bookings=c["bookings"] / 100,
            profit=profit / 100,
            cash=self.cash_cents / 100,
            bankrupt=self.bankrupt,
            nurture=c["nurture"] / 100,
            partners=c["partners"] / 100,
        )
        self.lines = dict.fromkeys(self.LINES, 0.0)
        return books
