"""Jigsaw's model: headless, deterministic, never imports the terminal UI.

The public surface: `load_scenario`, `Scenario`, `Decision`, `Game`, `RoundReport`.
"""

from sim.decisions import Decision, load_decisions
from sim.errors import InputError
from sim.game import Game
from sim.report import RoundReport
from sim.scenario import Scenario, bundled_scenarios, load_scenario

__all__ = [
    "Decision",
    "Game",
    "InputError",
    "RoundReport",
    "Scenario",
    "bundled_scenarios",
    "load_decisions",
    "load_scenario",
]
