"""The sales force: reps, deal slots, the lead queue, and deals as SimPy processes.

Scenario: a firm's productive reps each work `deals_per_rep` deals at once (slots); a share of
the slots is kept for account management. A lead waits for a free hunting slot at most its
patience (days); if none frees up it goes cold and is lost, like a bank customer who reneges.
A slot that has nothing to work prospects: it creates outbound leads. A deal holds its slot
through the stages qualify -> discover -> propose -> negotiate and can be lost at any stage.

Queueing view: leads arrive at rate lambda, a slot serves a deal in mean time 1/mu, and there
are c slots, so the sales force is an M/M/c queue with reneging; with exponential cycles and
unlimited patience it reproduces Erlang C (tests/test_validation.py).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NamedTuple

import numpy as np
import simpy

from sim.model.scenario import Economics

INBOUND, REFERRAL, OUTBOUND = 0, 1, 2
KINDS = ("inbound", "referral", "outbound")
STAGES = ("qualify", "discover", "propose", "negotiate")
STAGE_TIME = np.array([0.15, 0.25, 0.35, 0.25])  # share of a won deal's cycle spent per stage
STAGE_LOSS = np.array([0.35, 0.30, 0.20, 0.15])  # share of ln(p_win) lost at each stage
_HELD = np.cumsum(STAGE_TIME)  # share of the cycle held when a deal ends after stage k
_SURVIVE = np.cumsum(STAGE_LOSS)
_SURVIVE[-1] = (
    1.0  # exactly: surviving every stage is winning (fate < p_win)  # a deal survives stage k iff fate < p_win ** _SURVIVE[k]
)
DT = 1.0 / 365.0

WON, LOST, COLD, TAKEN = "won", "lost", "cold", "taken"
# Why a lead was lost (the win/loss study): the weakest part of the firm's offer against the
# status quo (price, brand, rep, fit), a rival, going cold, dropped for a warm lead, or
# answered too late (slow: it would have been won had a rep taken it at once).
REASONS = ("price", "brand", "rep", "fit", "rival", "cold", "dropped", "slow")
PRICE, BRAND, REP, FIT, RIVAL, WENT_COLD, DROPPED, SLOW = range(len(REASONS))


class DealRecord(NamedTuple):
    """One lead's story, kept for the round's report."""

    segment: int
    kind: int
    arrived: float  # day
    started: float  # day a slot took it (nan if it went cold)
    ended: float  # day it was won, lost or went cold
    outcome: str  # won, lost, cold, taken (won, but the account had signed elsewhere)
    stage: int  # index into STAGES where it ended (-1: never started)
    reason: int = -1  # index into REASONS for a lead not won (-1: won)


@dataclass(eq=False, slots=True)
class Deal:
    """A lead and, once a slot takes it, the deal worked in it: plain data, so a round
    boundary's snapshot holds every lead waiting and every deal in flight."""

    segment: int
    kind: int
    p_win: float  # odds when it arrived; once started, the odds it was answered with
    cycle: float  # days a won deal holds its slot
    fate: float  # uniform: decides the stage a deal ends at
    patience: float  # days it waits for a slot
    reason: int  # index into REASONS: why it is lost, if it is
    fade: float  # per day: the odds fall as e^(-fade x days waited)
    arrived: float  # day
    started: float = math.nan  # day a slot took it (nan while it waits)
    stage: int = -1  # the stage it will end at, once started
    due: float = math.nan  # when its pending timer fires: patience runs out, or the deal ends


@dataclass(slots=True)
class LeadBatch:
    """One day's leads for one firm, drawn together (arrays of equal length)."""

    segment: np.ndarray
    kind: np.ndarray
    p_win: np.ndarray
    cycle: np.ndarray  # days a won deal holds its slot
    fate: np.ndarray  # uniform: decides the stage a deal ends at
    offset: np.ndarray  # arrival time within the day, sorted
    patience: np.ndarray  # days a lead waits for a slot
    reason: np.ndarray  # index into REASONS: why it is lost, if it is
    fade: np.ndarray  # per day: the lead's odds fall as e^(-fade x days waited)
    offered: float = 0.0  # expected slot-days the warm leads of the batch ask for
    offered_by: np.ndarray | None = None  # the same by segment


