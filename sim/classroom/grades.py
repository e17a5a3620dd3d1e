"""Grades from a class: one row per team (or per member, with a roster), and the layouts the
two most used learning-management systems import.

    grades(room)                      -> rows: team, rank, score, each measure
    read_roster(path, room)           -> members: name, id, email, team (and section)
    grade_sheet(room, roster, lms)    -> CSV text (neutralised, sim.csvtext)

The score is the balanced scorecard total (0..100, `sim.model.report.scorecard`) after the
rounds closed so far; each measure's score is its own column. In a duplicate class each team is
scored in its own copy of the market and ranked against the other teams
(`Classroom.leaderboard`). Graded by skill (`by="skill"`),
it is instead the expected score of the team's decisions over other draws of luck, the same
for every team (`sim.experiments.luck`; docs/LUCK.md), with the score as played and its luck
percentile beside it.
Canvas (gradebook import): `Student Name, Student ID, SIS User ID, SIS Login ID, Section`,
then one column for the assignment. Moodle (grade import from CSV): the member's email (or,
when a roster has no emails, its idnumber), then the grade.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.classroom.store import Classroom
from sim.csvtext import csv_text
from sim.experiments.luck import DRAWS, FirmLuck, across_copies, luck
from sim.model.errors import InputError
from sim.model.files import read_text
from sim.model.game import Game
from sim.model.report import ranks

LMS = ("canvas", "moodle")
MAX_MEMBERS = 5_000
MAX_FIELD = 200
ROSTER_COLUMNS = ("name", "id", "email", "team")  # required; `section` is optional


@dataclass(frozen=True)
class Member:
    name: str
    id: str
    email: str
    team: str  # the team's name as the class spells it
    section: str = ""


BY = ("result", "skill")


def grades(
    room: Classroom,
    by: str = "result",
    draws: int = DRAWS,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """One row per team, best first: team, rank, score and each measure's score. By skill,
    the score is the expected score of the team's decisions over `draws` other draws of luck
    (`sim.experiments.luck`), with its 95% interval, the score as played and its luck
    percentile beside it."""
    markets = room.markets()
    if not markets or next(iter(markets.values())).round == 0:
        raise InputError(str(room.path), "", "no round has been closed yet: grades come after one")
    if by == "skill":
        firms = _skill(room, markets, draws, progress)
        teams = sorted(room.teams, key=lambda t: (-firms[t.name].expected_score, t.copy))
        # in a duplicate class teams that decided alike share a rank
        rank = ranks({t.name: firms[t.name].expected_score for t in teams}, room.duplicate)
        return [
            {
                "team": t.name,
                "rank": rank[t.name],
                "score": round(firms[t.name].expected_score, 1),
                "score_low": round(firms[t.name].score_low, 1),
                "score_high": round(firms[t.name].score_high, 1),
                "played": round(firms[t.name].score, 1),
                "luck": round(firms[t.name].score_percentile),
            }
            for t in teams
        ]
    if by != "result":
        raise InputError("--by", by, f"expected one of {', '.join(BY)}")
    rows = []
    for standing in room.leaderboard(markets):
        if standing.team is None:
            continue
        row = standing.score
        rows.append(
            {"team": standing.name, "rank": standing.rank, "score": round(row["total"], 1)}
            | {m: round(v, 1) for m, v in row["scores"].items()}
        )
    return rows


def _skill(
    room: Classroom,
    markets: dict[str, Game],
    draws: int,
    progress: Callable[[int, int], None] | None,
) -> dict[str, FirmLuck]:
    """Each team's luck against skill (`sim.experiments.luck`), by team name: over the one
    market, or over each team's own copy in a duplicate class (the same draws for each)."""
    if room.duplicate:
        copies = {t.name: (markets[t.name], t.firm_id) for t in room.teams}
        return {f.firm: f for f in across_copies(copies, draws, progress=progress).firms}
    result = luck(next(iter(markets.values())), draws, progress=progress)
    return {t.name: result.firm(t.firm_id) for t in room.teams}


def read_roster(path: str | Path, room: Classroom) -> list[Member]:
    """A roster CSV (header: name,id,email,team[,section]; bounded in size and rows), each
    member's team checked against the class."""
    text = read_text(Path(path), "roster", encoding="utf-8-sig")
    try:
        return _members(path, csv.DictReader(io.StringIO(text)), room)
    except csv.Error as exc:  # e.g. a field past the csv module's own limit of 131,072
        raise InputError(str(path), "", f"is not a roster CSV ({exc})") from None


