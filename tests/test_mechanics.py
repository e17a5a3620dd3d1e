"""The rules of the game, one mechanic at a time."""

from __future__ import annotations

import json

import numpy as np
import pytest
import simpy
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim import Game
from sim.model.decisions import expand, simple
from sim.model.errors import InputError
from sim.model.ledger import Ledger
from sim.model.pipeline import Holders, LeadQueue, Prospects, SalesForce
from sim.model.scenario import Economics, parse_scenario

from .conftest import shortened

ECON = Economics(ramp_days=30, deals_per_rep=5, account_management=0.2)
ROUND = 91
REP_ROUND = ECON.rep_cost_per_year * ROUND / 365


def force(reps: int = 2) -> SalesForce:
    return SalesForce(simpy.Environment(), 0, ECON, reps, 0.5, ROUND)


def test_new_hires_work_only_after_their_ramp() -> None:
    f = force(2)
    hires, fires, hiring, _ = f.staff(4 * REP_ROUND / 0.9, 0.1, 0.08, 0.2)
    assert (hires, fires, hiring) == (2, 0, 2 * ECON.hiring_cost)
    assert f.productive == 2 and f.ramping == 2 and f.hunting_slots == 8  # 2 reps x 5 x 0.8
    f.env.run(until=29.9)
    assert f.productive == 2
    f.env.run(until=30.1)
    assert f.productive == 4 and f.ramping == 0 and f.hunting_slots == 16


def test_letting_reps_go_pays_severance_and_frees_budget_for_training() -> None:
    f = force(6)
    budget = 4 * REP_ROUND / 0.9
    _, fires, _, severance = f.staff(budget, 0.1, 0.08, 0.2)
    assert fires == 2 and f.productive == 4
    assert severance == pytest.approx(2 * ECON.severance_weeks / 52 * ECON.rep_cost_per_year)
    assert f.daily_training == pytest.approx((budget - 4 * REP_ROUND) / ROUND)


def test_account_management_takes_slots_from_hunting_and_covers_customers() -> None:
    f = force(4)
    f.staff(4 * REP_ROUND, 0.0, 0.08, 0.5)
    assert f.hunting_slots == 10 and f.total_slots == 20
    assert f.coverage(10 * ECON.accounts_per_slot) == pytest.approx(1.0)
    assert f.coverage(20 * ECON.accounts_per_slot) == pytest.approx(0.5)


def test_training_raises_skill_with_diminishing_returns_and_skill_fades_without() -> None:
    def skill_after_a_year(training_per_day: float) -> float:
        f = force(4)
        f.skill = 0.3
        f.daily_training = training_per_day
        for _ in range(365):
            f.train()
        return f.skill

    none, some, double = skill_after_a_year(0), skill_after_a_year(50), skill_after_a_year(100)
    assert none < 0.3 < some < double < 1.0
    assert double - some < some - 0.3  # diminishing returns


def test_commission_buys_effort_with_diminishing_returns() -> None:
    f = force()
    f.commission_rate = ECON.commission_half
    assert f.effort == pytest.approx(0.5)
    f.commission_rate = 0.0
    assert f.effort == 0.0


def test_a_firm_that_runs_out_of_credit_leaves_the_market() -> None:
    data = shortened("classic", 3).model_dump(mode="json")
    data["firms"][1].update(cash=10_000, credit_line=0, budget_per_round=300_000)
    scenario = parse_scenario(data)
    game = Game(scenario, 3)
    game.play(lambda g, fid: simple(scenario, 300_000, 0.4))
    first, later = game.reports[0].firms["northwind"], game.reports[-1].firms["northwind"]
    assert first.bankrupt and first.cash < 0
    assert later.bankrupt and later.revenue == 0 and later.total_customers == 0
    assert later.leads == 0 and later.reps == 0
    assert game.reports[-1].firms["you"].revenue > 0


def with_event(event: dict | None, name: str = "tutorial", rounds: int = 3) -> Game:
    data = shortened(name, rounds).model_dump(mode="json")
    data["events"] = [event] if event else []
    scenario = parse_scenario(data)
    game = Game(scenario, 1)
    game.play(lambda g, fid: simple(scenario, 200_000, 0.5))
    return game


