"""Routes to market under hostile input: corners of the scenario's and the decision's ranges
that the feature's own tests do not reach (docs/MODEL.md, "Routes to market")."""

from __future__ import annotations

import math

import numpy as np

from sim.model.decisions import Decision, simple
from sim.model.game import Game
from sim.model.routes import engagement
from sim.model.scenario import parse_scenario
from tests.conftest import shortened


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
