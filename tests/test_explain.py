"""Every number explained (sim.experiments.explain, jigsaw explain): Shapley contributions
that add up to the change exactly, zero for what did not change, equal for what is
symmetric; luck measured, not left over (mean zero over seeds); decision groups stable
across seeds; a class team sees its own explanation only."""

from __future__ import annotations

import json
import math
import statistics
from fractions import Fraction
from pathlib import Path

import pytest

from sim.classroom.store import Classroom
from sim.experiments.explain import FACTORS, GROUPS, MEASURES, apportion, explain, shapley
from sim.model.decisions import Decision, simple
from sim.model.game import Game
from sim.model.scenario import parse_scenario
from sim.narrative import FACTOR_WORDS
from tests.conftest import shortened
from tests.test_bad_input import cli, one_error


def every_firm_a_player(rounds: int, round_days: int = 91):
    """classic cut short, every seat a player's: nothing decides but the test."""
    data = shortened("classic", rounds, round_days=round_days).model_dump(mode="json")
    for firm in data["firms"]:
        firm["controlled_by"] = "player"
    return parse_scenario(data)


def changed(decision: Decision, **parts: float) -> Decision:
    """`decision` with budgets scaled (marketing=, sales=) and the price set (price=)."""
    data = decision.to_dict()
    for part in ("marketing", "sales"):
        if part in parts:
            data[part]["budget"] *= parts[part]
    if "price" in parts:
        data["price"] = parts["price"]
    return Decision.model_validate(data)


def two_rounds(scenario, seed: int, **change: float) -> Game:
    """Round 1 at a 45% split for every firm; in round 2 the first firm changes as told."""
    budget = scenario.meta.budget_per_round
    first = {f.id: simple(scenario, budget, 0.45, firm_id=f.id) for f in scenario.firms}
    game = Game(scenario, seed)
    game.play_round(first)
    you = scenario.firms[0].id
    game.play_round({**first, you: changed(first[you], **change)})
    return game


def in_units(amount: float, measure: str) -> int:
    return int(round(amount / MEASURES[measure]))


def test_shapley_values_are_efficient_symmetric_and_give_nothing_to_a_null_player() -> None:
    # a game in which a and b are alike, c adds a fixed 5 whatever the others, d nothing
    def value(s: frozenset[str]) -> Fraction:
        ab = len(s & {"a", "b"})
        return Fraction(10 * ab * ab) + (5 if "c" in s else 0)

    phi = shapley(["a", "b", "c", "d"], value)
    assert phi["a"] == phi["b"] == 20  # (40 - 0) shared by the two alike
    assert phi["c"] == 5 and phi["d"] == 0
    assert sum(phi.values()) == value(frozenset("abcd")) - value(frozenset())


def test_apportioning_keeps_the_total_exactly() -> None:
    parts = {"x": Fraction(10, 3), "y": Fraction(10, 3), "z": Fraction(-11, 3)}
    units = apportion(parts, 3)
    assert sum(units.values()) == 3 and units == {"x": 4, "y": 3, "z": -4}
    assert apportion({"x": Fraction(-7, 2), "y": Fraction(7, 2)}, 0) == {"x": -3, "y": 3}


@pytest.fixture(scope="module")
def split_changes() -> list:
    """Four seeds of one change: the first firm moves budget from marketing to sales."""
    scenario = every_firm_a_player(rounds=2)
    out = []
    for seed in (1, 2, 3, 4):
        game = two_rounds(scenario, seed * 100, marketing=0.6, sales=1.3)
        out.append((game, explain(game, scenario.firms[0].id, draws=2, workers=1)))
    return out


def test_the_contributions_add_up_to_the_change_to_the_cent(split_changes) -> None:
    for game, e in split_changes:
        you = e.firm
        a, b = game.reports[0].firms[you], game.reports[1].firms[you]
        assert e.change["profit"] == pytest.approx(b.profit - a.profit, abs=0.01)
        assert set(e.contributions) == set(FACTORS)
        for m in MEASURES:
            total = sum(in_units(e.contributions[f][m], m) for f in FACTORS)
            assert total == in_units(e.change[m], m), (m, e.contributions)


def test_a_group_that_did_not_change_gets_zero(split_changes) -> None:
    for _, e in split_changes:
        assert e.changed == ["marketing", "sales"]  # price, product, rivals, events held
        for group in ("price_product", "rivals", "events"):
            assert all(v == 0 for v in e.contributions[group].values())
        assert e.contributions["marketing"]["profit"] != 0


def test_the_decision_groups_are_stable_across_seeds(split_changes) -> None:
    """Common random numbers: what moving the budget did is nearly the same whatever the
    seed (cutting marketing saves its cost and loses a little awareness; the hires cost
    theirs and sell a little more), though the seeds' games differ."""
    for group in ("marketing", "sales"):
        values = [e.contributions[group]["profit"] for _, e in split_changes]
        assert len({v > 0 for v in values}) == 1, (group, values)
        assert statistics.stdev(values) < 0.1 * abs(statistics.mean(values)), (group, values)
    assert len({e.before["profit"] for _, e in split_changes}) == len(split_changes)


