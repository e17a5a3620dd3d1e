"""Shared fixtures: small, fast variants of the bundled scenarios."""

from __future__ import annotations

import pytest

from sim.model.scenario import Scenario, load_scenario, parse_scenario


def shortened(name: str = "classic", rounds: int = 3, **meta: object) -> Scenario:
    """A bundled scenario cut to a few rounds (everything else as shipped)."""
    data = load_scenario(name).model_dump(mode="json")
    data["meta"].update(rounds=rounds, **meta)
    data["events"] = [e for e in data["events"] if e["round"] <= rounds]
    return parse_scenario(data, f"{name} (shortened)")


@pytest.fixture(autouse=True)
def tour_already_taken(tmp_path_factory, monkeypatch) -> None:
    """Every test runs as a player who has taken the guided tour (tui/screens/tour.py), in a
    config folder of its own; the tour's own tests remove the flag."""
    config = tmp_path_factory.mktemp("config")
    (config / "jigsaw").mkdir()
    (config / "jigsaw" / "tour-done").touch()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))


@pytest.fixture(scope="session")
def short_classic() -> Scenario:
    return shortened("classic", 3)


async def eventually(pilot, check, seconds: float = 4.0) -> None:
    """Let the app run until `check()` holds (a poll or a timer has acted), at most `seconds`;
    the caller asserts what it expects afterwards."""
    for _ in range(int(seconds / 0.1)):
        await pilot.pause(0.1)
        if check():
            return