def test_a_recession_cuts_inbound_leads_and_raises_churn() -> None:
    calm = with_event(None)
    slump = with_event(
        {
            "round": 2,
            "kind": "recession",
            "interest_multiplier": 0.5,
            "churn_multiplier": 2.0,
            "rounds": 1,
        }
    )
    assert calm.reports[0].firms["you"] == slump.reports[0].firms["you"]
    c, s = calm.reports[1].firms["you"], slump.reports[1].firms["you"]
    assert s.leads_inbound < 0.6 * c.leads_inbound
    assert s.churned > 1.6 * c.churned
    assert "Recession" in slump.reports[1].events[0]


def test_a_price_war_cuts_the_rivals_prices_only_while_it_lasts() -> None:
    game = with_event(
        {"round": 2, "kind": "price_war", "firm": "you", "price_cut": 0.2, "rounds": 1}
    )
    prices = [r.firms["steady"].price for r in game.reports]
    assert prices == [pytest.approx(1.0), pytest.approx(0.8), pytest.approx(1.0)]
    assert all(r.firms["you"].price == pytest.approx(1.0) for r in game.reports)


def test_a_budget_cut_reduces_what_the_firm_spends() -> None:
    game = with_event({"round": 2, "kind": "budget_cut", "firm": "you", "share": 0.5})
    spend = [r.firms["you"].marketing_spend for r in game.reports]
    assert spend[1] == pytest.approx(0.5 * spend[0], rel=1e-6)
    assert spend[2] == pytest.approx(spend[0], rel=1e-6)


def test_rep_attrition_removes_productive_reps() -> None:
    calm = with_event(None)
    quit_ = with_event({"round": 2, "kind": "rep_attrition", "firm": "you", "share": 0.5})
    assert quit_.reports[1].firms["you"].reps < calm.reports[1].firms["you"].reps


def test_a_viral_moment_spreads_awareness() -> None:
    calm = with_event(None)
    viral = with_event({"round": 2, "kind": "viral_moment", "firm": "you", "awareness_boost": 0.3})
    assert viral.reports[1].firms["you"].awareness["smb"] > (
        calm.reports[1].firms["you"].awareness["smb"] + 0.2
    )


def test_a_scenario_asking_for_mean_field_mode_is_refused_in_one_line() -> None:
    """The mode was removed in model version 4: its smooth results were not the mean of
    play with luck (docs/MODEL.md, "Why every game has luck"). `mean_field = false` says
    what every game does."""
    data = shortened("tutorial", 2).model_dump(mode="json")
    data["meta"]["mean_field"] = True
    with pytest.raises(
        InputError, match=r"^my.toml: meta\.mean_field: mean-field mode was removed"
    ):
        parse_scenario(data, "my.toml")
    data["meta"]["mean_field"] = False
    assert parse_scenario(data, "my.toml") == shortened("tutorial", 2)


def test_every_game_draws_its_luck_the_tutorial_too() -> None:
    scenario = shortened("tutorial", 2)

    def doc(seed: int) -> str:
        game = Game(scenario, seed)
        game.play(lambda g, fid: simple(scenario, 200_000, 0.5))
        return json.dumps([r.to_dict() for r in game.reports])

    assert doc(1) == doc(1) != doc(99)


def test_an_old_save_of_a_mean_field_game_loads_with_the_model_notice() -> None:
    """A tutorial saved under model version 3 asked for mean-field mode: it replays with
    luck, and says in one line that the results differ."""
    scenario = shortened("tutorial", 2)
    game = Game(scenario, 1)
    game.play_round({"you": simple(scenario, 200_000, 0.5)})
    doc = game.to_save(cache=False)
    doc["model"] = 3
    doc["scenario"]["meta"]["mean_field"] = True
    loaded = Game.from_save(doc)
    assert loaded.round == 1
    assert "model version 3" in loaded.notice and "results differ" in loaded.notice


def test_simple_mode_fills_in_the_scenarios_defaults() -> None:
    scenario = shortened("classic", 1)
    d = expand(scenario, {"budget": 300_000, "marketing_share": 0.4})
    assert d.marketing.budget == pytest.approx(120_000) and d.sales.budget == pytest.approx(180_000)
    assert d.marketing.mix == scenario.economics.mix
    assert d.marketing.targeting == pytest.approx(scenario.default_targeting())
    assert d.sales.account_management == scenario.economics.account_management
    assert d.price == 1.0


