"""Luck against skill: what a firm's decisions would have earned over other draws of luck.

A game's result is its firms' decisions and its luck (who heard of whom, which leads came
when, which deals closed, which random events struck). To tell them apart, the game is played
again over R other draws of luck -- seeds `seed + 1 .. seed + R`, common to every firm (common
random numbers) -- with every firm's decisions held exactly as played, round by round (each
cut to what the firm's cash allows in that draw, `Decision.within`, as for any decision made
on a firm's behalf). Then for each firm:

- its skill is the expected result of its decisions: the mean final score and cumulative
  profit over the draws, with a 95% interval of that mean;
- its luck is where the realised result falls among the draws: the percentile
  100 x (draws below + half the draws equal) / R, so 50 is average luck, and over games whose
  decisions are fixed the percentile is uniform (`tests/test_luck.py`);
- the ranking by expected score stands beside the ranking by realised score.

What is held fixed is every firm's decisions as played, the computer's too: what it does not
capture is how a player (or a rival's rule) would have decided differently after other luck.
A firm that went bankrupt in the game as played and survives in a draw spends nothing after
the round it went bankrupt in. The draws are whole games, run on the sweep executors
(serial, a process pool or Dask: `sim.experiments.sweep.stream`) with identical results.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from sim.experiments.sweep import interval, stream
from sim.model.decisions import Decision, simple
from sim.model.errors import InputError
from sim.model.files import MAX_WHOLE
from sim.model.game import Game
from sim.model.report import ranks
from sim.model.scenario import parse_scenario
from sim.narrative import luck_line

DRAWS = 30  # draws of luck by default: the expected score to about +-1 point in classic
MAX_DRAWS = 200  # a draw is a whole game: 200 of a 40-round classic are over an hour of CPU


@dataclass(frozen=True)
class FirmLuck:
    """One firm: its result as played, what its decisions earn on average, and its luck."""

    firm: str
    name: str
    controlled_by: str
    score: float  # the final scorecard total as played
    expected_score: float  # the mean over the draws
    score_low: float  # 95% interval of that mean
    score_high: float
    score_percentile: float  # where the played score falls among the draws (0..100)
    profit: float  # cumulative operating profit as played
    expected_profit: float
    profit_low: float
    profit_high: float
    profit_percentile: float
    rank: int  # by the score as played (1 = first)
    skill_rank: int  # by the expected score
    scores: list[float]  # the score in each draw of luck, in the order of `Luck.seeds`
    profits: list[float]


@dataclass(frozen=True)
class Luck:
    scenario: str
    seed: int
    rounds: int  # rounds played and replayed
    draws: int
    lucky: bool  # False when every draw gave every firm the same profit: nothing drew luck
    firms: list[FirmLuck]

    @property
    def seeds(self) -> range:
        return draw_seeds(self.seed, self.draws)

    def firm(self, firm_id: str) -> FirmLuck:
        return next(f for f in self.firms if f.firm == firm_id)

    def line(self, firm_id: str) -> str:
        """The firm's luck in a sentence (`sim.narrative.luck_line`)."""
        f = self.firm(firm_id)
        return luck_line(
            f.score_percentile,
            f.score,
            f.expected_score,
            f.score_low,
            f.score_high,
            self.draws,
            self.lucky,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "rounds": self.rounds,
            "draws": self.draws,
            "draw_seeds": [self.seeds.start, self.seeds.stop - 1],
            "lucky": self.lucky,
            "firms": [asdict(f) for f in self.firms],
        }


def draw_seeds(seed: int, draws: int) -> range:
    """The seeds of the draws of luck: the next `draws` after the game's own (never past
    the largest seed a save can hold, so a game at the top counts down instead)."""
    if seed + draws <= MAX_WHOLE:
        return range(seed + 1, seed + draws + 1)
    return range(seed - draws, seed)


def check_draws(draws: int) -> int:
    if not 2 <= draws <= MAX_DRAWS:
        raise InputError("--seeds", "", f"must be from 2 to {MAX_DRAWS}, got {draws}")
    return draws


def percentile(value: float, draws: Sequence[float]) -> float:
    """100 x (draws below `value` + half the draws equal to it) / draws: mid-rank, so ties
    (a game with little luck) read as average, not as best or worst."""
    below = sum(1 for d in draws if d < value)
    equal = sum(1 for d in draws if d == value)
    return 100.0 * (below + 0.5 * equal) / len(draws)


def as_played(
    game: Game,
    decided: Mapping[str, Mapping[str, Any]],
    change: Callable[[str, Decision], Decision] | None = None,
) -> dict[str, Decision]:
    """One round of a plan (firm -> decision as a dict) for `game` under other luck: every
    firm still in the market, with its decision as played (nothing spent by a firm that was
    bankrupt when it was played), changed by `change(firm, decision)` if given, cut to its
    cash."""
    scenario = game.scenario
    decisions = {}
    for i, fid in enumerate(game.ids):
        if game.ledgers[i].bankrupt:
            continue
        given = decided.get(fid)
        decision = (
            Decision.model_validate(given)
            if given is not None
            else simple(scenario, 0.0, 0.5, firm_id=fid)  # bankrupt when it was played
        )
        if change is not None:
            decision = change(fid, decision)
        decisions[fid] = decision.within(scenario, game.room(fid))
    return decisions


