"""The round report's plain words follow the numbers."""

from __future__ import annotations

from sim import Game, load_scenario
from sim.model.decisions import simple
from sim.narrative import explain, gauge_words

from .conftest import shortened


def first_round(share: float) -> list[str]:
    scenario = shortened("classic", 4)  # two rounds left after round 2: the gauge advises
    game = Game(scenario, 1)
    game.play_round({"you": simple(scenario, 300_000, share)})
    report = game.play_round({"you": simple(scenario, 300_000, share)})
    return explain(scenario, report, "you", game.reports[0])


def test_all_marketing_is_told_that_its_leads_went_cold() -> None:
    text = " ".join(first_round(1.0))
    assert "warm leads went cold" in text and "Marketing without sales" in text


def test_all_sales_is_told_its_reps_cold_call_strangers() -> None:
    text = " ".join(first_round(0.0))
    assert "cold-called" in text and "marketing is starving sales" in text
    assert "move budget to marketing" in text


def test_the_report_names_the_money_and_the_news() -> None:
    scenario = load_scenario("recession")
    game = Game(scenario, 1)
    for _ in range(4):
        report = game.play_round({"you": simple(scenario, 300_000, 0.4)})
    lines = explain(scenario, report, "you", game.reports[-2])
    assert any(line.startswith("Revenue was") and "salaries" in line for line in lines)
    assert any("Recession" in line for line in lines)


def test_the_gauge_words_run_from_idle_to_cold() -> None:
    from sim.model.gauge import reading

    assert "idle" in gauge_words(reading(0.2))
    assert "aligned" in gauge_words(reading(1.0))
    assert "going cold" in gauge_words(reading(3.0))
    assert "no reps" in gauge_words(reading(None))
    assert "hold the split" in gauge_words("late")


def test_the_round_report_tells_what_the_studies_found() -> None:
    from sim import Game, load_scenario
    from sim.model.decisions import expand
    from sim.narrative import explain

    scenario = load_scenario("classic")
    game = Game(scenario, 3)
    studies = ["brand_tracker", "perceptual_map", "win_loss", "pipeline_benchmark"]
    raw = {"budget": 300_000, "marketing_share": 0.45, "research": studies}
    game.play_round({"you": expand(scenario, raw, firm_id="you")})
    text = " ".join(explain(scenario, game.reports[0], "you", None))
    assert "Your brand tracker: brand equity" in text
    assert "Win/loss study" in text and "Pipeline benchmark: the industry won" in text
    assert "Perceptual map: buyers place you" in text
    game.play_round({"you": expand(scenario, {"budget": 300_000}, firm_id="you")})
    text = " ".join(explain(scenario, game.reports[1], "you", game.reports[0]))
    assert "unknown this round" in text and "Win/loss" not in text


def test_every_diagnosis_points_the_way_the_gauge_does() -> None:
    from sim.model.gauge import direction

    for share in (0.0, 0.2, 0.45, 0.7, 1.0):
        scenario = shortened("classic", 3)
        game = Game(scenario, 2)
        for round_no in range(1, 4):
            report = game.play_round({"you": simple(scenario, 300_000, share)})
            text = " ".join(explain(scenario, report, "you"))
            way = direction(report.firms["you"].gauge_reading)
            said = {
                1: "budget to marketing" in text,
                -1: "budget to sales" in text,
                0: "hold the split" in text,
            }
            if round_no == 3:  # the last round: the gauge reads, but nothing is left to move
                assert "no split left to move" in text and not any(said.values()), text
            else:
                assert said[way] and sum(said.values()) == 1, (share, way, text)


def test_the_glossary_names_every_figure_the_screens_show() -> None:
    """Every KPI of a round or a game (by name and by its table label), every scorecard
    measure, channel and study is a glossary entry of the in-game help."""
    import re
    from importlib import resources

    from sim.experiments.explain import FACTORS, GROUPS, NAMES
    from sim.model.kpis import GAME_KPIS, ROUND_KPIS
    from sim.model.scenario import CHANNELS, STUDIES, load_scenario

    text = resources.files("tui").joinpath("help.md").read_text(encoding="utf-8")
    glossary = text[text.index("## Glossary") : text.index("## Keys")]
    entries = {t.lower() for t in re.findall(r"\*\*([^*]+)\*\*", glossary)}
    short = {"value": "value", "brand_equity": "brand", "market_share": "share"}
    terms = {k.replace("_", " ") for k in ROUND_KPIS} | {k.label for k in ROUND_KPIS.values()}
    terms |= {k.label.removesuffix(" at the end") for k in GAME_KPIS.values()}
    terms |= {m.replace("_", " ") for m in load_scenario("classic").scoring.weights()}
    terms |= set(short.values()) | set(CHANNELS) | {s.replace("_", " ") for s in STUDIES}
    terms |= {NAMES[f] for f in FACTORS if f not in GROUPS}  # explain's momentum and luck
    terms -= {"share of warm leads gone cold", "mean alignment ratio"}  # phrases of defined terms
    missing = sorted(t for t in terms if t.lower() not in entries)
    assert not missing, missing


