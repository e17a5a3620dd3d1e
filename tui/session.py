"""A solo player's session: the game, the decisions being drafted, and where it is saved.

The model (`sim.Game`) owns the truth; the session holds only what the player is typing for
the next round (the draft) and turns it into a validated `Decision` when asked. Nothing here
imports Textual, so it is tested without a terminal.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from sim.experiments.explain import Explanation, explain
from sim.experiments.hindsight import look_back
from sim.experiments.luck import luck
from sim.experiments.quality import RoundQuality, quality
from sim.experiments.whatif import forecast
from sim.model.decisions import SIMPLE_LEVERS, Decision, expand, split_budget
from sim.model.errors import InputError
from sim.model.forecast import DRAWS
from sim.model.game import Game
from sim.model.goals import GoalCheck, check_goals
from sim.model.pipeline import deployed
from sim.model.report import RoundReport
from sim.model.rivals import RivalView, deploy_by_load
from sim.model.scenario import AXES, CHANNELS, Scenario
from sim.model.workload import TooManyLeads
from sim.numbers import and_list, money, plural


def save_dir() -> Path:
    """Where saves go: $JIGSAW_SAVE_DIR, else ~/.local/share/jigsaw/saves."""
    env = os.environ.get("JIGSAW_SAVE_DIR")
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "jigsaw" / "saves"


LUCK_DRAWS = 20  # the scorecard's draws of luck: the expected score to about +-1.5 points
CONFIRM_OVERRUN = 0.25  # spending more than a quarter beyond the budget asks first
AUTOSAVES_KEPT = 50  # the newest autosaves are kept; older ones go when a game starts
STALE_SECONDS = 60  # a temp file this old is left by a crash (a save takes milliseconds)
_AUTOSAVE = re.compile(
    r"^(?P<scenario>.+)-seed(?P<seed>\d+)-(?P<started>\d{8}-\d{6})(-\d+)?\.json$"
)


def autosave_dir() -> Path:
    """Where each game's autosave goes: one file per game, in `saves/autosave`."""
    return save_dir() / "autosave"


def new_autosave(scenario: Scenario, seed: int, started: datetime | None = None) -> Path:
    """A fresh autosave name for a game: scenario, seed and start time (a number added if two
    games start in the same second), so no game overwrites another's."""
    when = (started or datetime.now()).strftime("%Y%m%d-%H%M%S")
    stem = f"{slug(scenario.meta.name)}-seed{seed}-{when}"
    path, k = autosave_dir() / f"{stem}.json", 2
    while path.exists():
        path, k = autosave_dir() / f"{stem}-{k}.json", k + 1
    return path


def new_save(scenario: Scenario, seed: int) -> Path:
    """Where ctrl+s saves a new game: scenario and seed (a number added when an earlier game
    of the same scenario and seed saved there), so saving never overwrites another game's
    save. A loaded game saves back to the file it came from."""
    stem = f"{slug(scenario.meta.name)}-{seed}"
    path, k = save_dir() / f"{stem}.json", 2
    while path.exists():
        path, k = save_dir() / f"{stem}-{k}.json", k + 1
    return path


@dataclass(frozen=True)
class Autosave:
    """An autosave on disk, as the new-game screen lists it."""

    path: Path
    scenario: str
    seed: int
    started: datetime
    saved: datetime

    def label(self) -> str:
        return (
            f"{self.scenario} · seed {self.seed} · started {self.started:%d %b %H:%M} · "
            f"saved {self.saved:%d %b %H:%M}"
        )


def autosaves() -> list[Autosave]:
    """Every game's autosave, the most recently saved first."""
    found = []
    try:
        entries = list(autosave_dir().iterdir())
    except OSError:
        return []
    for path in entries:
        m = _AUTOSAVE.match(path.name)
        if not m:
            continue
        try:
            saved = datetime.fromtimestamp(path.stat().st_mtime)
            started = datetime.strptime(m["started"], "%Y%m%d-%H%M%S")
        except (OSError, ValueError):
            continue
        found.append(Autosave(path, m["scenario"], int(m["seed"]), started, saved))
    return sorted(found, key=lambda a: (a.saved, a.path.name), reverse=True)


