"""The model held to published closed forms (each source cited in docs/MODEL.md, References).

- Bass (1969) diffusion: awareness without spend or forgetting follows F(t).
- Erlang C (M/M/c): the sales force with Poisson leads, exponential cycles and unlimited
  patience waits like the textbook queue; with finite patience, leads go cold on time.
- Geometric adstock and Hill saturation (Robyn / Meridian forms).
- Nerlove-Arrow (1962) goodwill: brand equity relaxes exponentially to its target.
- Deal stages: a deal is won with probability p_win and is lost early more often than late.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest
import simpy

from sim.model.decisions import simple
from sim.model.economy import FirmParams
from sim.model.game import Game
from sim.model.market import Market, adstock, bass_cdf, hill
from sim.model.pipeline import COLD, INBOUND, STAGE_LOSS, STAGES, WON, SalesForce, exit_stage
from sim.model.scenario import Economics, parse_scenario

DAYS_PER_YEAR = 365
DAYS_PER_WEEK = 7

# --- Bass diffusion -------------------------------------------------------------------------

P, Q = 0.03, 0.38  # Bass innovation and imitation per year (Sultan, Farley & Lehmann 1990)
PUBLISHED_F = {1: 0.035758, 5: 0.331199, 10: 0.812803}
PEAK_T = 6.19262  # ln(q/p) / (p + q), years
PEAK_F = 0.460526  # F(t*) = 1/2 - p / (2q)
PEAK_RATE = (P + Q) ** 2 / (4 * Q)  # f(t*), adoption per year at the peak


def bass_scenario(accounts: int, round_days: int, rounds: int):
    """One segment, one firm with no reps and no spend: awareness spreads by word of mouth."""
    return parse_scenario(
        {
            "meta": {
                "name": "Bass validation",
                "rounds": rounds,
                "round_days": round_days,
            },
            "segments": [
                {
                    "id": "market",
                    "accounts": accounts,
                    "deal_value": 1000,
                    "innovation": P,
                    "imitation": Q,
                    "forgetting": 0.0,
                    "ad_lift": 0.0,
                    "interest": 0.0,  # no leads: nothing but awareness happens
                }
            ],
            "firms": [
                {
                    "id": "you",
                    "reps": 0,
                    "awareness": {"market": 0.0},
                    "brand_equity": 50,
                    "cash": 1e12,
                }
            ],
            "economics": {"fixed_costs_per_round": 0},
        }
    )


def awareness_by_round(scenario, seed: int = 0) -> np.ndarray:
    """Play every round with zero budgets; the firm's awareness after each round."""
    game = Game(scenario, seed)
    nothing = simple(scenario, 0, 0.5)
    return np.array(
        [
            game.play_round({"you": nothing}).firms["you"].awareness["market"]
            for _ in range(scenario.meta.rounds)
        ]
    )


def bass_sd(t: float, p: float, q: float, accounts: int) -> float:
    """Standard deviation of a stochastic Bass run's adopted share at t years (linear noise
    approximation, van Kampen): dV/dt = 2 (q - p - 2qF) V + (1 - F)(p + qF) / N along the
    closed form F. Word of mouth amplifies early chance, so this is about twice the binomial
    sqrt(F (1 - F) / N) by mid-diffusion."""
    dt = 1.0 / DAYS_PER_YEAR
    v = 0.0
    for k in range(round(t * DAYS_PER_YEAR)):
        f = float(bass_cdf(k * dt, p, q))
        v += (2.0 * (q - p - 2.0 * q * f) * v + (1.0 - f) * (p + q * f) / accounts) * dt
    return math.sqrt(v)


def test_bass_cdf_matches_the_published_values():
    for t, published in PUBLISHED_F.items():
        assert bass_cdf(t, P, Q) == pytest.approx(published, abs=1e-5)
    assert math.log(Q / P) / (P + Q) == pytest.approx(PEAK_T, abs=1e-5)
    assert bass_cdf(PEAK_T, P, Q) == pytest.approx(PEAK_F, abs=1e-5)
    assert bass_cdf(0.0, P, Q) == 0.0