def test_luck_is_measured_not_left_over_its_mean_is_zero() -> None:
    """Luck is the outcome against its expectation, this round's less last round's: over
    many seeds its mean is zero within three standard errors (short rounds keep it cheap)."""
    scenario = every_firm_a_player(rounds=2, round_days=14)
    luck = []
    for seed in range(1, 17):
        game = two_rounds(scenario, seed * 1000, marketing=1.6)
        e = explain(game, scenario.firms[0].id, draws=2, workers=1)
        luck.append(e.contributions["luck"]["profit"])
        assert e.luck_now["profit"] - e.luck_before["profit"] == pytest.approx(luck[-1], abs=0.02)
    spread = statistics.stdev(luck) / math.sqrt(len(luck))
    assert spread > 0 and abs(statistics.mean(luck)) < 3 * spread, luck


def test_the_draws_are_the_same_serially_and_on_a_pool() -> None:
    scenario = every_firm_a_player(rounds=2, round_days=14)
    game = two_rounds(scenario, 5, marketing=1.5, price=0.9)
    you = scenario.firms[0].id
    serial = explain(game, you, draws=3, workers=1).to_json()
    assert serial == explain(game, you, draws=3, workers=2).to_json()
    assert serial["changed"] == ["marketing", "price_product"]


def test_every_factor_has_words_for_the_sentence() -> None:
    assert set(FACTOR_WORDS) == set(FACTORS) and set(GROUPS) < set(FACTORS)


@pytest.fixture
def save(tmp_path: Path) -> Path:
    scenario = every_firm_a_player(rounds=2, round_days=14)
    path = tmp_path / "game.json"
    two_rounds(scenario, 3, sales=1.4).save(path)
    return path