def tidy_saves(now: float | None = None) -> int:
    """What a crash or many games leave behind, removed when a game starts: temp files of an
    interrupted save (older than STALE_SECONDS, so a save in progress elsewhere is safe) and
    autosaves beyond the newest AUTOSAVES_KEPT. Returns how many files went."""
    now = time.time() if now is None else now
    gone = 0
    for folder in (save_dir(), autosave_dir()):
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for path in entries:
            if not (path.name.startswith(".") and path.name.endswith(".tmp")):
                continue
            try:
                if now - path.stat().st_mtime > STALE_SECONDS:
                    path.unlink()
                    gone += 1
            except OSError:
                continue
    for old in autosaves()[AUTOSAVES_KEPT:]:
        try:
            old.path.unlink()
            gone += 1
        except OSError:
            continue
    return gone


def tenths(shares: dict[str, float]) -> dict[str, float]:
    """Round shares to 0.1% so they still sum to 100% (the largest-remainder rule a coverage
    plan deals its slots by, `sim.model.pipeline.deployed`, over 1,000 tenths)."""
    if sum(shares.values()) <= 0:
        shares = dict.fromkeys(shares, 1.0)
    whole = deployed(1000, np.array(list(shares.values())))
    return {k: n / 1000.0 for k, n in zip(shares, whole, strict=True)}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "game"


# The draft's fields only full mode shows (routes aside: `Draft.routed`).
FULL_MODE_FIELDS = (
    "mix",
    "targeting",
    "training_share",
    "commission_rate",
    "account_management",
    "research",
    "coverage",
    "qualification",
)


@dataclass
class Draft:
    """The player's next-round settings as typed (validated only by `Session.decision`)."""

    budget: float
    marketing_share: float
    price: float = 1.0
    mix: dict[str, float] = field(default_factory=dict)
    targeting: dict[str, float] = field(default_factory=dict)
    training_share: float = 0.1
    commission_rate: float = 0.08
    account_management: float = 0.2
    product_share: float = 0.0  # of the whole budget, for R&D; marketing and sales split the rest
    positioning: tuple[float, float] | None = None  # (power, service) claimed; None: as before
    research: list[str] = field(default_factory=list)
    coverage: dict[str, float] | None = None  # reps by segment (a coverage plan); None: one pool
    qualification: float = 0.0  # share of new warm leads sent to nurture (the lowest-scored)
    # routes to market: shares of each segment's warm leads to partners and to self-serve,
    # and the partners' margin (None: the market's)
    partner: dict[str, float] = field(default_factory=dict)
    self_serve: dict[str, float] = field(default_factory=dict)
    partner_margin: float | None = None

    @property
    def routed(self) -> bool:
        """Whether any lead goes by partners or self-serve, or a margin is set."""
        shares = (*self.partner.values(), *self.self_serve.values())
        return any(v > 0 for v in shares) or self.partner_margin is not None

    def drop_routes(self) -> None:
        self.partner, self.self_serve, self.partner_margin = {}, {}, None

    @classmethod
    def from_decision(cls, d: Decision) -> Draft:
        target = d.marketing.positioning
        return cls(
            budget=d.total_budget,
            marketing_share=d.marketing_share,
            price=d.price,
            mix=dict(d.marketing.mix),
            targeting=dict(d.marketing.targeting),
            training_share=d.sales.training_share,
            commission_rate=d.sales.commission_rate,
            account_management=d.sales.account_management,
            product_share=d.product_share,
            positioning=target.xy() if target is not None else None,
            research=list(d.research),
            coverage=dict(d.sales.coverage) if d.sales.coverage is not None else None,
            qualification=d.marketing.qualification,
            partner=dict(d.routes.partner) if d.routes is not None else {},
            self_serve=dict(d.routes.self_serve) if d.routes is not None else {},
            partner_margin=d.routes.partner_margin if d.routes is not None else None,
        )

    @property
    def budgets(self) -> tuple[float, float, float]:
        """(marketing, sales, R&D) of this draft (`sim.model.decisions.split_budget`)."""
        return split_budget(self.budget, self.marketing_share, self.product_share)

    def table(self) -> dict[str, Any]:
        """The full-form decisions table this draft stands for."""
        for_marketing, for_sales, for_product = self.budgets
        marketing: dict[str, Any] = {
            "budget": for_marketing,
            "mix": dict(self.mix),
            "targeting": dict(self.targeting),
        }
        if self.positioning is not None:
            marketing["positioning"] = dict(zip(AXES, self.positioning, strict=True))
        if self.qualification:
            marketing["qualification"] = self.qualification
        return {
            "marketing": marketing,
            "sales": {
                "budget": for_sales,
                "training_share": self.training_share,
                "commission_rate": self.commission_rate,
                "account_management": self.account_management,
                **({"coverage": dict(self.coverage)} if self.coverage is not None else {}),
            },
            "product": {"budget": for_product},
            "research": list(self.research),
            "price": self.price,
            **({"routes": self.routes_table()} if self.routed else {}),
        }

    def routes_table(self) -> dict[str, Any]:
        """The `[routes]` table of this draft (the shares given, the margin if set)."""
        table: dict[str, Any] = {}
        if any(v > 0 for v in self.partner.values()):
            table["partner"] = dict(self.partner)
        if any(v > 0 for v in self.self_serve.values()):
            table["self_serve"] = dict(self.self_serve)
        if self.partner_margin is not None:
            table["partner_margin"] = self.partner_margin
        return table