@pytest.mark.parametrize("accounts", [20_000, 1_000_000])
def test_awareness_follows_the_bass_curve_without_spend(accounts):
    """One stochastic game, yearly rounds: A(t) scatters around F(t) by sampling alone."""
    aware = awareness_by_round(bass_scenario(accounts, DAYS_PER_YEAR, 10), seed=1)
    for t, published in PUBLISHED_F.items():
        sd = bass_sd(t, P, Q, accounts)
        # the binomial spread sqrt(F (1 - F) / N) understates a Bass run's scatter (word of
        # mouth amplifies early chance): the spread is the linear-noise one, >= binomial
        assert sd >= math.sqrt(published * (1 - published) / accounts) * 0.99
        assert aware[t - 1] == pytest.approx(published, abs=4 * sd + 0.002), f"t = {t} years"


def test_adoption_peaks_at_ln_q_over_p_divided_by_p_plus_q():
    """73-day rounds (a fifth of a year) over 8 years in a market of ten million accounts,
    where sampling scatters the share by a few parts in ten thousand: adoption per round rises
    to a peak at t* = ln(q/p)/(p+q) = 6.19 years, of height (p+q)^2/(4q) per year, then falls."""
    years_per_round = 73 / DAYS_PER_YEAR
    accounts = 10_000_000
    aware = awareness_by_round(bass_scenario(accounts, 73, 40), seed=1)
    t = years_per_round * np.arange(1, 41)
    for k, (a, f) in enumerate(zip(aware, bass_cdf(t, P, Q), strict=True)):
        # daily steps stand for the continuous curve within 1e-3 (the Euler error)
        assert a == pytest.approx(f, abs=4 * bass_sd(t[k], P, Q, accounts) + 1e-3), k

    rate = np.diff(aware, prepend=0.0) / years_per_round  # adoption per year, each round
    mid = t - years_per_round / 2
    k = int(np.argmax(rate))
    assert 0 < k < len(rate) - 1
    # the vertex of the parabola through the highest round and its neighbours
    y0, y1, y2 = rate[k - 1 : k + 2]
    shift = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
    peak_t = mid[k] + shift * years_per_round
    peak_rate = y1 - 0.25 * (y0 - y2) * shift
    assert peak_t == pytest.approx(PEAK_T, abs=0.1)
    assert peak_rate == pytest.approx(PEAK_RATE, rel=0.01)


# --- the sales force as a queue ---------------------------------------------------------------

LEADS_PER_WEEK = 10.0  # lambda
DEALS_PER_WEEK = 3.0  # mu: one slot closes a deal in 1/3 week on average
PUBLISHED_ERLANG = {  # c: (P0, C = P(wait), Wq in weeks); W = Wq + 1/mu
    4: (0.021310, 0.657722, 0.328861),
    5: (None, 0.326669, 0.065334),
}


def erlang_c(c: int, offered: float) -> tuple[float, float]:
    """P0 and C(c, A), the probability that a lead waits, for an M/M/c queue with offered load
    A = lambda / mu < c (Erlang C)."""
    rho = offered / c
    top = offered**c / math.factorial(c) / (1.0 - rho)
    p0 = 1.0 / (sum(offered**k / math.factorial(k) for k in range(c)) + top)
    return p0, top * p0


def one_deal_per_rep(reps: int, env: simpy.Environment) -> SalesForce:
    """A sales force whose hunting slots are its reps: one deal each, no account management."""
    econ = Economics(deals_per_rep=1, account_management=0.0)
    force = SalesForce(env, firm=0, econ=econ, reps=reps, skill=0.5, round_days=91)
    assert force.hunting_slots == reps
    return force


