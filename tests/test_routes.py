"""Routes to market (`[routes]`): channel partners (their own reach and capacity for a margin)
and self-serve sign-up beside the direct sales force (docs/MODEL.md, "Routes to market")."""

from __future__ import annotations

import json
import math
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pytest

from sim import Game, load_scenario
from sim.model.decisions import Decision, expand, simple
from sim.model.errors import InputError
from sim.model.routes import RoutesToMarket, engagement, erlang_b
from tests.conftest import shortened


def test_erlang_b_matches_its_closed_form_for_small_systems() -> None:
    # B(1, a) = a / (1 + a); B(2, a) = a^2 / 2 / (1 + a + a^2 / 2)
    for a in (0.1, 1.0, 3.0):
        assert erlang_b(1, a) == pytest.approx(a / (1 + a))
        assert erlang_b(2, a) == pytest.approx(a * a / 2 / (1 + a + a * a / 2))
    assert erlang_b(0, 5.0) == 1.0


def test_partners_engage_by_the_margin_half_at_the_half_margin() -> None:
    assert float(engagement(0.2, 0.2)) == pytest.approx(0.5)
    margins = np.linspace(0.0, 0.6, 13)
    e = engagement(margins, 0.2)
    assert e[0] == 0.0 and np.all(np.diff(e) > 0) and e[-1] < 1.0
    assert float(engagement(0.3, 0.2)) == pytest.approx(1.5**4 / (1 + 1.5**4))


def test_partners_turn_away_the_share_of_leads_erlangs_loss_formula_gives() -> None:
    """A partner network of c places, leads at a constant rate, every deal held a whole
    number of days (geometric, mean 1 / (1 - e^-1/T)): the share of leads turned away is
    Erlang's B(c, a) at the offered load a = arrivals a day x mean holding, within the
    noise and the error of drawing a day's leads at once."""
    days, lam, cycle, places = 40_000, 1.0, 20.0, 20
    routes = RoutesToMarket(seed=3, firms=1, segments=1)
    routes.decide(0, np.array([1.0]), np.array([0.0]), margin=10.0, half=0.2)
    assert routes.engaged[0] == pytest.approx(1.0)
    won = 0.0
    for day in range(days):
        routes.chance[0].start_day(day)
        signed, _ = routes.day(
            0,
            warm=np.array([lam]),
            prospects=np.array([1e6]),
            capacity=np.array([places + 0.5]),  # floor: 20 places at full engagement
            reach=np.array([0.0]),
            cycle_days=np.array([cycle]),
            p_partner=np.array([0.4]),
            p_self=np.array([0.0]),
        )
        won += float(signed[0])
    held = 1.0 / -math.expm1(-1.0 / cycle)
    expected = erlang_b(places, lam * held)
    turned = routes.partner_turned_away[0, 0] / routes.partner_leads[0, 0]
    assert routes.partner_leads[0, 0] == pytest.approx(lam * days, rel=0.02)
    assert turned == pytest.approx(expected, abs=0.02), (turned, expected)
    assert won > 0  # the partners' deals signed


def with_routes(decision: Decision, routes: dict[str, Any] | None) -> Decision:
    data = decision.to_dict()
    if routes is not None:
        data["routes"] = routes
    return Decision.model_validate(data)


