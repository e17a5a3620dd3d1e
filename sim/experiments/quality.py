"""Decision quality: each round's decision against its neighbourhood, on expected outcomes.

For round K and a firm, the round is played from its starting snapshot (the state after
K - 1 rounds, exactly as it was) with the firm's decision as taken and with each neighbour of
it: one lever of `sim.model.decisions.STEPS` moved one step each way (the split 10 points,
the price 0.1, training as far as one rep more or fewer (`training_step`), commission and
account management a step each), every other
firm's decision and the events as they were. Each is valued by what the round created for the
firm: its operating profit plus the change in its customer equity over the round (the
scorecard's value created, round by round: a customer won is worth its discounted margin, one
lost costs it), the mean over `draws` draws of luck with common random numbers (the what-if's
forked streams, the same for every neighbour, so a neighbour's gain carries little noise).

"Left on the table" is the best neighbour's expected gain over the decision taken (zero when
none beats it), and "most of it in" names that neighbour's lever. A one-round horizon: what a
decision builds for later rounds beyond the customers it wins (awareness and brand that sell
next round, reps that finish ramping) is not counted, which favours spending less on
marketing and hiring than the whole game would; read it with the round report, not as a rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sim.experiments.luck import with_every_decision
from sim.experiments.sweep import standard_error, stream
from sim.model.decisions import STEPS, Decision
from sim.model.errors import InputError
from sim.model.game import Game
from sim.model.pipeline import headcount
from sim.model.report import RoundReport
from sim.model.scenario import Scenario
from sim.model.snapshot import Snapshot
from sim.numbers import money

DRAWS = 4  # draws of luck by default (one firm's rounds)
DEBRIEF_DRAWS = 2  # in a class's debrief: every team's every round, 11 plays each per draw
MAX_DRAWS = 100  # a draw is 11 rounds from a snapshot per round judged
CLEAR = 2.0  # a neighbour counts as better when it gains more than this many standard errors
# How each lever reads in a sentence.
LEVER_WORDS = {
    "marketing_share": "the split",
    "price": "price",
    "sales.training_share": "training",
    "sales.commission_rate": "commission",
    "sales.account_management": "account management",
}


@dataclass(frozen=True)
class Neighbour:
    lever: str  # a key of STEPS
    step: float  # signed
    setting: float  # the lever's value in the neighbour
    value: float  # expected value created by the neighbour
    gain: float  # over the decision taken
    error: float = 0.0  # the gain's standard error (its spread over the draws / sqrt(draws))


@dataclass(frozen=True)
class RoundQuality:
    round: int
    value: float  # expected value created by the decision taken
    neighbours: list[Neighbour]

    taken: dict[str, float] | None = None  # each lever's value in the decision taken

    @property
    def best(self) -> Neighbour | None:
        """The neighbour with the largest expected gain among those that gain clearly (by
        more than CLEAR standard errors: with few draws a small gain may be noise)."""
        clear = [n for n in self.neighbours if n.gain > 0 and n.gain > CLEAR * n.error]
        return max(clear, key=lambda n: n.gain, default=None)

    @property
    def left(self) -> float:
        """What the decision left on the table: the best neighbour's gain, or 0."""
        return self.best.gain if self.best else 0.0

    def line(self) -> str:
        best = self.best
        if best is None:
            return (
                f"Round {self.round}: no neighbouring decision did clearly better (each lever "
                "a step either way): nothing left on the table."
            )
        return (
            f"Round {self.round}: you left about {money(best.gain)} of value on the table (+-"
            f"{money(best.error)}; value: the round's profit plus the customers it won, this "
            f"round only); most of it in {self.advice()}."
        )

    def advice(self) -> str:
        """The best neighbour in words: 'price: you played price 1.10; price 1.20 would have
        created about 14k more value' ('' when none did clearly better)."""
        best = self.best
        if best is None:
            return ""
        played = ""
        if self.taken is not None and best.lever in self.taken:
            played = f"you played {_value(best.lever, self.taken[best.lever])}; "
        return (
            f"{LEVER_WORDS[best.lever]}: {played}{_value(best.lever, best.setting)} would have "
            f"created about {money(best.gain)} more value"
        )


@dataclass(frozen=True)
class Quality:
    firm: str
    name: str
    draws: int
    rounds: list[RoundQuality]

    @property
    def left(self) -> float:
        """Left on the table over the rounds judged (each round's best neighbour, added)."""
        return sum(r.left for r in self.rounds)

    def to_json(self) -> dict[str, Any]:
        return {
            "firm": self.firm,
            "name": self.name,
            "draws": self.draws,
            "left_on_the_table": self.left,
            "rounds": [
                {**asdict(r), "left_on_the_table": r.left, "line": r.line()} for r in self.rounds
            ],
        }


def _value(lever: str, value: float) -> str:
    """A lever's setting in words: 'marketing 45% of the split', 'price 1.20', 'training 5%'."""
    if lever == "marketing_share":
        return f"marketing {value:.0%} of the split"
    if lever == "price":
        return f"price {value:.2f}"
    return f"{LEVER_WORDS[lever]} {value:.0%}"


TRAINING = "sales.training_share"