def test_each_loss_reason_points_to_its_lever() -> None:
    import dataclasses

    from sim import Game, load_scenario
    from sim.model.decisions import expand
    from sim.model.pipeline import REASONS
    from sim.narrative import LEVERS, explain

    assert set(LEVERS) == set(REASONS)
    scenario = load_scenario("tutorial")
    game = Game(scenario, 1)
    plan = expand(scenario, {"budget": 200_000, "marketing_share": 0.4, "research": ["win_loss"]})
    report = game.play_round({"you": plan})
    for reason in REASONS:
        lost = {r: (9 if r == reason else 1) for r in REASONS}
        firms = dict(report.firms)
        firms["you"] = dataclasses.replace(report.firms["you"], lost_reasons=lost)
        said = " ".join(explain(scenario, dataclasses.replace(report, firms=firms), "you"))
        assert f"The biggest, {reason}: {LEVERS[reason]}." in said


def test_simple_mode_says_where_the_studies_are() -> None:
    from sim import Game, load_scenario
    from sim.model.decisions import simple
    from sim.narrative import explain

    scenario = load_scenario("tutorial")
    report = Game(scenario, 1).play_round({"you": simple(scenario, 200_000, 0.4)})
    simple_mode = " ".join(explain(scenario, report, "you", full_mode=False))
    assert (
        "bought in full decisions" in simple_mode
        and "no brand tracker was bought" not in simple_mode
    )
    assert "no brand tracker was bought" in " ".join(explain(scenario, report, "you"))


def test_the_report_says_how_many_leads_are_still_open_at_the_close() -> None:
    """Leads this round are not won plus lost: the rest is still in the pipeline."""
    scenario = shortened("classic", 2)
    game = Game(scenario, 1)
    for then in ("they are won or lost in a later round", "the game ends with them open"):
        report = game.play_round({"you": simple(scenario, 300_000, 0.4)})
        f = report.firms["you"]
        assert f.pipeline > 0
        said = [line for line in explain(scenario, report, "you") if "still open" in line]
        assert said == [
            f"{f.pipeline} leads are still open at the close (waiting for a rep or in a deal); "
            f"{then}."
        ]


def test_no_productive_reps_is_said_only_when_no_deal_closed() -> None:
    """The sentence belongs to the round with no deal won or lost, whatever is still open."""
    from dataclasses import replace

    scenario = shortened("classic", 2)
    game = Game(scenario, 1)
    report = game.play_round({"you": simple(scenario, 300_000, 0.4)})
    f = report.firms["you"]
    none_said = "With no productive reps, no deal could be worked or won."

    def said(**changes: object) -> list[str]:
        firms = {**report.firms, "you": replace(f, **changes)}
        return explain(scenario, replace(report, firms=firms), "you")

    assert none_said not in said(reps=0, pipeline=0)  # deals closed: not the case
    assert none_said in said(reps=0, deals_won=0, deals_lost=0, pipeline=3)
    assert none_said in said(reps=0, deals_won=0, deals_lost=0, pipeline=0)


def test_counts_read_as_a_reader_would_say_them_no_zero_clause_and_no_count_said_twice() -> None:
    """Each sentence built from counts says the ones that are not zero, names a single source
    instead of repeating its count, and never says 'the other 5' of none or 'None of the 1'."""
    import dataclasses

    from sim.narrative import _finer, _routes

    scenario = shortened("classic", 1)
    game = Game(scenario, 1)
    game.play_round({"you": simple(scenario, 300_000, 0.4)})
    report = game.reports[-1]
    f = report.firms["you"]

    def said(**changes: object) -> str:
        g = dataclasses.replace(f, **changes)
        return " ".join(explain(scenario, dataclasses.replace(report, firms={"you": g}), "you"))

    def routed(**changes: object) -> str:
        return " ".join(_routes(dataclasses.replace(f, **changes)))

    assert "1 lead came in, inbound." in said(leads_inbound=1, leads_referral=0, leads_outbound=0)
    assert "3 leads came in, all found by your reps prospecting." in said(
        leads_inbound=0, leads_referral=0, leads_outbound=3
    )
    assert "No leads came in." in said(leads_inbound=0, leads_referral=0, leads_outbound=0)
    mixed = said(leads_inbound=4, leads_referral=0, leads_outbound=2)
    assert "6 leads came in: 4 inbound and 2 that your reps found by prospecting." in mixed
    none = {"partner": 0, "self_serve": 0, "direct": 0}
    lost = routed(partner_leads=5, partner_turned_away=5, deals_by_route=none)
    assert "took none of the 5 leads" in lost and "the other" not in lost
    assert "Partners took all 10 leads" in routed(
        partner_leads=10, partner_turned_away=0, deals_by_route=none
    )
    late = routed(partner_leads=0, deals_by_route={**none, "partner": 2}, partner_margins=900.0)
    assert "No leads went to partners this round; they closed 2 deals from earlier ones" in late
    assert "The one buyer sent online did not sign up" in routed(
        self_serve_leads=1, deals_by_route=none
    )
    assert _finer("money", -0.4, 0) == "-0.4" and _finer("share", 0.547, 0.55) == "54.7%"