def expected_hold_share(p_win: np.ndarray) -> np.ndarray:
    """Expected share of its cycle a deal holds its slot, given its win probability: it exits
    after stage k < 3 with probability p^W(k-1) - p^W(k), and reaches the last stage with
    probability p^W(2) (won or lost there, it held the whole cycle)."""
    survive = np.asarray(p_win)[..., None] ** _SURVIVE[:-1]
    before = np.concatenate([np.ones_like(survive[..., :1]), survive[..., :-1]], axis=-1)
    return ((before - survive) * _HELD[:-1]).sum(axis=-1) + survive[..., -1] * _HELD[-1]


def exit_stage(fate: float, p_win: float) -> int:
    """The stage a deal ends at: it survives stage k while fate < p_win ** cum_loss[k];
    survival of all four stages (fate < p_win) is a win, at stage 3."""
    for k in range(len(STAGES)):
        if fate >= p_win ** _SURVIVE[k]:
            return k
    return len(STAGES) - 1


def deployed(slots: int, shares: np.ndarray) -> list[int]:
    """The one rule for a coverage plan: `slots` hunting slots dealt to the segments by their
    shares, each its whole part and the rest one by one to the largest remainders (ties to
    the segment listed first)."""
    exact = slots * np.asarray(shares, dtype=float) / max(float(np.sum(shares)), 1e-300)
    whole = np.floor(exact + 1e-9).astype(int)
    left = slots - int(whole.sum())
    for s in sorted(range(len(exact)), key=lambda s: (-(exact[s] - whole[s]), s))[:left]:
        whole[s] += 1
    return [int(n) for n in whole]


def headcount(sales_budget: float, training_share: float, rep_cost_per_round: float) -> int:
    """The one rule for headcount: reps a round's sales budget employs, the budget less its
    training share over a rep's cost for the round (the rest trains them)."""
    return int(sales_budget * (1.0 - training_share) / rep_cost_per_round + 1e-9)


# What a snapshot leaves out of a force: SimPy's objects, the game's callback, ramp timers.
_SIMPY_PARTS = frozenset({"env", "slots", "on_close", "ramps"})

_KEY = attrgetter("key")  # a request's place in the queue, as SimPy sorts it


class LeadQueue(simpy.resources.resource.SortedQueue):
    """Requests waiting for a slot, in SimPy's order (priority, time asked, preempting first;
    ties in arrival order), kept in order by inserting each at its place: SimPy's
    `SortedQueue` re-sorts the whole queue on every request, which dominates a large market."""

    # Under a coverage plan, the same requests again by segment, each list in queue order:
    # a segment's reps serve its own queue (None: one pool serves the one queue).
    by_segment: list[list[SlotRequest]] | None = None

    def append(self, item: simpy.resources.resource.PriorityRequest) -> None:
        if self.maxlen is not None and len(self) >= self.maxlen:
            raise RuntimeError("Cannot append event. Queue is full.")
        bisect.insort_right(self, item, key=_KEY)
        if self.by_segment is not None:
            mine: list[Any] = self.by_segment[item.deal.segment]  # type: ignore[attr-defined]
            bisect.insort_right(mine, item, key=_KEY)

    def remove(self, item: simpy.resources.resource.PriorityRequest) -> None:
        """Take out a request that gave up (a lead gone cold) or, under a coverage plan, was
        granted: found by its key, not by a scan of the whole queue, which a swamped sales
        force makes long."""
        _take(self, item)
        if self.by_segment is not None:
            _take(self.by_segment[item.deal.segment], item)  # type: ignore[attr-defined]

    def split(self, segments: int | None) -> None:
        """Keep the requests by segment as well (`segments`), or not (None)."""
        if segments is None:
            self.by_segment = None
            return
        self.by_segment = [[] for _ in range(segments)]
        for request in self:
            self.by_segment[request.deal.segment].append(request)


def _take(queue: list[Any], item: Any) -> None:
    """Remove `item` from a list kept in key order, found by bisection."""
    i = bisect.bisect_left(queue, item.key, key=_KEY)
    while i < len(queue) and queue[i] is not item:
        i += 1
    if i == len(queue):
        raise ValueError("the request is not in the queue")
    del queue[i]


