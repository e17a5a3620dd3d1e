"""Hindsight: the same game played again with one fixed split every round, for each split.

Each cell is a whole game from round 0 (same scenario, seed and rivals' rules; the player's
average budget split one way every round, cut to what cash allows), so cells are independent
and run in parallel where cores allow (`sim.experiments.executor`, the platform's default way
of starting processes: a fork on Linux, which copies the caller's threads' memory but runs
none of them, and the workers touch only the model); the results are the same whatever the
number of workers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from sim.experiments.executor import cores, open_executor
from sim.model.decisions import Decision, simple
from sim.model.game import Game
from sim.model.scenario import Scenario


class Look(NamedTuple):
    """One fixed split's game: the player's cumulative profit and scorecard total."""

    share: float
    profit: float
    score: float


Others = Sequence[Mapping[str, Decision]]  # each round's decisions of the other players


def play_split(
    scenario: Scenario,
    seed: int,
    player: str,
    budget: float,
    share: float,
    others: Others | None = None,
) -> Look:
    """The whole game with `player` spending `budget` a round at marketing share `share`.
    `others`: what the other player firms decided each round (a class: the other teams'
    decisions, as they were, cut to what cash allows); without it, every player firm plays
    the split (solo play has one)."""
    game = Game(scenario, seed)

    def decide(g: Game, fid: str) -> Decision:
        if others is not None and fid != player and fid in others[min(g.round, len(others) - 1)]:
            return others[min(g.round, len(others) - 1)][fid].within(scenario, g.room(fid))
        return simple(scenario, budget, share, firm_id=fid).within(scenario, g.room(fid))

    game.play(decide)
    profit = sum(r.firms[player].profit for r in game.reports)
    return Look(share, profit, game.score()[player]["total"])


def look_back(
    scenario: Scenario,
    seed: int,
    player: str,
    budget: float,
    shares: Sequence[float],
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = 0,
    others: Others | None = None,
) -> list[Look]:
    """Every split's game, in the order of `shares` (workers: 0 = one per core, 1 = here)."""
    if workers == 0 and cores() < 2:
        workers = 1
    out: list[Look] = []
    with open_executor(workers) as pool:
        if pool is None:
            for share in shares:
                out.append(play_split(scenario, seed, player, budget, share, others))
                if progress is not None:
                    progress(len(out), len(shares))
            return out
        futures = [
            pool.submit(play_split, scenario, seed, player, budget, s, others) for s in shares
        ]
        for future in futures:
            out.append(future.result())
            if progress is not None:
                progress(len(out), len(shares))
    return out
