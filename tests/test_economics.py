"""Prices that cost what they should: each customer churns and is satisfied by the price it
pays, serving a customer costs, the customers left behind are worth their discounted margin,
and a lead answered late buys less often (docs/MODEL.md, Customers and Money)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy

from sim import Game, load_scenario
from sim.model.accounts import Accounts, churn_factor
from sim.model.decisions import simple
from sim.model.pipeline import INBOUND, REASONS, WON, SalesForce
from sim.model.scenario import Economics, parse_scenario


def market(**segment: float) -> Accounts:
    data = load_scenario("tutorial").model_dump(mode="json")
    data["segments"][0].update({"deal_value": 6000.0, **segment})
    scenario = parse_scenario(data)
    return Accounts(scenario, 1, np.array([0.6, 0.6]))


def test_churn_is_the_segments_base_at_full_cover_satisfaction_80_and_list_price() -> None:
    acc = market(churn=0.2)
    acc.satisfaction[:] = 80.0
    rate = acc.hazard(np.array([1.0, 1.0]))
    assert rate[:, 0, 0] == pytest.approx([0.2, 0.2])
    assert churn_factor(np.array([0.6]), np.array([0.0]), np.array([80.0]))[0] == pytest.approx(
        2.5
    )  # no account management: 1 / (1 - 0.6)


def test_a_price_cut_does_not_lower_the_churn_of_customers_signed_before_it() -> None:
    acc = market(churn=0.2)
    acc.satisfaction[:] = 80.0
    acc.start_round(1, np.array([0.5, 1.0]))  # firm 0 cuts its price in round 1
    acc.win(0, 0)
    rate = acc.hazard(np.array([1.0, 1.0]))[0, 0]
    assert rate[0] == pytest.approx(0.2)  # the starting customers still pay list
    assert rate[1] == pytest.approx(0.1)  # the new ones pay half, and churn at half
    paid = acc.price_paid(np.array([0.5, 1.0]))
    assert 0.5 < paid[0] < 1.0 and paid[1] == 1.0  # satisfaction reads the price paid


def test_revenue_and_serving_follow_each_customers_contract() -> None:
    acc = market(churn=0.0, cost_to_serve=730.0)
    acc.start_round(1, np.array([0.5, 1.0]))
    before = acc.contracts[0, 0]
    acc.win(0, 0)
    assert acc.contracts[0, 0] - before == pytest.approx(0.5 * 6000)
    revenue, serving = acc.serve(np.ones(2), np.ones(1), np.ones(2, dtype=bool))
    assert revenue[0] == pytest.approx(acc.contracts[0, 0] / 365)
    assert serving[0] == pytest.approx(acc.customers[0, 0] * 730.0 / 365)


def test_customer_equity_is_the_discounted_margin_net_of_churn() -> None:
    acc = market(churn=0.2, cost_to_serve=600.0)
    acc.satisfaction[:] = 80.0
    n = acc.customers[0, 0]
    h, d, years, gm = 0.2, 0.12, 1.0, 0.9
    margin = 6000 * gm - 600
    closed = n * margin * (1 - math.exp(-(h + d) * years)) / (h + d)
    assert acc.equity(0, np.ones(2), gm, d, years) == pytest.approx(closed)


def test_cost_of_revenue_is_the_revenue_share_plus_serving() -> None:
    scenario = load_scenario("tutorial")
    game = Game(scenario, 1)
    f = game.play_round({"you": simple(scenario, 200_000, 0.45)}).firms["you"]
    gm = scenario.economics.gross_margin
    assert f.serving_cost > 0
    assert f.cost_of_revenue == pytest.approx(f.revenue * (1 - gm) + f.serving_cost, abs=0.02)


def test_a_lead_answered_late_is_lost_as_slow_when_it_would_have_won_at_once() -> None:
    env = simpy.Environment()
    force = SalesForce(env, 0, Economics(deals_per_rep=1, account_management=0.0), 1, 0.5, 91)
    fade = math.log(2) / 7  # odds halve in a week
    # the first lead takes the only slot for 10 days; the second waits 10 days
    env.process(force.work(0, INBOUND, 0.99, 10.0, 0.0, 30.0, fade=fade))
    env.process(force.work(0, INBOUND, 0.5, 10.0, 0.45, 30.0, fade=fade))
    env.run(until=40)
    first, second = sorted(force.take_records(), key=lambda r: r.arrived + r.started)
    assert first.outcome == WON
    assert second.started == pytest.approx(10.0)
    assert second.outcome != WON and REASONS[second.reason] == "slow"  # 0.5 x 2^(-10/7) < 0.45


def test_waiting_does_not_lower_the_odds_without_a_response_half_life() -> None:
    env = simpy.Environment()
    force = SalesForce(env, 0, Economics(deals_per_rep=1, account_management=0.0), 1, 0.5, 91)
    env.process(force.work(0, INBOUND, 0.99, 10.0, 0.0, 30.0))
    env.process(force.work(0, INBOUND, 0.5, 10.0, 0.45, 30.0))
    env.run(until=40)
    assert [r.outcome for r in force.take_records()] == [WON, WON]
