"""Positioning, product and research: the strategic half of marketing, with imperfect
information. The mechanics are held to their closed forms, to their ranges under random
decisions, and to the rules of what a firm may know."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import Game, load_scenario
from sim.model.decisions import expand
from sim.model.game import MODEL_VERSION
from sim.model.positioning import FIT_REFERENCE, fit_penalty, settle
from sim.model.product import improve
from sim.model.research import firm_view, last_known
from sim.model.rivals import strategy
from sim.model.scenario import parse_scenario
from tui.session import Session

from .conftest import shortened

FIXTURES = Path(__file__).parent / "fixtures"
DT = 1 / 365


# --- closed forms --------------------------------------------------------------------------


def test_a_perceived_position_follows_the_closed_form_of_its_pull() -> None:
    """dP/dt = m (T - P) + d (R - P) with m, d constant: P(t) = P* + (P0 - P*) e^{-(m+d)t}."""
    p0 = np.array([[[0.5, 0.5]]])
    target, reality = np.array([[0.9, 0.8]]), np.array([[0.3, 0.5]])
    m, d = np.array([[3.0]]), 1.0
    p = p0
    for _ in range(365):
        p = settle(p, target, reality, m, d, DT)
    star = (3.0 * target + 1.0 * reality) / 4.0
    expected = star + (p0[0, 0] - star) * math.exp(-4.0)
    assert p[0, 0] == pytest.approx(expected[0], abs=1e-12)


def test_without_communication_the_position_drifts_back_to_the_product() -> None:
    p = np.array([[[0.9, 0.9]]])
    for _ in range(5 * 365):
        p = settle(p, np.array([[0.9, 0.9]]), np.array([[0.4, 0.6]]), np.array([[0.0]]), 1.0, DT)
    assert p[0, 0] == pytest.approx([0.4, 0.6], abs=0.01)


def test_quality_follows_the_closed_form_with_diminishing_returns() -> None:
    """dq/dt = a h (1 - q) - o q: q(t) = q* + (q0 - q*) e^{-(a h + o) t}."""
    q = np.array([0.5])
    a, h, o = np.array([2.0]), np.array([0.22]), np.array([0.05])
    for _ in range(365):
        q = improve(q, h, a, o, DT)
    star = 2.0 * 0.22 / (2.0 * 0.22 + 0.05)
    assert q[0] == pytest.approx(star + (0.5 - star) * math.exp(-(0.44 + 0.05)), abs=1e-12)
    # Doubling the saturation less than doubles the gain: diminishing returns.
    gain = [improve(np.array([0.5]), np.array([x]), a, o, 1.0)[0] - 0.5 for x in (0.2, 0.4)]
    assert gain[1] < 2 * gain[0]


def test_fit_rewards_the_ideal_and_punishes_the_far_corner() -> None:
    ideal = np.array([[0.8, 0.9]])
    near = fit_penalty(np.array([[[0.8, 0.9]]]), ideal, np.array([4.0]))
    far = fit_penalty(np.array([[[0.1, 0.1]]]), ideal, np.array([4.0]))
    assert near[0, 0] == pytest.approx(-4.0 * FIT_REFERENCE)
    assert far[0, 0] > 4.0
    assert fit_penalty(np.array([[[0.1, 0.1]]]), ideal, np.array([0.0]))[0, 0] == 0.0


# --- the market ----------------------------------------------------------------------------


def one_segment(name: str = "enterprise", rounds: int = 4):
    """classic's enterprise segment alone, so a firm's totals are that segment's."""
    data = shortened("classic", rounds).model_dump(mode="json")
    data["segments"] = [s for s in data["segments"] if s["id"] == name]
    for f in data["firms"]:
        f["awareness"] = {name: f["awareness"][name]}
        f["customers"] = {name: f["customers"][name]}
    return parse_scenario(data, "classic, enterprise only")


def play(scenario, seed: int, target: dict | None) -> Game:
    game = Game(scenario, seed)
    raw = {"budget": 300_000, "marketing_share": 0.45}
    decision = expand(scenario, raw, firm_id="you")
    if target is not None:
        table = decision.to_dict()
        table["marketing"]["positioning"] = target
        decision = expand(scenario, table, firm_id="you")
    game.play(lambda g, fid: decision)
    return game