def work_leads(reps: int, gaps, cycles, patience: float = math.inf) -> list:
    """Leads arrive `gaps` days apart, each a sure win (p_win 1) holding a slot for its cycle;
    returns the sales force's records in order of arrival."""
    env = simpy.Environment()
    force = one_deal_per_rep(reps, env)

    def source():
        for gap, cycle in zip(np.asarray(gaps).tolist(), np.asarray(cycles).tolist(), strict=True):
            yield env.timeout(gap)
            env.process(force.work(0, INBOUND, 1.0, cycle, 0.5, patience))

    env.process(source())
    env.run()
    assert len(force.records) == len(gaps)
    return sorted(force.records, key=lambda r: r.arrived)


def first_come_first_served(arrived, cycles, slots: int, patience: float = math.inf):
    """Reference queue (Kiefer-Wolfowitz recursion): the day each lead starts on the first slot
    to free up, in order of arrival, or nan if that is more than `patience` days away."""
    free = [0.0] * slots  # a heap of the days the slots free up
    started = []
    for at, cycle in zip(np.asarray(arrived).tolist(), np.asarray(cycles).tolist(), strict=True):
        start = max(at, free[0])
        if start - at > patience:
            started.append(math.nan)
            continue
        heapq.heapreplace(free, start + cycle)
        started.append(start)
    return np.array(started)


def poisson_leads(seed: int, n: int):
    """Lead gaps and cycles in days (exponential, 10 leads and 3 deals per slot a week), twice:
    from uniforms u and from the mirrored 1 - u (antithetic variates: the two runs' errors
    partly cancel, and each run on its own is an exact M/M/c sample path)."""
    u = np.random.default_rng(seed).random((2, n))
    for v in (u, 1.0 - u):
        yield (
            -np.log1p(-v[0]) * DAYS_PER_WEEK / LEADS_PER_WEEK,
            -np.log1p(-v[1]) * DAYS_PER_WEEK / DEALS_PER_WEEK,
        )


def test_erlang_c_formula_gives_the_published_figures():
    mu = DEALS_PER_WEEK
    for c, (p0, published_c, published_wq) in PUBLISHED_ERLANG.items():
        got_p0, got_c = erlang_c(c, LEADS_PER_WEEK / mu)
        wq = got_c / (c * mu - LEADS_PER_WEEK)
        if p0 is not None:
            assert got_p0 == pytest.approx(p0, abs=1e-6)
        assert got_c == pytest.approx(published_c, abs=1e-6)
        assert wq == pytest.approx(published_wq, abs=1e-6)
    assert erlang_c(4, LEADS_PER_WEEK / mu)[1] / (4 * mu - LEADS_PER_WEEK) + 1 / mu == (
        pytest.approx(0.662194, abs=1e-6)
    )


@pytest.mark.parametrize("patience", [math.inf, 1.5])
def test_sales_force_serves_leads_first_come_first_served(patience):
    """Lead by lead, the sales force starts each deal when the textbook c-slot queue does,
    and a lead goes cold exactly when no slot would free up within its patience."""
    rng = np.random.default_rng(7)
    n, reps = 4000, 4
    gaps = rng.exponential(DAYS_PER_WEEK / LEADS_PER_WEEK, n)
    cycles = rng.exponential(DAYS_PER_WEEK / DEALS_PER_WEEK, n)
    records = work_leads(reps, gaps, cycles, patience)
    arrived = np.array([r.arrived for r in records])
    assert arrived == pytest.approx(np.cumsum(gaps), rel=1e-12)
    expected = first_come_first_served(arrived, cycles, reps, patience)
    started = np.array([r.started for r in records])
    np.testing.assert_allclose(started, expected, rtol=0, atol=1e-9)
    cold = np.array([r.outcome == COLD for r in records])
    assert (cold == np.isnan(expected)).all()
    if patience == math.inf:
        assert not cold.any()
    else:
        assert 0.05 < cold.mean() < 0.5  # the patience limit binds, but not for everyone
        ended = np.array([r.ended for r in records])
        np.testing.assert_allclose(ended[cold], arrived[cold] + patience, atol=1e-9)


