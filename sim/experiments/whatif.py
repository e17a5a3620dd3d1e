"""The what-if on the cores the machine has: `Game.forecast`'s draws of luck, each played in a
worker process from the round boundary's snapshot, with the same reports as playing them one
after another here (`tests/test_forecast.py`).

A draw is one round from a snapshot (about a tenth of a second in `classic`), so the draws
go to a process pool (`sim.experiments.executor`) where there are cores for it, and are
played here otherwise or when there are few of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sim.experiments.executor import cores
from sim.experiments.sweep import stream
from sim.model import forecast as forecasts
from sim.model.decisions import Decision
from sim.model.game import Game
from sim.model.report import RoundReport
from sim.model.scenario import Scenario
from sim.model.snapshot import Snapshot


def draw(
    scenario: Scenario,
    seed: int,
    streams: int,
    max_leads: float,
    snapshot: Snapshot,
    history: Sequence[Mapping[str, Decision]],
    reports: Sequence[RoundReport],
    decisions: Mapping[str, Decision],
    salt: int,
) -> dict[str, Any]:
    """One draw of luck for the next round, in whatever process runs it."""
    game = Game(scenario, seed, streams, max_leads)
    twin = game.restore(snapshot, [dict(h) for h in history], list(reports))
    twin.fork_luck(salt)
    return {"report": twin.play_round(decisions)}


def forecast(
    game: Game,
    decisions: Mapping[str, Decision],
    draws: int = forecasts.DRAWS,
    workers: int | None = 0,
    progress: Callable[[int, int], None] | None = None,
) -> list[RoundReport]:
    """`game.forecast(decisions, draws)`, its draws spread over `workers` processes (0: one
    per core; 1 or a single core: here, as `Game.forecast` does)."""
    if workers == 1 or cores() < 2 or draws < 4:
        return game.forecast(decisions, draws, progress)
    now = game.snapshot()
    job = (game.scenario, game.seed, game.streams, game.max_leads, now, game.history, game.reports)
    jobs = [(*job, dict(decisions), r) for r in range(draws)]
    out: list[RoundReport] = []
    for _, row in stream(draw, jobs, workers, progress):
        if isinstance(row, str):
            raise RuntimeError(f"a draw of the what-if failed: {row}")
        out.append(row["report"])
    return out