def test_claiming_the_segments_ideal_raises_its_inbound_leads_and_win_rate() -> None:
    """Everything else equal (the same seeds: common random numbers), moving the target from
    where the firm stands to the enterprise ideal brings more inbound leads and wins more."""
    scenario = one_segment()
    ideal = scenario.segments[0].ideal
    assert ideal is not None
    leads, wins = {True: 0, False: 0}, {True: [0, 0], False: [0, 0]}
    for seed in range(1, 5):
        for moved in (False, True):
            target = {"power": ideal.power, "service": ideal.service} if moved else None
            game = play(scenario, seed, target)
            mine = [r.firms["you"] for r in game.reports]
            leads[moved] += sum(f.leads_inbound for f in mine)
            wins[moved][0] += sum(f.deals_won for f in mine)
            wins[moved][1] += sum(f.deals_won + f.deals_lost for f in mine)
            if moved:
                position = mine[-1].position["enterprise"]
                assert abs(position[0] - ideal.power) < abs(0.5 - ideal.power)
    assert leads[True] > 1.15 * leads[False]
    assert wins[True][0] / wins[True][1] > wins[False][0] / wins[False][1]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    power=st.floats(0, 1),
    service=st.floats(0, 1),
    product_share=st.floats(0, 0.6),
    marketing_share=st.floats(0, 1),
    ad=st.floats(0, 1),
    seed=st.integers(0, 1000),
)
def test_positions_and_quality_stay_on_the_map_under_any_decisions(
    power, service, product_share, marketing_share, ad, seed
) -> None:
    scenario = shortened("classic", 2)
    raw = {
        "marketing": {
            "budget": 300_000 * (1 - product_share) * marketing_share,
            "mix": {"advertising": ad, "pr": (1 - ad) / 2, "demand_gen": (1 - ad) / 2},
            "positioning": {"power": power, "service": service},
        },
        "sales": {"budget": 300_000 * (1 - product_share) * (1 - marketing_share)},
        "product": {"budget": 300_000 * product_share},
    }
    decision = expand(scenario, raw, firm_id="you")
    game = Game(scenario, seed)
    game.play(lambda g, fid: decision)
    for r in game.reports:
        for f in r.firms.values():
            assert 0.0 <= f.quality <= 1.0
            for p in f.position.values():
                assert all(0.0 <= x <= 1.0 for x in p)
    assert 0.0 <= game.market.position.min() and game.market.position.max() <= 1.0


def test_research_and_development_raises_quality_and_satisfaction() -> None:
    scenario = shortened("classic", 4)
    base = {"budget": 300_000, "marketing_share": 0.45}
    plain = Game(scenario, 3)
    plain.play(lambda g, fid: expand(scenario, base, firm_id=fid))
    rd = Game(scenario, 3)
    rd.play(lambda g, fid: expand(scenario, base | {"product_share": 0.15}, firm_id=fid))
    a, b = plain.reports[-1].firms["you"], rd.reports[-1].firms["you"]
    assert b.quality > a.quality + 0.1
    assert b.satisfaction > a.satisfaction
    assert b.product_spend == pytest.approx(45_000, rel=1e-6)  # 15% of 300k, every round


# --- what a firm may know ------------------------------------------------------------------


def test_research_that_was_not_bought_is_not_visible() -> None:
    scenario = shortened("classic", 3)
    game = Game(scenario, 2)
    plans = [[], ["brand_tracker"], []]
    game.play(
        lambda g, fid: expand(
            scenario,
            {"budget": 300_000, "marketing_share": 0.4, "research": plans[g.round]},
            firm_id=fid,
        )
    )
    view = firm_view(game.reports, "you")
    r1, r2, r3 = view["rounds"]
    for r in (r1, r3):  # not bought: unknown, in the JSON a firm sees
        assert r["own"]["brand_equity"] is None and r["own"]["awareness"] is None
        assert r["own"]["position"] is None and r["own"]["lost_reasons"] is None
        assert r["studies"] == {}
        assert "brand_equity" not in json.dumps(r["public"])
    assert r2["own"]["brand_equity"] == game.reports[1].firms["you"].brand_equity
    tracker = r2["studies"]["brand_tracker"]
    assert tracker["northwind"]["brand_equity"] == game.reports[1].firms["northwind"].brand_equity
    assert r2["own"]["position"] is None  # the tracker is not a perceptual map
    # Last known, with its age: bought in round 2, one round old after round 3.
    known, age = last_known(game.reports, "you", "brand_tracker")
    assert age == 1 and known == tracker
    assert last_known(game.reports, "you", "perceptual_map") == (None, None)
    # Research costs what the scenario says, in the round it is bought.
    assert [r.firms["you"].research_spend for r in game.reports] == [0, 15_000, 0]