@pytest.mark.parametrize("reps", [4, 5])
def test_sales_force_waits_match_erlang_c(reps):
    """Poisson leads (10 a week), exponential cycles (mean 1/3 week), unlimited patience: the
    share of leads that wait and the mean wait match M/M/c within 5%. Two seeds, each run
    twice (antithetic), 50,000 leads a run, the first 1,000 discarded as warm-up (the queue
    starts empty). At rho = 0.83 the mean wait of 200,000 leads is still uncertain by about 3%
    (2% at c = 5); the lead-by-lead test above and the reference queue below are the sharp
    checks."""
    n, warm_up = 50_000, 1_000
    _, published_c, published_wq = PUBLISHED_ERLANG[reps]
    waited, mean_wait = [], []
    for seed in (1, 2):
        for gaps, cycles in poisson_leads(seed, n):
            records = work_leads(reps, gaps, cycles)[warm_up:]
            assert all(r.outcome == WON for r in records)
            wait = np.array([r.started - r.arrived for r in records])
            waited.append(np.mean(wait > 0))
            mean_wait.append(np.mean(wait) / DAYS_PER_WEEK)
    assert np.mean(waited) == pytest.approx(published_c, rel=0.05)
    assert np.mean(mean_wait) == pytest.approx(published_wq, rel=0.05)


@pytest.mark.parametrize("slots", [4, 5])
def test_first_come_first_served_slots_wait_as_erlang_c_predicts(slots):
    """The reference queue the sales force matches lead by lead is M/M/c: over 2,000,000 leads
    (fast: no SimPy), P(wait) is within 1% of C and the mean wait within 3% of Wq (standard
    errors over seeds: 0.2% and 1%)."""
    n, warm_up = 1_000_000, 1_000
    _, published_c, published_wq = PUBLISHED_ERLANG[slots]
    waited, mean_wait = [], []
    for gaps, cycles in poisson_leads(3, n):
        arrived = np.cumsum(gaps)
        wait = (first_come_first_served(arrived, cycles, slots) - arrived)[warm_up:]
        waited.append(np.mean(wait > 0))
        mean_wait.append(np.mean(wait) / DAYS_PER_WEEK)
    assert np.mean(waited) == pytest.approx(published_c, rel=0.01)
    assert np.mean(mean_wait) == pytest.approx(published_wq, rel=0.03)


# --- patience ----------------------------------------------------------------------------------


def test_leads_go_cold_when_no_rep_is_free():
    """Two reps, one deal each. Two long deals take both slots; leads that arrive meanwhile
    wait for a slot at most their patience, in order of arrival."""
    env = simpy.Environment()
    force = one_deal_per_rep(2, env)

    def lead(at: float, cycle: float, patience: float):
        yield env.timeout(at)
        yield env.process(force.work(0, INBOUND, 1.0, cycle, 0.5, patience))

    env.process(lead(0, cycle=10, patience=0))  # slot 1, days 0-10
    env.process(lead(0, cycle=20, patience=0))  # slot 2, days 0-20
    env.process(lead(1, cycle=4, patience=5))  # nothing frees by day 6: cold
    env.process(lead(2, cycle=4, patience=9))  # slot 1 frees on day 10 (by 11): days 10-14
    env.process(lead(3, cycle=4, patience=12))  # next free slot: day 14 (by 15): days 14-18
    env.process(lead(5, cycle=4, patience=1))  # nothing frees by day 6: cold
    env.process(lead(6, cycle=4, patience=0))  # every slot busy on arrival: cold at once
    env.process(lead(19, cycle=1, patience=0))  # slot 1 is free again on day 18
    env.run()

    log = sorted((r.arrived, r.outcome, r.started, r.ended) for r in force.records)
    expected = [
        (0, WON, 0, 10),
        (0, WON, 0, 20),
        (1, COLD, None, 6),
        (2, WON, 10, 14),
        (3, WON, 14, 18),
        (5, COLD, None, 6),
        (6, COLD, None, 6),
        (19, WON, 19, 20),
    ]
    assert len(log) == len(expected)
    for (at, outcome, started, ended), want in zip(log, expected, strict=True):
        assert (at, outcome, ended) == (want[0], want[1], want[3])
        if want[2] is None:
            assert math.isnan(started)
        else:
            assert started == want[2]
    assert not force.slots.users and force.slots.queue == []


