"""Market research: what a firm may know about its market, and what it paid to know it.

Free to everyone, every round (the public market report): each firm's market share, price,
revenue, customers and bankruptcy, and the market's events. A firm also knows its own books:
revenue, costs, cash, leads, deals, win rate, customers, satisfaction, reps.

Everything else is bought, one round at a time, at the scenario's prices (`[research]`):

- brand_tracker: awareness and brand equity of every firm in every segment (its own too);
- perceptual_map: every firm's perceived position and the segment ideals;
- win_loss: why the firm's own leads were not won (price, brand, rep, fit, rival, cold,
  dropped for a warm lead);
- pipeline_benchmark: the industry's win rate, cycle and lead response time;
- lift_test (decided as `marketing.holdout`): one segment's advertising held out for the
  round, and what it would have brought in, measured with a real test's noise
  (`sim.model.lift`).

A study describes the round it was bought in, as of that round's close. Without it a figure is
unknown; `last_known` gives the latest bought value and its age. The same rules hold for the
terminal game, for `jigsaw run --view FIRM`, and for computer-run rivals (`Game.view`).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from sim.model.report import FirmRound, RoundReport, r6
from sim.model.scenario import STUDIES

# Own figures a firm sees only through a study (the field names of FirmRound).
GATED: dict[str, tuple[str, ...]] = {
    "brand_tracker": ("awareness", "brand_equity", "aware_prospects"),
    "perceptual_map": ("position",),
    "win_loss": ("lost_reasons",),
}


def redact(f: FirmRound) -> FirmRound:
    """A firm's own round as it may know it: gated figures it did not buy are unknown (nan
    for numbers, empty for tables)."""
    hidden: dict[str, Any] = {}
    for study, names in GATED.items():
        if study in f.studies:
            continue
        for name in names:
            hidden[name] = {} if isinstance(getattr(f, name), dict) else math.nan
    return dataclasses.replace(f, **hidden) if hidden else f


def results(report: RoundReport, firm_id: str) -> dict[str, Any]:
    """The studies `firm_id` bought in this round, with their findings."""
    me = report.firms[firm_id]
    out: dict[str, Any] = {}
    for study in me.studies:
        if study == "brand_tracker":
            out[study] = {
                fid: {"brand_equity": f.brand_equity, "awareness": dict(f.awareness)}
                for fid, f in report.firms.items()
            }
        elif study == "perceptual_map":
            out[study] = {
                "ideals": {s: seg.ideal for s, seg in report.segments.items()},
                "positions": {fid: dict(f.position) for fid, f in report.firms.items()},
            }
        elif study == "win_loss":
            out[study] = dict(me.lost_reasons)
        elif study == "pipeline_benchmark":
            out[study] = benchmark(report)
    if firm_id in report.lift_tests:  # the lift test it ran (sim.model.lift)
        out["lift_test"] = dict(report.lift_tests[firm_id])
    return out


def benchmark(report: RoundReport) -> dict[str, float | None]:
    """The industry's pipeline this round: win rate over all deals closed, mean cycle of won
    deals and mean lead response time (days from arrival to a rep), weighted by deals."""
    firms = [f for f in report.firms.values() if not f.bankrupt]
    won = sum(f.deals_won for f in firms)
    closed = won + sum(f.deals_lost for f in firms)
    cycle = [(f.cycle_days, f.deals_won) for f in firms if f.cycle_days is not None]
    response = [(f.response_days, f.leads_worked) for f in firms if f.response_days is not None]

    def mean(pairs: list[tuple[float, int]]) -> float | None:
        weight = sum(w for _, w in pairs)
        return r6(sum(v * w for v, w in pairs) / weight) if weight else None

    return {
        "win_rate": r6(won / closed) if closed else None,
        "cycle_days": mean(cycle),
        "response_days": mean(response),
    }


def last_known(
    reports: list[RoundReport], firm_id: str, study: str
) -> tuple[dict[str, Any] | None, int | None]:
    """The latest findings of `study` that `firm_id` bought, and their age in rounds
    (0: bought last round); (None, None) if it never bought it."""
    for age, report in enumerate(reversed(reports)):
        if study in report.firms[firm_id].studies:
            return results(report, firm_id)[study], age
    return None, None


def firm_view(reports: list[RoundReport], firm_id: str) -> dict[str, Any]:
    """Everything `firm_id` may know after these rounds, as JSON: its own books (gated figures
    it did not buy as null), the public report, the events and the studies it bought."""
    rounds = []
    for r in reports:
        own = dataclasses.asdict(r.firms[firm_id])
        for study, names in GATED.items():
            if study not in r.firms[firm_id].studies:
                own.update(dict.fromkeys(names))
        rounds.append(
            {
                "round": r.round,
                "own": own,
                "public": r.public(),
                "events": list(r.events),
                "studies": results(r, firm_id),
            }
        )
    return {"firm": firm_id, "studies_available": list(STUDIES), "rounds": rounds}
