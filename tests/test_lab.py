"""The measurement lab (sim.lab, jigsaw lab): the exported data adds up to the books and the
round reports; a class team exports its own firm only."""

from __future__ import annotations

import csv
import io
import json
import math
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest

from sim.classroom.store import Classroom
from sim.csvtext import csv_text
from sim.lab.design import read_design, schedule
from sim.lab.export import FILES, export, observed
from sim.lab.fit import adstocked, fit, hill
from sim.lab.truth import RAISE, quantities, truth
from sim.model.decisions import Decision
from sim.model.errors import InputError
from sim.model.game import Game
from sim.model.hidden import drawn
from sim.model.pipeline import KINDS
from sim.model.research import results
from sim.model.scenario import CHANNELS, Scenario, load_scenario, parse_scenario
from tests.conftest import shortened
from tests.test_bad_input import cli, one_error


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def f(cell: str) -> float:
    return float(cell) if cell else 0.0


@pytest.fixture(scope="module")
def played() -> Game:
    """A recession game cut to 6 rounds: a recession from round 4 (interest and
    churn multipliers), random events (budget cuts among them), every firm's own strategy."""
    game = Game(shortened("recession", 6), 11)
    while not game.finished:
        game.play_round({fid: game.decide_for(fid, "adaptive") for fid in game.player_ids})
    return game


@pytest.fixture(scope="module")
def daily(played: Game) -> dict[str, str]:
    return export(played, "you", "day").files


def by_round(table: list[dict[str, str]], column: str) -> dict[int, float]:
    out: dict[int, float] = defaultdict(float)
    for row in table:
        out[int(row["round"])] += f(row[column])
    return out


def test_playing_again_with_a_diary_is_the_same_game(played: Game) -> None:
    _, twin = observed(played)
    assert json.dumps(twin.to_json()) == json.dumps(played.to_json())


def test_exported_spend_adds_up_to_the_ledgers_marketing_per_round_and_channel(
    played: Game, daily: dict[str, str]
) -> None:
    media = rows(daily["media.csv"])
    assert len(media) == played.scenario.meta.rounds * played.scenario.meta.round_days
    spend = [c for c in media[0] if "spend" in c]
    assert spend == [f"spend_{ch}_{s}" for ch in CHANNELS for s in played.scenario.segment_ids]
    F, S = len(played.ids), len(played.scenario.segments)
    for report, decided in zip(played.reports, played.history, strict=True):
        r = report.round
        in_round = [row for row in media if int(row["round"]) == r]
        total = sum(f(row[c]) for row in in_round for c in spend)
        assert total == pytest.approx(report.firms["you"].marketing_spend, abs=0.01)
        factor = float(played.events.effects(r, F, S).budget[0])
        marketing = decided["you"].marketing
        for ch in CHANNELS:
            channel = sum(
                f(row[c]) for row in in_round for c in spend if c.startswith(f"spend_{ch}_")
            )
            assert channel == pytest.approx(marketing.budget * factor * marketing.mix[ch], abs=0.01)