def test_commission_is_paid_on_bookings_and_cash_moves_by_profit() -> None:
    ledger = Ledger(cash=1_000.0, credit_line=500.0, gross_margin=0.75, fixed_per_round=100.0)
    ledger.accrue_day(revenue=2_000.0, marketing=300.0, salaries=400.0, training=50.0)
    ledger.book(10_000.0, 0.1)
    ledger.charge(hiring=20.0, severance=30.0)
    books = ledger.close()
    assert books.commission == 1_000.0 and books.bookings == 10_000.0
    assert books.cost_of_revenue == 500.0
    assert books.profit == 2_000 - 500 - 300 - 400 - 50 - 1_000 - 20 - 30 - 100
    assert books.cash == 1_000.0 + books.profit and not books.bankrupt
    ledger.accrue_day(revenue=0.0, marketing=2_000.0, salaries=0.0, training=0.0)
    assert ledger.close().bankrupt  # cash below -credit_line


def test_a_forecast_leaves_the_game_alone_and_shows_the_range_of_luck() -> None:
    scenario = shortened("classic", 3)
    plan = simple(scenario, 300_000, 0.4)
    game = Game(scenario, 2)
    game.play_round({"you": plan})
    forecasts = game.forecast({"you": plan}, replications=3)
    assert game.round == 1
    revenues = {f.firms["you"].revenue for f in forecasts}
    assert len(revenues) == 3  # three draws of luck, three outcomes
    played = game.play_round({"you": plan})
    untouched = Game(scenario, 2)
    untouched.play_round({"you": plan})
    assert played == untouched.play_round({"you": plan})  # the forecast changed nothing
    low, high = min(revenues), max(revenues)
    assert 0.8 * low < played.firms["you"].revenue < 1.2 * high


@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 5), st.booleans()), min_size=1, max_size=60
    )
)
@settings(max_examples=60, deadline=None)
def test_leads_wait_for_a_slot_in_simpys_order_without_resorting(
    requests: list[tuple[int, int, bool]],
) -> None:
    """The slot queue inserts each request at its place; SimPy's SortedQueue sorts after each
    append. Same keys (priority, time asked, preempting first), same order, ties by arrival."""

    class Ask:
        def __init__(self, n: int, priority: int, time: int, preempt: bool) -> None:
            self.n, self.key = n, (priority, float(time), not preempt)

    ours, simpys = LeadQueue(), simpy.resources.resource.SortedQueue()
    for n, (priority, time, preempt) in enumerate(requests):
        ours.append(Ask(n, priority, time, preempt))  # type: ignore[arg-type]
        simpys.append(Ask(n, priority, time, preempt))
        assert [a.n for a in ours] == [a.n for a in simpys]
    # Leads that give up leave the queue; the rest keep their order.
    for k in range(0, len(requests), 3):
        mine = next(a for a in ours if a.n == k)  # type: ignore[attr-defined]
        theirs = next(a for a in simpys if a.n == k)
        ours.remove(mine)  # type: ignore[arg-type]
        simpys.remove(theirs)
        assert [a.n for a in ours] == [a.n for a in simpys]
    with pytest.raises(ValueError):
        ours.remove(Ask(-1, 0, 0, True))  # type: ignore[arg-type]


# A prospect holds the only slot when a warm lead arrives: the lead takes it.
PREEMPTS = [(False, 0.5, 4.0, 0), (True, 0.5, 1.0, 0)]


class SimpysRule(simpy.PreemptiveResource):
    """The pool's rule as SimPy writes it: preempt (the max-key user) only when the pool is
    exactly full; the reference for `SlotPool`'s faster search."""

    PutQueue = LeadQueue

    def _do_put(self, event):  # type: ignore[no-untyped-def]
        if self.users and len(self.users) == self.capacity:
            return super()._do_put(event)
        return simpy.Resource._do_put(self, event)

    def resize(self, capacity: int) -> None:
        grew = capacity > self._capacity
        self._capacity = capacity
        if grew:
            self._trigger_put(None)


