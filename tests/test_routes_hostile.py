"""Routes to market under hostile input: corners of the scenario's and the decision's ranges
that the feature's own tests do not reach (docs/MODEL.md, "Routes to market")."""

from __future__ import annotations

import math

import numpy as np

from sim.experiments.explain import explain
from sim.model.decisions import Decision, simple
from sim.model.game import Game
from sim.model.routes import engagement
from sim.model.scenario import parse_scenario
from tests.conftest import shortened
from tests.test_explain import every_firm_a_player


def test_partners_engage_fully_however_small_the_half_margin() -> None:
    """`partner_margin_half` may be any number above 0: at a tiny one every margin above 0
    buys the whole network (not NaN, which crashed the round report)."""
    for half in (1e-300, 1e-80, 1e-9):
        e = float(engagement(0.3, half))
        assert e == 1.0, (half, e)
    assert float(engagement(0.0, 1e-300)) == 0.0
    margins = np.array([0.0, 0.1, 0.6])
    assert np.all(np.isfinite(engagement(margins, 1e-300)))


def test_a_game_with_a_tiny_half_margin_plays_to_the_end() -> None:
    data = shortened("classic", 2).model_dump(mode="json")
    data["economics"]["partner_margin_half"] = 1e-300
    scenario = parse_scenario(data)
    d = simple(scenario, 300_000, 0.4).to_dict()
    d["routes"] = {"partner": {"smb": 0.5}}
    decision = Decision.model_validate(d)
    game = Game(scenario, seed=2)
    for _ in range(2):
        report = game.play_round({"you": decision})
    f = report.firms["you"]
    assert f.partner_leads > 0 and math.isfinite(f.partner_margins)


def test_explain_credits_a_change_of_routes_to_a_decision_group_not_to_luck() -> None:
    """Round 2 changes only the routes (all SMB leads to partners at a 60% margin): the
    explanation must see a decision changed (routes go with sales, who sells), not call
    the round's decisions unchanged and leave the routes' effect to luck."""
    scenario = every_firm_a_player(2)
    budget = scenario.meta.budget_per_round
    first = {f.id: simple(scenario, budget, 0.45, firm_id=f.id) for f in scenario.firms}
    game = Game(scenario, 3)
    game.play_round(first)
    data = first["you"].to_dict()
    data["routes"] = {"partner": {"smb": 1.0}, "partner_margin": 0.6}
    game.play_round({**first, "you": Decision.model_validate(data)})
    ex = explain(game, "you", draws=2, workers=1)
    assert "sales" in ex.changed
    assert ex.contributions["sales"]["profit"] != 0.0
    assert "routes" in ex.settings["sales"]
    # and back: routes dropped in the round after are a change too
    again = every_firm_a_player(3)
    game = Game(again, 3)
    game.play_round(first)
    game.play_round({**first, "you": Decision.model_validate(data)})
    game.play_round(first)
    ex = explain(game, "you", draws=1, workers=1)
    assert "sales" in ex.changed and "routes" in ex.settings["sales"]


def test_the_markets_partner_margin_has_the_decisions_range() -> None:
    """A market margin a decision could not offer is refused in the scenario, in one line:
    the form's field (0..60%) can always show and restore the market's margin."""
    import pytest

    from sim.model.decisions import RANGES
    from sim.model.errors import InputError

    data = shortened("classic", 1).model_dump(mode="json")
    data["economics"]["partner_margin"] = 0.9
    with pytest.raises(InputError, match=r"economics\.partner_margin"):
        parse_scenario(data, "margin.toml")
    data["economics"]["partner_margin"] = RANGES["routes.partner_margin"][1]
    assert parse_scenario(data, "margin.toml").economics.partner_margin == 0.6