class Holders(dict):  # type: ignore[type-arg]
    """The requests holding a slot, in the order they were granted: SimPy's `users` list with
    a removal that does not scan it (a sales force of thousands of reps releases a slot at
    every deal's end). Iterates, counts and appends like the list it replaces."""

    append = dict.setdefault  # holder -> None, in C

    def remove(self, request: SlotRequest) -> None:
        try:
            del self[request]
        except KeyError:
            raise ValueError("the request holds no slot") from None


class Prospects(list):  # type: ignore[type-arg]
    """The outbound deals holding a slot, in key order (ties in the order granted), so the
    one a warm lead preempts, the latest, is found without a scan."""

    def append(self, request: SlotRequest) -> None:
        bisect.insort_right(self, request, key=_KEY)

    def remove(self, request: SlotRequest) -> None:
        try:
            _take(self, request)
        except ValueError:
            raise ValueError("the request is not among the prospects") from None

    def latest(self) -> SlotRequest:
        """The request with the highest key; the first granted among equal ones (as `max`
        over the granted order would pick)."""
        return self[bisect.bisect_left(self, self[-1].key, key=_KEY)]  # type: ignore[no-any-return]

    def latest_of(self, segment: int) -> SlotRequest | None:
        """`latest` among the outbound deals of one segment (None if it has none)."""
        mine = [r for r in self if r.deal.segment == segment]
        if not mine:
            return None
        return next(r for r in mine if r.key == mine[-1].key)


class SlotRequest(simpy.resources.resource.PriorityRequest):
    """A lead's request for a hunting slot. It carries the lead (`Deal`) and the timer its
    process waits on (patience while it waits, the deal's end once a slot took it), so the
    pool's users and queue say where every lead and deal is. Warm leads (inbound, referral)
    ask at priority 0 and may preempt; outbound ones at priority 1."""

    def __init__(self, pool: SlotPool, deal: Deal) -> None:
        self._carry(deal, pool._env.now)
        simpy.resources.base.Put.__init__(self, pool)

    def _carry(self, deal: Deal, asked: float) -> None:
        """The lead, its place in the queue (SimPy's key: priority, time asked, preempting
        first) and no timer yet."""
        warm = deal.kind != OUTBOUND
        self.deal = deal
        self.timer: simpy.Event | None = None
        self.wait: simpy.Event | None = None  # what the lead's process yields while it waits
        self.priority = 0 if warm else 1
        self.preempt = warm
        self.time = asked
        self.key = (self.priority, self.time, not self.preempt)

    @classmethod
    def restored(
        cls, pool: SlotPool, deal: Deal, asked: float, since: float | None = None
    ) -> SlotRequest:
        """A request as a snapshot recorded it, put back into `pool` as it stood without
        asking again (asking would let the pool grant it, or another, out of turn): granted
        and processed, among the users (`since`: when it was granted), or waiting at the end
        of the queue (`since` None)."""
        req = cls.__new__(cls)
        simpy.Event.__init__(req, pool._env)
        req._carry(deal, asked)
        req.resource, req.proc = pool, None
        if since is None:
            req.callbacks.append(pool._trigger_get)  # type: ignore[union-attr]
            list.append(pool.put_queue, req)  # type: ignore[arg-type]
        else:
            req.usage_since = since
            req._ok, req._value, req.callbacks = True, None, None  # type: ignore[assignment]
            pool.users.append(req)
            if not req.preempt:
                pool.prospecting.append(req)
        return req


