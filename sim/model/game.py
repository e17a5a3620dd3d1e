"""A game: one SimPy environment, the round loop, the scorecard, save and load by replay.

A game is a pure function of (scenario, seed, every firm's decisions). Each round: events fire,
decisions take effect (budgets, headcount, prices), then the environment runs `round_days`
days of market ticks and deals, and the books close into a `RoundReport`. A save file holds
the scenario, the seed and every round's decisions; loading it replays them.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import simpy

from sim.model import forecast as forecasts
from sim.model import lift
from sim.model.accounts import Accounts
from sim.model.chance import Chance
from sim.model.clock import Clock, fewer_collections
from sim.model.close import close_round
from sim.model.decisions import Decision, check_affordable
from sim.model.diary import Diary
from sim.model.economy import FirmParams
from sim.model.errors import InputError
from sim.model.events import KINDS, EventBook, Fired
from sim.model.gauge import ALIGNED
from sim.model.hidden import check_drawn
from sim.model.ledger import Ledger
from sim.model.market import Market
from sim.model.pipeline import (
    SalesForce,
)
from sim.model.report import RoundReport, scorecard
from sim.model.research import redact, results
from sim.model.rivals import RivalView, strategy
from sim.model.routes import DIRECT, PARTNER, SELF_SERVE
from sim.model.scenario import Scenario
from sim.model.snapshot import Snapshot, SnapshotError, dumps, loads
from sim.model.workload import NoRoom, TooManyLeads, game_limit

# The rules a game is played by. A save or a class records the model it was made under; a
# game replayed under another model follows the new rules, so its results differ.
#   1  the first engine (saves of format 1)
#   2  positioning, product development and market research (saves of format 2)
#   3  balance: churn and satisfaction follow the price each customer pays, serving a
#      customer costs, price moves appeal and odds linearly, leads answered late buy less,
#      customer equity and value created on the scorecard, benchmark-scaled scores, rivals
#      that steer by the gauge and answer price cuts
#   4  mean-field mode removed (every game draws its luck); the tutorial's deal value 6,000
#      -> 6,600 so that investing pays within its six rounds
#   5  the rest of the mix: coverage plans, the qualification bar and routes to market; the
#      adaptive rival deploys its reps by load and hires partners when short, the brand
#      builder sells online; classic offers partners in SMB and self-serve
MODEL_VERSION = 5


class Game:
    """One market, its firms, and the rounds played so far."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int = 0,
        streams: int = 2,
        max_leads: float | None = None,
    ) -> None:
        """streams: how random streams are keyed (2: by day; 1: by round, as version 1
        saves were played). max_leads: the leads the game may play before it stops with
        `TooManyLeads` (`sim.model.workload.game_limit`). A lab scenario is played with its
        hidden values drawn (`sim.model.hidden.drawn`)."""
        check_drawn(scenario)
        self.scenario = scenario
        self.max_leads = game_limit(scenario, max_leads)
        self._lead_room = self.max_leads  # leads left at the start of this round
        self.seed = int(seed)
        self.streams = streams
        self.env = Clock()
        self.params = FirmParams(scenario)
        self.market = Market(scenario, self.params, self.seed, streams)
        self.accounts = Accounts(
            scenario,
            self.seed,
            self.params.am_churn_reduction,
            streams,
            self.params.self_serve_churn,
        )
        days = scenario.meta.round_days
        self.forces = [
            SalesForce(
                self.env,
                i,
                self.params.tables[i],
                f.reps,
                f.rep_skill,
                days,
                on_close=self._deal_won,
                segments=len(scenario.segments),
            )
            for i, f in enumerate(scenario.firms)
        ]
        self.ledgers = [
            Ledger(
                f.cash,
                f.credit_line,
                self.params.tables[i].gross_margin,
                self.params.tables[i].fixed_costs_per_round,
            )
            for i, f in enumerate(scenario.firms)
        ]
        self.events = EventBook(scenario, self.seed)
        self.ids = scenario.firm_ids
        self.history: list[dict[str, Decision]] = []
        self.notice: str | None = None  # set when loaded from a save of another model
        self.reports: list[RoundReport] = []
        # Snapshots of the round boundaries passed, by round, when `keep_snapshots` (undo)
        self.keep_snapshots = False
        self.kept: dict[int, Snapshot] = {}
        self._tomorrow: simpy.Event | None = None  # the daily process's next timer
        self.diary: Diary | None = None  # told every day's figures, when one is attached
        self.measures_lift = True  # measure the lift tests decided (a lift test's own replay: no)
        self.env.process(self.days())
        cover = self.coverage()
        self.start_equity = {fid: self.customer_equity(i, cover) for i, fid in enumerate(self.ids)}

    # --- state -----------------------------------------------------------------------------

    @property
    def round(self) -> int:
        """Rounds completed so far."""
        return len(self.reports)

    @property
    def finished(self) -> bool:
        return self.round >= self.scenario.meta.rounds

    @property
    def player_ids(self) -> list[str]:
        return self.scenario.player_ids

    def cash(self, firm_id: str) -> float:
        return self.ledgers[self.ids.index(firm_id)].cash

    def room(self, firm_id: str) -> float:
        """What `firm_id` may still spend: cash plus credit line (`Ledger.room`)."""
        return self.ledgers[self.ids.index(firm_id)].room

    def view(self, firm_id: str) -> RivalView:
        """What `firm_id` may know before deciding the next round."""
        i = self.ids.index(firm_id)
        return RivalView(
            scenario=self.scenario,
            firm_id=firm_id,
            round=self.round + 1,
            cash=self.ledgers[i].cash,
            credit_line=self.ledgers[i].credit_line,
            own=[redact(r.firms[firm_id]) for r in self.reports],
            public=[r.public() for r in self.reports],
            studies=[results(r, firm_id) for r in self.reports],
            target=(float(self.market.target[i, 0]), float(self.market.target[i, 1])),
            bankrupt=self.ledgers[i].bankrupt,
            employed=self.forces[i].employed,
        )

    def decide_for(self, firm_id: str, strategy_name: str | None = None) -> Decision:
        """A firm's next decision by its strategy (or the one named)."""
        name = strategy_name or self.scenario.firm(firm_id).controlled_by
        if name == "player":
            name = "balanced"
        return strategy(name)(self.view(firm_id))

    # --- the round loop --------------------------------------------------------------------

    def play_round(
        self, decisions: Mapping[str, Decision] | None = None, events_of: int | None = None
    ) -> RoundReport:
        """Play the next round. `decisions` must cover every player firm; computer-run firms
        decide by their strategy unless decisions for them are given (as in a replay).
        `events_of`: a counterfactual for `sim.experiments.explain`: the round runs under the
        events as they stood in that earlier round (those then in force are in force again;
        none fires), not under its own.

        In phases: the decisions are checked and completed; the round opens (fresh random
        streams, segment ideals, the events that fire strike); the decisions take effect
        (budgets, prices, hiring, under the events in force); the days run; the books close
        into the round's report (`sim.model.close`)."""
        decided = self._decisions(decisions)
        start = None
        testing = self.measures_lift and any(d.marketing.holdout for d in decided.values())
        if self.keep_snapshots or testing:
            start = self.snapshot()  # undo, and the round a lift test plays again
        if self.keep_snapshots:
            self.kept[self.round] = start  # type: ignore[assignment]
        round_no = self.round + 1
        fired = self._open(round_no, firing=events_of is None)
        self._take_effect(round_no, decided, fired, events_of or round_no)
        # (a count below zero, which only a forged report could hold, takes no room back)
        self._lead_room = self.max_leads - sum(
            max(0, f.leads) for r in self.reports for f in r.firms.values()
        )
        try:
            with fewer_collections():
                self.env.run(until=self.env.now + self.scenario.meta.round_days)
        except NoRoom:  # the game cannot go on: it has had all the leads it may take
            day = int(self.env.now) % self.scenario.meta.round_days + 1
            raise TooManyLeads.at(self.scenario, self.max_leads, round_no, day) from None
        if self.diary is not None:
            self.diary.round_closed(self)
        report = close_round(self, round_no, fired)
        if start is not None:
            budget = self.events.effects(
                round_no, len(self.ids), len(self.scenario.segments)
            ).budget
            for fid, d in decided.items():
                if d.marketing.holdout is not None:
                    factor = float(budget[self.ids.index(fid)])
                    report.lift_tests[fid] = lift.measure(self, start, decided, fid, report, factor)
        self.reports.append(report)
        return report

    def _decisions(self, given: Mapping[str, Decision] | None) -> dict[str, Decision]:
        """Every active firm's decision for the next round: the ones given (each firm known,
        every active player covered), the computer-run firms' by their strategy; each one
        affordable. InputError names the first that is not."""
        if self.finished:
            raise InputError(
                "", "round", f"the game is over after {self.scenario.meta.rounds} rounds"
            )
        decisions = dict(given or {})
        for fid in decisions:
            if fid not in self.ids:
                raise InputError(
                    "", f"decisions.{fid}", f"unknown firm; expected one of {', '.join(self.ids)}"
                )
        missing = [
            fid
            for fid in self.player_ids
            if fid not in decisions and not self.ledgers[self.ids.index(fid)].bankrupt
        ]
        if missing:
            raise InputError(
                "", f"decisions.{missing[0]}", "player firm has no decisions for this round"
            )
        round_no = self.round + 1
        for fid, d in decisions.items():
            if d.marketing.holdout not in (None, *self.scenario.segment_ids):
                raise InputError(
                    "",
                    f"decisions.{fid}.marketing.holdout",
                    f"unknown segment; expected one of {', '.join(self.scenario.segment_ids)}",
                )
        for i, fid in enumerate(self.ids):
            if fid not in decisions and not self.ledgers[i].bankrupt:
                decisions[fid] = self.decide_for(fid)
        for i, fid in enumerate(self.ids):
            if fid in decisions and not self.ledgers[i].bankrupt:
                ledger = self.ledgers[i]
                check_affordable(
                    decisions[fid],
                    ledger.cash,
                    ledger.credit_line,
                    field=f"round {round_no}: {fid}: budget",
                    scenario=self.scenario,
                )
        return {
            fid: decisions[fid]
            for i, fid in enumerate(self.ids)
            if fid in decisions and not self.ledgers[i].bankrupt
        }

    def _open(self, round_no: int, firing: bool = True) -> list[Fired]:
        """The round opens: each stream restarts for it, segment ideals move, the events due
        fire and strike (`sim.model.events.KINDS`; none when not `firing`). Returns the events
        fired."""
        for chance in self.chances:
            chance.start_round(round_no)
        self.market.start_round(round_no)
        fired = self.events.fire(round_no, self.market.active) if firing else []
        for f in fired:
            KINDS[f.event.kind].strike(f, self.market)
        return fired

    def _take_effect(
        self, round_no: int, decided: dict[str, Decision], fired: list[Fired], events_of: int
    ) -> None:
        """The decisions take effect under the events in force (in round `events_of`, this
        one but in a counterfactual): multipliers on interest, churn and prices, budgets cut;
        then the events that act on sales forces."""
        effects = self.events.effects(events_of, len(self.ids), len(self.scenario.segments))
        self.market.interest_multiplier = effects.interest
        self.market.churn_multiplier = effects.churn
        self.market.price_cut = effects.price_cut
        for i, fid in enumerate(self.ids):
            self.forces[i].start_round()
            if fid in decided:
                self._apply(i, decided[fid], float(effects.budget[i]))
        self.accounts.start_round(round_no, self.market.effective_price())
        for f in fired:
            KINDS[f.event.kind].after_staffing(f, self.forces)
        self.history.append(decided)

    def days(self, tomorrow: simpy.Event | None = None) -> Generator[simpy.Event, None, None]:
        """The daily process: one day of the market, the sales forces and the books, then
        wait a day (`tomorrow`: the wait a snapshot left pending)."""
        if tomorrow is not None:
            yield tomorrow
        while True:
            self.today()
            self._tomorrow = self.env.timeout(1.0)
            yield self._tomorrow

    def today(self) -> None:
        """One day: the market moves (`Market.day`), reps train and work, the books accrue,
        and the day's leads reach the sales forces."""
        market = self.market
        room = self._lead_room - sum(int(f.arrived.sum()) for f in self.forces)
        diary = self.diary
        if diary is not None:
            diary.morning(self)
        revenue, serving, batches, routed = market.day(
            int(self.env.now), self.accounts, self.forces, room
        )
        if diary is not None:
            diary.day(self, batches)
        marketing = market.daily_marketing.tolist()
        rd = market.daily_rd.tolist()
        nurture = market.daily_nurture.tolist()
        for i, force in enumerate(self.forces):
            if not market.active[i]:
                continue
            force.train()
            force.observe_day()
            self.ledgers[i].accrue_day(
                revenue=revenue[i],
                marketing=marketing[i],
                salaries=force.daily_salary(),
                training=force.daily_training,
                product=rd[i],
                serving=serving[i],
                nurture=nurture[i],
            )
            if i in routed:
                partner, self_serve = routed[i]
                self._signed_by_route(i, PARTNER, partner)
                self._signed_by_route(i, SELF_SERVE, self_serve)
            if i in batches:
                force.receive(batches[i])

    def _apply(self, i: int, d: Decision, factor: float) -> None:
        """Decisions take effect at the start of the round."""
        days = self.scenario.meta.round_days
        targeting = np.array([d.marketing.targeting.get(s, 0.0) for s in self.scenario.segment_ids])
        self.market.set_spend(i, d.marketing.budget * factor, d.marketing.mix, targeting, days)
        if d.marketing.holdout is not None:
            self.market.hold_out(i, self.scenario.segment_ids.index(d.marketing.holdout))
        self.market.price[i] = d.price
        self.market.qualification[i] = d.marketing.qualification
        table = self.params.tables[i]
        if d.routes is not None:
            partner, self_serve = d.routes.shares(self.scenario.segment_ids)
        else:
            partner = self_serve = np.zeros(len(self.scenario.segments))
        margin = d.partner_margin(table.partner_margin)
        self.market.routes.decide(i, partner, self_serve, margin, table.partner_margin_half)
        hires, fires, hiring, severance = self.forces[i].staff(
            d.sales.budget * factor,
            d.sales.training_share,
            d.sales.commission_rate,
            d.sales.account_management,
            d.sales.coverage_shares(self.scenario.segment_ids),
        )
        self.market.set_product(i, d.product.budget * factor, days)
        if d.marketing.positioning is not None:
            self.market.set_target(i, *d.marketing.positioning.xy())
        research = d.research_cost(self.scenario)
        self.ledgers[i].charge(hiring=hiring, severance=severance, research=research)

    def _deal_won(self, firm: int, segment: int, kind: int, when: float) -> bool:
        """A deal was signed: the account becomes a customer (if still free) and is booked."""
        m = self.market
        value = float(m.deal_value[segment] * m.effective_price()[firm])
        if not m.active[firm] or not self.accounts.win(firm, segment):
            return False
        self._booked(firm, segment, DIRECT, 1, value, when)
        return True

    def _booked(
        self, firm: int, segment: int, route: int, n: float, value: float, when: float
    ) -> None:
        """n accounts that just became the firm's customers by `route` are booked at their
        first-year `value` each: buyers of a customer know the brand; the reps' deals pay
        commission, a partner's its margin, self-serve nothing."""
        m = self.market
        m.aware[firm, segment] = min(
            m.accounts[segment], max(m.aware[firm, segment], self.accounts.customers[firm, segment])
        )
        rate = self.forces[firm].commission_rate if route == DIRECT else 0.0
        self.ledgers[firm].book(value * n, rate)
        if route == PARTNER:
            self.ledgers[firm].pay_partner(float(m.routes.margin[firm]) * value * n)
        if self.diary is not None:
            self.diary.signed_up(firm, segment, when, value, int(n), route)

    def _signed_by_route(self, firm: int, route: int, counts: np.ndarray) -> None:
        """Deals a route closed today (partners' or self-serve, by segment): the accounts still
        free become customers and are booked (`_booked`)."""
        if not counts.any():
            return
        m = self.market
        price = float(m.effective_price()[firm])
        for segment in np.flatnonzero(counts).tolist():
            n = self.accounts.win(firm, segment, route, float(counts[segment]))
            if n >= 1:
                value = float(m.deal_value[segment] * price)
                self._booked(firm, segment, route, n, value, self.env.now)

    def coverage(self) -> np.ndarray:
        """Each firm's account-management coverage of its customers now (0..1)."""
        held = self.accounts.customers.sum(axis=1)
        return np.array([f.coverage(c) for f, c in zip(self.forces, held.tolist(), strict=True)])

    def customer_equity(self, i: int, coverage: np.ndarray | None = None) -> float:
        """What firm i's customers are worth now: `scoring.value_years` of their margin,
        discounted and net of churn at today's service (`Accounts.equity`)."""
        if not self.market.active[i]:
            return 0.0
        return self.accounts.equity(
            i,
            self.coverage() if coverage is None else coverage,
            float(self.params.gross_margin[i]),
            float(self.params.discount_rate[i]),
            self.scenario.scoring.value_years,
        )

    def leave(self, i: int) -> None:
        """A bankrupt firm leaves the market: customers go back to the prospects, reps
        leave."""
        self.market.withdraw(i)
        self.accounts.release(i)
        self.forces[i].dissolve()

    @property
    def chances(self) -> list[Chance]:
        """Every random stream of the game."""
        return [
            *self.market.awareness_chance,
            *self.market.lead_chance,
            *self.accounts.chance,
            self.events.chance,
            *self.market.nurture_chance,
            *self.market.routes.chance,
        ]

    def affordable(self, decided: Mapping[str, Decision]) -> dict[str, Decision]:
        """Each decision of a firm still in the market, cut to what its cash and credit allow
        now (`Decision.within`): decisions made on firms' behalf (a counterfactual, a draw of
        luck) are played this way."""
        return {
            fid: d.within(self.scenario, self.room(fid))
            for fid, d in decided.items()
            if not self.ledgers[self.ids.index(fid)].bankrupt
        }

    def fork_luck(self, salt: int) -> None:
        """Switch every random stream to a sibling keyed by `salt` from the next round on:
        the past stays as it was, what follows gets another draw of luck (salt 0 is never
        the game's own stream)."""
        for chance in self.chances:
            chance.fork(salt + 1)

    # --- snapshots -------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The game's state now, between rounds, as data (`sim.model.snapshot`)."""
        pending = self.env.order()
        if self._tomorrow is not None and id(self._tomorrow) not in pending:
            raise RuntimeError("a snapshot is taken only at a round boundary")
        world = {
            "now": self.env.now,
            # the daily process's next timer (None before the first day: it has not started)
            "tomorrow": None if self._tomorrow is None else pending[id(self._tomorrow)],
            "market": self.market,
            "accounts": self.accounts,
            "forces": self.forces,
            "ledgers": self.ledgers,
            "events": self.events,
            "start_equity": self.start_equity,
        }
        return Snapshot.of(self.round, dumps(world, self.scenario, self.params))

    def restore(
        self,
        snapshot: Snapshot,
        history: list[dict[str, Decision]] | None = None,
        reports: list[RoundReport] | None = None,
    ) -> Game:
        """A new game of this scenario and seed, continuing from `snapshot` exactly as the
        game it was taken from would: a fresh SimPy clock with every pending timer set again
        at its due time and in its original order, and every lead's, deal's and ramp's
        process waiting where it waited. `history` and `reports`: the rounds up to the
        snapshot (this game's first `snapshot.round` by default). SnapshotError when the
        snapshot is damaged or not of this game."""
        if not snapshot.intact():
            raise SnapshotError("is damaged (its digest does not match)")
        world = loads(snapshot.data, self.scenario, self.params)
        twin = Game.__new__(Game)
        twin.scenario, twin.seed, twin.streams = self.scenario, self.seed, self.streams
        twin.max_leads = twin._lead_room = self.max_leads
        twin.params, twin.ids = self.params, self.ids
        twin.notice = self.notice
        twin.keep_snapshots, twin.kept = False, {}
        twin.diary = None
        twin.measures_lift = True
        k = snapshot.round
        twin.history = list(self.history[:k] if history is None else history)
        twin.reports = list(self.reports[:k] if reports is None else reports)
        if len(twin.history) != k or len(twin.reports) != k:
            raise SnapshotError(f"is of round {k}, but {len(twin.reports)} rounds are given")
        try:
            twin.market, twin.accounts = world["market"], world["accounts"]
            twin.forces, twin.ledgers = world["forces"], world["ledgers"]
            twin.events, twin.start_equity = world["events"], world["start_equity"]
            env = twin.env = Clock(initial_time=world["now"])
            timers = [t for force in twin.forces for t in force.timers()]
            tomorrow: list[simpy.Event] = []
            if world["tomorrow"] is not None:
                timers.append((world["tomorrow"][1], world["tomorrow"][0], tomorrow))
            for _, due, cell in sorted(timers, key=lambda t: t[0]):
                cell.append(env.at(due))
            for force in twin.forces:
                force.resume(env, twin._deal_won, len(twin.scenario.segments))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise SnapshotError(f"does not hold this game's state ({exc})") from None
        twin._tomorrow = tomorrow[0] if tomorrow else None
        env.process(twin.days(twin._tomorrow))
        return twin

    def starts(self, rounds: Iterable[int]) -> dict[int, Snapshot]:
        """The snapshots of the round boundaries after each of `rounds` rounds (0: before the
        first): the kept ones (`keep_snapshots`) and the current one, else the game played
        again from round 0 to the last of them (exact either way), kept for the next ask."""
        wanted = sorted(set(rounds))
        if any(not 0 <= k <= self.round for k in wanted):
            raise ValueError(f"round boundaries {wanted} are not all of 0..{self.round}")
        out = {k: self.kept[k] for k in wanted if k in self.kept}
        if self.round in wanted and self.round not in out:
            out[self.round] = self.snapshot()
        missing = [k for k in wanted if k not in out]
        if missing:
            twin = Game(self.scenario, self.seed, self.streams, self.max_leads)
            for k, decided in enumerate(self.history[: missing[-1] + 1]):
                if k in missing:
                    out[k] = self.kept[k] = twin.snapshot()
                if k < missing[-1]:
                    twin.play_round(decided)
        return out

    def replay(self) -> Game:
        """A new game at the same point: same scenario and seed, every round replayed."""
        twin = Game(self.scenario, self.seed, self.streams, self.max_leads)
        for decided in self.history:
            twin.play_round(decided)
        return twin

    def rewound(self, rounds: int = 1) -> Game:
        """The game as it stood `rounds` rounds ago: restored from the snapshot kept of that
        round boundary (`keep_snapshots`), or else replayed from round 0 (exact either way)."""
        keep = max(0, len(self.history) - rounds)
        if keep in self.kept:
            twin = self.restore(self.kept[keep])
        else:
            twin = Game(self.scenario, self.seed, self.streams, self.max_leads)
            twin.notice = self.notice
            for decided in self.history[:keep]:
                twin.play_round(decided)
        twin.keep_snapshots = self.keep_snapshots
        twin.kept = {k: v for k, v in self.kept.items() if k < keep}
        return twin

    def forecast(
        self,
        decisions: Mapping[str, Decision],
        replications: int = forecasts.DRAWS,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[RoundReport]:
        """The next round under `decisions`, once per draw of luck: the game goes on from a
        snapshot of where it stands (the same past), with a forked luck stream. Rivals
        decide as they would. The game itself is not changed."""
        now = self.snapshot()
        out = []
        for r in range(replications):
            twin = self.restore(now)
            twin.fork_luck(r)
            out.append(twin.play_round(decisions))
            if progress is not None:
                progress(r + 1, replications)
        return out

    # --- whole games -----------------------------------------------------------------------

    def play(self, decide: Callable[[Game, str], Decision]) -> list[RoundReport]:
        """Play to the end, asking `decide(game, firm_id)` for every player firm each round."""
        while not self.finished:
            self.play_round(
                {
                    fid: decide(self, fid)
                    for fid in self.player_ids
                    if not self.ledgers[self.ids.index(fid)].bankrupt
                }
            )
        return self.reports

    def score(self) -> dict[str, dict[str, Any]]:
        """The balanced scorecard (see `sim.model.report.scorecard`)."""
        meta = self.scenario.meta
        return scorecard(
            self.reports,
            self.scenario.scoring,
            self.start_equity,
            meta.budget_per_round,
            meta.rounds,
        )

    def to_json(self) -> dict[str, Any]:
        """The `jigsaw run --json` document."""
        return {
            "scenario": self.scenario.meta.name,
            "seed": self.seed,
            "model": MODEL_VERSION,
            "gauge": {"aligned": list(ALIGNED)},
            "rounds": [
                {
                    "round": r.round,
                    "firms": {k: v for k, v in r.to_dict()["firms"].items()},
                    "segments": r.to_dict()["segments"],
                    "events": r.events,
                }
                for r in self.reports
            ],
            "score": self.score(),
        }

    # --- save and load (sim.model.saves) -------------------------------------------------------

    def to_save(self, cache: bool = True) -> dict[str, Any]:
        """The save document (`sim.model.saves.document`)."""
        from sim.model import saves

        return saves.document(self, cache)

    def save(self, path: str | Path) -> None:
        """Write the save file atomically (`sim.model.saves.write`)."""
        from sim.model import saves

        saves.write(self, Path(path))

    @classmethod
    def from_save(cls, data: Any, source: str = "<save>") -> Game:
        """The game a save document holds (`sim.model.saves.read`)."""
        from sim.model import saves

        return saves.read(data, source)

    @classmethod
    def load(cls, path: str | Path, max_leads: float | None = None) -> Game:
        """The game a save file holds (`sim.model.saves.load`; `max_leads` lifts the
        workload limit on purpose)."""
        from sim.model import saves

        if max_leads is None:
            return saves.load(Path(path))
        return saves.load(Path(path), max_leads)
