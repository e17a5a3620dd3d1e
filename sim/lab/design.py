"""A lab design: a long game whose spend varies enough to be measured (`jigsaw lab design`).

An MMM can tell channels apart only if their spends move, and move apart. A design file
(experiments/lab_*.toml) names a scenario, the game's seed, and a rule for the designed
firm's spend: each round, each channel's budget drawn uniformly from its [low, high] range,
independently of the other channels and of the rounds before, with a design seed of its own;
the rest of the decision (targeting, sales, price) held as the design says. The other firms
play their own strategies. Playing a design gives an ordinary game, saved like any other:
`jigsaw lab export` reads it, with its truth for whoever holds the save.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydantic import Field, ValidationError, model_validator

from sim.model.decisions import Decision, _check_shares
from sim.model.errors import FieldError, InputError, from_validation
from sim.model.files import read_toml
from sim.model.game import Game
from sim.model.hidden import drawn, new_lab_seed
from sim.model.scenario import CHANNELS, Range, Strict, load_scenario, resolve

DESIGN_STREAM = 0xD51  # the design seed's own key


class Plan(Strict):
    """What the designed firm decides besides its channels' budgets, every round."""

    targeting: dict[str, float] = Field(description="Marketing's shares by segment (sum 1).")
    sales_budget: float = Field(ge=0, description="Sales budget per round.")
    training_share: float = Field(0.1, ge=0, le=1)
    commission_rate: float = Field(0.08, ge=0, le=0.3)
    account_management: float = Field(0.2, ge=0, le=0.9)
    price: float = Field(1.0, ge=0.5, le=2.0)

    @model_validator(mode="after")
    def _shares(self) -> Plan:
        try:
            _check_shares(self.targeting, "targeting")  # the rule a decision's targeting obeys
        except ValueError as exc:
            raise FieldError(("targeting",), str(exc)) from None
        return self


class LiftTest(Strict):
    round: int = Field(ge=1, description="The round of the test.")
    segment: str = Field(description="The segment whose advertising is held out.")


class Design(Strict):
    scenario: str = Field(description="A bundled scenario or a path (relative to the file).")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="The game's seed (its luck).")
    design_seed: int = Field(1, ge=0, le=2**63 - 1, description="The spend schedule's seed.")
    firm: str | None = Field(None, description="The designed firm (default: the first player).")
    spend: dict[str, Range] = Field(description="Each channel's budget range per round.")
    hold: dict[str, int] = Field(
        default_factory=dict,
        description="Rounds a channel's draw is held for (1 by default): a channel with a long "
        "memory (PR, through the brand) moves more slowly.",
    )
    plan: Plan
    lift_tests: list[LiftTest] = Field(
        default_factory=list, description="Rounds whose lift test holds a segment out."
    )

    @model_validator(mode="after")
    def _channels(self) -> Design:
        if set(self.spend) != set(CHANNELS):
            raise ValueError(f"spend needs exactly the channels {', '.join(CHANNELS)}")
        for ch, (lo, hi) in self.spend.items():
            if not 0 <= lo <= hi:
                raise ValueError(f"spend.{ch}: expected 0 <= low <= high, got [{lo:g}, {hi:g}]")
        for ch, n in self.hold.items():
            if ch not in CHANNELS or not 1 <= n <= 40:
                raise ValueError(f"hold.{ch}: expected a channel held 1 to 40 rounds")
        return self


def read_design(path: Path) -> Design:
    data = read_toml(path, "experiment")
    try:
        return Design.model_validate(data)
    except ValidationError as exc:
        raise from_validation(str(path), exc) from None


def schedule(design: Design, rounds: int, seed: int | None = None) -> list[dict[str, float]]:
    """Each round's budget by channel: uniform in its range, channel by channel, round by
    round, from the design seed (or `seed`); a channel held for n rounds keeps each draw for
    n rounds (every draw is made, so holding one channel leaves the others' draws alone)."""
    key = design.design_seed if seed is None else seed
    rng = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(key, spawn_key=(DESIGN_STREAM,)))
    )
    ranges = {ch: (float(design.spend[ch][0]), float(design.spend[ch][1])) for ch in CHANNELS}
    drawn = [{ch: float(rng.uniform(*ranges[ch])) for ch in CHANNELS} for _ in range(rounds)]
    out = []
    for r in range(rounds):
        out.append({ch: drawn[r - r % design.hold.get(ch, 1)][ch] for ch in CHANNELS})
    return out


def decision(design: Design, budgets: dict[str, float], holdout: str | None = None) -> Decision:
    total = sum(budgets.values())
    mix = (
        {ch: v / total for ch, v in budgets.items()}
        if total > 0
        else {ch: 1 / 3 for ch in CHANNELS}
    )
    p = design.plan
    return Decision.model_validate(
        {
            "marketing": {
                "budget": total,
                "mix": mix,
                "targeting": p.targeting,
                "holdout": holdout,
            },
            "sales": {
                "budget": p.sales_budget,
                "training_share": p.training_share,
                "commission_rate": p.commission_rate,
                "account_management": p.account_management,
            },
            "price": p.price,
        }
    )


def play(
    path: Path,
    design_seed: int | None = None,
    lab_seed: int | None = None,
    max_leads: float | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Game, Design]:
    """The game a design file describes, played to its end (`design_seed` overrides the
    file's; a lab scenario's hidden values are drawn with `lab_seed`, or one nobody chose)."""
    design = read_design(path)
    where = path.parent / design.scenario
    name = str(where) if where.exists() else design.scenario
    resolve(name)
    scenario = load_scenario(name) if max_leads is None else load_scenario(name, max_leads)
    if scenario.lab is not None:
        scenario = drawn(scenario, new_lab_seed() if lab_seed is None else lab_seed)
    firm = design.firm or (scenario.player_ids[0] if scenario.player_ids else None)
    if firm is None or firm not in scenario.firm_ids:
        raise InputError(
            str(path),
            "firm",
            f"expected a firm of {scenario.meta.name}: {', '.join(scenario.firm_ids)}",
        )
    unknown = set(design.plan.targeting) - set(scenario.segment_ids)
    if unknown:
        raise InputError(str(path), "plan.targeting", f"unknown segment {sorted(unknown)[0]!r}")
    tests = {}
    for k, test in enumerate(design.lift_tests):
        if test.segment not in scenario.segment_ids or test.round > scenario.meta.rounds:
            raise InputError(
                str(path),
                f"lift_tests[{k}]",
                f"expected a round of 1..{scenario.meta.rounds} and a segment of "
                f"{', '.join(scenario.segment_ids)}",
            )
        if test.round in tests:  # a round holds out one segment's advertising, no more
            first = next(j for j, t in enumerate(design.lift_tests) if t.round == test.round)
            raise InputError(
                str(path),
                f"lift_tests[{k}]",
                f"round {test.round} already has a lift test (lift_tests[{first}]); a round "
                "holds out one segment",
            )
        tests[test.round] = test.segment
    game = Game(scenario, design.seed, max_leads=max_leads)
    rounds = scenario.meta.rounds
    for r, budgets in enumerate(schedule(design, rounds, design_seed), start=1):
        decisions = {}
        for i, fid in enumerate(game.ids):
            if fid != firm and fid not in scenario.player_ids:
                continue  # a computer-run firm plays its strategy
            if game.ledgers[i].bankrupt:
                continue
            d = decision(design, budgets, tests.get(r)) if fid == firm else game.decide_for(fid)
            decisions[fid] = d.within(scenario, game.room(fid))
        game.play_round(decisions)
        if progress is not None:
            progress(r, rounds)
    return game, design
