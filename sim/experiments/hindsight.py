"""Hindsight: the same game played again with one fixed split every round, for each split.

Each cell is a whole game from round 0 (same scenario, seed and rivals' rules; like for like,
the player's own decisions of every round with their marketing + sales budget split one way,
everything else as played, cut to what cash allows), so cells are independent
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
    mine: Sequence[Decision] | None = None,
) -> Look:
    """The whole game with `player` at marketing share `share` every round. Like for like
    (`mine`: the player's own decisions as played, round by round): each of them with its
    marketing + sales budget split at `share` and everything else as decided
    (`Decision.with_split`); without them, `budget` a round in the simple form at list price.
    `others`: what the other player firms decided each round (a class: the other teams'
    decisions, as they were, cut to what cash allows); without it, every player firm plays
    the split (solo play has one)."""
    game = Game(scenario, seed)

    def decide(g: Game, fid: str) -> Decision:
        if others is not None and fid != player and fid in others[min(g.round, len(others) - 1)]:
            return others[min(g.round, len(others) - 1)][fid].within(scenario, g.room(fid))
        if mine and fid == player:
            return mine[min(g.round, len(mine) - 1)].with_split(share).within(scenario, g.room(fid))
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
    mine: Sequence[Decision] | None = None,
) -> list[Look]:
    """Every split's game, in the order of `shares` (workers: 0 = one per core, 1 = here);
    `mine`: like for like (`play_split`)."""
    if workers == 0 and cores() < 2:
        workers = 1
    out: list[Look] = []
    with open_executor(workers) as pool:
        if pool is None:
            for share in shares:
                out.append(play_split(scenario, seed, player, budget, share, others, mine))
                if progress is not None:
                    progress(len(out), len(shares))
            return out
        futures = [
            pool.submit(play_split, scenario, seed, player, budget, s, others, mine) for s in shares
        ]
        for future in futures:
            out.append(future.result())
            if progress is not None:
                progress(len(out), len(shares))
    return out
