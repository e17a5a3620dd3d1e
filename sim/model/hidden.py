"""Hidden parameters: a lab scenario's measurement-relevant values, drawn with a lab seed.

A lab scenario (`Scenario.lab`, docs/LAB.md) states ranges, not values, for what a
marketing-mix model estimates: each channel's adstock half-life, advertising's Hill K and S
and lift, and churn, per segment. `drawn` makes the game's scenario: every value drawn
uniformly from its range with a lab seed of its own (a `SeedSequence` of the lab seed, apart
from the game's seed, which reports show), in the order `Hidden.ranges` lists them, segment by
segment; the scenario it returns records the seed, so a save or a class file replays the same
market. Whoever holds the save or the class file can read the values, as they can read its
decisions: the export folder a student gets holds neither.
"""

from __future__ import annotations

import secrets

import numpy as np

from sim.model.errors import InputError
from sim.model.scenario import Scenario, parse_scenario

LAB_STREAM = 0x1AB  # the lab seed's own key: its draws are no game's random stream


def new_lab_seed() -> int:
    """A lab seed nobody chose: from the operating system's entropy."""
    return secrets.randbits(63)


def drawn(scenario: Scenario, lab_seed: int) -> Scenario:
    """The scenario a game of this lab scenario is played with: every hidden value drawn from
    its range with `lab_seed` (a scenario without ranges comes back as it is)."""
    if scenario.lab is None:
        return scenario
    if scenario.lab.seed is not None:
        raise InputError("", "lab.seed", "the hidden values of this scenario are already drawn")
    rng = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(lab_seed, spawn_key=(LAB_STREAM,)))
    )
    data = scenario.model_dump(mode="json")
    for name, (lo, hi) in scenario.lab.ranges():
        if name.startswith("half_life_days."):
            ch = name.split(".", 1)[1]
            data["economics"]["half_life_days"][ch] = float(rng.uniform(lo, hi))
            continue
        for segment in data["segments"]:
            segment[name] = float(rng.uniform(lo, hi))
    data["lab"]["seed"] = int(lab_seed)
    return parse_scenario(data, f"{scenario.meta.name} (lab seed drawn)")


def check_drawn(scenario: Scenario, source: str = "") -> None:
    """A game of a lab scenario needs its hidden values drawn first (`drawn`); `source`: the
    file the scenario came from (default: its name)."""
    if scenario.lab is not None and scenario.lab.seed is None:
        raise InputError(
            source or scenario.meta.name,
            "lab",
            "is a lab scenario: its hidden values are drawn with a lab seed when its game is "
            "made (jigsaw lab design DESIGN.toml)",
        )