@settings(max_examples=60, deadline=None)
@example(traffic=PREEMPTS, slots=1)
@given(
    traffic=st.lists(
        st.tuples(st.booleans(), st.floats(0.0, 3.0), st.floats(0.1, 6.0), st.integers(0, 3)),
        min_size=1,
        max_size=60,
    ),
    slots=st.integers(0, 4),
)
def test_a_warm_lead_takes_the_slot_simpys_preemptive_rule_would_give_it(
    traffic: list[tuple[bool, float, float, int]], slots: int
) -> None:
    """Warm leads preempt the latest outbound deal when every slot is busy: the pool finds
    that deal among the outbound ones only; grants, drops and their order are SimPy's."""
    from sim.model.pipeline import Deal, SlotPool, SlotRequest

    def run(pool_class: type) -> list[tuple]:
        env = simpy.Environment()
        pool = pool_class(env, capacity=1)
        pool.resize(slots)
        log: list[tuple] = []

        def lead(n: int, warm: bool, gap: float, hold: float, resize: int):  # type: ignore[no-untyped-def]
            yield env.timeout(gap)
            if resize:
                pool.resize(resize)
            deal = Deal(0, 0 if warm else 2, 0.5, hold, 0.5, 5.0, 0, 0.0, env.now)
            if pool_class is SlotPool:
                req = SlotRequest(pool, deal)
            else:
                req = pool.request(priority=0 if warm else 1, preempt=warm)
            try:
                got = yield req | env.timeout(5.0)
            except simpy.Interrupt:  # granted, then dropped at the same instant
                log.append((n, "dropped", env.now))
                return
            if req not in got:
                req.cancel()
                log.append((n, "cold", env.now))
                return
            log.append((n, "start", env.now))
            try:
                yield env.timeout(hold)
            except simpy.Interrupt:
                log.append((n, "dropped", env.now))
                return
            pool.release(req)
            log.append((n, "done", env.now))

        t = 0.0
        for n, (warm, gap, hold, resize) in enumerate(traffic):
            t += gap
            env.process(lead(n, warm, t, hold, resize))
        env.run()
        return log

    ours = run(SlotPool)
    assert ours == run(SimpysRule)
    if traffic == PREEMPTS:
        assert (1, "start", 1.0) in ours and (0, "dropped", 1.0) in ours


def test_a_days_draws_restart_where_pcg64_jumped_would_put_them() -> None:
    """The leads stream restarts each day at the round's state jumped by (day + 1): advancing
    one reused generator must draw exactly what numpy's `PCG64.jumped` would."""
    from sim.model.chance import Chance

    chance = Chance(7, "leads", 2)
    chance.start_round(3)
    round_bits = np.random.PCG64()
    round_bits.state = chance._round_bits.state
    for day in (0, 1, 5, 90):
        chance.start_day(day)
        expected = np.random.Generator(round_bits.jumped(day + 1)).random(4)
        assert chance.rng.random(4).tolist() == expected.tolist()


def test_rd_comes_first_and_marketing_and_sales_split_the_rest() -> None:
    from sim import load_scenario
    from sim.model.decisions import split_budget

    assert split_budget(100_000, 0.4, 0.25) == pytest.approx((30_000, 45_000, 25_000))
    d = expand(
        load_scenario("classic"), {"budget": 100_000, "marketing_share": 0.4, "product_share": 0.25}
    )
    assert (d.marketing.budget, d.sales.budget, d.product.budget) == split_budget(
        100_000, 0.4, 0.25
    )


def test_a_round_collects_garbage_less_often_and_puts_the_threshold_back() -> None:
    import gc

    from sim.model.clock import ROUND_GC_THRESHOLD, fewer_collections

    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == max(before[0], ROUND_GC_THRESHOLD)
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a round that fails")
    assert gc.get_threshold() == before


class _Granted:
    """A stand-in request: only its key (priority, time asked, preempting first) matters."""

    def __init__(self, time: float) -> None:
        self.key = (1, time, True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=1, max_size=40))
def test_the_prospect_a_warm_lead_bumps_is_the_one_a_scan_would_pick(steps) -> None:
    """The pool keeps its holders and prospects so that neither a release nor a preemption
    scans them; it still bumps what SimPy's rule picks, the latest outbound deal by key, the
    first granted among equal keys, and releases keep the granted order."""
    holders, prospects, granted = Holders(), Prospects(), []
    for time, release in steps:
        if release and granted:
            gone = granted.pop(len(granted) // 2)
            holders.remove(gone)
            prospects.remove(gone)
        else:
            req = _Granted(float(time))
            granted.append(req)
            holders.append(req)
            prospects.append(req)
        assert list(holders) == granted
        if granted:
            assert prospects.latest() is max(granted, key=lambda r: r.key)