def test_jigsaw_explain_reads_a_save(capsys, save: Path) -> None:
    code, out, err = cli(capsys, "explain", save, "--seeds", "2", "--workers", "1")
    assert code == 0, err
    assert "Round 2 against round 1" in out and "momentum" in out and "unchanged" in out
    assert "\nYour profit " in out and max(len(line) for line in out.splitlines()[-3:]) <= 100
    code, out, err = cli(capsys, "explain", save, "--seeds", "2", "--workers", "1", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["round"] == 2 and data["firm"] == "you"
    assert set(data["contributions"]) == set(FACTORS)
    assert set(data["change"]) == set(MEASURES) - {"brand_equity"}  # no brand tracker bought
    assert data["hidden"] == ["brand_equity"]
    assert data["changed"] == ["sales", "rivals"]  # other players' line always worked out


def test_bad_explain_requests_are_one_line(capsys, save: Path) -> None:
    one_error(cli(capsys, "explain"), "SAVE file or --db")
    one_error(cli(capsys, "explain", save, "--round", "1"), "--round")
    one_error(cli(capsys, "explain", save, "--round", "3"), "from 2 to 2")
    one_error(cli(capsys, "explain", save, "--team", "nobody"), "no firm 'nobody'")
    one_error(cli(capsys, "explain", save, "--instructor"), "--instructor goes with --db")
    game = Game(every_firm_a_player(rounds=2, round_days=14), 1)
    one_error(cli(capsys, "explain", save, "--seeds", "0"), "--seeds")
    with pytest.raises(Exception, match="play two rounds first"):
        explain(game, "you")


def test_a_team_sees_its_own_explanation_and_the_instructor_any_team(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "class.db"
    scenario = shortened("classic", 2, round_days=14)
    room, instructor, codes = Classroom.create(path, scenario, ["Red", "Blue"], 7)
    for share in (0.45, 0.6):
        for team in ("Red", "Blue"):
            room.submit(team, codes[team], {"budget": 300_000, "marketing_share": share})
        room.advance(instructor)
    room.close()
    monkeypatch.setenv("JIGSAW_CODE", codes["Red"])
    args = ("explain", "--db", path, "--seeds", "2", "--workers", "1")
    code, out, err = cli(capsys, *args, "--team", "Red", "--json")
    assert code == 0, err
    red = json.loads(out)
    assert red["name"] == "Red" and set(red["contributions"]) == set(FACTORS)
    assert "rivals" in red["changed"]  # always worked out for a team: one factor for the rest
    assert "budget" not in red["settings"].get("rivals", "")  # prices are public, budgets not
    assert red["hidden"] == ["brand_equity"] and "brand_equity" not in red["change"]
    assert all("brand_equity" not in c for c in red["contributions"].values())
    code, out, err = cli(capsys, *args, "--team", "Red")
    assert code == 0 and "the other firms' decisions" in out and "Blue" not in out
    one_error(cli(capsys, *args, "--team", "Blue"), "code")  # Red's code is not Blue's
    one_error(cli(capsys, *args[:2], path), "needs --team")
    monkeypatch.setenv("JIGSAW_CODE", instructor)
    code, out, err = cli(capsys, *args, "--team", "Blue", "--instructor", "--json")
    assert code == 0, err
    blue = json.loads(out)
    assert blue["name"] == "Blue" and blue["hidden"] == [] and "brand_equity" in blue["change"]
    code, out, err = cli(capsys, *args, "--team", "Blue", "--instructor")
    sentence = out[out.index("Blue's profit ") :]
    assert "from its " in sentence.replace("\n", " ") or "momentum" in sentence
    assert any("explained round 2 of Blue" in what for _, _, what in Classroom(path).log())


def test_a_recession_that_starts_is_the_events_line() -> None:
    """Nothing decided changes; a recession starts in round 4 (lead interest x0.7, churn
    x1.3): the change is events, momentum and luck, and the events cost customers."""
    data = shortened("recession", 4, round_days=30).model_dump(mode="json")
    data["random_events"]["probability"] = 0.0
    for firm in data["firms"]:
        firm["controlled_by"] = "player"
    scenario = parse_scenario(data)
    budget = scenario.meta.budget_per_round
    plan = {f.id: simple(scenario, budget, 0.45, firm_id=f.id) for f in scenario.firms}
    game = Game(scenario, 9)
    for _ in range(4):
        game.play_round({fid: d.within(scenario, game.room(fid)) for fid, d in plan.items()})
    you = scenario.firms[0].id
    e = explain(game, you, draws=3, workers=1)
    assert e.changed == ["events"]
    assert e.contributions["events"]["customers"] < 0
    assert e.contributions["events"]["revenue"] < 0
    assert "Recession" in e.settings["events"]
    before = explain(game, you, round_no=3, draws=3, workers=1)
    assert before.changed == []  # nothing changed into round 3: momentum and luck only
    assert set(before.contributions) == set(FACTORS)


def test_a_fortune_still_adds_up_exactly_in_a_coarser_unit() -> None:
    """Money is bounded at 10^15, but a double holds cents only to about 10^13: past that the
    unit coarsens (to a whole unit, or ten) so that the written parts still add up exactly."""
    data = every_firm_a_player(rounds=2, round_days=14).model_dump(mode="json")
    data["firms"][0].update(cash=9e14, credit_line=9e14)
    scenario = parse_scenario(data)
    game = two_rounds(scenario, 2, marketing=5e8)  # a marketing budget of about 7e13
    e = explain(game, "you", draws=2, workers=1)
    assert e.units["profit"] >= 100 * MEASURES["profit"]
    assert e.units["revenue"] == MEASURES["revenue"]  # revenue is ordinary: cents still
    for m, unit in e.units.items():  # every measure, in its unit, and as written
        total = sum(int(round(e.contributions[f][m] / unit)) for f in FACTORS)
        assert total == int(round(e.change[m] / unit)), m
        written = math.fsum(e.contributions[f][m] for f in FACTORS)
        assert abs(written - e.change[m]) < unit / 100, m


def test_routes_to_market_are_the_sales_group_not_luck() -> None:
    """A firm that only sends leads by partners and self-serve in round 2 changed its sales
    group (routes are how it sells): the change is played in the coalitions, so it is not
    counted as luck, and the sentence says so; back to the reps only is a change too, and a
    new partner margin alone is one."""
    scenario = every_firm_a_player(rounds=3, round_days=28)
    budget = scenario.meta.budget_per_round
    first = {f.id: simple(scenario, budget, 0.45, firm_id=f.id) for f in scenario.firms}
    routed = first["you"].to_dict()
    routed["routes"] = {"partner": {"smb": 0.6}, "self_serve": {"smb": 0.3}}
    game = Game(scenario, 5)
    game.play_round(first)
    game.play_round({**first, "you": Decision.model_validate(routed)})
    e = explain(game, "you", draws=2, workers=1)
    assert e.changed == ["sales"]
    assert "routes to market set" in e.settings["sales"]
    assert e.contributions["sales"]["profit"] != 0
    for m in MEASURES:  # still exact
        total = sum(in_units(e.contributions[f][m], m) for f in FACTORS)
        assert total == in_units(e.change[m], m), m
    # the same routes, every firm's luck alike: what round 2 earned on average is its own
    # routes' (E_K(d_K) played with them, not last round's direct selling)
    assert abs(e.luck_now["profit"]) < abs(e.contributions["sales"]["profit"])
    game.play_round(first)  # round 3: every lead to the reps again
    back = explain(game, "you", draws=2, workers=1)
    assert back.changed == ["sales"] and "to your reps only" in back.settings["sales"]
    margin = {**routed, "routes": {**routed["routes"], "partner_margin": 0.45}}
    again = Game(scenario, 5)
    again.play_round({**first, "you": Decision.model_validate(routed)})
    again.play_round({**first, "you": Decision.model_validate(margin)})
    e = explain(again, "you", draws=2, workers=1)
    assert e.changed == ["sales"] and "partner margin 30% to 45%" in e.settings["sales"]
    assert "routes to market" not in e.settings["sales"]  # the same shares