def test_rival_strategies_see_only_what_they_bought() -> None:
    scenario = shortened("classic", 3)
    seen = []

    def spy(view):
        seen.append((view.round, [math.isnan(f.brand_equity) for f in view.own], view.studies))
        return strategy("focus:mid")(view)

    game = Game(scenario, 4)
    for _ in range(3):
        seen.clear()
        game.play_round({"you": spy(game.view("you"))})
    # focus:mid buys a perceptual map in odd rounds: it sees positions then, never brand.
    last_round, brand_hidden, studies = seen[-1]
    assert last_round == 3 and all(brand_hidden)
    assert "perceptual_map" in studies[0] and studies[1] == {}
    assert game.view("northwind").own[0].awareness == {}  # a rival that bought nothing


def test_run_view_prints_only_what_the_firm_may_know(tmp_path: Path) -> None:
    import subprocess
    import sys

    exe = str(Path(sys.executable).with_name("jigsaw"))
    proc = subprocess.run([exe, "run", "tutorial", "--view", "you"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["firm"] == "you" and data["rounds"][0]["own"]["brand_equity"] is None
    bad = subprocess.run(
        [exe, "run", "tutorial", "--view", "nobody"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "unknown firm" in bad.stderr


# --- undo, saves ---------------------------------------------------------------------------


def test_going_back_a_round_and_playing_the_same_decisions_gives_identical_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIGSAW_SAVE_DIR", str(tmp_path))
    session = Session.new(shortened("classic", 4), 9)
    for _ in range(3):
        session.advance()
    straight = json.dumps(session.game.to_json())
    assert session.undo() == 3 and session.game.round == 2
    session.advance()  # the draft holds the round taken back
    assert json.dumps(session.game.to_json()) == straight
    session.undo()
    session.undo()
    session.undo()
    with pytest.raises(Exception, match="nothing to go back to"):
        session.undo()


def test_a_save_from_an_older_model_says_so_in_one_line_and_still_plays() -> None:
    """A version-1 save (before positioning) replays its decisions under today's rules: the
    game says, in one line, that its results differ from when it was played."""
    game = Game.load(FIXTURES / "classic_v1_save.json")
    assert game.round == len(
        json.loads((FIXTURES / "classic_v1_save.json").read_text())["decisions"]
    )
    assert game.notice is not None and "\n" not in game.notice
    assert "model version 1" in game.notice and f"model version {MODEL_VERSION}" in game.notice
    saved = game.to_save()
    assert saved["model"] == MODEL_VERSION and saved["streams"] == 1  # as it now plays
    assert Game.from_save(saved).notice is None


def test_jigsaw_run_load_of_an_older_save_prints_one_note(capsys) -> None:
    from tui.cli import main

    assert main(["run", "--load", str(FIXTURES / "classic_v1_save.json")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("note: ") and "results differ" in err[0]


# --- a coherent strategy -------------------------------------------------------------------


def test_classic_rewards_a_strategy_that_fits_its_segment_over_spreading_evenly() -> None:
    """In the player's seat against classic's rivals, the same seeds: fitting positioning,
    targeting and split to the mid-market beats spreading everything evenly."""
    scenario = load_scenario("classic")
    profit = {"focus:mid": 0.0, "even": 0.0}
    for seed in (1, 2, 3):
        for name in profit:
            game = Game(scenario, seed)
            chosen = strategy(name)
            game.play(lambda g, fid, chosen=chosen: chosen(g.view(fid)))
            profit[name] += sum(r.firms["you"].profit for r in game.reports)
    assert profit["focus:mid"] > profit["even"] + 300_000