def test_a_lead_whose_patience_ends_as_a_slot_frees_does_not_keep_the_slot():
    """One slot held from day 0 to day 10; a lead arrives on day 2 with 8 days of patience.
    Whether it takes the slot on day 10 or goes cold, the slot must not stay taken: a lead on
    day 20, when no deal is in progress, starts at once."""
    env = simpy.Environment()
    force = one_deal_per_rep(1, env)

    def lead(at: float, cycle: float, patience: float):
        yield env.timeout(at)
        yield env.process(force.work(0, INBOUND, 1.0, cycle, 0.5, patience))

    env.process(lead(0, cycle=10, patience=math.inf))
    env.process(lead(2, cycle=5, patience=8))
    env.process(lead(20, cycle=1, patience=5))
    env.run(until=100)

    last = max(force.records, key=lambda r: r.arrived)
    assert (last.arrived, last.outcome, last.started) == (20, WON, 20)
    assert not force.slots.users


# --- adstock and Hill saturation -----------------------------------------------------------


def test_adstock_carries_spend_over_geometrically():
    stock, seen = np.zeros(1), []
    for _ in range(5):
        stock = adstock(stock, np.array([100.0]), 0.5)
        seen.append(float(stock[0]))
    assert seen == pytest.approx([100, 150, 175, 187.5, 193.75], abs=1e-12)
    for _ in range(60):
        stock = adstock(stock, np.array([100.0]), 0.5)
    assert stock[0] == pytest.approx(100 / (1 - 0.5), rel=1e-12)


@pytest.mark.parametrize("half_life_days", [1, 7, 30, 90])
def test_a_pulse_of_spend_halves_after_its_half_life(half_life_days):
    decay = 0.5 ** (1 / half_life_days)
    assert math.log(0.5) / math.log(decay) == pytest.approx(half_life_days)
    stock = adstock(np.zeros(1), np.array([100.0]), decay)
    for _ in range(half_life_days):
        stock = adstock(stock, np.zeros(1), decay)
    assert stock[0] == pytest.approx(50.0, rel=1e-12)


def test_the_market_halves_advertising_stock_after_the_channel_half_life():
    """The same rule inside the market, with the half-life from the scenario's economics."""
    scenario = bass_scenario(1000, 91, 1).model_copy(
        update={
            "economics": Economics(
                half_life_days={"advertising": 14.0, "pr": 90.0, "demand_gen": 7.0}
            )
        }
    )
    market = Market(scenario, FirmParams(scenario), seed=0)
    market.daily_spend["advertising"][0, 0] = 100.0
    market.advertise()
    assert market.stock["advertising"][0, 0] == pytest.approx(100.0)
    market.daily_spend["advertising"][0, 0] = 0.0
    for _ in range(14):
        market.advertise()
    assert market.stock["advertising"][0, 0] == pytest.approx(50.0, rel=1e-12)


@pytest.mark.parametrize("slope", [0.5, 1.0, 2.0, 3.0])
def test_hill_is_one_half_at_the_half_saturation_point(slope):
    assert hill(np.array([2000.0]), 2000.0, slope)[0] == pytest.approx(0.5)
    assert hill(np.array([0.0]), 2000.0, slope)[0] == 0.0


def test_hill_slope_shapes_the_saturation_curve():
    k = 2000.0
    assert hill(np.array([2 * k]), k, 1.0)[0] == pytest.approx(2 / 3)
    assert hill(np.array([2 * k]), k, 2.0)[0] == pytest.approx(0.8)
    assert hill(np.array([k / 2]), k, 2.0)[0] == pytest.approx(0.2)
    # Meridian's form 1 / (1 + (x/K)^-S), and always below 1
    x = np.array([10.0, 500.0, 3000.0, 1e6])
    assert hill(x, k, 1.7) == pytest.approx(1 / (1 + (x / k) ** -1.7))
    assert (hill(x, k, 1.7) < 1).all()