def test_routes_are_offered_only_where_the_scenario_has_them() -> None:
    scenario = load_scenario("classic")
    assert scenario.partner_segments == ["smb"]
    base = simple(scenario, 300_000, 0.4).to_dict()
    with pytest.raises(InputError, match=r"routes\.partner\.mid.*no channel partners in mid"):
        expand(scenario, {**base, "routes": {"partner": {"mid": 0.2}}})
    with pytest.raises(InputError, match=r"routes\.smb.*add up to 120%"):
        expand(scenario, {**base, "routes": {"partner": {"smb": 0.6}, "self_serve": {"smb": 0.6}}})
    with pytest.raises(InputError, match=r"routes\.partner\.smb.*share from 0 to 1"):
        expand(scenario, {**base, "routes": {"partner": {"smb": 1.5}}})
    with pytest.raises(InputError, match=r"routes\.partner\.atlantis.*unknown segment"):
        expand(scenario, {**base, "routes": {"partner": {"atlantis": 0.1}}})
    with pytest.raises(InputError, match=r"routes\.channel.*not a routes field"):
        expand(scenario, {**base, "routes": {"channel": 0.1}})
    with pytest.raises(InputError, match=r"routes\.partner_margin"):
        expand(scenario, {**base, "routes": {"partner_margin": 0.9}})
    d = expand(scenario, {**base, "routes": {"partner": {"smb": 0.5}, "partner_margin": 0.25}})
    assert d.routes is not None and d.routes.partner == {"smb": 0.5}
    assert d.routes.self_serve == {"smb": 0.0, "mid": 0.0, "enterprise": 0.0}
    assert d.indirect and "routes" in d.to_dict()
    assert "routes" not in simple(scenario, 300_000, 0.4).to_dict()  # direct: as before
    tutorial = load_scenario("tutorial")
    with pytest.raises(InputError, match="no self-serve sign-up in .*none"):
        sid = tutorial.segment_ids[0]
        expand(
            tutorial,
            {**simple(tutorial, 1e5, 0.4).to_dict(), "routes": {"self_serve": {sid: 0.1}}},
        )


def test_a_rounds_books_by_route_add_up_to_its_revenue_deals_and_customers() -> None:
    scenario = shortened("classic", 3)
    game = Game(scenario, seed=4)
    routes = {"partner": {"smb": 0.5}, "self_serve": {"smb": 0.3}, "partner_margin": 0.25}
    for _ in range(3):
        game.play_round({"you": with_routes(simple(scenario, 300_000, 0.5), routes)})
    for report in game.reports:
        f = report.firms["you"]
        assert sum(f.revenue_by_route.values()) == pytest.approx(f.revenue, abs=0.011)
        assert sum(f.deals_by_route.values()) == f.new_customers
        assert f.deals_by_route["direct"] <= f.deals_won
        assert sum(f.customers_by_route.values()) == f.total_customers
        assert f.partner_turned_away <= f.partner_leads
        assert sum(v for _, v in f.statement()) == pytest.approx(f.profit, abs=0.05)
    last = game.reports[-1].firms["you"]
    assert last.deals_by_route["partner"] > 0 and last.deals_by_route["self_serve"] > 0
    assert last.revenue_by_route["partner"] > 0 and last.revenue_by_route["self_serve"] > 0
    assert last.partner_margins > 0 and last.self_serve_leads > 0
    # a partner's margin is its share of the first-year value of the deals it closed
    value = {s.id: s.deal_value for s in scenario.segments}["smb"]
    assert last.partner_margins == pytest.approx(
        0.25 * value * last.price * last.deals_by_route["partner"], abs=0.05
    )


def test_self_serve_customers_churn_faster_than_the_reps_customers() -> None:
    scenario = load_scenario("classic")
    game = Game(scenario, seed=1)
    acc = game.accounts
    assert acc.routes == 3
    coverage = game.coverage()
    hazard = acc.hazard(coverage)
    K = acc.rounds
    ratio = game.params.self_serve_churn
    assert np.allclose(hazard[:, :, 2 * K : 3 * K], hazard[:, :, :K] * ratio[:, None, None])
    assert np.allclose(hazard[:, :, K : 2 * K], hazard[:, :, :K])  # partners' as the reps'


