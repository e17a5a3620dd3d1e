"""Golden transcripts: each bundled scenario, played headless with seed 1 and the default
player strategy, must print exactly the checked-in table (tests/golden/NAME.txt).

A change to the model that moves any number shows up here as a diff. When the change is
intended, regenerate on purpose:  JIGSAW_REGOLD=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sim import Game, bundled_scenarios, load_scenario
from sim.model.rivals import strategy
from tui.cli.run import table

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_each_bundled_scenario_plays_as_recorded(name: str) -> None:
    game = Game(load_scenario(name), seed=1)
    balanced = strategy("balanced")
    game.play(lambda g, fid: balanced(g.view(fid)))
    text = table(game) + "\n"
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("JIGSAW_REGOLD"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no golden transcript for {name}: run with JIGSAW_REGOLD=1"
    assert text == path.read_text()