class SlotPool(simpy.PreemptiveResource):
    """Deal slots whose number changes as reps are hired, ramp up, quit or are let go.

    Warm leads (inbound, referral) come first: they queue ahead of outbound ones and, when every
    slot is busy, take the slot of a cold prospect, which the rep then drops (SimPy's
    preemptive resource). So prospecting never crowds out demand that marketing made."""

    PutQueue = LeadQueue
    users: Holders  # type: ignore[assignment]
    put_queue: list[SlotRequest]  # type: ignore[assignment]

    def __init__(self, env: simpy.Environment, capacity: int = 1) -> None:
        super().__init__(env, capacity)
        self.users = Holders()  # type: ignore[assignment]
        # The outbound deals among the users, in key order: the only ones a warm lead may
        # take a slot from, kept apart so a full pool need not scan every user.
        self.prospecting = Prospects()
        # A coverage plan: the slots each segment's reps have (None: one pool for all) and
        # the slots each segment's deals hold.
        self.caps: list[int] | None = None
        self.held: list[int] = []

    def _trigger_put(self, get_event: Any) -> None:
        """One pool: SimPy's (the head of the queue, while it is granted). Under a coverage
        plan each segment's queue is served by its own slots, segment by segment."""
        if self.caps is None:
            super()._trigger_put(get_event)
            return
        queue = self.put_queue
        if not queue:
            return
        for waiting in queue.by_segment:  # type: ignore[attr-defined]
            while waiting:
                request = waiting[0]
                self._put_covered(request)
                if not request.triggered:
                    break
                queue.remove(request)

    def _put_covered(self, event: SlotRequest) -> None:
        """`_do_put` under a coverage plan: a slot of the lead's own segment, or a warm lead
        takes the slot of that segment's latest outbound deal when all its slots are busy."""
        s = event.deal.segment
        held, cap = self.held, self.caps[s]  # type: ignore[index]
        if held[s] >= cap:
            if not (event.preempt and held[s] == cap > 0):
                return
            victim = self.prospecting.latest_of(s)
            if victim is None:
                return
            self.users.remove(victim)
            self.prospecting.remove(victim)
            held[s] -= 1
            victim.proc.interrupt(  # type: ignore[union-attr]
                simpy.resources.resource.Preempted(
                    by=event.proc, usage_since=victim.usage_since, resource=self
                )
            )
        self.users.append(event)
        held[s] += 1
        if not event.preempt:
            self.prospecting.append(event)
        event.usage_since = self._env.now
        event.succeed()

    def _do_put(self, event: SlotRequest) -> None:  # type: ignore[override]
        """SimPy's preemptive put, with the victim found among the outbound deals only: a
        warm request's key (0, t, False) is below every outbound key (1, t', True) and at or
        above every warm one asked before it, so the user `max(users, key)` would preempt is
        the latest outbound deal (the first of them in the users' order on a tie), if any.
        Preempt only when dropping one prospect frees exactly the slot the request needs (not
        with no slots at all, nor while the force is over capacity after a cut)."""
        users = self.users
        if event.preempt and self.prospecting and users and len(users) == self._capacity:
            victim = self.prospecting.latest()
            users.remove(victim)
            self.prospecting.remove(victim)
            victim.proc.interrupt(  # type: ignore[union-attr]
                simpy.resources.resource.Preempted(
                    by=event.proc, usage_since=victim.usage_since, resource=self
                )
            )
        if len(users) < self._capacity:
            users.append(event)
            if not event.preempt:
                self.prospecting.append(event)
            event.usage_since = self._env.now
            event.succeed()

    def _do_get(self, event: simpy.resources.resource.Release) -> None:  # type: ignore[override]
        request = event.request
        try:
            self.users.remove(request)  # type: ignore[arg-type]
            if self.caps is not None:
                self.held[request.deal.segment] -= 1  # type: ignore[attr-defined]
            if not request.preempt:  # type: ignore[attr-defined]
                self.prospecting.remove(request)  # type: ignore[arg-type]
        except ValueError:
            pass
        event.succeed()

    def resize(self, capacity: int, caps: list[int] | None = None) -> None:
        """Set the hunting slots, and how they are dealt to segments (`caps`, None: one pool).
        Waiting leads are served at once where slots were added."""
        grew = capacity > self._capacity
        before = self.caps
        self._capacity = max(0, int(capacity))
        self.plan(caps)
        if grew or caps != before:
            self._trigger_put(None)

    def plan(self, caps: list[int] | None) -> None:
        """Deal the slots to segments (`caps`) or pool them (None), without serving anyone:
        the slots each segment's deals hold are counted, the queue kept by segment."""
        if caps is None:
            self.caps = None
            self.put_queue.split(None)  # type: ignore[attr-defined]
            return
        if self.caps is None or len(self.caps) != len(caps):
            self.held = [0] * len(caps)
            for request in self.users:
                self.held[request.deal.segment] += 1
            self.put_queue.split(len(caps))  # type: ignore[attr-defined]
        self.caps = list(caps)