def test_a_game_with_partners_deals_in_flight_restores_at_any_round_and_plays_on_exactly() -> None:
    scenario = shortened("classic", 4)
    plans = [
        {"partner": {"smb": 0.6}},
        {"partner": {"smb": 0.3}, "self_serve": {"smb": 0.4, "enterprise": 0.2}},
        None,
        {"self_serve": {"mid": 0.5}, "partner_margin": 0.4},
    ]
    game = Game(scenario, seed=6)
    decided, taken = [], []
    for plan in plans:
        taken.append(pickle.loads(pickle.dumps(game.snapshot())))
        d = {"you": with_routes(simple(scenario, 300_000, 0.55), plan)}
        decided.append(d)
        game.play_round(d)
    assert game.market.routes.winning.sum() + game.market.routes.losing.sum() >= 0
    straight = json.dumps(game.to_json(), sort_keys=True)
    for snapshot in taken[1:]:
        twin = game.restore(snapshot)
        for d in decided[snapshot.round :]:
            twin.play_round(d)
        assert json.dumps(twin.to_json(), sort_keys=True) == straight, snapshot.round
    loaded = Game.from_save(json.loads(json.dumps(game.to_save())))
    assert json.dumps(loaded.to_json(), sort_keys=True) == straight


SEEDS = (1, 2, 3)


def route_play(
    seed: int, share: float, routes: dict[str, Any] | None, name: str = "classic"
) -> tuple[float, float]:
    """Scenario `name`, the player's simple play at marketing share `share` every round with
    `routes`: its operating profit over the game, and the value it created (the
    scorecard's: profit and the customers' equity gained)."""
    scenario = load_scenario(name)
    game = Game(scenario, seed)
    while not game.finished:
        d = with_routes(simple(scenario, scenario.meta.budget_per_round, share), routes)
        game.play_round({"you": d})
    value = game.score()["you"]["measures"]["value"]
    return sum(r.firms["you"].profit for r in game.reports), value


def route_profit(seed: int, share: float, routes: dict[str, Any] | None) -> float:
    return route_play(seed, share, routes)[0]


SHORT, IDLE = 0.6, 0.2  # marketing shares that leave the reps short of time, or idle
HALF_TO_PARTNERS = {"partner": {"smb": 0.5}}


def test_partners_pay_where_the_reps_are_short_and_not_where_they_are_idle() -> None:
    """The lesson, three seeds with common random numbers, classic: with most of the budget
    on marketing (reps short, SMB leads going cold) half of SMB's leads to partners adds
    profit every seed; with most of it on sales (reps idle) the same partners take deals
    the reps would have closed at full margin, and lose money every seed."""
    plays = [(s, x, r) for s in SEEDS for x in (SHORT, IDLE) for r in (None, "p")]
    with ProcessPoolExecutor(2) as pool:
        profit = pool.map(
            route_profit,
            [s for s, _, _ in plays],
            [x for _, x, _ in plays],
            [HALF_TO_PARTNERS if r else None for _, _, r in plays],
        )
        found = dict(zip(plays, profit, strict=True))
    for seed in SEEDS:
        assert found[seed, SHORT, "p"] > found[seed, SHORT, None] + 100_000, (seed, found)
        assert found[seed, IDLE, "p"] < found[seed, IDLE, None], (seed, found)


def test_self_serve_pays_in_smb_and_not_in_enterprise() -> None:
    """The lesson, three seeds with common random numbers, classic at the default split (40%,
    the reps' time about matched to the leads): half of SMB's leads to self-serve (brand-led
    buyers who sign up alone, freeing the reps) beats none every seed; half of enterprise's
    (buyers who buy from reps: few sign up alone) loses every seed, on profit and on value."""
    plays = [(s, r) for s in SEEDS for r in ("none", "smb", "enterprise")]
    routes = {"none": None, **{k: {"self_serve": {k: 0.5}} for k in ("smb", "enterprise")}}
    with ProcessPoolExecutor(2) as pool:
        profit = pool.map(
            route_play,
            [s for s, _ in plays],
            [0.4] * len(plays),
            [routes[r] for _, r in plays],
        )
        found = dict(zip(plays, profit, strict=True))
    for seed in SEEDS:
        profit = {k: v[0] for (s, k), v in found.items() if s == seed}
        value = {k: v[1] for (s, k), v in found.items() if s == seed}
        assert profit["smb"] > profit["none"], (seed, profit)
        assert profit["enterprise"] < profit["none"], (seed, profit)
        assert value["enterprise"] < value["none"], (seed, value)


