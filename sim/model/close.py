"""The books close into the round's report: every KPI of every firm and segment.

`close_round` reads the game at the end of a round (ledgers, sales forces, accounts, market)
and assembles the `RoundReport`; the only thing it changes is what closing the books decides:
a firm whose cash and credit are gone goes bankrupt and leaves the market (`Game.leave`), at
its place in the firm order (later firms' figures see it gone).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.events import Fired
from sim.model.gauge import advice
from sim.model.outlook import alignment_outlooks, payback_days
from sim.model.pipeline import COLD, INBOUND, LOST, OUTBOUND, REASONS, REFERRAL, TAKEN, WON
from sim.model.report import FirmRound, RoundReport, SegmentRound, r2, r6
from sim.model.routes import ROUTES

if TYPE_CHECKING:
    from sim.model.game import Game
    from sim.model.pipeline import SalesForce


def whole(count: float) -> int:
    """A count the model holds as a float (always a whole number), as an int."""
    return int(round(count))


def close_round(game: Game, round_no: int, fired: list[Fired]) -> RoundReport:
    """The report of round `round_no`, which has just run (`fired`: its events)."""
    events = [f.describe([x.label for x in game.scenario.firms]) for f in fired]
    scen = game.scenario
    seg_ids = scen.segment_ids
    books = [ledger.close() for ledger in game.ledgers]
    total_revenue = sum(b.revenue for b in books)
    firms: dict[str, FirmRound] = {}
    price = game.market.effective_price()
    coverage = game.coverage()
    rounds_left = scen.meta.rounds - round_no
    outlooks = alignment_outlooks(game, rounds_left)
    for i, fid in enumerate(game.ids):
        force, b = game.forces[i], books[i]
        recs = force.take_records()
        won = [r for r in recs if r.outcome == WON]
        lost = sum(1 for r in recs if r.outcome in (LOST, TAKEN))
        cold = sum(1 for r in recs if r.outcome == COLD)
        closed = len(won) + lost
        waits = [r.started - r.arrived for r in recs if r.started == r.started]  # not nan
        decided = game.history[-1].get(fid)
        cust = game.accounts.customers[i]
        hunting = force.hunting_slots
        # rho: the slot-days the round's warm leads ask for over the slot-days available
        rho = force.offered / force.slot_days if force.slot_days > 0 else None
        load = {
            s: r6(force.offered_by[k] / force.offered) if force.offered > 0 else 0.0
            for k, s in enumerate(seg_ids)
        }
        ahead = outlooks[i]
        outlook = r6(ahead) if ahead is not None else None
        # too late for a change of split to pay back (none to make after the last round)
        late = 0 < rounds_left * scen.meta.round_days < payback_days(game, i, load)
        new_cust = float(game.accounts.won[i].sum())
        spend = b.marketing + b.nurture + b.sales + b.product  # acquisition: research aside
        ltv = lifetime_value(game, i, new_cust, float(price[i]), coverage)
        firms[fid] = FirmRound(
            name=scen.firms[i].label,
            controlled_by=scen.firms[i].controlled_by,
            revenue=b.revenue,
            bookings=b.bookings,
            profit=b.profit,
            cash=b.cash,
            marketing_spend=b.marketing,
            sales_spend=b.sales,
            salaries=b.salaries,
            hiring=b.hiring,
            severance=b.severance,
            training=b.training,
            commission=b.commission,
            cost_of_revenue=b.cost_of_revenue,
            serving_cost=b.serving,
            fixed_costs=b.fixed,
            awareness={
                s: r6(game.market.aware[i, k] / game.market.accounts[k])
                for k, s in enumerate(seg_ids)
            },
            brand_equity=r6(game.market.brand[i]),
            satisfaction=r6(game.accounts.satisfaction[i]),
            aware_prospects=r6(
                game.market.aware_prospects(game.accounts.customers, game.accounts.prospects)[
                    i
                ].sum()
            ),
            leads_inbound=int(force.arrived[INBOUND]),
            leads_referral=int(force.arrived[REFERRAL]),
            leads_outbound=int(force.arrived[OUTBOUND]),
            leads_cold=cold,
            leads_worked=force.started,
            pipeline=len(force.slots.users) + len(force.slots.put_queue),
            deals_won=len(won),
            deals_lost=lost,
            win_rate=r6(len(won) / closed) if closed else None,
            cycle_days=_mean_cycle(won),
            customers={s: whole(cust[k]) for k, s in enumerate(seg_ids)},
            new_customers=whole(new_cust),
            churned=whole(game.accounts.churned[i].sum()),
            market_share=r6(b.revenue / total_revenue) if total_revenue > 0 else 0.0,
            rep_utilization=r6(force.busy_slot_days / force.slot_days) if force.slot_days else None,
            alignment_ratio=r6(rho) if rho is not None else None,
            cac=r2(spend / new_cust) if new_cust > 0 else None,
            ltv=r2(ltv) if ltv is not None and math.isfinite(ltv) else None,
            reps=force.productive,
            reps_ramping=force.ramping,
            hunting_slots=hunting,
            rep_skill=r6(force.skill),
            price=r6(price[i]),
            marketing_share=r6(decided.marketing_share) if decided else 0.0,
            bankrupt=b.bankrupt,
            product_spend=b.product,
            research_spend=b.research,
            quality=r6(game.market.quality[i]),
            position={
                s: [r6(v) for v in game.market.position[i, k]] for k, s in enumerate(seg_ids)
            },
            target=[r6(v) for v in game.market.target[i]],
            studies=list(decided.research) if decided else [],
            lost_reasons={
                name: sum(1 for r in recs if r.reason == k) for k, name in enumerate(REASONS)
            },
            response_days=r6(float(np.mean(waits))) if waits else None,
            deals_won_by={s: sum(1 for r in won if r.segment == k) for k, s in enumerate(seg_ids)},
            churned_by={s: whole(game.accounts.churned[i, k]) for k, s in enumerate(seg_ids)},
            cycle_days_by={
                s: _mean_cycle([r for r in won if r.segment == k]) for k, s in enumerate(seg_ids)
            },
            customer_equity=r2(game.customer_equity(i, coverage)),
            alignment_by_segment=alignment_by_segment(force, rho, seg_ids),
            load_by_segment=load,
            hunting_slots_by={}
            if force.slots.caps is None
            else dict(zip(seg_ids, force.slots.caps, strict=True)),
            leads_nurtured=whole(game.market.nurture_in[i].sum()),
            leads_returned=whole(game.market.nurture_back[i].sum()),
            nurture_stock=whole(game.market.nurture[i].sum()),
            nurture_spend=b.nurture,
            **funnel(force, recs, whole(game.market.nurture_in[i].sum())),
            leads_cold_by={
                s: sum(1 for r in recs if r.outcome == COLD and r.segment == k)
                for k, s in enumerate(seg_ids)
            },
            **by_route(game, i, b.revenue),
            partner_margins=b.partners,
            alignment_outlook=outlook,
            gauge_reading=advice(outlook, late),
        )
        if b.bankrupt and game.market.active[i]:
            game.leave(i)
    segments = {}
    for k, s in enumerate(seg_ids):
        size = int(game.market.accounts[k])
        by_firm = {fid: whole(game.accounts.customers[i, k]) for i, fid in enumerate(game.ids)}
        segments[s] = SegmentRound(
            accounts=size,
            prospects=whole(game.accounts.prospects[k]),
            customers=by_firm,
            share={fid: r6(game.accounts.customers[i, k] / size) for i, fid in enumerate(game.ids)},
            ideal=[r6(v) for v in game.market.ideal[k]]
            if scen.segments[k].ideal is not None
            else None,
        )
    return RoundReport(
        round=round_no, day=int(game.env.now), firms=firms, segments=segments, events=events
    )


def funnel(force: SalesForce, recs: list[Any], nurtured: int) -> dict[str, Any]:
    """The funnel's stages this round: warm leads passed to sales (inbound and referrals,
    those back from nurture among them), the share of warm leads that passed the bar
    (passed / (passed + sent to nurture)), and warm deals won per lead passed."""
    passed = int(force.arrived[INBOUND] + force.arrived[REFERRAL])
    won = sum(1 for r in recs if r.outcome == WON and r.kind != OUTBOUND)
    asked = passed + nurtured
    return {
        "leads_passed": passed,
        "mql_to_sql": r6(passed / asked) if asked else None,
        "sql_to_won": r6(won / passed) if passed else None,
    }


def by_route(game: Game, i: int, revenue: float) -> dict[str, Any]:
    """Firm i's routes to market this round, in a scenario that has them (nothing
    elsewhere): revenue (the direct route's is the rest of the booked revenue, so the three
    add up to it to the cent), deals signed and customers by route, and the leads routed."""
    acc = game.accounts
    if acc.routes == 1:
        return {}
    routes = game.market.routes
    earned = [r2(x) for x in acc.revenue_by_route[i].tolist()]
    earned[0] = r2(revenue - earned[1] - earned[2])
    customers = acc.by_route()[i].sum(axis=0)
    signed = acc.signed[i].sum(axis=0)
    return {
        "revenue_by_route": dict(zip(ROUTES, earned, strict=True)),
        "deals_by_route": {r: whole(signed[k]) for k, r in enumerate(ROUTES)},
        "customers_by_route": {r: whole(customers[k]) for k, r in enumerate(ROUTES)},
        "partner_leads": whole(routes.partner_leads[i].sum()),
        "partner_turned_away": whole(routes.partner_turned_away[i].sum()),
        "self_serve_leads": whole(routes.self_serve_leads[i].sum()),
        "route_deals_by": {
            s: whole(acc.signed[i, k, 1:].sum()) for k, s in enumerate(game.scenario.segment_ids)
        },
    }


def lifetime_value(
    game: Game, i: int, new_customers: float, price: float, coverage: np.ndarray
) -> float | None:
    """The discounted margin of a new customer: (contract x gross margin - cost to
    serve) / (churn hazard + discount rate), for this round's new customers (or, with
    none, a customer of the firm's targeting at its price)."""
    acc = game.accounts
    weights = acc.won[i] if new_customers > 0 else game.market.targeting[i] + 1e-12
    hazard = acc.hazard(coverage)[i][:, acc.cohort]  # the round's cohort, by segment
    rate = hazard + float(game.params.discount_rate[i])
    margin = acc.deal_value * price * float(game.params.gross_margin[i]) - acc.cost_to_serve
    each = np.divide(margin, rate, out=np.full_like(margin, np.nan), where=rate > 0)
    if not np.isfinite(each[weights > 0]).all():
        return None
    return float(np.average(np.nan_to_num(each), weights=weights))


def alignment_by_segment(
    force: SalesForce, rho: float | None, segments: list[str]
) -> dict[str, float | None]:
    """Each segment's rho: under a coverage plan its warm leads' slot-days over its reps'
    slot-days (None where it had no reps all round); with one pool, the firm's rho."""
    if force.slots.caps is None and not force.slot_days_by.any():
        return {s: r6(rho) if rho is not None else None for s in segments}
    return {
        s: r6(force.offered_by[k] / force.slot_days_by[k]) if force.slot_days_by[k] > 0 else None
        for k, s in enumerate(segments)
    }


def _mean_cycle(won: list[Any]) -> float | None:
    """Mean days from slot to signature of these won deals (None when there are none)."""
    return r6(float(np.mean([r.ended - r.started for r in won]))) if won else None
