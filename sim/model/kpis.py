"""The KPIs: one registry of the metrics that reports, sweeps, the run table and the screens
show, each with its name, its label, what kind of number it is and how it is computed.

Two kinds of KPI:
- a round KPI reads one firm's figures of one round (`FirmRound`): the columns of the round
  table of `jigsaw run`, the boards of the terminal game;
- a game KPI reads one firm's whole game: the metrics of a sweep's rows and summaries.

The kind says how a number reads (`sim.numbers.show`): money, a share (0..1, shown as a
percent), a count, a ratio, or a score (0..100).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sim.model.report import FirmRound

if TYPE_CHECKING:
    from sim.model.game import Game

Kind = Literal["money", "share", "count", "ratio", "score"]


@dataclass(frozen=True)
class RoundKpi:
    """A KPI of one firm in one round."""

    name: str
    label: str  # short, for a table's header
    kind: Kind
    value: Callable[[FirmRound], float | None]


@dataclass(frozen=True)
class GameKpi:
    """A KPI of one firm over a whole game (`value(game, firm_id)`)."""

    name: str
    label: str
    kind: Kind
    value: Callable[[Game, str], float]


ROUND_KPIS = {
    k.name: k
    for k in (
        RoundKpi("revenue", "revenue", "money", lambda f: f.revenue),
        RoundKpi("profit", "profit", "money", lambda f: f.profit),
        RoundKpi("cash", "cash", "money", lambda f: f.cash),
        RoundKpi("market_share", "share", "share", lambda f: f.market_share),
        RoundKpi("customers", "cust", "count", lambda f: f.total_customers),
        RoundKpi("leads", "leads", "count", lambda f: f.leads),
        RoundKpi("leads_cold", "cold", "count", lambda f: f.leads_cold),
        RoundKpi("deals_won", "won", "count", lambda f: f.deals_won),
        RoundKpi("win_rate", "win%", "share", lambda f: f.win_rate),
        RoundKpi("reps", "reps", "count", lambda f: f.reps),
        RoundKpi("alignment_ratio", "rho", "ratio", lambda f: f.alignment_ratio),
    )
}


def _rounds(game: Game, firm_id: str) -> list[FirmRound]:
    return [r.firms[firm_id] for r in game.reports]


def _win_rate(game: Game, firm_id: str) -> float:
    mine = _rounds(game, firm_id)
    closed = sum(f.deals_won + f.deals_lost for f in mine)
    return round(sum(f.deals_won for f in mine) / closed, 6) if closed else 0.0


def _cold_share(game: Game, firm_id: str) -> float:
    mine = _rounds(game, firm_id)
    warm = sum(f.leads_inbound + f.leads_referral for f in mine)
    return round(sum(f.leads_cold for f in mine) / warm, 6) if warm else 0.0


def _rho(game: Game, firm_id: str) -> float:
    rhos = [f.alignment_ratio for f in _rounds(game, firm_id) if f.alignment_ratio is not None]
    return round(statistics.fmean(rhos), 6) if rhos else 0.0


def _indirect_share(game: Game, firm_id: str) -> float:
    """The share of the firm's customers at the end that came through partners or
    self-serve (0 in a market without routes to market)."""
    held = game.reports[-1].firms[firm_id].customers_by_route
    total = sum(held.values())
    return round((total - held.get("direct", 0)) / total, 6) if total else 0.0


GAME_KPIS = {
    k.name: k
    for k in (
        GameKpi(
            "profit", "profit", "money", lambda g, f: round(sum(x.profit for x in _rounds(g, f)), 2)
        ),
        GameKpi(
            "revenue",
            "revenue",
            "money",
            lambda g, f: round(sum(x.revenue for x in _rounds(g, f)), 2),
        ),
        GameKpi("cash", "cash at the end", "money", lambda g, f: g.reports[-1].firms[f].cash),
        GameKpi(
            "customers",
            "customers at the end",
            "count",
            lambda g, f: g.reports[-1].firms[f].total_customers,
        ),
        GameKpi(
            "market_share",
            "market share at the end",
            "share",
            lambda g, f: g.reports[-1].firms[f].market_share,
        ),
        GameKpi(
            "brand_equity",
            "brand equity at the end",
            "score",
            lambda g, f: g.reports[-1].firms[f].brand_equity,
        ),
        GameKpi("win_rate", "win rate", "share", _win_rate),
        GameKpi("cold_share", "share of warm leads gone cold", "share", _cold_share),
        GameKpi("rho", "mean alignment ratio", "ratio", _rho),
        GameKpi(
            "indirect_share",
            "indirect share at the end",
            "share",
            _indirect_share,
        ),
        GameKpi("score", "scorecard total", "score", lambda g, f: g.score()[f]["total"]),
    )
}