def test_the_round_report_says_what_the_routes_did_and_where_the_lesson_points() -> None:
    """Partners sent most of SMB's leads while the reps sit idle: the report counts what
    partners took, turned away and cost, and says the reps could have closed those deals;
    self-serve's sign-ups are counted with their catch."""
    from sim.narrative import explain

    scenario = shortened("classic", 3)
    game = Game(scenario, seed=1)
    routes = {"partner": {"smb": 0.6}, "self_serve": {"smb": 0.3, "enterprise": 0.2}}
    for _ in range(3):
        game.play_round({"you": with_routes(simple(scenario, 300_000, 0.5), routes)})
    f = game.reports[-1].firms["you"]
    said = " ".join(explain(scenario, game.reports[-1], "you"))
    taken = f.partner_leads - f.partner_turned_away
    assert f"Partners took {taken} of the {f.partner_leads} leads" in said
    assert f"(the other {f.partner_turned_away} found every place taken" in said
    assert "More than a fifth turned away" in said
    assert "could have closed at full margin" in said
    assert f"of the {f.self_serve_leads} sent online signed up" in said
    assert "partner margins" in said
    direct = Game(scenario, seed=1)
    direct.play_round({"you": simple(scenario, 300_000, 0.5)})
    assert "Partners" not in " ".join(explain(scenario, direct.reports[-1], "you"))


CHANNELS_PLAYS = {
    "direct": None,
    "fitted": {"self_serve": {"micro": 0.6}, "partner": {"smb": 0.5}},
    "all_partners": {"self_serve": {"micro": 0.6}, "partner": {"smb": 1.0}},
    "enterprise_online": {
        "self_serve": {"micro": 0.6, "enterprise": 0.5},
        "partner": {"smb": 0.5},
    },
}


def test_in_channels_the_routes_that_fit_each_segment_beat_selling_direct() -> None:
    """The channels scenario's lesson, three seeds with common random numbers, at the
    profit-best direct split (30%): micro buyers online and half of SMB to resellers beat
    selling everything direct, on value every seed and on profit by 100k on average (the
    market is a noisy one: profit swings by hundreds of thousands from seed to seed);
    sending all of SMB to the resellers (their places full, leads turned away) loses
    profit every seed, and half of enterprise online (buyers who buy from reps) loses
    value every seed."""
    plays = [(s, k) for s in SEEDS for k in CHANNELS_PLAYS]
    with ProcessPoolExecutor(2) as pool:
        found = dict(
            zip(
                plays,
                pool.map(
                    route_play,
                    [s for s, _ in plays],
                    [0.3] * len(plays),
                    [CHANNELS_PLAYS[k] for _, k in plays],
                    ["channels"] * len(plays),
                ),
                strict=True,
            )
        )
    gain = [found[s, "fitted"][0] - found[s, "direct"][0] for s in SEEDS]
    assert sum(gain) / len(gain) > 100_000, gain
    for seed in SEEDS:
        profit = {k: found[seed, k][0] for k in CHANNELS_PLAYS}
        value = {k: found[seed, k][1] for k in CHANNELS_PLAYS}
        assert value["fitted"] > value["direct"] + 200_000, (seed, value)
        assert profit["all_partners"] < profit["fitted"], (seed, profit)
        assert value["enterprise_online"] < value["fitted"], (seed, value)