# --- Nerlove-Arrow goodwill ----------------------------------------------------------------


def goodwill_market(delta_per_year: float, satisfaction_pull: float = 0.8) -> Market:
    """One firm, brand equity 0, PR saturation held at 0.6, brand half-life ln 2 / delta."""
    half_life_days = math.log(2) / delta_per_year * DAYS_PER_YEAR  # 505.997 days at 0.5/year
    scenario = bass_scenario(1000, 91, 1).model_copy(
        update={
            "economics": Economics(
                brand_half_life_days=half_life_days, satisfaction_pull=satisfaction_pull
            )
        }
    )
    market = Market(scenario, FirmParams(scenario), seed=0)
    market.h_pr = np.array([0.6])
    market.brand = np.array([0.0])
    return market


def test_brand_equity_builds_like_nerlove_arrow_goodwill():
    """dG/dt = delta (100 h_pr - G) with no customers: G(t) = G* (1 - e^{-delta t}), G* =
    100 h_pr. With delta = 0.5 a year, two years reach 1 - 1/e of the way."""
    delta = 0.5
    assert math.log(2) / delta * DAYS_PER_YEAR == pytest.approx(505.997, abs=1e-3)
    market = goodwill_market(delta)
    for _ in range(2 * DAYS_PER_YEAR):
        market.build_brand(np.array([90.0]), customers=np.zeros((1, 1)))
    assert market.brand[0] / (100 * 0.6) == pytest.approx(1 - math.exp(-1), abs=1e-6)
    assert 1 - math.exp(-1) == pytest.approx(0.632121, abs=1e-6)


def test_satisfied_customers_pull_brand_equity_toward_their_satisfaction():
    """With c customers, m = satisfaction_pull c / (c + 50): dG/dt = delta (100 h_pr - G) +
    m (Sat - G), so G relaxes at rate delta + m to (delta 100 h_pr + m Sat) / (delta + m)."""
    delta, pull, customers, sat = 0.5, 0.8, 150.0, 90.0
    m = pull * customers / (customers + 50.0)
    target = (delta * 100 * 0.6 + m * sat) / (delta + m)
    market = goodwill_market(delta, pull)
    for _ in range(DAYS_PER_YEAR):
        market.build_brand(np.array([sat]), customers=np.array([[customers]]))
    assert market.brand[0] == pytest.approx(target * (1 - math.exp(-(delta + m))), rel=1e-9)


# --- deal stages ---------------------------------------------------------------------------


@pytest.mark.parametrize("p_win", [0.05, 0.21, 0.5, 0.9])
def test_a_deal_is_won_with_its_win_probability_and_lost_early_more_often(p_win):
    """Fates on an even grid of [0, 1): the share won is p_win, every win reaches the last
    stage, and a deal survives stage k with probability p_win ** (cumulative loss share)."""
    n = 20_000
    fates = (np.arange(n) + 0.5) / n
    stages = np.array([exit_stage(f, p_win) for f in fates])
    won = fates < p_win
    last = len(STAGES) - 1
    assert np.mean(won & (stages == last)) == pytest.approx(p_win, abs=1 / n)
    assert (stages[won] == last).all()

    lost_at = np.array([np.mean(~won & (stages == k)) for k in range(len(STAGES))])
    survive = np.concatenate([[1.0], p_win ** np.cumsum(STAGE_LOSS)])
    assert lost_at == pytest.approx(survive[:-1] - survive[1:], abs=2 / n)
    assert lost_at.sum() == pytest.approx(1 - p_win, abs=1 / n)
    assert (np.diff(lost_at) < 0).all()  # qualify loses the most, negotiate the least