@dataclass(frozen=True)
class Outcome:
    """What playing the draft did: the round it played (solo), or the round it was recorded
    for (a class seat submits; the instructor plays the round)."""

    report: RoundReport | None = None
    submitted: int | None = None


class Session:
    """One solo game in the terminal: the seat the screens talk to. A class seat
    (`tui.class_session.ClassSession`) offers the same interface; the flags below say what
    each kind allows."""

    # What this kind of session offers the screens (a class seat overrides them).
    submits = False  # n submits decisions to a class instead of playing the round
    can_forecast = True  # what-if
    can_explain = True  # a round's change explained (a class seat asks the command line)
    can_save = True
    can_undo = True  # solo play may go back a round; a class may not
    public_only = False  # rivals' private figures (brand) stay hidden

    def __init__(
        self,
        game: Game,
        save_path: Path | None = None,
        full_mode: bool = False,
        player: str | None = None,
    ) -> None:
        self.game = game
        game.keep_snapshots = True  # undo restores the round before instead of replaying
        self.full_mode = full_mode
        players = game.player_ids
        self.player = player or (players[0] if players else game.ids[0])
        self.save_path = save_path or new_save(game.scenario, game.seed)
        # This game's own autosave: the file it was loaded from if that is an autosave,
        # else a fresh name, so a second game never overwrites the first one's.
        loaded_autosave = (
            save_path is not None and save_path.resolve().parent == autosave_dir().resolve()
        )
        self.autosave_path = (
            save_path if loaded_autosave and save_path else new_autosave(game.scenario, game.seed)
        )
        self.autosave_problem: str | None = None  # why the last autosave failed, if it did
        self.draft = self._initial_draft()

    @classmethod
    def new(cls, scenario: Scenario, seed: int, full_mode: bool = False) -> Session:
        return cls(Game(scenario, seed), full_mode=full_mode)

    @classmethod
    def load(cls, path: str | Path, max_leads: float | None = None) -> Session:
        """Continue a saved game; full mode if its last decisions used more than the split
        (`uses_full_mode_levers`)."""
        p = Path(path)
        session = cls(Game.load(p, max_leads), save_path=p)
        session.full_mode = session.uses_full_mode_levers()
        return session

    def uses_full_mode_levers(self) -> bool:
        """Whether the draft sets what only full mode shows (the mix, targeting, the sales
        levers, studies, a coverage plan, a qualification bar, routes to market): such a draft
        is shown in full mode, never played unseen."""
        defaults = self.default_draft()
        d = self.draft
        return d.routed or any(getattr(d, k) != getattr(defaults, k) for k in FULL_MODE_FIELDS)

    def drop_full_mode_levers(self) -> list[str]:
        """Leaving full mode: the levers only full mode shows are dropped (simple mode has no
        field to undo them, so none is played unseen): the market studies, a coverage plan,
        a qualification bar, routes to market. Returns what was dropped, in words."""
        d = self.draft
        dropped = []
        if d.research:
            d.research = []
            dropped.append("the market studies")
        if d.coverage is not None:
            d.coverage = None
            dropped.append("the coverage plan")
        if d.qualification:
            d.qualification = 0.0
            dropped.append("the qualification bar")
        if d.routed:
            d.drop_routes()
            dropped.append("the routes to market")
        return dropped

    # --- state ---------------------------------------------------------------------------

    @property
    def scenario(self) -> Scenario:
        return self.game.scenario

    @property
    def reports(self) -> list[RoundReport]:
        return self.game.reports

    def goals(self, through: int | None = None) -> list[GoalCheck]:
        """Where each of the scenario's goals stands after the rounds played (or through
        round `through`), for the player (`sim.model.goals`)."""
        played = self.reports if through is None else self.reports[:through]
        ended = through is None and bool(played) and self.bankrupt
        return check_goals(self.scenario, [r.firms[self.player] for r in played], ended)

    @property
    def last(self) -> RoundReport | None:
        return self.game.reports[-1] if self.game.reports else None

    @property
    def round_label(self) -> str:
        n = self.scenario.meta.rounds
        if self.game.history and self.bankrupt:  # its game is over, whatever the market's
            return f"Bankrupt after round {self.game.round} of {n}"
        k = min(self.game.round + 1, n)
        return f"Round {k} of {n}"

    def _initial_draft(self) -> Draft:
        """Last round's decisions if any, else the scenario's defaults at a 40% split."""
        if self.game.history and self.player in self.game.history[-1]:
            return Draft.from_decision(self.game.history[-1][self.player])
        return self.default_draft()

    def default_draft(self) -> Draft:
        """The scenario's defaults at a 40% split: where a new game starts, and what simple
        mode leaves as it is."""
        scen = self.scenario
        simple = {"budget": scen.meta.budget_per_round, "marketing_share": 0.4}
        return Draft.from_decision(expand(scen, simple, firm_id=self.player))

    # --- decisions -----------------------------------------------------------------------

    def view(self) -> RivalView:
        """What the player's firm may know now (the model's view of a seat)."""
        return self.game.view(self.player)

    def decision(self) -> Decision:
        """The draft as a validated decision; raises `InputError` naming the field."""
        d = expand(self.scenario, self.draft.table(), "your decisions", firm_id=self.player)
        self.view().check_affordable(d, "your decisions", "budget")
        return d

    def derived(self) -> dict[str, float]:
        """Figures that follow from the draft: headcount, cash after spending, credit used
        (`RivalView.consequences`)."""
        d = self.draft
        marketing, sales, product = d.budgets
        return self.view().consequences(marketing, sales, product, d.training_share, d.research)

    def over_budget(self) -> str:
        """'' or a warning that the draft spends beyond its budget, and on what (hiring,
        severance and studies come on top of the budget's split)."""
        extra = self.overrun()
        if extra <= max(1.0, 0.001 * self.draft.budget):
            return ""
        x = self.derived()
        budget = self.draft.budget
        studies = len(self.draft.research)
        parts = [  # (what, whether it takes a plural verb)
            (f"hiring {plural(round(x['hires']), 'rep')} ({money(x['hiring'])}, once)", False)
            if x["hiring"] > 0
            else None,
            (
                f"letting {plural(round(x['fires']), 'rep')} go "
                f"({money(x['severance'])} of severance)",
                False,
            )
            if x["severance"] > 0
            else None,
            (f"the {'study' if studies == 1 else 'studies'} ({money(x['research'])})", studies > 1)
            if x["research"] > 0
            else None,
        ]
        why = [p for p in parts if p is not None]
        many = len(why) > 1 or any(p[1] for p in why)
        return (
            f"You will spend {money(x['spend'])}, {money(extra)} over your budget of "
            f"{money(budget)}"
            + (
                f": {and_list([p[0] for p in why])} {'come' if many else 'comes'} on top of it"
                if why
                else ""
            )
            + "."
        )

    def overrun(self) -> float:
        """What the draft spends beyond its budget (0 when within it)."""
        return max(0.0, self.derived()["spend"] - self.draft.budget)

    def confirm_overrun(self) -> bool:
        """Ask before playing: the draft overruns its budget by more than CONFIRM_OVERRUN of
        it (a smaller overrun, such as the tutorial's first hires, is only shown)."""
        return self.overrun() > CONFIRM_OVERRUN * max(self.draft.budget, 1.0)

    def defaults_for_full_mode(self) -> None:
        """Make sure mix and targeting hold every channel and segment, in whole tenths of a
        percent that sum to exactly 100% (so the fields show round numbers)."""
        econ = self.scenario.economics_for(self.scenario.firm(self.player))
        for ch in CHANNELS:
            self.draft.mix.setdefault(ch, econ.mix[ch])
        for seg, share in self.scenario.default_targeting().items():
            self.draft.targeting.setdefault(seg, share)
        self.draft.mix = tenths(self.draft.mix)
        self.draft.targeting = tenths(self.draft.targeting)
        if self.draft.coverage is not None:
            self.draft.coverage = tenths(self.draft.coverage)

    def suggested_coverage(self) -> dict[str, float]:
        """A coverage plan to start from: reps where the last round's warm workload was
        (`load_by_segment`), or, before any round, where marketing aims (the targeting); in
        tenths of a percent summing to 100."""
        plan = deploy_by_load(self.view())  # the rule the adaptive rival deploys by
        if plan is None:
            plan = dict(self.draft.targeting or self.scenario.default_targeting())
        return tenths({seg: plan.get(seg, 0.0) for seg in self.scenario.segment_ids})

    # --- playing -------------------------------------------------------------------------

    def advance(self) -> Outcome:
        """Play the next round with the draft (validated first), then autosave."""
        decision = self.decision()
        try:
            report = self.game.play_round({self.player: decision})
        except TooManyLeads:  # stopped mid-round: the game goes back to where it stood
            self.game = self.game.rewound(1)
            raise
        self.autosave()
        return Outcome(report=report)

    def poll(self) -> list[RoundReport]:
        """Rounds someone else closed since the screens last looked: none in solo play."""
        return []

    def news(self) -> list[str]:
        """What happened to the seat since the screens last looked, besides closed rounds
        (an announcement, a round reopened): nothing in solo play."""
        return []

    def how(self, round_no: int) -> str:
        """How the seat's decisions for a closed round came about: 'submitted' (solo: always),
        'carried' or 'instructor' in a class."""
        return "submitted"

    def round_notes(self, round_no: int) -> list[str]:
        """What the round report must say about how the seat's decisions came about."""
        return []

    def announcements(self) -> list[tuple[int, str]]:
        """Messages from whoever runs the game, oldest first: (round, text). None solo."""
        return []

    def undo(self) -> int:
        """Go back one round: the game is restored as it stood before that round (from the
        snapshot kept of it, or by replay after a load), and the draft holds
        the decisions of the round taken back (play them again, or change them). Returns the
        round that is open again."""
        if not self.game.history:
            raise InputError("", "", "nothing to go back to: no round has been played")
        taken_back = self.game.history[-1].get(self.player)
        self.game = self.game.rewound(1)
        if taken_back is not None:
            self.draft = Draft.from_decision(taken_back)
        self.autosave()
        return self.game.round + 1

    def forecast(self, replications: int = DRAWS, progress: Any = None) -> list[RoundReport]:
        """The next round under the draft, over several draws of luck (the game unchanged)."""
        return forecast(self.game, {self.player: self.decision()}, replications, 0, progress)

    @property
    def finished(self) -> bool:
        return self.game.finished

    @property
    def bankrupt(self) -> bool:
        return self.view().bankrupt

    def save(self, path: Path | None = None) -> Path:
        """Save atomically (the file is a replay: scenario, seed, every decision)."""
        target = path or self.save_path
        try:
            self.game.save(target)
        except OSError as exc:
            raise InputError(str(target), "", f"cannot write save ({exc.strerror})") from None
        return target

    def autosave(self) -> Path | None:
        """Save to this game's autosave; a failure (a full disk, a read-only folder) is kept
        in `autosave_problem` for the screens to show, never raised: the round was played."""
        try:
            path = self.save(self.autosave_path)
        except InputError as exc:
            self.autosave_problem = str(exc)
            return None
        self.autosave_problem = None
        return path

    def hindsight(
        self, shares: list[float], progress: Any = None
    ) -> list[tuple[float, float, float]]:
        """An honest look back, like for like: the whole game again (same seed, same rivals'
        rules) with the player's own decisions of every round split one way between marketing
        and sales, everything else as played, for each share; the games in parallel where
        cores allow (`sim.experiments.hindsight`).
        Returns [(share, cumulative profit, scorecard total)]."""
        mine = [h[self.player] for h in self.game.history if self.player in h]
        looks = look_back(
            self.scenario,
            self.game.seed,
            self.player,
            self.average_budget(),
            shares,
            progress,
            mine=mine,
        )
        return list(looks)

    def luck(self, draws: int = LUCK_DRAWS, progress: Any = None) -> str:
        """The scorecard's luck line: where this game's result falls among what the same
        decisions earn over other draws of luck (`sim.experiments.luck`)."""
        return luck(self.game, draws, progress=progress).line(self.player)

    def explain(self, round_no: int, progress: Any = None) -> Explanation:
        """Round `round_no`'s change against the round before, split into what caused it
        (`sim.experiments.explain`), from the snapshots kept for undo."""
        return explain(self.game, self.player, round_no, progress=progress, private=True)

    def quality(self, round_no: int, progress: Any = None) -> RoundQuality:
        """Round `round_no`'s decision against its neighbours (`sim.experiments.quality`)."""
        levers = None if self.full_mode else SIMPLE_LEVERS  # only what the form shows
        judged = quality(self.game, self.player, [round_no], progress=progress, levers=levers)
        return judged.rounds[0]

    def average_budget(self) -> float:
        mine = [h[self.player].total_budget for h in self.game.history if self.player in h]
        return sum(mine) / len(mine) if mine else self.scenario.meta.budget_per_round
