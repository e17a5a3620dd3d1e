"""A team's seat in a class, for the boardroom: `n` submits the draft to the class file, and
the round advances when the instructor closes it (the boardroom polls for that).

The market is replayed from the class file (`Classroom.game`), but the screens show only what
the team may see: its own books in full and the public market report. What-if is not
offered (it would need the other teams' decisions) and there is no save: the class file keeps
everything. Each call opens the class file afresh, so it is safe from worker threads.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sim.classroom.store import Classroom, Team, opened, whoami
from sim.model.decisions import expand
from sim.model.errors import InputError
from sim.model.report import RoundReport
from sim.numbers import time_left
from tui.session import Draft, Outcome, Session


def screen() -> str:
    """The source of a code typed on a login screen: this process (a terminal or a tab)."""
    return f"{whoami()} (screen {os.getpid()})"


class ClassSession(Session):
    """One team in one class."""

    submits = True
    can_forecast = False
    can_explain = False  # the class's rounds are explained by jigsaw explain --db
    can_save = False
    can_undo = False  # a class's rounds are closed for everyone
    public_only = True

    def __init__(self, db: str | Path, team: Team, code: str, full_mode: bool = False) -> None:
        self.db = Path(db)
        self.team = team
        self.code = code
        self.screen = f"boardroom {os.getpid()}"  # which screen submitted (one per process)
        with self.room() as room:
            game = room.game(team=team)
            mine = room.own_decision(team)
            self._announced = [(k, text) for k, _, text in room.announcements()]
            self._how = self._read_how(room)
            self.deadline = room.deadline
            self._closed_at = room.closed_at(room.open_round - 1)  # the last close we know of
        self._seen = len(self._announced)  # the news panel shows these; poll tells new ones
        self._news: list[str] = []
        super().__init__(game, save_path=self.db, full_mode=full_mode, player=team.firm_id)
        if mine is not None:
            self.draft = Draft.from_decision(mine.decision)
            self.full_mode = self.full_mode or self.uses_full_mode_levers()
        self.submitted_round = mine.round if mine is not None else None
        self._mine_at = mine.at if mine is not None else None  # the submission we know of

    @classmethod
    def login(
        cls, db: str | Path, team_name: str, code: str, source: str | None = None
    ) -> ClassSession:
        """Check the team's code, then open its seat (InputError on a wrong code). `source`:
        where the attempt comes from (default: this screen, one per process: under
        `class serve`, one per browser tab)."""
        with opened(db) as room:
            team = room.check_team(team_name, code, source or screen())
        return cls(db, team, code)

    def room(self) -> Any:
        return opened(self.db)

    @property
    def round_label(self) -> str:
        """The round, and always whether this seat's decisions for it are in."""
        label = super().round_label
        if self.finished:
            return label
        left = f" · {time_left(self.deadline)}" if self.deadline else ""
        if self.submitted_round == self.game.round + 1:
            return f"{label} · submitted{left}"
        return f"{label} · not submitted{left}"

    def _read_how(self, room: Classroom) -> dict[int, tuple[str, str]]:
        """How each closed round's decision of this team came about: (how, by)."""
        return {d.round: (d.how, d.by) for d in room.decisions() if d.team == self.team.name}

    def how(self, round_no: int) -> str:
        """'submitted', 'carried' (the team did not submit), 'instructor' (overridden) or
        'computer' (before a late team joined: `class add-team`)."""
        how, by = self._how.get(round_no, ("submitted", ""))
        if by.startswith("computer: "):
            return "computer"
        return "instructor" if how == "submitted" and by == "instructor" else how

    def round_notes(self, round_no: int) -> list[str]:
        how = self.how(round_no)
        if how == "computer":
            strategy = self._how[round_no][1].removeprefix("computer: ")
            return [
                f"Your team had not joined yet: in round {round_no} a computer ran this firm "
                f"({strategy})."
            ]
        if how == "carried":
            return [
                f"You did not submit round {round_no}: the class kept your last decisions "
                "(the balanced default before your first), cut to what your cash allowed."
            ]
        if how == "instructor":
            return [f"Your instructor set your decisions for round {round_no}."]
        return []

    # --- playing -------------------------------------------------------------------------

    def advance(self) -> Outcome:
        """Submit the draft for the open round (the outcome names the round it went in for)."""
        decision = self.decision()
        with self.room() as room:
            k = room.submit(
                self.team.name,
                self.code,
                decision.to_dict(),
                "your decisions",
                by=f"{self.team.name} ({self.screen})",
                seat=screen(),
            )
            mine = room.own_decision(self.team)
        self.submitted_round = k
        self._mine_at = mine.at if mine is not None else None
        return Outcome(submitted=k)

    def poll(self) -> list[RoundReport]:
        """The rounds the instructor closed since we last looked (their reports), if any. A
        round the instructor reopened (rollback) takes the seat back to it, with a notice."""
        with self.room() as room:
            closed = room.open_round - 1
            self._announced = [(k, text) for k, _, text in room.announcements()]
            for k, text in self._announced[self._seen :]:
                self._news.append(f"Your instructor (round {k}): {text}")
            self._seen = len(self._announced)
            mine = room.own_decision(self.team)
            self.deadline = room.deadline
            closed_at = room.closed_at(closed)
            replayed = closed == self.game.round and closed_at != self._closed_at
            if closed == self.game.round and not replayed:
                self._resubmitted(mine)
                return []
            game = room.game(team=self.team)
            self._how = self._read_how(room)
        before = self.game.round
        self.game = game
        self._closed_at = closed_at
        if replayed:  # reopened and closed again while this screen was not looking
            self._news.append(
                f"The instructor reopened round {closed} and played it again: the boardroom "
                "shows its new results."
            )
            if mine is not None:  # its submission for the open round still counts: shown
                self._resubmitted(mine)
            else:
                self._played_elsewhere(closed)
            return []
        if closed < before:
            again = f"round {before}" if closed + 1 == before else f"rounds {closed + 1}-{before}"
            self._news.append(
                f"The instructor reopened round {closed + 1}: {again} will be played again. "
                "Your submitted decisions still count; you may change this round's."
            )
            self.submitted_round = mine.round if mine is not None else None
            self._mine_at = mine.at if mine is not None else None
            if mine is not None:
                self.draft = Draft.from_decision(mine.decision)
                self._show_full_mode()
            return []
        if mine is not None:  # already submitted for the open round (from elsewhere): shown
            self._resubmitted(mine)
        else:
            self._played_elsewhere(game.round)
        self._mine_at = mine.at if mine is not None else None
        self.submitted_round = mine.round if mine is not None else None
        return game.reports[before:]

    def _played_elsewhere(self, round_no: int) -> None:
        """After a round closes, the draft is what the team played in it (what the class
        keeps for the next round unless the team submits): a decision submitted elsewhere (a
        file, another tab, the instructor) or carried replaces what this screen last showed,
        with a notice."""
        played = self.game.history[-1].get(self.player) if self.game.history else None
        if played is None:
            return
        try:
            drafted = expand(
                self.scenario, self.draft.table(), "your decisions", firm_id=self.player
            )
        except InputError:
            drafted = None
        if drafted == played:
            return
        self.draft = Draft.from_decision(played)
        self._show_full_mode()
        self._news.append(
            f"Round {round_no} was played with other decisions than this screen showed "
            "(submitted from a file, another tab or by the instructor, or cut to the cash "
            "there was): the boardroom now shows them, and the class keeps them for round "
            f"{round_no + 1} unless you submit others."
        )

    def _show_full_mode(self) -> None:
        """Decisions that came from elsewhere and set what only full mode shows switch the
        seat to full mode, with a notice: nothing is played unseen."""
        if not self.full_mode and self.uses_full_mode_levers():
            self.full_mode = True
            self._news.append(
                "These decisions set levers only full mode shows (the mix, the sales levers, "
                "studies, a coverage plan, a qualification bar or routes): the boardroom "
                "switched to full mode to show them."
            )

    def _resubmitted(self, mine: Any) -> None:
        """A submission for the open round made elsewhere (another tab of the team, a file,
        the instructor) shows here too: the draft becomes it, with a notice."""
        if mine is None or mine.at == self._mine_at:
            return
        self._mine_at = mine.at
        self.submitted_round = mine.round
        self.draft = Draft.from_decision(mine.decision)
        self._show_full_mode()
        if mine.by != f"{self.team.name} ({self.screen})":
            self._news.append(
                f"Your decisions for round {mine.round} were submitted from elsewhere "
                f"({mine.by}, {mine.at[11:19]} UTC); the boardroom now shows them."
            )

    def news(self) -> list[str]:
        news, self._news = self._news, []
        return news

    def announcements(self) -> list[tuple[int, str]]:
        return list(self._announced)

    def forecast(self, replications: int = 4, progress: Any = None) -> list[RoundReport]:
        raise InputError("", "", "what-if is not available in class play")

    def save(self, path: Path | None = None) -> Path:
        return self.db

    def autosave(self) -> Path | None:
        return None
