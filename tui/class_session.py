"""A team's seat in a class, for the boardroom: `n` submits the draft to the class file, and
the round advances when the instructor closes it (the boardroom polls for that).

The market is replayed from the class file (`Classroom.game`), but the screens show only what
the team may see: its own books in full and the public market report. What-if is not
offered (it would need the other teams' decisions) and there is no save: the class file keeps
everything. Each call opens the class file afresh, so it is safe from worker threads.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim.classroom.store import Classroom, Team, opened, whoami
from sim.model.errors import InputError
from sim.model.report import RoundReport
from tui.session import Draft, Outcome, Session


def screen() -> str:
    """The source of a code typed on a login screen: this process (a terminal or a tab)."""
    return f"{whoami()} (screen {os.getpid()})"


class ClassSession(Session):
    """One team in one class."""

    submits = True
    can_forecast = False
    can_save = False
    can_undo = False  # a class's rounds are closed for everyone
    public_only = True

    def __init__(self, db: str | Path, team: Team, code: str, full_mode: bool = False) -> None:
        self.db = Path(db)
        self.team = team
        self.code = code
        with self.room() as room:
            game = room.game()
            mine = room.own_decision(team)
            self._announced = [(k, text) for k, _, text in room.announcements()]
        self._seen = len(self._announced)  # the news panel shows these; poll tells new ones
        self._news: list[str] = []
        super().__init__(game, save_path=self.db, full_mode=full_mode, player=team.firm_id)
        if mine is not None:
            self.draft = Draft.from_decision(mine.decision)
        self.submitted_round = mine.round if mine is not None else None

    @classmethod
    def login(
        cls, db: str | Path, team_name: str, code: str, source: str | None = None
    ) -> ClassSession:
        """Check the team's code, then open its seat (InputError on a wrong code). `source`:
        where the attempt comes from (default: this screen, one per process: under
        `class serve`, one per browser tab)."""
        with cls._open(db) as room:
            team = room.check_team(team_name, code, source or screen())
        return cls(db, team, code)

    @staticmethod
    @contextmanager
    def _open(db: str | Path) -> Iterator[Classroom]:
        with opened(db) as room:
            yield room

    def room(self) -> Any:
        return self._open(self.db)

    @property
    def round_label(self) -> str:
        label = super().round_label
        if self.submitted_round == self.game.round + 1:
            return f"{label} · submitted"
        return label

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
                by=f"{self.team.name} (boardroom)",
            )
        self.submitted_round = k
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
            if closed == self.game.round:
                return []
            game = room.game()
            mine = room.own_decision(self.team)
        before = self.game.round
        self.game = game
        if closed < before:
            self._news.append(
                f"The instructor reopened round {closed + 1}: rounds {closed + 1}-{before} will "
                "be played again. Your submitted decisions still count; you may change this "
                "round's."
            )
            self.submitted_round = mine.round if mine is not None else None
            if mine is not None:
                self.draft = Draft.from_decision(mine.decision)
            return []
        return game.reports[before:]

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