def training_step(decision: Decision, signed: float, rep_cost: float) -> float | None:
    """The training share's move, at least `signed`, that changes the headcount by one rep:
    the sales budget employs whole reps and trains with the rest (`headcount`), so a step
    that keeps the same number of reps changes nothing at all. None when no such share lies
    in 0..1 (every rep already trained away, or none to add)."""
    budget, now = decision.sales.budget, decision.sales.training_share
    if budget <= 0 or rep_cost <= 0:
        return None
    reps = headcount(budget, now, rep_cost)
    if signed > 0:  # one rep fewer: the middle of the shares that employ reps - 1
        target = max(now + signed, 1.0 - (reps - 0.5) * rep_cost / budget) if reps else 2.0
        target = round(target, 6)
    else:  # one rep more: the largest share (to a millionth, down) that employs reps + 1
        target = math.floor(min(now + signed, 1.0 - (reps + 1) * rep_cost / budget) * 1e6) / 1e6
    if not 0.0 <= target <= 1.0 or headcount(budget, target, rep_cost) == reps:
        return None
    return target - now


def neighbours(
    decision: Decision, rep_cost: float | None = None, levers: Sequence[str] | None = None
) -> list[tuple[str, float, Decision]]:
    """Every neighbour of `decision`: each lever of STEPS (or of `levers`) one step each way
    (in range). With the firm's `rep_cost` (a rep for a round), training moves far enough to
    change the headcount by one (`training_step`): a smaller step changes nothing."""
    out = []
    for lever, step in STEPS.items():
        if levers is not None and lever not in levers:
            continue
        for signed in (-step, step):
            move: float | None = signed
            if lever == TRAINING and rep_cost is not None:
                move = training_step(decision, signed, rep_cost)
            moved = None if move is None else decision.nudged(lever, move)
            if move is not None and moved is not None:
                out.append((lever, move, moved))
    return out


def draw(
    scenario: Scenario,
    seed: int,
    streams: int,
    max_leads: float,
    start: Snapshot,
    history: list[dict[str, Decision]],
    reports: list[RoundReport],
    firm: str,
    variants: list[dict[str, Decision]],
    salt: int,
) -> dict[str, Any]:
    """One draw of luck of one round: the value each variant of the decisions creates."""
    game = Game(scenario, seed, streams, max_leads)
    values = []
    for decided in variants:
        twin = game.restore(start, history, reports)
        twin.fork_luck(salt)
        i = twin.ids.index(firm)
        equity = twin.customer_equity(i)
        report = twin.play_round(twin.affordable(decided))
        values.append(report.firms[firm].profit + twin.customer_equity(i) - equity)
    return {"values": values}


def quality(
    game: Game,
    firm: str,
    rounds: Sequence[int] | None = None,
    draws: int = DRAWS,
    workers: int | None = 0,
    progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
    levers: Sequence[str] | None = None,
) -> Quality:
    """Decision quality of `firm` in `rounds` (default: every round it decided in), over the
    levers of STEPS (or `levers`: a simple-mode player is judged on the levers it has)."""
    if not 1 <= draws <= MAX_DRAWS:
        raise InputError("--seeds", "", f"must be from 1 to {MAX_DRAWS}, got {draws}")
    game = with_every_decision(game)
    decided = [k for k in range(1, game.round + 1) if firm in game.history[k - 1]]
    wanted = decided if rounds is None else sorted(set(rounds))
    for k in wanted:
        if k not in decided:
            raise InputError("--round", "", f"{firm} made no decision in round {k}")
    starts = game.starts([k - 1 for k in wanted])
    plans: dict[int, list[tuple[str, float, Decision]]] = {}
    rep_cost = game.forces[game.ids.index(firm)].rep_cost_per_round()
    jobs = []
    for k in wanted:
        taken = game.history[k - 1][firm]
        plans[k] = neighbours(taken, rep_cost, levers)
        variants = [_with(game.history[k - 1], firm, taken)] + [
            _with(game.history[k - 1], firm, d) for _, _, d in plans[k]
        ]
        base = (game.scenario, game.seed, game.streams, game.max_leads, starts[k - 1])
        for r in range(draws):
            jobs.append((*base, game.history[: k - 1], game.reports[: k - 1], firm, variants, r))
    values: list[list[float]] = [[] for _ in jobs]
    for j, row in stream(draw, jobs, workers, progress, scheduler):
        if isinstance(row, str):
            raise RuntimeError(f"a draw of decision quality failed: {row}")
        values[j] = row["values"]
    out = []
    for n, k in enumerate(wanted):
        rows = values[n * draws : (n + 1) * draws]
        means = [sum(r[v] for r in rows) / draws for v in range(len(rows[0]))]
        taken = game.history[k - 1][firm]
        out.append(
            RoundQuality(
                round=k,
                value=means[0],
                neighbours=[
                    Neighbour(
                        lever,
                        step,
                        d.lever(lever),
                        means[v + 1],
                        means[v + 1] - means[0],
                        standard_error([r[v + 1] - r[0] for r in rows]),
                    )
                    for v, (lever, step, d) in enumerate(plans[k])
                ],
                taken={lever: taken.lever(lever) for lever in STEPS},
            )
        )
    return Quality(firm, game.scenario.firm(firm).label, draws, out)


def _with(decided: Mapping[str, Decision], firm: str, decision: Decision) -> dict[str, Decision]:
    return {**decided, firm: decision}
