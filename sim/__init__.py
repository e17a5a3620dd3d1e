"""Jigsaw: the model (`sim.model`) and its applications (`sim.experiments`,
`sim.classroom`). None of them imports the terminal UI (`tui`).

The model's public surface, for short imports: `load_scenario`, `Scenario`, `Decision`, `Game`,
`RoundReport`.
"""

from sim.model.decisions import Decision, load_decisions
from sim.model.errors import InputError
from sim.model.game import Game
from sim.model.report import RoundReport
from sim.model.scenario import Scenario, bundled_scenarios, load_scenario

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