def test_leads_customers_and_money_add_up_to_the_round_reports(
    played: Game, daily: dict[str, str]
) -> None:
    media = rows(daily["media.csv"])
    leads = rows(daily["leads.csv"])
    days = played.scenario.meta.round_days
    arrived = Counter((int(r["round"]), r["source"]) for r in leads)
    ended = Counter(
        (int(f(r["ended_day"]) // days) + 1, r["outcome"]) for r in leads if r["ended_day"]
    )
    for name, column in (("revenue", "revenue"), ("bookings", "bookings")):
        for r, total in by_round(media, column).items():
            assert total == pytest.approx(
                getattr(played.reports[r - 1].firms["you"], name), abs=0.01
            )
    for report in played.reports:
        you, r = report.firms["you"], report.round
        for kind in KINDS:
            assert arrived[r, kind] == getattr(you, f"leads_{kind}")
            assert by_round(media, f"leads_{kind}")[r] == getattr(you, f"leads_{kind}")
        assert by_round(media, "new_customers")[r] == you.new_customers
        assert ended[r, "won"] == you.deals_won
        assert ended[r, "lost"] + ended[r, "taken"] == you.deals_lost
        assert ended[r, "cold"] == you.leads_cold
        won_value = sum(
            f(x["value"])
            for x in leads
            if x["outcome"] == "won" and int(f(x["ended_day"]) // days) + 1 == r
        )
        assert won_value == pytest.approx(you.bookings, abs=0.01 * max(1, you.deals_won))
    assert [int(r["lead"]) for r in leads] == list(range(1, len(leads) + 1))
    still = played.reports[-1].firms["you"].pipeline
    assert sum(r["outcome"] == "open" for r in leads) == still


def test_the_cohorts_add_up_to_the_customers_each_round(
    played: Game, daily: dict[str, str]
) -> None:
    cohorts = rows(daily["cohorts.csv"])
    for report in played.reports:
        r = report.round
        for seg, count in report.firms["you"].customers.items():
            held = sum(int(c[f"after_round_{r}"] or 0) for c in cohorts if c["segment"] == seg)
            assert held == count
        signed = sum(int(c["signed"]) for c in cohorts if int(c["cohort"]) == r)
        assert signed == report.firms["you"].new_customers
    assert all(
        c[f"after_round_{int(c['cohort']) - 1}"] == "" for c in cohorts if int(c["cohort"]) > 1
    )


def test_weeks_and_segments_are_the_days_summed(played: Game, daily: dict[str, str]) -> None:
    week = export(played, "you", "week").files
    media, weekly = rows(daily["media.csv"]), rows(week["media.csv"])
    assert len(weekly) == len(media) // 7 and all(int(w["days"]) == 7 for w in weekly)
    assert weekly[1]["date"] == "2024-01-08"
    geo = rows(daily["media_geo.csv"])
    segments = played.scenario.segment_ids
    assert len(geo) == len(media) * len(segments)
    for column in ("revenue", "bookings", "new_customers", "leads_inbound"):
        assert sum(f(w[column]) for w in weekly) == pytest.approx(
            sum(f(d[column]) for d in media), abs=0.05
        )
        assert sum(f(g[column]) for g in geo) == pytest.approx(
            sum(f(d[column]) for d in media), abs=0.05
        )
    for ch in CHANNELS:
        assert sum(f(g[f"spend_{ch}"]) for g in geo) == pytest.approx(
            sum(f(d[c]) for d in media for c in d if c.startswith(f"spend_{ch}_")), abs=0.05
        )
    recession = [d for d in media if int(d["round"]) >= 4]
    assert recession and all(f(d[f"interest_{segments[0]}"]) < 1 for d in recession)
    readme = daily["README.md"]
    for column in [*media[0], *geo[0], *rows(daily["leads.csv"])[0], "after_round_R"]:
        if not column.startswith(("spend_", "interest_", "churn_", "after_round_")):
            assert f"`{column}`" in readme, column
    assert "`spend_advertising_SEGMENT`" in readme and "`interest_SEGMENT`" in readme


def test_jigsaw_lab_export_writes_the_folder_and_refuses_to_overwrite_others(
    capsys, tmp_path: Path
) -> None:
    save = tmp_path / "game.json"
    game = Game(shortened("classic", 2, round_days=14), 5)
    game.play_round({"you": game.decide_for("you")})
    game.save(save)
    out = tmp_path / "lab"
    code, text, err = cli(capsys, "lab", "export", save, "--out", out, "--grain", "week")
    assert code == 0, err
    assert "Your company (you): 1 round of" in text
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert (out / "lift_tests.csv").read_text().startswith("round,segment,withheld")
    assert len(rows((out / "media.csv").read_text())) == 2
    code, text, err = cli(capsys, "lab", "export", save, "--out", out, "--firm", "northwind")
    assert code == 0, err  # over an earlier export: allowed
    (out / "notes.txt").write_text("mine")
    one_error(cli(capsys, "lab", "export", save, "--out", out), "holds other files (notes.txt)")
    assert (out / "notes.txt").read_text() == "mine"
    one_error(cli(capsys, "lab", "export", save, "--out", save), "is a file")
    one_error(
        cli(capsys, "lab", "export", save, "--out", tmp_path / "x", "--firm", "zz"), "no firm 'zz'"
    )
    one_error(cli(capsys, "lab", "export", "--out", tmp_path / "x"), "SAVE file or --db")
    one_error(
        cli(capsys, "lab", "export", save, "--out", tmp_path / "x", "--instructor"),
        "goes with --db",
    )
    fresh = tmp_path / "fresh.json"
    Game(shortened("classic", 2, round_days=14), 5).save(fresh)
    one_error(
        cli(capsys, "lab", "export", fresh, "--out", tmp_path / "y"), "no round has been played"
    )


def test_a_team_exports_its_own_firm_only_and_the_instructor_any(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "class.db"
    room, instructor, codes = Classroom.create(
        path, shortened("classic", 2, round_days=14), ["Red", "Blue"], 7
    )
    for team in ("Red", "Blue"):
        room.submit(team, codes[team], {"budget": 300_000, "marketing_share": 0.5})
    room.advance(instructor)
    red_firm = room.team("Red").firm_id
    room.close()
    monkeypatch.setenv("JIGSAW_CODE", codes["Red"])
    code, text, err = cli(
        capsys, "lab", "export", "--db", path, "--firm", "Red", "--out", tmp_path / "red"
    )
    assert code == 0, err
    assert f"Red ({red_firm})" in text
    one_error(
        cli(capsys, "lab", "export", "--db", path, "--firm", "Blue", "--out", tmp_path / "b"),
        "code",
    )
    assert not (tmp_path / "b").exists()
    one_error(
        cli(
            capsys,
            "lab",
            "export",
            "--db",
            path,
            "--firm",
            "Blue",
            "--instructor",
            "--out",
            tmp_path / "b",
        ),
        "code",
    )
    monkeypatch.setenv("JIGSAW_CODE", instructor)
    code, text, err = cli(
        capsys,
        "lab",
        "export",
        "--db",
        path,
        "--firm",
        "Blue",
        "--instructor",
        "--out",
        tmp_path / "blue",
    )
    assert code == 0, err
    assert "lab data of Blue exported" in [what for _, _, what in Classroom(path).log()]
    red = (tmp_path / "red" / "README.md").read_text()
    assert f"({red_firm})" in red


# --- the truth ----------------------------------------------------------------------------


def one_channel() -> Scenario:
    """One firm, one segment, demand generation its only channel: everyone already aware
    (no Bass dynamics), no brand, rep, price, fit or commission effect on the odds (a lead is
    won with probability 1/2), no referrals, no prospecting, and reps enough that no lead
    waits. Then every extra lead demand generation brings is worth p V, and its ROAS has a
    closed form."""
    data = load_scenario("classic").model_dump(mode="json")
    data["meta"].update(rounds=2, round_days=60, budget_per_round=400_000)
    data["events"] = []
    segment = data["segments"][0]
    segment.update(
        id="market",
        name="Market",
        accounts=1_000_000,
        interest=0.001,
        innovation=0.0,
        imitation=0.0,
        forgetting=0.0,
        ad_lift=0.0,
        price_elasticity=0.0,
        relationship_weight=0.0,
        cycle_days=1.0,
        patience_days=365.0,
        response_half_life_days=None,
        churn=0.0,
        cost_to_serve=0.0,
        ideal=None,
        tier=None,
    )
    data["segments"] = [segment]
    data["economics"].update(
        satisfaction_pull=0.0,
        brand_lift=0.0,
        brand_win_weight=0.0,
        skill_win_weight=0.0,
        commission_win_weight=0.0,
        win_base=0.0,
        referral_rate=0.0,
        prospect_rate=0.0,
        demand_gen_lift=20.0,
        demand_gen_half_saturation=20_000.0,
        deals_per_rep=100,
        fixed_costs_per_round=0.0,
        half_life_days={"advertising": 30.0, "pr": 90.0, "demand_gen": 14.0},
    )
    firm = data["firms"][0]
    firm.update(
        id="you",
        controlled_by="player",
        cash=1e9,
        reps=20,
        awareness={"market": 1.0},
        customers={},
        brand_equity=50.0,
        economics={},
    )
    data["firms"] = [firm]
    return parse_scenario(data, "one channel")


def demand_gen_only(budget: float) -> Decision:
    return Decision.model_validate(
        {
            "marketing": {
                "budget": budget,
                "mix": {"advertising": 0.0, "pr": 0.0, "demand_gen": 1.0},
                "targeting": {"market": 1.0},
            },
            "sales": {
                "budget": 200_000,
                "training_share": 0.0,
                "commission_rate": 0.05,
                "account_management": 0.0,
            },
            "price": 1.0,
        }
    )


def erlang3_cdf(x: float, mean: float) -> float:
    """P(cycle <= x) for a gamma cycle of shape 3 (the model's `cycle_shape`): Erlang."""
    if x <= 0:
        return 0.0
    z = 3.0 * x / mean
    return 1.0 - math.exp(-z) * (1.0 + z + z * z / 2.0)


def analytic_bookings(
    scenario: Scenario, budgets: list[float], effort: float, scale: float
) -> float:
    """Expected bookings demand generation adds over the game, at `scale` x the budgets:
    sum over days of lambda_0 x lift x h(x_d) x p x V x P(the deal closes by the end), with
    x_d = decay x_(d-1) + spend_d (geometric adstock), h(x) = (x/K) / (1 + x/K) (Hill, S = 1),
    lambda_0 = interest / 365 x accounts (inbound leads a day at neutral appeal), p = 1 / (1 +
    e^-win_base), and a won deal closing a gamma(3) cycle after it arrives (uniformly within
    its day)."""
    seg, econ = scenario.segments[0], scenario.economics
    days = scenario.meta.round_days
    end = days * len(budgets)
    decay = 0.5 ** (1.0 / econ.half_life_days["demand_gen"])
    K, lift = econ.demand_gen_half_saturation, econ.demand_gen_lift
    lam0 = seg.interest / 365.0 * seg.accounts
    p = 1.0 / (1.0 + math.exp(-econ.win_base))
    cycle = seg.cycle_days / (0.7 + 0.6 * effort)
    offsets = (np.arange(100) + 0.5) / 100
    x, total = 0.0, 0.0
    for d in range(end):
        x = decay * x + scale * budgets[d // days] / days
        h = (x / K) / (1.0 + x / K)
        closes = float(np.mean([erlang3_cdf(end - d - u, cycle) for u in offsets]))
        total += lam0 * lift * h * p * seg.deal_value * closes
    return total


def test_a_channels_true_roas_is_the_analytic_value_within_three_standard_errors() -> None:
    scenario = one_channel()
    budgets = [60_000.0, 180_000.0]
    game = Game(scenario, 5)
    for b in budgets:
        game.play_round({"you": demand_gen_only(b)})
    assert game.reports[-1].firms["you"].leads_cold == 0
    doc = truth(game, "you", draws=4, workers=1)
    effort = game.forces[0].effort
    spend = sum(budgets)
    assert doc["spend"]["demand_gen"] == pytest.approx(spend)
    base = analytic_bookings(scenario, budgets, effort, 1.0)
    roas = doc["roas"]["demand_gen"]["bookings"]
    assert roas["se"] < 0.05 * roas["value"]
    assert abs(roas["value"] - base / spend) <= 3 * roas["se"], (roas, base / spend)
    more = analytic_bookings(scenario, budgets, effort, 1.0 + RAISE) - base
    marginal = doc["marginal_roas"]["demand_gen"]["bookings"]
    assert abs(marginal["value"] - more / (RAISE * spend)) <= 3 * marginal["se"]
    assert marginal["value"] < roas["value"]  # saturation: the next unit brings less
    assert doc["roas"]["advertising"]["bookings"]["value"] is None  # nothing spent on it
    assert doc["parameters"]["half_life_days"]["demand_gen"] == 14.0


def test_the_truth_adds_up_and_its_first_draw_is_the_game_as_played() -> None:
    game = Game(shortened("classic", 2, round_days=30), 8)
    while not game.finished:
        game.play_round({"you": game.decide_for("you")})
    doc = truth(game, "you", draws=1, workers=1)
    played = doc["incremental"]["bookings"]
    assert played["played"]["value"] == pytest.approx(
        sum(r.firms["you"].bookings for r in game.reports)
    )
    m, s, both = (played[k]["value"] for k in ("marketing", "sales", "both"))
    assert played["interaction"]["value"] == pytest.approx(m + s - both, abs=1.0)
    assert "every rival's decisions as played" in doc["held"]
    names = quantities(doc)
    assert {"half_life_days.advertising", "roas.pr", "incremental.interaction", "churn.smb"} <= set(
        names
    )


def test_lab_score_compares_each_estimate_with_the_truth(capsys, tmp_path: Path) -> None:
    game = Game(shortened("classic", 2, round_days=30), 8)
    game.play_round({"you": game.decide_for("you")})
    doc = truth(game, "you", draws=1, workers=1)
    path = tmp_path / "truth.json"
    path.write_text(json.dumps(doc))
    names = quantities(doc)
    exact = tmp_path / "exact.toml"
    exact.write_text(
        f"[half_life_days]\nadvertising = {names['half_life_days.advertising']}\n"
        f"[roas]\npr = {names['roas.pr']}\nadvertising = {names['roas.advertising']}\n"
    )
    code, out, err = cli(capsys, "lab", "score", exact, "--truth", path, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["mean_relative_error"] == 0 and result["within_25_percent"] == 3
    assert result["roas_order_right"] is True
    off = tmp_path / "off.toml"
    off.write_text("[half_life_days]\nadvertising = 45\n")
    code, out, err = cli(capsys, "lab", "score", off, "--truth", path)
    assert code == 0, err
    assert "+50%" in out and "0 within 25% of the truth" in out
    bad = tmp_path / "bad.toml"
    bad.write_text("[roas]\nbogus = 1\n")  # a channel no truth holds: a typo, refused
    one_error(cli(capsys, "lab", "score", bad, "--truth", path), "roas.bogus: is not a quantity")
    bad.write_text("[roi]\ntv = 1\n")
    one_error(cli(capsys, "lab", "score", bad, "--truth", path), "roi.tv: is not a quantity")
    bad.write_text('[roas]\npr = "high"\n')
    one_error(cli(capsys, "lab", "score", bad, "--truth", path), "roas.pr: expected a number")
    bad.write_text("")
    one_error(cli(capsys, "lab", "score", bad, "--truth", path), "holds no estimate")
    one_error(cli(capsys, "lab", "score", off, "--truth", off), "is not JSON")


def test_no_team_seat_can_obtain_the_truth(capsys, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "class.db"
    scenario = shortened("classic", 2, round_days=14)
    room, instructor, codes = Classroom.create(path, scenario, ["Red", "Blue"], 7)
    for team in ("Red", "Blue"):
        room.submit(team, codes[team], {"budget": 300_000, "marketing_share": 0.5})
    room.advance(instructor)
    room.close()
    secret = tmp_path / "truth.json"
    export = ("lab", "export", "--db", path, "--firm", "Red", "--draws", "1", "--workers", "1")
    monkeypatch.setenv("JIGSAW_CODE", codes["Red"])
    one_error(cli(capsys, *export, "--truth", secret), "the truth is the instructor's")
    one_error(cli(capsys, *export, "--truth", secret, "--instructor"), "code")
    one_error(cli(capsys, *export, "--out", tmp_path / "d", "--truth", secret), "instructor's")
    assert not secret.exists() and not (tmp_path / "d").exists()
    code, _, err = cli(capsys, *export, "--out", tmp_path / "d")
    assert code == 0, err
    data = "".join(p.read_text() for p in (tmp_path / "d").iterdir())
    assert not any(word in data for word in ("half_life", "marginal_roas", "interaction"))
    monkeypatch.setenv("JIGSAW_CODE", instructor)
    code, out, err = cli(capsys, *export, "--truth", secret, "--instructor")
    assert code == 0, err
    assert (
        "keep it sealed" in out
        and json.loads(secret.read_text())["firm"] == room.team("Red").firm_id
    )
    assert any("lab truth of Red exported" in what for _, _, what in Classroom(path).log())


# --- hidden parameters and the design --------------------------------------------------------

LAB = Path(__file__).resolve().parents[1] / "experiments"


def test_a_lab_scenario_draws_its_hidden_values_with_the_lab_seed_only(capsys) -> None:
    scenario = load_scenario(LAB / "lab_market.toml")
    assert scenario.lab is not None and scenario.lab.seed is None
    with pytest.raises(InputError, match="is a lab scenario"):
        Game(scenario, 1)
    one = drawn(scenario, 11)
    assert one == drawn(scenario, 11) and one != drawn(scenario, 12)
    assert one.lab is not None and one.lab.seed == 11
    for name, (lo, hi) in scenario.lab.ranges():
        if name.startswith("half_life_days."):
            assert lo <= one.economics.half_life_days[name.split(".")[1]] <= hi
        else:
            assert all(lo <= getattr(s, name) <= hi for s in one.segments), name
    assert len({s.ad_lift for s in one.segments}) == len(one.segments)  # drawn per segment
    with pytest.raises(InputError, match="already drawn"):
        drawn(one, 3)
    code, out, _ = cli(capsys, "scenario", "show", str(LAB / "lab_market.toml"))
    assert code == 0 and "ad_lift = [4.0, 10.0]" in out
    assert f"{one.segments[0].ad_lift}" not in out  # the ranges, never the values
    one_error(cli(capsys, "run", str(LAB / "lab_market.toml")), "is a lab scenario")
    data = scenario.model_dump(mode="json")
    data["lab"]["ad_lift"] = [4.0, 12.0]
    with pytest.raises(InputError, match=r"lab\.ad_lift: must be at most 10"):
        parse_scenario(data)


def test_the_shipped_design_plays_its_spend_schedule_into_a_save(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    design = read_design(LAB / "lab_design.toml")
    budgets = schedule(design, 40)
    assert budgets == schedule(design, 40) and budgets != schedule(design, 40, seed=7)
    for ch in CHANNELS:
        spent = [b[ch] for b in budgets]
        lo, hi = design.spend[ch]
        assert all(lo <= x <= hi for x in spent) and statistics.pstdev(spent) > 0.2 * (hi - lo)
    assert design.hold == {"pr": 3}  # PR's draw is held for three rounds, the others move
    assert all(budgets[r]["pr"] == budgets[r - r % 3]["pr"] for r in range(40))
    assert len({b["pr"] for b in budgets}) == 14 and len({b["advertising"] for b in budgets}) == 40
    unheld = schedule(design.model_copy(update={"hold": {}}), 40)
    assert [b["advertising"] for b in unheld] == [b["advertising"] for b in budgets]
    monkeypatch.setenv("JIGSAW_LAB_SEED", "5")
    save = tmp_path / "lab.json"
    code, out, err = cli(capsys, "lab", "design", str(LAB / "lab_design.toml"), "--save", save)
    assert code == 0, err
    assert "40 rounds of designed spend" in out and "keep the save" in out
    game = Game.load(save)
    assert game.scenario.lab is not None and game.scenario.lab.seed == 5
    for k, report in enumerate(game.reports):
        withheld = report.lift_tests.get("you", {}).get("withheld", 0.0)  # a lift test's round
        spent = sum(budgets[k].values()) - withheld
        assert report.firms["you"].marketing_spend == pytest.approx(spent, abs=0.02)
    tested = [(r.round, r.lift_tests["you"]["segment"]) for r in game.reports if r.lift_tests]
    assert tested == [(t.round, t.segment) for t in design.lift_tests] and len(tested) == 3
    monkeypatch.setenv("JIGSAW_LAB_SEED", "minus one")
    one_error(
        cli(capsys, "lab", "design", str(LAB / "lab_design.toml"), "--save", save),
        "JIGSAW_LAB_SEED",
    )


# --- the lift test ----------------------------------------------------------------------------


def holding_out(decision: Decision, segment: str | None) -> Decision:
    marketing = decision.marketing.model_copy(update={"holdout": segment})
    return decision.model_copy(update={"marketing": marketing})


def test_a_lift_test_measures_the_counterfactual_within_its_stated_noise() -> None:
    """Over 20 games, the measured lift minus the counterfactual's (the same round played
    from round 0 with the advertising in, common random numbers) is the test's noise: mean
    zero and the standard error it states."""
    scenario = shortened("classic", 2, round_days=21)
    seg = "smb"
    value = scenario.segments[0].deal_value
    z = []
    for seed in range(1, 21):
        plans = []
        game = Game(scenario, seed)
        plans.append({"you": game.decide_for("you")})
        game.play_round(plans[0])
        plans.append({"you": holding_out(game.decide_for("you"), seg)})
        report = game.play_round(plans[1])
        test = report.lift_tests["you"]
        assert test["segment"] == seg and test["withheld"] > 0
        assert report.firms["you"].marketing_spend == pytest.approx(
            plans[1]["you"].marketing.budget - test["withheld"], abs=0.02
        )
        twin = Game(scenario, seed)  # the counterfactual, played straight from round 0
        twin.play_round(game.history[0])
        alt = dict(game.history[1])
        alt["you"] = holding_out(alt["you"], None)
        other = twin.play_round(alt).firms["you"]
        held = report.firms["you"]
        signed = lambda f: f.deals_won_by[seg] + f.route_deals_by.get(seg, 0)  # noqa: E731
        counterfactual = (signed(other) - signed(held)) * value * held.price
        assert test["bookings_held_out"] == pytest.approx(signed(held) * value * held.price)
        z.append((test["measured"] - counterfactual) / test["se"])
    assert abs(statistics.fmean(z)) < 3 / math.sqrt(len(z)), z
    assert 0.5 < statistics.stdev(z) < 1.6, z
    research = results(report, "you")
    assert research["lift_test"]["measured"] == test["measured"]
    assert "lift_test" not in results(report, "northwind")
    assert "lift_tests" not in game.reports[0].to_dict()  # a round without one reads as before


# --- the reference MMM ------------------------------------------------------------------------


def synthetic_media(folder: Path, half_lives: dict[str, float], seed: int = 3) -> dict[str, float]:
    """A media.csv whose weekly bookings follow the fit's own model exactly (adstock, Hill
    with K at the mean stock, S = 1) plus noise: what the fit must find. Returns the true
    ROAS of each channel in that model."""
    rng = np.random.default_rng(seed)
    weeks = 160
    spend = {ch: np.repeat(rng.uniform(0, 20_000, weeks // 4), 4) for ch in CHANNELS}
    beta = {"advertising": 400_000.0, "pr": 250_000.0, "demand_gen": 120_000.0}
    y = np.full(weeks, 50_000.0)
    roas = {}
    for ch in CHANNELS:
        a = adstocked(spend[ch], half_lives[ch], 7.0)
        h = hill(a, float(a.mean()), 1.0)
        y += beta[ch] * h
        roas[ch] = beta[ch] * float(h.sum()) / float(spend[ch].sum())
    y += rng.normal(0, 5_000, weeks)
    header = ["date", "round", "days", *(f"spend_{ch}_all" for ch in CHANNELS), "bookings"]
    rows = [
        {
            "date": f"w{t}",
            "round": t // 4 + 1,
            "days": 7,
            **{f"spend_{ch}_all": spend[ch][t] for ch in CHANNELS},
            "bookings": y[t],
        }
        for t in range(weeks)
    ]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "media.csv").write_text(csv_text(header, rows))
    return roas


def test_the_reference_mmm_finds_the_parameters_of_data_made_by_its_own_model(
    tmp_path: Path,
) -> None:
    true = {"advertising": 45.0, "pr": 90.0, "demand_gen": 10.0}
    roas = synthetic_media(tmp_path, true)
    result = fit(tmp_path)
    assert result.r2 > 0.9
    for c in result.channels:
        assert abs(math.log(c.half_life_days / true[c.channel])) < math.log(1.2), c
        assert c.roas == pytest.approx(roas[c.channel], rel=0.15), c
    assert [c.channel for c in sorted(result.channels, key=lambda c: -c.roas)] == sorted(
        roas, key=lambda c: -roas[c]
    )


def test_jigsaw_lab_fit_prints_writes_estimates_and_compares_with_a_truth(
    capsys, tmp_path: Path
) -> None:
    synthetic_media(tmp_path / "data", {"advertising": 45.0, "pr": 90.0, "demand_gen": 10.0})
    game = Game(shortened("classic", 2, round_days=30), 8)
    game.play_round({"you": game.decide_for("you")})
    truth_file = tmp_path / "truth.json"
    truth_file.write_text(json.dumps(truth(game, "you", draws=1, workers=1, roas_only=True)))
    est = tmp_path / "est.toml"
    code, out, err = cli(
        capsys, "lab", "fit", tmp_path / "data", "--estimates", est, "--truth", truth_file
    )
    assert code == 0, err
    assert (
        "Reference MMM (additive) of bookings over 160 periods of 7 days" in out
        and "half_life_days.pr" in out
    )
    assert "[half_life_days]" in est.read_text() and "[roas]" in est.read_text()
    code, out, err = cli(capsys, "lab", "score", est, "--truth", truth_file)
    assert code == 0, err
    assert "not in this truth, so not scored: marginal_roas" in out  # a ROAS-only truth
    one_error(cli(capsys, "lab", "fit", tmp_path / "nowhere"), "no such media file")
    (tmp_path / "bad").mkdir()
    media = tmp_path / "bad" / "media.csv"
    media.write_text("date,days,spend_pr_smb,bookings\n2024-01-01,7,5,x\n")
    one_error(cli(capsys, "lab", "fit", tmp_path / "bad"), "line 2: bookings: expected a number")
    # damage an export could not have made: no spend, a blank spend, a quote left open
    media.write_text("date,days,bookings\n2024-01-01,7,1\n")
    one_error(cli(capsys, "lab", "fit", tmp_path / "bad"), "line 1: has no spend_ column")
    media.write_text("date,days,spend_pr_smb,bookings\n2024-01-01,7,5,1\n2024-01-08,7,,1\n")
    one_error(cli(capsys, "lab", "fit", tmp_path / "bad"), "line 3: spend_pr_smb: is empty")
    rows = "".join(f"2024-01-{d:02},7,5,1\n" for d in range(1, 9))
    media.write_text('date,days,spend_pr_smb,bookings\n2024-01-01,7,"5,1\n' + rows)
    one_error(cli(capsys, "lab", "fit", tmp_path / "bad"), "line 2: opens a quote")
    media.write_text("date,days,spend_pr_smb,bookings\n" + rows + '2024-02-01,7,5,"1')
    one_error(cli(capsys, "lab", "fit", tmp_path / "bad"), "line 10: opens a quote")
    media.write_text("date,days,price,spend_pr_smb,bookings\n2024-01-01,7,,5,1\n")
    one_error(cli(capsys, "lab", "fit", tmp_path / "bad"), "line 2: price: is empty")
    one_error(cli(capsys, "lab", "fit", tmp_path / "data", "--outcome", "profit"), "--outcome")
    code, out, err = cli(capsys, "lab", "fit", tmp_path / "data", "--form", "multiplicative")
    assert code == 0 and "Reference MMM (multiplicative)" in out, err


def test_a_lift_test_of_an_unknown_segment_is_one_line(capsys, tmp_path: Path) -> None:
    game = Game(shortened("classic", 2, round_days=14), 1)
    with pytest.raises(InputError, match="marketing.holdout: unknown segment"):
        game.play_round({"you": holding_out(game.decide_for("you"), "moon")})
    full = tmp_path / "full.toml"
    full.write_text('[marketing]\nbudget = 100000\nholdout = "moon"\n[sales]\nbudget = 150000\n')
    one_error(
        cli(capsys, "run", "classic", "--decisions", full), "marketing.holdout: unknown segment"
    )