class SalesForce:
    """One firm's reps and their deals."""

    def __init__(
        self,
        env: simpy.Environment,
        firm: int,
        econ: Economics,
        reps: int,
        skill: float,
        round_days: int,
        on_close: Callable[[int, int, int, float], bool] | None = None,
        segments: int = 1,
    ) -> None:
        self.env = env
        self.firm = firm
        self.econ = econ
        self.round_days = round_days
        self.segments = segments
        # The coverage plan: shares of the hunting slots by segment (None: one pool), and
        # each segment's expertise in [0, 1], which its own reps build by working it.
        self.cover: np.ndarray | None = None
        self.expertise = np.zeros(segments)
        self.productive = int(reps)
        self.cohorts: list[list[float]] = []  # [ready_day, reps] of hires still ramping
        self.skill = float(skill)
        self.am_share = econ.account_management
        self.commission_rate = econ.commission_rate
        self.daily_training = 0.0
        self.slots = SlotPool(env, capacity=1)
        self._deploy()
        self.on_close = on_close
        self.records: list[DealRecord] = []
        # (cohort, due day, timer) of each ramp still running
        self.ramps: list[tuple[list[float], float, simpy.Event]] = []
        self.active = True
        self.start_round()

    # --- headcount -------------------------------------------------------------------------

    @property
    def ramping(self) -> int:
        return int(sum(n for _, n in self.cohorts))

    @property
    def employed(self) -> int:
        return self.productive + self.ramping

    @property
    def total_slots(self) -> int:
        return self.productive * self.econ.deals_per_rep

    def hunting_capacity(self) -> int:
        return int(self.total_slots * (1.0 - self.am_share) + 1e-9)

    def deployment(self) -> list[int] | None:
        """Hunting slots by segment under the coverage plan (None: one pool)."""
        if self.cover is None:
            return None
        return deployed(self.hunting_capacity(), self.cover)

    def _deploy(self) -> None:
        """Set the pool to the hunting capacity, dealt to segments by the coverage plan."""
        self.slots.resize(self.hunting_capacity(), self.deployment())

    @property
    def hunting_slots(self) -> int:
        return int(self.slots.capacity)

    @property
    def effort(self) -> float:
        """Effort the commission buys, in [0, 1): rate / (rate + commission_half)."""
        return self.commission_rate / (self.commission_rate + self.econ.commission_half)

    def coverage(self, customers: float) -> float:
        """Share of customers the account-management slots keep fully covered, in [0, 1]."""
        if customers <= 0:
            return 1.0
        kept = (self.total_slots - self.hunting_slots) * self.econ.accounts_per_slot
        return min(1.0, kept / customers)

    def rep_cost_per_round(self) -> float:
        return self.econ.rep_cost_per_year * self.round_days / 365.0

    def staff(
        self,
        budget: float,
        training_share: float,
        commission_rate: float,
        account_management: float,
        coverage: np.ndarray | None = None,
    ) -> tuple[int, int, float, float]:
        """Apply a round's sales decisions: headcount the budget buys (hire or let go), training
        with the rest, commission, account management and the coverage plan (`coverage`:
        shares of the hunting slots by segment; None: one pool). Returns (hires, fires, hiring
        cost, severance)."""
        cost = self.rep_cost_per_round()
        target = headcount(budget, training_share, cost)
        hires = max(0, target - self.employed)
        fires = max(0, self.employed - target)
        if hires:
            self._blend_skill(hires)
            cohort = [self.env.now + self.econ.ramp_days, float(hires)]
            self.cohorts.append(cohort)
            self.env.process(self.ramp(cohort))
        if fires:
            self._let_go(fires)
        self.daily_training = max(0.0, budget - target * cost) / self.round_days
        self.commission_rate = commission_rate
        self.am_share = account_management
        self.cover = None if coverage is None else np.asarray(coverage, dtype=float)
        self._deploy()
        hiring = hires * self.econ.hiring_cost
        severance = fires * self.econ.severance_weeks / 52.0 * self.econ.rep_cost_per_year
        return hires, fires, hiring, severance

    def _blend_skill(self, hires: int) -> None:
        """New hires bring `new_rep_skill`; the force's skill is the headcount average."""
        n = self.employed
        base = self.econ.new_rep_skill
        self.skill = (self.skill * n + base * hires) / (n + hires) if n else base

    def _let_go(self, n: int) -> None:
        """Let go the newest hires first, then productive reps."""
        for cohort in reversed(self.cohorts):
            take = min(n, int(cohort[1]))
            cohort[1] -= take
            n -= take
        self.cohorts = [c for c in self.cohorts if c[1] > 0]
        self.productive = max(0, self.productive - n)

    def lose(self, share: float) -> int:
        """Attrition: a share of productive reps quit (no severance). Returns how many."""
        quit_ = int(round(self.productive * share))
        self.productive -= quit_
        self._deploy()
        return quit_

    def ramp(
        self, cohort: list[float], timer: simpy.Event | None = None
    ) -> Generator[simpy.Event, None, None]:
        """New hires become productive after ramp_days (`timer`: the wait restored from a
        snapshot)."""
        if timer is None:
            wait = max(0.0, cohort[0] - self.env.now)
            timer = self.env.timeout(wait)
            self.ramps.append((cohort, self.env.now + wait, timer))
        yield timer
        self.ramps = [r for r in self.ramps if r[2] is not timer]
        if cohort in self.cohorts and self.active:
            self.cohorts.remove(cohort)
            self.productive += int(cohort[1])
            self._deploy()

    def dissolve(self) -> None:
        """Bankruptcy: everyone leaves, no new deals start."""
        self.active = False
        self.productive = 0
        self.cohorts = []
        self.daily_training = 0.0
        self.slots.resize(0, None if self.cover is None else [0] * self.segments)

    def daily_salary(self) -> float:
        return self.employed * self.econ.rep_cost_per_year / 365.0

    def train(self) -> None:
        """One day of skill: d skill/dt = r g (1 - skill) - fade skill, where g = t / (t + K)
        is the saturating effect of training spend t per rep per year."""
        self.specialise()
        if self.employed == 0:
            return
        t = self.daily_training * 365.0 / self.employed
        g = self.econ.training_rate * t / (t + self.econ.training_half_saturation)
        rate = g + self.econ.skill_fade
        if rate > 0:
            target = g / rate
            self.skill = target + (self.skill - target) * float(np.exp(-rate * DT))

    def specialise(self) -> None:
        """One day of expertise: each segment's moves toward 1 while reps of its own work it
        (a coverage plan gives it slots) and toward 0 otherwise (one pool: generalists), with
        half-life `specialisation_half_life_days`."""
        caps = self.slots.caps
        if self.segments < 2 or (caps is None and not self.expertise.any()):
            return  # in a market of one segment every rep already works it: no expertise apart
        keep = 0.5 ** (1.0 / self.econ.specialisation_half_life_days)
        targets = [0.0] * self.segments if caps is None else [float(c > 0) for c in caps]
        self.expertise = np.array(
            [t + (x - t) * keep for t, x in zip(targets, self.expertise.tolist(), strict=True)]
        )

    # --- leads and deals -------------------------------------------------------------------

    def idle_slots(self) -> float:
        """Hunting slots with no deal and no lead waiting: they prospect."""
        return float(max(0, self.slots.capacity - len(self.slots.users) - len(self.slots.queue)))

    def idle_by_segment(self) -> np.ndarray | None:
        """Under a coverage plan, each segment's idle slots (they prospect in it); None for
        one pool."""
        pool = self.slots
        if pool.caps is None:
            return None
        waiting = pool.put_queue.by_segment  # type: ignore[attr-defined]
        return np.array(
            [max(0, c - h - len(w)) for c, h, w in zip(pool.caps, pool.held, waiting, strict=True)],
            dtype=float,
        )

    def observe_day(self) -> None:
        """Sample today's slot use, for rep utilization (busy slot-days / slot-days), and
        under a coverage plan each segment's slot-days (its alignment's denominator)."""
        self.slot_days += self.slots.capacity
        self.busy_slot_days += min(len(self.slots.users), self.slots.capacity)
        if self.slots.caps is not None:
            self.slot_days_by += self.slots.caps

    def start_round(self) -> None:
        """Reset the round's counters."""
        self.arrived = np.zeros(3, dtype=np.int64)  # leads by kind
        self.started = 0  # leads a slot took
        self.offered = 0.0  # expected slot-days the warm leads ask for
        self.offered_by = np.zeros(self.segments)  # the same by segment
        self.busy_slot_days = 0.0
        self.slot_days = 0.0
        self.slot_days_by = np.zeros(self.segments)  # under a coverage plan

    def receive(self, batch: LeadBatch) -> None:
        """Take one day's leads: each arrives at its offset within the day. The warm ones add
        their expected slot-days to the offered load (queueing theory's A = lambda / mu)."""
        self.arrived += np.bincount(batch.kind, minlength=3)
        self.offered += batch.offered
        if batch.offered_by is not None:
            self.offered_by += batch.offered_by
        self.env.process(self.arrivals(batch))

    def arrivals(self, batch: LeadBatch) -> Generator[simpy.Event, None, None]:
        """Release the day's leads at their offsets; each becomes a `work` process."""
        env = self.env
        start = env.now
        leads = zip(
            batch.offset.tolist(),
            batch.segment.tolist(),
            batch.kind.tolist(),
            batch.p_win.tolist(),
            batch.cycle.tolist(),
            batch.fate.tolist(),
            batch.patience.tolist(),
            batch.reason.tolist(),
            batch.fade.tolist(),
            strict=True,
        )
        for offset, segment, kind, p_win, cycle, fate, patience, reason, fade in leads:
            wait = start + offset - env.now
            if wait > 0:
                yield env.timeout(wait)
            deal = Deal(segment, kind, p_win, cycle, fate, patience, reason, fade, env.now)
            env.process(self.pursue(deal))

    def work(
        self,
        segment: int,
        kind: int,
        p_win: float,
        cycle: float,
        fate: float,
        patience: float,
        reason: int = RIVAL,
        fade: float = 0.0,
    ) -> Generator[simpy.Event, None, None]:
        """A lead arriving now: wait for a slot (or go cold), then work the deal to its end
        (`pursue`)."""
        deal = Deal(segment, kind, p_win, cycle, fate, patience, reason, fade, self.env.now)
        return self.pursue(deal)

    def pursue(
        self, deal: Deal, req: SlotRequest | None = None
    ) -> Generator[simpy.Event, None, None]:
        """A lead: wait for a slot (or go cold), then work the deal to its end. The longer it
        waited, the lower its odds: p_win x e^(-fade x days waited) (a lead answered late is
        lost as `slow` when it would have been won at once). `req`: the lead's request as a
        snapshot restored it (waiting in the queue, or holding a slot); None for a new lead."""
        env = self.env
        if req is None:
            req = SlotRequest(self.slots, deal)
            if req.triggered:
                pass
            elif deal.patience == math.inf:
                req.wait = req
            else:
                deal.due = env.now + deal.patience
                req.timer = env.timeout(deal.patience)
                req.wait = req | req.timer
        if deal.stage < 0:
            if req.wait is not None:
                try:
                    yield req.wait
                except simpy.Interrupt:
                    # Granted a slot and, at the same instant, dropped for a warm lead before
                    # the rep began: lost where it stood, at the first stage.
                    req.wait = None
                    self.record(deal, env.now, LOST, 0, DROPPED)
                    return
                # Decide by the request itself: a slot freed at the very instant patience ran
                # out was granted to this lead (the condition may not list it yet).
                if not req.triggered:
                    req.cancel()
                    self.record(deal, math.nan, COLD, -1, WENT_COLD)
                    return
                req.wait = None
            self.start(deal)
            hold = deal.cycle * float(_HELD[deal.stage])
            deal.due = env.now + hold
            req.timer = env.timeout(hold)
        timer = req.timer
        assert timer is not None  # a deal in a slot waits for its end
        try:
            yield timer
        except simpy.Interrupt:
            # A warm lead needed the slot: the rep drops this cold prospect, lost where it was.
            reached = int(np.searchsorted(_HELD * deal.cycle, env.now - deal.started, side="right"))
            self.record(deal, deal.started, LOST, min(reached, 3), DROPPED)
            return
        self.slots.release(req)
        outcome, reason = LOST, deal.reason
        if deal.fate < deal.p_win:
            outcome, reason = WON, -1
            if not self.active or (
                self.on_close is not None
                and not self.on_close(self.firm, deal.segment, deal.kind, env.now)
            ):
                outcome, reason = TAKEN, RIVAL
        self.record(deal, deal.started, outcome, deal.stage, reason)

    def record(self, deal: Deal, started: float, outcome: str, stage: int, reason: int) -> None:
        """Keep the story of a lead that ended now, for the round's report."""
        self.records.append(
            DealRecord(
                deal.segment, deal.kind, deal.arrived, started, self.env.now, outcome, stage, reason
            )
        )

    def start(self, deal: Deal) -> None:
        """A slot takes the lead now: the odds it is answered with, and the stage it ends at."""
        started = self.env.now
        deal.started = started
        self.started += 1
        if deal.fade > 0.0 and started > deal.arrived:
            answered = deal.p_win * math.exp(-deal.fade * (started - deal.arrived))
            if answered <= deal.fate < deal.p_win:
                deal.reason = SLOW
            deal.p_win = answered
        deal.stage = exit_stage(deal.fate, deal.p_win)

    # --- snapshots ---------------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """The force as plain data: its numbers, and under "pool" every lead in its pool as a
        `Deal` with its request's time and its pending timer as (due, place in the firing
        order): holding a slot (the pool's users, in order) or waiting for one (the queue, in
        order); and each ramp still running. Only at a round boundary, when no event is
        half-processed."""
        pending = self.env.order()  # type: ignore[attr-defined]

        def timer(event: simpy.Event | None) -> tuple[float, int] | None:
            if event is None:
                return None
            if id(event) not in pending:
                raise RuntimeError("a snapshot is taken only at a round boundary")
            return pending[id(event)]  # type: ignore[no-any-return]

        state = {k: v for k, v in self.__dict__.items() if k not in _SIMPY_PARTS}
        state["pool"] = {
            "capacity": self.slots.capacity,
            "caps": self.slots.caps,
            "holding": [(r.deal, r.time, r.usage_since, timer(r.timer)) for r in self.slots.users],
            "waiting": [(r.deal, r.time, timer(r.timer)) for r in self.slots.put_queue],
            "ramps": [(c, pending[id(t)]) for c, _, t in self.ramps if id(t) in pending],
        }
        return state

    def timers(self) -> list[tuple[int, float, list[simpy.Event]]]:
        """A restored force's pending timers as (place in the firing order, due, cell): the
        game sets every force's timers on the new clock in their original order and drops
        each into its cell, which `resume` then reads."""
        pool = self.__dict__["pool"]
        out: list[tuple[int, float, list[simpy.Event]]] = []
        cells: list[list[simpy.Event]] = []
        for *_, t in (*pool["holding"], *pool["waiting"], *pool["ramps"]):
            cell: list[simpy.Event] = []
            cells.append(cell)
            if t is not None:
                out.append((t[1], t[0], cell))
        pool["cells"] = cells
        return out

    def resume(
        self,
        env: simpy.Environment,
        on_close: Callable[[int, int, int, float], bool] | None,
        segments: int = 1,
    ) -> None:
        """Put a restored force on `env`, once `timers` are set: the pool as it stood, and
        each lead's, deal's and ramp's process waiting where it waited."""
        pool = self.__dict__.pop("pool")
        self.env, self.on_close = env, on_close
        if "cover" not in self.__dict__:  # a snapshot from before coverage plans: one pool
            self.cover, self.expertise = None, np.zeros(segments)
            self.segments = segments
            self.offered_by, self.slot_days_by = np.zeros(segments), np.zeros(segments)
        self.slots = SlotPool(env, capacity=1)
        self.slots._capacity = pool["capacity"]
        cells = iter(pool["cells"])
        work: list[SlotRequest] = []
        for deal, asked, since, _ in pool["holding"]:
            req = SlotRequest.restored(self.slots, deal, asked, since)
            req.timer = next(cells)[0]
            work.append(req)
        for deal, asked, t in pool["waiting"]:
            req = SlotRequest.restored(self.slots, deal, asked)
            timer = next(cells)
            if t is None:
                req.wait = req
            else:
                req.timer = timer[0]
                req.wait = req | req.timer
            work.append(req)
        self.ramps = []
        for cohort, t in pool["ramps"]:
            self.ramps.append((cohort, t[0], next(cells)[0]))
        self.slots.plan(pool.get("caps"))  # the queue by segment, the slots each holds
        for req in work:
            req.proc = env.process(self.pursue(req.deal, req))
        for cohort, _, timer in self.ramps:
            env.process(self.ramp(cohort, timer))

    def take_records(self) -> list[DealRecord]:
        """The round's closed leads and deals; counters restart for the next round."""
        out, self.records = self.records, []
        return out