def replay(
    base: dict[str, Any], seed: int, plan: list[dict[str, dict[str, Any]]], max_leads: float
) -> dict[str, Any]:
    """One draw of luck: the game under `seed` with every firm's decisions of `plan` (round
    by round, firm -> decision as a dict) cut to its cash; each firm's profit and score."""
    game = Game(parse_scenario(base), seed, max_leads=max_leads)
    for decided in plan:
        game.play_round(as_played(game, decided))
    score = game.score()
    return {
        fid: {
            "profit": sum(r.firms[fid].profit for r in game.reports),
            "score": score[fid]["total"],
        }
        for fid in game.ids
    }


def luck(
    game: Game,
    draws: int = DRAWS,
    workers: int | None = 0,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
) -> Luck:
    """Luck against skill for every firm of `game` (the rounds it has played)."""
    check_draws(draws)
    if not game.reports:
        raise InputError("", "round", "no round has been played yet: there is no luck to measure")
    game = with_every_decision(game)
    played = game.score()
    ids = game.ids
    realised = {
        fid: (played[fid]["total"], sum(r.firms[fid].profit for r in game.reports)) for fid in ids
    }
    seeds = draw_seeds(game.seed, draws)
    base = game.scenario.model_dump(mode="json")
    plan = [{fid: d.to_dict() for fid, d in rnd.items()} for rnd in game.history]
    jobs = [(base, s, plan, game.max_leads) for s in seeds]
    rows: list[dict[str, Any]] = [{} for _ in jobs]
    for k, row in stream(replay, jobs, workers, progress, scheduler):
        if isinstance(row, str):
            raise RuntimeError(f"the draw of luck with seed {seeds[k]} failed: {row}")
        rows[k] = row
    expected = {fid: sum(r[fid]["score"] for r in rows) / len(rows) for fid in ids}
    rank = ranks({fid: realised[fid][0] for fid in ids})
    skill = ranks(expected)
    firms = []
    for i, fid in enumerate(ids):
        scores = [r[fid]["score"] for r in rows]
        profits = [r[fid]["profit"] for r in rows]
        s_mean, s_low, s_high = _interval(scores)
        p_mean, p_low, p_high = _interval(profits)
        firm = game.scenario.firms[i]
        firms.append(
            FirmLuck(
                firm=fid,
                name=firm.label,
                controlled_by=firm.controlled_by,
                score=realised[fid][0],
                expected_score=s_mean,
                score_low=s_low,
                score_high=s_high,
                score_percentile=percentile(realised[fid][0], scores),
                profit=realised[fid][1],
                expected_profit=p_mean,
                profit_low=p_low,
                profit_high=p_high,
                profit_percentile=percentile(realised[fid][1], profits),
                rank=rank[fid],
                skill_rank=skill[fid],
                scores=scores,
                profits=profits,
            )
        )
    lucky = any(len({round(r[fid]["profit"], 6) for r in rows}) > 1 for fid in ids)
    return Luck(game.scenario.meta.name, game.seed, game.round, draws, lucky, firms)


def across_copies(
    copies: Mapping[str, tuple[Game, str]],
    draws: int = DRAWS,
    workers: int | None = 0,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
) -> Luck:
    """Luck against skill across copies of one market (a duplicate class): for each name, the
    firm it names over its own game, the same draws of luck for every copy; one row per name
    (its `firm` and `name` the name), ranked against each other (ties share a rank: copies
    played alike are alike)."""
    names = list(copies)
    per_copy: dict[str, FirmLuck] = {}
    lucky = False
    for n, name in enumerate(names):
        game, firm = copies[name]

        def step(done: int, total: int, n: int = n) -> None:
            if progress is not None:
                progress(n * total + done, len(names) * total)

        result = luck(game, draws, workers, step, scheduler)
        per_copy[name] = result.firm(firm)
        lucky = lucky or result.lucky
    played = ranks({name: f.score for name, f in per_copy.items()}, shared=True)
    skill = ranks({name: f.expected_score for name, f in per_copy.items()}, shared=True)
    firms = [
        replace(f, firm=name, name=name, rank=played[name], skill_rank=skill[name])
        for name, f in per_copy.items()
    ]
    first = copies[names[0]][0]
    return Luck(first.scenario.meta.name, first.seed, first.round, draws, lucky, firms)


def with_every_decision(game: Game) -> Game:
    """`game`, or the same game played again from round 0 when its history lacks a decision
    of a firm that was in the market (a class restored from a snapshot knows its teams'
    decisions, not the computer's): the replay makes them again, exactly."""
    for k, decided in enumerate(game.history):
        before = game.reports[k - 1].firms if k > 0 else None
        for fid in game.ids:
            if fid not in decided and (before is None or not before[fid].bankrupt):
                twin = Game(game.scenario, game.seed, game.streams, game.max_leads)
                for given in game.history:
                    twin.play_round(
                        {f: d for f, d in given.items() if game.scenario.firm(f).is_player}
                    )
                return twin
    return game


def _interval(values: list[float]) -> tuple[float, float, float]:
    mean, low, high = interval(values)
    if math.isnan(low):  # fewer than two draws cannot happen (check_draws); be safe
        low = high = mean
    return mean, low, high
