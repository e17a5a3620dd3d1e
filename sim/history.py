"""The game so far as tables, round by round: one home for what the history shows, read by
the Textual history screen (`h`) and by the plain game (`history`).

Three tables over the rounds played: what the player decided and what came of it; what anyone
can see of every firm (share, price, revenue, customers); the player's deals, customers, share
of accounts and churn by segment. Every cell is plain text (user-typed names stay text)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sim.model.decisions import Decision
from sim.model.gauge import rho_text
from sim.model.report import RoundReport
from sim.model.scenario import STUDY_LABELS, Scenario
from sim.numbers import money


class Table(NamedTuple):
    title: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


# studies last: a long list must not push the figures off a narrow screen
DECISION_COLUMNS = (
    "round",
    "budget",
    "marketing",
    "price",
    "R&D",
    "revenue",
    "profit",
    "won",
    "customers",
    "rho",
    "studies",
)
PUBLIC_COLUMNS = ("round", "firm", "share", "price", "revenue", "customers")
SEGMENT_COLUMNS = ("round", "segment", "deals won", "customers", "share of accounts", "churned")


def history_tables(
    scenario: Scenario,
    reports: Sequence[RoundReport],
    decisions: Sequence[dict[str, Decision]],
    player: str,
) -> list[Table]:
    """The three tables for `player` after `reports` (decisions: each round's, by firm). An
    empty table has no rows."""
    mine = []
    for r in reports:
        f = r.firms[player]
        d = decisions[r.round - 1].get(player) if r.round <= len(decisions) else None
        mine.append(
            (
                str(r.round),
                money(d.total_budget) if d else "-",
                f"{d.marketing_share:.0%}" if d else "-",
                f"{d.price:.2f}" if d else "-",
                f"{d.product_share:.0%}" if d else "-",
                money(f.revenue),
                money(f.profit),
                str(f.deals_won),
                f"{f.total_customers:.0f}",
                "-" if f.alignment_ratio is None else rho_text(f.alignment_ratio),
                ", ".join(STUDY_LABELS[x] for x in d.research) if d and d.research else "-",
            )
        )
    names = {firm.id: firm.label for firm in scenario.firms}
    public = []
    for r in reports:
        for fid, p in r.public().items():
            label = names[fid] + (" (you)" if fid == player else "")
            label += " (bankrupt)" if p["bankrupt"] else ""
            public.append(
                (
                    str(r.round),
                    label,
                    f"{p['market_share']:.0%}",
                    f"{p['price']:.2f}",
                    money(p["revenue"]),
                    f"{p['customers']:.0f}",
                )
            )
    by = []
    for r in reports:
        f = r.firms[player]
        for seg in scenario.segments:
            share = r.segments[seg.id].share.get(player) if seg.id in r.segments else None
            by.append(
                (
                    str(r.round),
                    seg.label,
                    str(f.deals_won_by.get(seg.id, 0)),
                    f"{f.customers.get(seg.id, 0):.0f}",
                    "-" if share is None else f"{share:.1%}",
                    f"{f.churned_by.get(seg.id, 0):.0f}",
                )
            )
    return [
        Table("Your decisions and results", DECISION_COLUMNS, mine),
        Table("Every firm's public figures", PUBLIC_COLUMNS, public),
        Table("You by segment", SEGMENT_COLUMNS, by),
    ]