def _members(path: str | Path, reader: csv.DictReader[str], room: Classroom) -> list[Member]:
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        raise InputError(
            str(path),
            "header",
            f"missing column(s) {', '.join(missing)}; expected name,id,email,team",
        )
    members = []
    for n, raw in enumerate(reader, start=2):
        if n - 1 > MAX_MEMBERS:
            raise InputError(str(path), "", f"more than {MAX_MEMBERS:,} members")
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        for key, value in row.items():
            if len(value) > MAX_FIELD:
                raise InputError(
                    str(path), f"line {n}.{key}", f"longer than {MAX_FIELD} characters"
                )
        if not row["name"] or not (row["id"] or row["email"]):
            raise InputError(str(path), f"line {n}", "each member needs a name and an id or email")
        try:
            team = room.team(row["team"]).name
        except InputError:
            known = ", ".join(t.name for t in room.teams)
            raise InputError(
                str(path), f"line {n}.team", f"no team {row['team']!r} in this class ({known})"
            ) from None
        members.append(Member(row["name"], row["id"], row["email"], team, row.get("section", "")))
    return members


# How each layout `grade_sheet` writes begins: per team, per member (with a roster), then the measures
# (lower-case names); Canvas's six columns (the last the assignment); Moodle's two.
TEAM_HEADER = ["team", "rank", "score"]
MEMBER_HEADER = ["name", "id", "email", "section", *TEAM_HEADER]
CANVAS_HEADER = ["Student Name", "Student ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_KEYS = ("email", "idnumber")
_MEASURE = re.compile(r"[a-z][a-z0-9_]*\Z")
_SCORE = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")


def is_grade_sheet(path: Path) -> bool:
    """`path` holds a grade sheet Jigsaw wrote (any layout): a file a new one may replace.
    Its header tells, whole (every column a layout's, in its order), and for the LMS layouts,
    whose last column is the assignment's name, the first row too (a score in that column):
    a contact list that begins "email," is not a sheet. Read a line at a time: a sheet of
    many students may be large."""
    try:
        with open(path, "rb") as fh:
            lines = [fh.readline(4096).decode("utf-8-sig") for _ in range(2)]
    except (OSError, UnicodeDecodeError):
        return False
    try:
        rows = list(csv.reader(io.StringIO("".join(lines)), strict=True))
    except csv.Error:
        return False
    if not rows:
        return False
    head, first = rows[0], rows[1] if len(rows) > 1 else None
    for fixed in (TEAM_HEADER, MEMBER_HEADER):
        if head[: len(fixed)] == fixed and all(_MEASURE.match(m) for m in head[len(fixed) :]):
            return True
    canvas = len(head) == 6 and head[:5] == CANVAS_HEADER and bool(head[5])
    moodle = len(head) == 2 and head[0] in MOODLE_KEYS and bool(head[1])
    if not (canvas or moodle):
        return False
    return first is None or (len(first) == len(head) and bool(_SCORE.match(first[-1])))


def grade_sheet(
    room: Classroom,
    roster: list[Member] | None = None,
    lms: str | None = None,
    assignment: str = "Jigsaw",
    by: str = "result",
    draws: int = DRAWS,
    progress: Callable[[int, int], None] | None = None,
) -> str:
    """The grades as CSV: per team; per member with a roster; in an LMS's import layout
    (`by`: the score as played, or the skill of the decisions, `grades`)."""
    rows = grades(room, by, draws, progress)
    by_team = {r["team"]: r for r in rows}
    if lms is not None and roster is None:
        raise InputError("--lms", lms, "an LMS import lists students: give --roster FILE")
    if lms is None:
        measures = [k for k in rows[0] if k not in ("team", "rank", "score")] if rows else []
        if roster is None:
            return csv_text(["team", "rank", "score", *measures], rows)
        members = [
            {"name": m.name, "id": m.id, "email": m.email, "section": m.section} | by_team[m.team]
            for m in roster
        ]
        header = ["name", "id", "email", "section", "team", "rank", "score", *measures]
        return csv_text(header, members)
    assert roster is not None
    if lms == "canvas":
        header = [
            "Student Name",
            "Student ID",
            "SIS User ID",
            "SIS Login ID",
            "Section",
            assignment,
        ]
        return csv_text(
            header,
            [
                {
                    "Student Name": m.name,
                    "Student ID": m.id,
                    "SIS User ID": m.id,
                    "SIS Login ID": m.email,
                    "Section": m.section,
                    assignment: by_team[m.team]["score"],
                }
                for m in roster
            ],
        )
    if lms == "moodle":
        key = "email" if all(m.email for m in roster) else "idnumber"
        return csv_text(
            [key, assignment],
            [
                {key: m.email if key == "email" else m.id, assignment: by_team[m.team]["score"]}
                for m in roster
            ],
        )
    raise InputError("--lms", lms, f"expected one of {', '.join(LMS)}")