def test_the_lab_export_carries_the_routes_and_the_levers_decided() -> None:
    """media.csv gains the routes decided (for the segments that offer them), the bar and the
    coverage plan once a round sets them, and the customers by route; they add up to the
    round reports. media_geo.csv carries the same by segment."""
    import csv
    import io

    from sim.lab.export import export

    scenario = shortened("classic", 3)
    game = Game(scenario, seed=2)
    for k in range(3):
        d = with_routes(simple(scenario, 300_000, 0.5), {"partner": {"smb": 0.5}}).to_dict()
        if k == 2:
            d["marketing"]["qualification"] = 0.2
            d["sales"]["coverage"] = {"smb": 0.6, "mid": 0.3, "enterprise": 0.1}
            d["routes"]["self_serve"] = {"smb": 0.25}
        game.play_round({"you": Decision.model_validate(d)})
    files = export(game, "you", "week").files
    rows = list(csv.DictReader(io.StringIO(files["media.csv"])))
    header = files["media.csv"].splitlines()[0].split(",")
    assert "partner_smb" in header and "partner_mid" not in header
    assert {"self_serve_smb", "self_serve_enterprise", "partner_margin"} <= set(header)
    assert {"qualification", "coverage_smb", "new_customers_partner"} <= set(header)
    for k, report in enumerate(game.reports, start=1):
        mine = [r for r in rows if r["round"] == str(k)]
        f = report.firms["you"]
        assert sum(int(r["new_customers_partner"]) for r in mine) == f.deals_by_route["partner"]
        assert (
            sum(int(r["new_customers_self_serve"]) for r in mine)
            == (f.deals_by_route["self_serve"])
        )
        assert sum(int(r["new_customers"]) for r in mine) == f.new_customers
        assert {r["partner_smb"] for r in mine} == {"0.5"}
        assert {r["coverage_smb"] for r in mine} == ({"0.6"} if k == 3 else {""})
        assert {r["qualification"] for r in mine} == ({"0.2"} if k == 3 else {"0"})
    geo = list(csv.DictReader(io.StringIO(files["media_geo.csv"])))
    assert {r["partner"] for r in geo if r["geo"] == "mid"} == {"0"}
    for column in ("`coverage_smb`", "`partner_smb`", "`self_serve_mid`", "`partner_margin`"):
        assert column in files["README.md"], column
    plain = Game(shortened("tutorial", 1), seed=1)
    plain.play_round({"you": simple(plain.scenario, 100_000, 0.4)})
    head = export(plain, "you").files["media.csv"].splitlines()[0]
    assert "partner" not in head and "qualification" not in head and "coverage" not in head


def test_a_sweep_varies_the_routes_and_reports_the_indirect_share(capsys) -> None:
    from tests.test_bad_input import cli, one_error

    code, out, err = cli(
        capsys,
        "sweep",
        "classic",
        "--vary",
        "meta.rounds=2",
        "--vary",
        "routes.partner.smb=0,0.5",
        "--vary",
        "routes.partner_margin=0.3",
        "--metric",
        "indirect_share",
        "--reps",
        "1",
        "--workers",
        "1",
    )
    assert code == 0, err
    rows = [line.split() for line in out.splitlines() if line.strip().startswith(("2 ", "2.0"))]
    assert len(rows) == 2, out
    by_share = {float(r[1]): float(r[4]) for r in rows}  # partner share -> mean indirect_share
    assert by_share[0.0] == 0.0 < by_share[0.5], out  # partners' customers only where they work
    one_error(
        cli(capsys, "sweep", "classic", "--vary", "routes.partner.mid=0.5", "--reps", "1"),
        "routes.partner.mid: this scenario has no channel partners in mid",
    )
    one_error(
        cli(capsys, "sweep", "classic", "--vary", "routes.self_serve.smb=2", "--reps", "1"),
        "routes.self_serve.smb",
    )
    one_error(  # a margin where no partner would earn it: an axis that would do nothing
        cli(capsys, "sweep", "tutorial", "--vary", "routes.partner_margin=0.3", "--reps", "1"),
        "routes.partner_margin: this scenario has no channel partners",
    )
    one_error(  # ... or where no lead goes to the partners there are
        cli(capsys, "sweep", "classic", "--vary", "routes.partner_margin=0.2,0.4", "--reps", "1"),
        "routes.partner_margin: varies nothing: no leads go to partners",
    )
