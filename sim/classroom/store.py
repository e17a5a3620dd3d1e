"""A class: teams compete in one market, an instructor runs the rounds and the debrief.

A class is one SQLite file (WAL journal, every write in one `BEGIN IMMEDIATE` transaction,
schema versioned by `PRAGMA user_version`). It holds the scenario, the seed, the teams (each
team plays one firm of the scenario; its join code is stored only as a salted scrypt hash),
every team's decision per round with who submitted it and when, and the round status.

The decisions are the truth: results are recomputed from them (the same scenario, seed and
decisions give the same reports, see `sim.model.game`). Each closed round also keeps its report as
JSON and a snapshot of the state it left (`sim.model.snapshot`), caches that make every read and
the next round cost the same at round 40 as at round 1: the game is restored from the last
snapshot instead of replayed from round 0. A snapshot is used only when its digest matches
it, the decisions and the reports up to it, under this model; otherwise the rounds are
replayed from the decisions (and the file's contents are still the truth).

Rounds. Round K is *open* until the instructor advances: teams submit (and may resubmit) for
the open round only. `advance` closes round K in one transaction: a team that did not submit
keeps its last decision (logged as carried), round K is played, its report stored, and round
K+1 opened. A process killed in the middle of it leaves the class at round K, open; a second
advance for the same round (`expect_round`) does nothing, so no round is ever run twice.

Seats: teams take the scenario's player seats first, then the computer-run seats in order;
seats no team fills stay computer-run (an unfilled player seat plays `balanced`).

A duplicate class (`create(..., duplicate=True)`), as in duplicate bridge: each team plays its
own copy of the market, in the scenario's first player seat, with the same seed against the
same computer-run rivals, so teams are compared on equal luck and equal opponents (a team's
draws differ from another's only where its decisions differ: common random numbers). Such a
file is schema 3 (older Jigsaws refuse it): each team has a copy number, and each closed
round keeps one report and one snapshot per copy.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import math
import os
import secrets
import signal
import socket
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.classroom.codes import code_hash, matches, new_code
from sim.model.decisions import Decision, check_affordable, expand, for_round, parse_decisions
from sim.model.errors import InputError
from sim.model.files import LIMITS, MAX_WHOLE, check_file, parse_json, write_atomic
from sim.model.game import MODEL_VERSION, Game
from sim.model.hidden import check_drawn
from sim.model.report import RoundReport, ranks
from sim.model.rivals import RivalView
from sim.model.scenario import Scenario, parse_scenario, written_under
from sim.model.snapshot import STATE, UNREADABLE, Snapshot
from sim.model.workload import MAX_LEADS, check_workload

SCHEMA_VERSION = 2  # 2: the class records the model version it is played under
DUPLICATE_SCHEMA = 3  # a duplicate class: a market per team (copy), rounds and snapshots per copy
FORMAT = "jigsaw-class"
BUSY_TIMEOUT_MS = 60_000
MAX_TEAMS = 40  # a large class; the scenario schema allows as many firms

READS_SCHEMAS = (1, 2, DUPLICATE_SCHEMA)
MODEL_OF_SCHEMA = {1: 2}  # a schema-1 class was made under model 2

SCHEMA = """
CREATE TABLE class (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    format TEXT NOT NULL,
    class_id TEXT NOT NULL,
    scenario TEXT NOT NULL,
    seed INTEGER NOT NULL,
    salt BLOB NOT NULL,
    instructor_hash BLOB NOT NULL,
    created_at TEXT NOT NULL,
    open_round INTEGER NOT NULL,
    model INTEGER NOT NULL
);
CREATE TABLE teams (
    name TEXT PRIMARY KEY,
    firm_id TEXT NOT NULL UNIQUE,
    seat INTEGER NOT NULL UNIQUE,
    code_hash BLOB NOT NULL
);
CREATE TABLE decisions (
    round INTEGER NOT NULL,
    team TEXT NOT NULL REFERENCES teams(name),
    decision TEXT NOT NULL,
    how TEXT NOT NULL CHECK (how IN ('submitted', 'carried')),
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (round, team)
);
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round INTEGER NOT NULL,
    team TEXT NOT NULL REFERENCES teams(name),
    decision TEXT NOT NULL,
    by TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE rounds (
    round INTEGER PRIMARY KEY,
    closed_at TEXT NOT NULL,
    report TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    round INTEGER PRIMARY KEY,
    model INTEGER NOT NULL,
    data BLOB NOT NULL,
    digest TEXT NOT NULL
);
CREATE TABLE log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    what TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS announcements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round INTEGER NOT NULL,
    at TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS failed_logins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    t REAL NOT NULL,
    team TEXT NOT NULL,
    source TEXT NOT NULL
);
"""
# A duplicate class's file: the same tables, but teams share their seat (each has a copy of
# the market instead), and rounds and snapshots are kept per copy.
DUPLICATE = (
    SCHEMA.replace(
        """    firm_id TEXT NOT NULL UNIQUE,
    seat INTEGER NOT NULL UNIQUE,
""",
        """    firm_id TEXT NOT NULL,
    seat INTEGER NOT NULL,
    copy INTEGER NOT NULL UNIQUE,
""",
    )
    .replace(
        """    round INTEGER PRIMARY KEY,
    closed_at TEXT NOT NULL,
    report TEXT NOT NULL
""",
        """    round INTEGER NOT NULL,
    copy INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    report TEXT NOT NULL,
    PRIMARY KEY (round, copy)
""",
    )
    .replace(
        """    round INTEGER PRIMARY KEY,
    model INTEGER NOT NULL,
    data BLOB NOT NULL,
    digest TEXT NOT NULL
""",
        """    round INTEGER NOT NULL,
    copy INTEGER NOT NULL,
    model INTEGER NOT NULL,
    data BLOB NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (round, copy)
""",
    )
)
# The snapshots, settings (paused, deadline, renamed teams' code names), announcements and
# failed_logins tables came after schema 2 without changing it: older Jigsaws ignore them, and
# this one adds each to a class file the first time it needs it.
SNAPSHOTS = SCHEMA[SCHEMA.index("CREATE TABLE IF NOT EXISTS snapshots") :].split(";")[0]
FAILED_LOGINS = SCHEMA[SCHEMA.index("CREATE TABLE IF NOT EXISTS failed_logins") :].split(";")[0]
SETTINGS = SCHEMA[SCHEMA.index("CREATE TABLE IF NOT EXISTS settings") :].split(";")[0]
ANNOUNCEMENTS = SCHEMA[SCHEMA.index("CREATE TABLE IF NOT EXISTS announcements") :].split(";")[0]
MAX_ANNOUNCEMENT = 500  # characters
# Wrong codes: after BACKOFF_AFTER failures from one source within BACKOFF_WINDOW_S, that
# source waits 1 s after its last failure, doubling with each further failure up to
# BACKOFF_MAX_S. Keyed by source, not team, so one team's guessing never locks another out.
BACKOFF_AFTER = 5
BACKOFF_MAX_S = 60.0
BACKOFF_WINDOW_S = 15 * 60.0


def now() -> str:
    """UTC, to the millisecond, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def command_line() -> str:
    """The source of a code typed at a class command: who runs it, where."""
    return f"{whoami()} (a jigsaw command in a terminal)"


def whoami() -> str:
    """Who submitted, when the caller does not say: user@host."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


@dataclass(frozen=True)
class Team:
    name: str
    firm_id: str
    seat: int
    copy: int = 0  # the team's own market in a duplicate class (1, 2, ...); 0: the shared one


@dataclass(frozen=True)
class Submission:
    """A team's decision for a round: what, how it got there, who and when."""

    round: int
    team: str
    decision: Decision
    how: str  # "submitted" or "carried"
    by: str
    at: str


@dataclass(frozen=True)
class Status:
    """What anyone may see: the open round, the teams, who has submitted (not what)."""

    scenario: str
    rounds: int
    open_round: int  # rounds + 1 once the game is over
    teams: list[Team]
    submitted: dict[str, str]  # team -> when, for the open round

    @property
    def over(self) -> bool:
        return self.open_round > self.rounds

    @property
    def headline(self) -> str:
        if self.over:
            return f"Game over: all {self.rounds} rounds played"
        return f"Round {self.open_round} of {self.rounds}"


@dataclass(frozen=True)
class Advanced:
    """The result of `advance`: the round closed (None if nothing was done) and why."""

    round: int | None
    carried: dict[str, str]  # team -> what it kept, for teams that did not submit
    message: str


@dataclass(frozen=True)
class Standing:
    """A row of the leaderboard (`Classroom.leaderboard`): a team (or a computer-run firm),
    its rank and its scorecard row (`sim.model.report.scorecard`), in the market it played."""

    name: str
    firm_id: str
    team: Team | None  # None: a computer-run firm
    rank: int
    score: dict[str, Any]
    game: Game

    @property
    def total(self) -> float:
        return float(self.score["total"])


MAX_SIGNATURE = 80  # characters of `--by`


def signature(by: str | None) -> str:
    """Who a submission is from: `--by` (or user@host), 1-80 printable characters, never the
    instructor's name (the class log's 'instructor' entries are the instructor's alone) nor
    the computer's (`Classroom.add_team`)."""
    who = (whoami() if by is None else by).strip()
    if not who or len(who) > MAX_SIGNATURE or not who.isprintable():
        shown = who[:40] + ("..." if len(who) > 40 else "")
        raise InputError("--by", shown, f"expected 1-{MAX_SIGNATURE} printable characters")
    if who.casefold().startswith("instructor"):
        raise InputError("--by", who, "only the instructor signs as the instructor")
    if who.casefold().startswith("computer:"):
        raise InputError("--by", who, "'computer:' marks the rounds before a team joined")
    return who


def team_name(name: str, field: str = "--teams") -> str:
    """The rule for a team's name: 1-40 printable characters, no commas."""
    clean = name.strip()
    if not clean or len(clean) > 40 or "," in clean or not clean.isprintable():
        raise InputError(field, clean, "a team name is 1-40 printable characters, no commas")
    return clean


def _team_names(names: list[str]) -> list[str]:
    """The rule for a class's team list: 1 or more names, each a team name, all different."""
    clean = [n.strip() for n in names]
    if not clean or any(not n for n in clean):
        raise InputError("--teams", "", "expected team names separated by commas, e.g. Red,Blue")
    for n in clean:
        team_name(n)
    if len({n.casefold() for n in clean}) != len(clean):
        raise InputError("--teams", "", "team names must be different")
    return clean


def rival_named(name: str, scenario: Scenario, field: str, but: int | None = None) -> None:
    """The rule that a team is never named as a computer-run firm is (two firms of one name
    in every report): InputError if one is (`but`: a seat the team is about to take)."""
    for i, f in enumerate(scenario.firms):
        if i != but and not f.is_player and f.label.casefold() == name.casefold():
            raise InputError(field, name, "a computer-run firm has that name; choose another")


def seat_copies(scenario: Scenario, names: list[str]) -> tuple[Scenario, list[Team]]:
    """A duplicate class: every team plays the scenario's first player seat, each in its own
    copy of the market (copy n for the n-th team); every other seat is computer-run (another
    player seat plays `balanced`), the same in every copy."""
    clean = _team_names(names)
    if len(clean) > MAX_TEAMS:
        raise InputError("--teams", "", f"{len(clean)} teams; a class has at most {MAX_TEAMS}")
    seats = [i for i, f in enumerate(scenario.firms) if f.is_player]
    if not seats:
        raise InputError(
            "--duplicate", "", f"{scenario.meta.name} has no player seat for the teams to play"
        )
    seat = seats[0]
    data = scenario.model_dump(mode="json")
    for i in seats[1:]:
        data["firms"][i]["controlled_by"] = "balanced"
    firm_id = scenario.firms[seat].id
    teams = [Team(name, firm_id, seat, n) for n, name in enumerate(clean, start=1)]
    return parse_scenario(data, "class scenario"), teams


def seat_teams(scenario: Scenario, names: list[str]) -> tuple[Scenario, list[Team]]:
    """The class's copy of the scenario: teams take seats (player seats first), their firms
    are named after them and controlled by players; every other seat is computer-run."""
    clean = _team_names(names)
    firms = scenario.firms
    if len(clean) > min(len(firms), MAX_TEAMS):
        raise InputError(
            "--teams",
            "",
            f"{len(clean)} teams but {scenario.meta.name} has {len(firms)} firms; "
            f"at most {len(firms)} teams",
        )
    order = [i for i, f in enumerate(firms) if f.is_player] + [
        i for i, f in enumerate(firms) if not f.is_player
    ]
    data = scenario.model_dump(mode="json")
    teams = []
    seated = set()
    for name, i in zip(clean, order, strict=False):
        data["firms"][i]["controlled_by"] = "player"
        data["firms"][i]["name"] = name
        teams.append(Team(name, firms[i].id, i))
        seated.add(i)
    for i, f in enumerate(firms):
        if i not in seated and f.is_player:
            data["firms"][i]["controlled_by"] = "balanced"
    return parse_scenario(data, "class scenario"), teams


def _holder_note(path: str | Path) -> Path:
    p = Path(path)
    return p.with_name(p.name + ".busy")


@contextmanager
def holding(path: str | Path, what: str) -> Iterator[None]:
    """While a long write runs (closing a round), a note beside the class file says who holds
    it, so that anyone kept waiting is told (`trouble`). Best effort: a read-only folder
    just has no note."""
    note = _holder_note(path)
    try:
        write_atomic(
            note, json.dumps({"who": whoami(), "pid": os.getpid(), "what": what, "at": now()})
        )
    except OSError:
        pass
    try:
        yield
    finally:
        note.unlink(missing_ok=True)


def holder(path: str | Path) -> str:
    """Who holds the class file, from its note: ' (held by ana@lab, pid 42, closing round 3
    since 12:00:01 UTC)', or '' when nobody left a note."""
    try:
        info = json.loads(_holder_note(path).read_text(encoding="utf-8")[:4096])
        if str(info["who"]).endswith("@" + socket.gethostname()) and not _alive(int(info["pid"])):
            return ""  # left by a process that was killed: it holds nothing
        return (
            f" (held by {info['who']}, pid {int(info['pid'])}, {info['what']} since "
            f"{str(info['at'])[11:19]} UTC)"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def trouble(path: str | Path, exc: sqlite3.Error) -> InputError:
    """What a SQLite failure means for the person at the keyboard, in one line."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        what = (
            f"the class file is busy: another jigsaw has held it for over "
            f"{BUSY_TIMEOUT_MS // 1000} s{holder(path) or ' (a round being closed?)'}; try "
            "again in a moment"
        )
    elif "full" in text:
        what = "the disk is full: nothing was written; free some space and try again"
    elif "disk i/o" in text:  # what SQLite says of a full disk under its WAL, or a bad disk
        what = (
            "the disk failed a read or a write (it may be full): nothing was changed; free "
            "some space and try again"
        )
    elif "not a database" in text:
        what = (
            "is not a Jigsaw class file (or it is damaged: restore it from a backup, "
            "which jigsaw class backup makes)"
        )
    elif "malformed" in text or "corrupt" in text:
        what = "the class file is damaged: restore it from a backup (jigsaw class backup makes one)"
    elif "readonly" in text or "read-only" in text:
        what = (
            "is read-only here: status, results and report work, nothing that writes; "
            "ask whoever owns the file"
        )
    elif "unable to open" in text:
        what = "cannot be opened (check its folder and permissions)"
    else:
        what = f"SQLite failed: {exc}"
    return InputError(str(path), "", what)


@contextmanager
def opened(path: str | Path, migrating: bool = False) -> Iterator[Classroom]:
    """A class, open for the length of a `with`, every SQLite failure inside it turned into
    one clear line (`trouble`): what the command line and the screens use."""
    try:
        room = Classroom(path, migrating=migrating)
        try:
            yield room
        finally:
            room.close()
    except sqlite3.Error as exc:
        raise trouble(path, exc) from None


class Classroom:
    """One class in one SQLite file. Open it with `Classroom.create` or `Classroom(path)`."""

    def __init__(self, path: str | Path, migrating: bool = False) -> None:
        """Open a class. A class made under another model version is refused (its rules
        would change mid-course) unless `migrating` (`Classroom.migrate`)."""
        self.path = Path(path)
        if not self.path.exists():
            raise InputError(str(path), "", "no such class file (create one with jigsaw class new)")
        check_file(self.path, "class")  # a regular file of sane size before SQLite opens it
        self.db = self._connect(self.path)
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        try:
            row = self.db.execute(
                "SELECT format, class_id, scenario, seed FROM class WHERE id = 1"
            ).fetchone()
        except sqlite3.OperationalError as exc:  # no class table: some other SQLite file
            if "no such table" not in str(exc):
                raise trouble(path, exc) from None
            row = None
        except sqlite3.DatabaseError as exc:
            raise trouble(path, exc) from None
        if row is None or row[0] != FORMAT:
            if not self._intact():
                raise trouble(path, sqlite3.DatabaseError("database disk image is malformed"))
            raise InputError(str(path), "", "is not a Jigsaw class file")
        if version not in READS_SCHEMAS:
            raise InputError(
                str(path),
                "schema",
                f"class file schema {version} is not supported (this Jigsaw reads "
                f"schema {', '.join(map(str, READS_SCHEMAS))})",
            )
        self.schema = version
        self.duplicate = version == DUPLICATE_SCHEMA  # a market per team (`seat_copies`)
        self._copies: dict[str, Scenario] = {}
        model = (
            MODEL_OF_SCHEMA.get(version)
            or self.db.execute("SELECT model FROM class WHERE id = 1").fetchone()[0]
        )
        if not isinstance(model, int) or not 1 <= model <= MODEL_VERSION:
            raise InputError(
                str(path),
                "model",
                f"must be a model version from 1 to {MODEL_VERSION}; the class file was "
                "edited or is damaged (restore it from a backup, which jigsaw class backup makes)",
            )
        self.model = model
        if self.model != MODEL_VERSION and not migrating:
            raise InputError(
                str(path),
                "model",
                f"this class was created under model version {self.model} and this Jigsaw "
                f"plays model version {MODEL_VERSION}: continuing would change its rules "
                f"mid-course; to go on under the new rules, the instructor runs jigsaw class "
                f"migrate --db {path}",
            )
        self.class_id: str = row[1]
        # What the file says is checked as any file is: a hand-edited class is refused in
        # one line, never played (sim.model.files, sim.model.workload).
        if not isinstance(row[2], str) or len(row[2]) > LIMITS["scenario"]:
            raise InputError(str(path), "scenario", "is not a scenario Jigsaw wrote")
        self.scenario = parse_scenario(
            written_under(
                parse_json(row[2], f"{path}: scenario", "a scenario Jigsaw wrote (as JSON)"),
                self.model,
            ),
            f"{path}: scenario",
        )
        self.seed: int = row[3]
        if not isinstance(self.seed, int) or not 0 <= self.seed <= MAX_WHOLE:
            raise InputError(str(path), "seed", f"must be a whole number from 0 to {MAX_WHOLE}")
        self.max_leads = self._max_leads()
        check_workload(self.scenario, f"{path}: scenario", self.max_leads)
        self.teams = self._read_teams()
        self.open_round  # noqa: B018 - checked as it is read

    @staticmethod
    def _read_only(path: Path) -> sqlite3.Connection:
        """A class file we may read but not write (a read-only mount, another user's file):
        the reading commands work; anything that writes says the file is read-only. A WAL
        file whose folder is read-only too is read as it stands (immutable)."""
        uri = "file:" + urllib.parse.quote(str(path.resolve()))
        for mode in ("?mode=ro", "?mode=ro&immutable=1"):
            try:
                db = sqlite3.connect(uri + mode, uri=True, isolation_level=None)
                db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return db
            except sqlite3.OperationalError as exc:
                last = exc
            except sqlite3.DatabaseError as exc:
                raise trouble(path, exc) from None
        raise trouble(path, last) from None

    def _intact(self) -> bool:
        """SQLite's own check of the file's structure (is a strange file damaged?)."""
        try:
            return self.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError:
            return False

    # --- set-up ----------------------------------------------------------------------------

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            return Classroom._read_only(path)
        try:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise trouble(path, exc) from None
        return db

    @classmethod
    def create(
        cls,
        path: str | Path,
        scenario: Scenario,
        team_names: list[str],
        seed: int = 1,
        max_leads: float = MAX_LEADS,
        duplicate: bool = False,
    ) -> tuple[Classroom, str, dict[str, str]]:
        """A new class file. Returns the class, the instructor code and each team's code:
        the only time the codes exist in clear. `max_leads`: the workload limit the class
        was lifted to (kept in the file; sim.model.workload). `duplicate`: each team plays its
        own copy of the market (`seat_copies`)."""
        check_drawn(scenario)  # a class draws no hidden values: a lab scenario is refused
        p = Path(path)
        if p.exists():
            raise InputError(str(path), "", "already exists; choose another --db or delete it")
        if not p.parent.is_dir():
            raise InputError(str(path), "", f"no such folder: {p.parent}")
        seated, teams = (seat_copies if duplicate else seat_teams)(scenario, team_names)
        for t in teams:
            rival_named(t.name, seated, "--teams")
        schema = DUPLICATE if duplicate else SCHEMA
        salt = secrets.token_bytes(16)
        instructor = new_code()
        codes = {t.name: new_code() for t in teams}
        tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
        try:
            # Owner only (0600), before SQLite writes a byte: the file holds every team's open
            # decisions and the codes' salt. SQLite gives its journals the same mode.
            os.close(os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
            db = cls._connect(tmp)
            db.execute("PRAGMA journal_mode = DELETE")  # one file while it is built
            db.execute("BEGIN IMMEDIATE")
            for statement in schema.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(
                "INSERT INTO class VALUES (1, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
                (
                    FORMAT,
                    secrets.token_hex(8),
                    json.dumps(seated.model_dump(mode="json"), sort_keys=True),
                    int(seed),
                    salt,
                    code_hash(instructor, salt, "\0instructor"),
                    now(),
                    MODEL_VERSION,
                ),
            )
            if duplicate:
                db.executemany(
                    "INSERT INTO teams (name, firm_id, seat, copy, code_hash) VALUES (?, ?, ?, ?, ?)",
                    [
                        (t.name, t.firm_id, t.seat, t.copy, code_hash(codes[t.name], salt, t.name))
                        for t in teams
                    ],
                )
            else:
                db.executemany(
                    "INSERT INTO teams (name, firm_id, seat, code_hash) VALUES (?, ?, ?, ?)",
                    [
                        (t.name, t.firm_id, t.seat, code_hash(codes[t.name], salt, t.name))
                        for t in teams
                    ],
                )
            db.execute(
                "INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)",
                (
                    now(),
                    f"class created: {scenario.meta.name}, seed {seed}, "
                    + ("duplicate (a market per team), " if duplicate else "")
                    + "teams "
                    + ", ".join(t.name for t in teams),
                ),
            )
            if max_leads != MAX_LEADS:
                db.execute(
                    "INSERT INTO settings (key, value) VALUES ('max_leads', ?)", (repr(max_leads),)
                )
            if duplicate:
                db.execute(f"PRAGMA user_version = {DUPLICATE_SCHEMA}")
            else:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
            db.close()
            os.link(tmp, p)  # never over a class someone created meanwhile
        except FileExistsError:
            raise InputError(
                str(path), "", "already exists; choose another --db or delete it"
            ) from None
        except (OSError, sqlite3.Error) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise InputError(str(path), "", f"cannot create the class file ({why})") from None
        finally:
            tmp.unlink(missing_ok=True)
        return cls(p), instructor, codes

    def close(self) -> None:
        self.db.close()

    def record(self, what: str) -> None:
        """An instructor's read (grades, a backup) in the class log, if the file can be
        written (a read-only class still gives its grades)."""
        try:
            with self._write() as db:
                db.execute(
                    "INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)", (now(), what)
                )
        except sqlite3.Error:
            pass

    def backup(self, out: str | Path) -> None:
        """A consistent copy of the class at `out` (SQLite's online backup: teams may go on
        submitting meanwhile), owner-only like the class file, never over an existing file."""
        target = Path(out)
        if target.exists():
            raise InputError(str(out), "", "already exists; name a new file for the backup")
        if not target.parent.is_dir():
            raise InputError(str(out), "", f"no such folder: {target.parent}")
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
            copy = sqlite3.connect(tmp)
            try:
                self.db.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")  # the copy is one file
            finally:
                copy.close()
            os.link(tmp, target)  # never over a file made meanwhile
        except FileExistsError:
            raise InputError(
                str(out), "", "already exists; name a new file for the backup"
            ) from None
        except sqlite3.Error as exc:
            raise trouble(str(out), exc) from None
        except OSError as exc:
            raise InputError(str(out), "", f"cannot write the backup ({exc.strerror})") from None
        finally:
            tmp.unlink(missing_ok=True)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE): writers queue on SQLite's
        lock and each sees the state the previous one committed."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if self.db.in_transaction:  # SQLite rolls back by itself on a full disk
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- who is asking ---------------------------------------------------------------------

    def _salt(self) -> bytes:
        return bytes(self.db.execute("SELECT salt FROM class WHERE id = 1").fetchone()[0])

    def team(self, name: str) -> Team:
        for t in self.teams:
            if t.name.casefold() == name.strip().casefold():
                return t
        raise InputError(
            str(self.path),
            "team",
            f"no team {name!r} in this class (teams: {', '.join(t.name for t in self.teams)})",
        )

    def check_team(self, name: str, code: str, source: str | None = None) -> Team:
        """The team, if the code is its code; a clear refusal otherwise. `source` says where
        the attempt comes from (a screen, a process, a connection; default: this user on the
        command line): wrong codes are logged with it, and a source that keeps guessing waits."""
        team = self.team(name)
        source = source or command_line()
        self._wait_if_guessing(source)
        stored = self.db.execute("SELECT code_hash FROM teams WHERE name = ?", (team.name,))
        if not matches(bytes(stored.fetchone()[0]), code, self._salt(), self._hashed_as(team)):
            self._failed(team.name, source)
            raise InputError(
                "code",
                "",
                f"wrong code for team {team.name} in this class (the team's own code, from "
                "--code, JIGSAW_CODE or the prompt; a code replaced by reset-code no longer "
                "works; the instructor sets a team's decision with class override)",
            )
        return team

    def check_instructor(self, code: str, source: str | None = None) -> None:
        source = source or command_line()
        self._wait_if_guessing(source)
        stored = self.db.execute("SELECT instructor_hash FROM class WHERE id = 1").fetchone()[0]
        if not matches(bytes(stored), code, self._salt(), "\0instructor"):
            self._failed("instructor", source)
            raise InputError("--code", "", "wrong instructor code for this class")

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """A read of a table this Jigsaw adds the first time it needs it (snapshots, settings,
        announcements, failed_logins): no rows from a class file that has none yet."""
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.OperationalError:
            return []

    def failed_logins(self, limit: int = 20) -> list[tuple[str, str, str]]:
        """The latest wrong codes, newest first: (when, team, source)."""
        rows = self._rows(
            "SELECT at, team, source FROM failed_logins ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [(str(a), str(t), str(s)) for a, t, s in rows]

    def _recent_failures(self, source: str) -> tuple[int, float]:
        """Failures from `source` within the window, and the time of the last one."""
        for n, last in self._rows(
            "SELECT COUNT(*), MAX(t) FROM failed_logins WHERE source = ? AND t > ?",
            (source, time.time() - BACKOFF_WINDOW_S),
        ):
            return int(n), float(last or 0.0)
        return 0, 0.0

    def _wait_if_guessing(self, source: str) -> None:
        n, last = self._recent_failures(source)
        if n < BACKOFF_AFTER:
            return
        wait = min(BACKOFF_MAX_S, 2.0 ** (n - BACKOFF_AFTER))
        left = last + wait - time.time()
        if left > 0:
            raise InputError(
                "--code",
                "",
                f"{n} wrong codes from here in a row: wait {math.ceil(left)} s and try again",
            )

    def _failed(self, team: str, source: str) -> None:
        """Log a wrong code (class log and failed_logins). A file that cannot be written
        (read-only, locked) still refuses the code; it just cannot remember the attempt."""
        at = now()
        try:
            with self._write() as db:
                db.execute(FAILED_LOGINS)
                db.execute(
                    "INSERT INTO failed_logins (at, t, team, source) VALUES (?, ?, ?, ?)",
                    (at, time.time(), team, source[:200]),
                )
                db.execute(
                    "INSERT INTO log (at, who, what) VALUES (?, 'security', ?)",
                    (at, f"wrong code for {team} from {source[:200]}"),
                )
        except sqlite3.Error:
            pass

    # --- reading ---------------------------------------------------------------------------

    def _edited(self, field: str, expected: str) -> InputError:
        """One line for a class file whose contents Jigsaw did not write (edited by hand, or
        damaged): the field and what it should hold."""
        return InputError(
            str(self.path),
            field,
            f"{expected}; the class file was edited or is damaged (restore it from a backup, "
            "which jigsaw class backup makes)",
        )

    def _max_leads(self) -> float:
        """The workload limit `class new --max-leads` stored (MAX_LEADS without one)."""
        text = self._setting("max_leads")
        if text is None:
            return float(MAX_LEADS)
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not 1 <= value <= 1e12:  # nan fails too
            raise self._edited("settings.max_leads", "must be a number of leads from 1 to 10^12")
        return value

    def _team_rows(self) -> list[Any]:
        if self.duplicate:
            return self.db.execute(
                "SELECT name, firm_id, seat, copy FROM teams ORDER BY copy"
            ).fetchall()
        return self.db.execute("SELECT name, firm_id, seat FROM teams ORDER BY seat").fetchall()

    def _read_teams(self, rows: list[Any] | None = None) -> list[Team]:
        """The teams as the file lists them (`rows`: as just read), each a seat of the class's
        scenario."""
        rows = self._team_rows() if rows is None else rows
        ids = self.scenario.firm_ids
        teams: list[Team] = []
        for name, firm_id, seat, *copy in rows:
            if not isinstance(name, str) or not isinstance(firm_id, str):
                raise self._edited("teams", "each team has a name and a firm")
            try:
                team_name(name)
            except InputError:
                raise self._edited(
                    "teams", f"{ascii(name)[:60]} is not a team name (1-40 printable characters)"
                ) from None
            if self.duplicate:
                first = next((i for i, f in enumerate(self.scenario.firms) if f.is_player), 0)
                if firm_id != ids[first] or seat != first:
                    raise self._edited(
                        f"teams.{name}",
                        f"in a duplicate class every team sits in {ids[first]} (seat {first})",
                    )
            if firm_id not in ids or not isinstance(seat, int) or seat != ids.index(firm_id):
                raise self._edited(
                    f"teams.{name}", f"must sit in one of the scenario's firms ({', '.join(ids)})"
                )
            if not self.scenario.firm(firm_id).is_player:
                raise self._edited(f"teams.{name}", f"sits in {firm_id}, which a computer runs")
            if copy and (not isinstance(copy[0], int) or not 1 <= copy[0] <= 10 * MAX_TEAMS):
                raise self._edited(f"teams.{name}", "must play a copy of the market from 1 up")
            teams.append(Team(name, firm_id, seat, *copy))
        if len({t.name.casefold() for t in teams}) < len(teams):
            raise self._edited("teams", "each team has a name of its own")
        if not self.duplicate and len({t.firm_id for t in teams}) < len(teams):
            raise self._edited("teams", "each team has a name and a firm of its own")
        if self.duplicate and len({t.copy for t in teams}) < len(teams):
            raise self._edited("teams", "in a duplicate class each team plays a copy of its own")
        return teams

    @property
    def open_round(self) -> int:
        (value,) = self.db.execute("SELECT open_round FROM class WHERE id = 1").fetchone()
        rounds = self.scenario.meta.rounds
        if not isinstance(value, int) or not 1 <= value <= rounds + 1:
            raise self._edited("open_round", f"must be a round from 1 to {rounds + 1}")
        return value

    def _follow(self) -> None:
        """Take in teams another process added or renamed (a dashboard stays open while the
        instructor runs `class add-team` in another terminal): the teams, and then the class's
        scenario, whose seats they play."""
        rows = self._team_rows()
        if [Team(*r) for r in rows] == self.teams:
            return
        self._copies = {}
        (text,) = self.db.execute("SELECT scenario FROM class WHERE id = 1").fetchone()
        source = f"{self.path}: scenario"
        self.scenario = parse_scenario(
            written_under(
                parse_json(text, source, "a scenario Jigsaw wrote (as JSON)"), self.model
            ),
            source,
        )
        self.teams = self._read_teams(rows)

    def _decision(self, round_no: int, team: str, text: Any) -> Decision:
        """A stored decision, read back (one line for one Jigsaw did not write)."""
        if not any(t.name == team for t in self.teams):
            raise self._edited(
                f"decisions (round {round_no})", f"names no team of the class: {team!r}"
            )
        try:
            decision = Decision.model_validate_json(text)
            # ... and one for this class's market: its segments, routes and holdout (a
            # decision for another scenario would be played with its budget lost)
            expand(self.scenario, decision.model_dump(mode="json"), "stored decision")
        except (ValidationError, TypeError, ValueError, InputError):
            raise self._edited(
                f"decisions (round {round_no}, {team})", "must be a decision Jigsaw wrote"
            ) from None
        return decision

    def status(self) -> Status:
        self._follow()
        k = self.open_round
        submitted = dict(
            self.db.execute(
                "SELECT team, at FROM decisions WHERE round = ? AND how = 'submitted'", (k,)
            ).fetchall()
        )
        return Status(self.scenario.meta.name, self.scenario.meta.rounds, k, self.teams, submitted)

    def decisions(self, up_to_round: int | None = None) -> list[Submission]:
        """Every decision of the closed rounds (and no open round's: they stay private until
        the round closes), in round and seat order."""
        last = self.open_round - 1 if up_to_round is None else min(up_to_round, self.open_round - 1)
        self._follow()
        seat = {t.name: t.seat for t in self.teams}
        rows = self.db.execute(
            "SELECT round, team, decision, how, by, at FROM decisions WHERE round <= ? "
            "ORDER BY round",
            (last,),
        ).fetchall()
        out = [
            Submission(r, team, self._decision(r, team, d), how, by, at)
            for r, team, d, how, by, at in rows
        ]
        return sorted(out, key=lambda s: (s.round, seat[s.team]))

    def closed_at(self, round_no: int) -> str | None:
        """When round `round_no` was (last) closed; None if it is not closed. A round reopened
        and played again has a new time: a seat tells a replayed round by it."""
        row = self.db.execute(
            "SELECT MAX(closed_at) FROM rounds WHERE round = ?", (round_no,)
        ).fetchone()
        return row[0] if row else None

    def own_decision(self, team: Team) -> Submission | None:
        """The team's own submission for the open round, if it made one."""
        row = self.db.execute(
            "SELECT round, team, decision, how, by, at FROM decisions WHERE round = ? AND team = ?",
            (self.open_round, team.name),
        ).fetchone()
        if row is None:
            return None
        return Submission(row[0], row[1], self._decision(row[0], row[1], row[2]), *row[3:])

    def scenario_of(self, team: Team | None = None) -> Scenario:
        """The scenario `team` plays: the class's; in a duplicate class, its own copy, where
        the seat is named after the team."""
        if not self.duplicate or team is None:
            return self.scenario
        if team.name not in self._copies:
            data = self.scenario.model_dump(mode="json")
            data["firms"][team.seat]["name"] = team.name
            self._copies[team.name] = parse_scenario(data, f"{self.path}: scenario")
        return self._copies[team.name]

    def _copy(self, team: Team | None) -> int:
        """The copy of the market `team` plays in (0: the one market of a class)."""
        if not self.duplicate:
            return 0
        if team is None:
            raise ValueError("a duplicate class has a market per team: name the team")
        return team.copy

    def _of_copy(self, copy: int) -> tuple[str, tuple[int, ...]]:
        """The SQL that picks one copy's rows of rounds and snapshots (none in a class)."""
        return (" AND copy = ?", (copy,)) if self.duplicate else ("", ())

    def _copy_team(self, copy: int) -> str | None:
        """The name of the team that plays copy `copy` (as the file says now, inside a write
        too: `_write` is this connection's transaction)."""
        row = self.db.execute("SELECT name FROM teams WHERE copy = ?", (copy,)).fetchone()
        return None if row is None else str(row[0])

    def game(
        self,
        up_to_round: int | None = None,
        team: Team | None = None,
        submissions: list[Submission] | None = None,
    ) -> Game:
        """The market after the closed rounds (through `up_to_round`): restored from the
        snapshot of the last of them when it can be trusted, else played again from the
        decisions (from the last snapshot that can be trusted). In a duplicate class, the
        market of `team` (which must be given); in a class, the one market whatever `team`.
        `submissions`: `decisions(up_to_round)`, when the caller has read them already."""
        copy = self._copy(team)
        scenario = self.scenario_of(team)
        last = self.open_round - 1 if up_to_round is None else min(up_to_round, self.open_round - 1)
        by_round = self._by_round(last, team if self.duplicate else None, submissions)
        game = Game(scenario, self.seed, max_leads=self.max_leads)
        history = [by_round.get(k, {}) for k in range(1, last + 1)]
        restored = self._restored(game, last, history, copy)
        if restored is not None:
            try:
                for k in range(restored.round + 1, last + 1):
                    self._replay(restored, k, by_round.get(k, {}))
                return restored
            except InputError:
                raise
            except Exception:  # noqa: BLE001 - a snapshot that restores but cannot play on
                game = Game(scenario, self.seed, max_leads=self.max_leads)  # replay it all
        for k in range(game.round + 1, last + 1):
            self._replay(game, k, by_round.get(k, {}))
        return game

    def _replay(self, game: Game, k: int, decided: dict[str, Decision]) -> None:
        """Closed round `k` again from its decisions; a team's decision missing from the file
        (a row deleted by hand) is named in one line."""
        try:
            game.play_round(decided)
        except InputError as exc:
            if not exc.field.startswith("decisions."):
                raise
            firm = exc.field.removeprefix("decisions.")
            who = game.scenario.firm(firm).name or firm  # a team's firm is named after it
            raise self._edited(
                f"decisions (round {k}, {who})",
                "a closed round must keep every team's decision",
            ) from None

    def markets(self, up_to_round: int | None = None) -> dict[str, Game]:
        """The market each team plays in, by team name: the one market of a class (the same
        game for every team), or each team's own copy in a duplicate class."""
        if not self.duplicate:
            game = self.game(up_to_round)
            return {t.name: game for t in self.teams}
        read = self.decisions(up_to_round)  # once for every copy
        return {t.name: self.game(up_to_round, t, read) for t in self.teams}

    def leaderboard(self, markets: dict[str, Game] | None = None) -> list[Standing]:
        """The balanced scorecard, best first: every firm of the one market (the computer's
        too), or in a duplicate class every team from its own copy, ranked against each other
        (each scored against the same rivals with the same luck; teams that scored alike share
        a rank)."""
        markets = self.markets() if markets is None else markets
        if not markets or next(iter(markets.values())).round == 0:
            return []
        if not self.duplicate:
            game = next(iter(markets.values()))
            score = game.score()
            team_of = {t.firm_id: t for t in self.teams}
            return [
                Standing(
                    team_of[fid].name if fid in team_of else self.scenario.firm(fid).label,
                    fid,
                    team_of.get(fid),
                    score[fid]["rank"],
                    score[fid],
                    game,
                )
                for fid in sorted(score, key=lambda f: score[f]["rank"])
            ]
        rows = [(t, markets[t.name].score()[t.firm_id]) for t in self.teams]
        rows.sort(key=lambda r: (-round(r[1]["total"], 6), r[0].copy))
        rank = ranks({t.name: row["total"] for t, row in rows}, shared=True)  # ties share
        return [
            Standing(t.name, t.firm_id, t, rank[t.name], row, markets[t.name]) for t, row in rows
        ]

    def _by_round(
        self, last: int, team: Team | None = None, read: list[Submission] | None = None
    ) -> dict[int, dict[str, Decision]]:
        """The teams' decisions of the closed rounds through `last` (only `team`'s, if
        given; `read`: `decisions(last)` read already): round -> firm -> decision."""
        by_round: dict[int, dict[str, Decision]] = {}
        firm = {t.name: t.firm_id for t in self.teams}
        for s in self.decisions(last) if read is None else read:
            if s.round > last:
                continue
            if team is None or s.team == team.name:
                by_round.setdefault(s.round, {})[firm[s.team]] = s.decision
        return by_round

    def _digest(self, round_no: int, data: bytes, copy: int = 0) -> str:
        """What a snapshot of round `round_no` must match: its bytes, every decision and every
        report up to it (of its copy of the market, in a duplicate class), and the model."""
        h = hashlib.sha256(data)
        h.update(f"\0model {MODEL_VERSION}\0state {STATE}".encode())

        def cell(value: Any) -> Any:  # a value SQLite holds as a BLOB is not Jigsaw's
            return value.hex() if isinstance(value, bytes) else value

        mine, only = ("", ()) if not self.duplicate else (" AND team = ?", (self._copy_team(copy),))
        for row in self.db.execute(
            "SELECT round, team, decision FROM decisions WHERE round <= ?"
            + mine
            + " ORDER BY round, team",
            (round_no, *only),
        ):
            h.update(json.dumps([cell(v) for v in row]).encode("utf-8"))
        where, key = self._of_copy(copy)
        for row in self.db.execute(
            "SELECT round, report FROM rounds WHERE round <= ?" + where + " ORDER BY round",
            (round_no, *key),
        ):
            h.update(json.dumps([cell(v) for v in row]).encode("utf-8"))
        return h.hexdigest()

    def _restored(
        self, game: Game, round_no: int, history: list[dict[str, Decision]], copy: int = 0
    ) -> Game | None:
        """`game` as it stood after the latest round, up to `round_no`, whose snapshot
        matches (None: none does, and every round is replayed)."""
        where, key = self._of_copy(copy)
        rows = self._rows(  # none in a class file from before snapshots
            "SELECT round, model, data, digest FROM snapshots "
            "WHERE round <= ? AND round > 0" + where + " ORDER BY round DESC",
            (round_no, *key),
        )
        for k, model, data, digest in rows:
            if model != MODEL_VERSION or not isinstance(data, bytes):
                continue
            if digest != self._digest(k, data, copy):
                continue
            try:  # a report that is not one Jigsaw wrote: replay instead
                reports = [
                    RoundReport.from_dict(json.loads(text), game.ids, self.scenario.segment_ids)
                    for (text,) in self.db.execute(
                        "SELECT report FROM rounds WHERE round <= ?" + where + " ORDER BY round",
                        (k, *key),
                    )
                ]
                return game.restore(Snapshot.of(k, data), history[:k], reports)
            except UNREADABLE:
                continue
        return None

    def _keep(self, db: sqlite3.Connection, game: Game, copy: int = 0) -> None:
        """Store the report and the snapshot of the round `game` has just closed (inside the
        write), for its copy of the market in a duplicate class."""
        report = game.reports[-1]
        text = json.dumps(report.to_dict(), sort_keys=True)
        if self.duplicate:  # a round closed again (a migration) keeps when it first closed
            db.execute(
                "INSERT INTO rounds (round, copy, closed_at, report) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (round, copy) DO UPDATE SET report = excluded.report",
                (report.round, copy, now(), text),
            )
        else:
            db.execute(
                "INSERT INTO rounds (round, closed_at, report) VALUES (?, ?, ?) "
                "ON CONFLICT (round) DO UPDATE SET report = excluded.report",
                (report.round, now(), text),
            )
        db.execute(SNAPSHOTS)
        snapshot = game.snapshot()
        digest = self._digest(snapshot.round, snapshot.data, copy)
        if self.duplicate:
            db.execute(
                "INSERT OR REPLACE INTO snapshots (round, copy, model, data, digest) "
                "VALUES (?, ?, ?, ?, ?)",
                (snapshot.round, copy, MODEL_VERSION, snapshot.data, digest),
            )
        else:
            db.execute(
                "INSERT OR REPLACE INTO snapshots (round, model, data, digest) VALUES (?, ?, ?, ?)",
                (snapshot.round, MODEL_VERSION, snapshot.data, digest),
            )

    def _rekey(self, db: sqlite3.Connection) -> None:
        """Every snapshot's digest again (they cover the decisions, which just changed)."""
        db.execute(SNAPSHOTS)
        copies = "copy" if self.duplicate else "0"  # a class has the one market, copy 0
        for r, copy, kept in db.execute(
            "SELECT round, " + copies + ", data FROM snapshots"
        ).fetchall():
            where, key = self._of_copy(copy)
            db.execute(
                "UPDATE snapshots SET digest = ? WHERE round = ?" + where,
                (self._digest(r, kept, copy), r, *key),
            )

    def cached_report(self, round_no: int, copy: int = 0) -> dict[str, Any] | None:
        """The report of a closed round as the file keeps it (None for a round not closed):
        every firm's figures, each firm's cash a number and its bankruptcy yes or no (of copy
        `copy` of the market, in a duplicate class)."""
        where, key = self._of_copy(copy)
        row = self.db.execute(
            "SELECT report FROM rounds WHERE round = ?" + where, (round_no, *key)
        ).fetchone()
        if row is None:
            return None
        try:
            report = json.loads(row[0])
            firms = report["firms"]
            good = all(
                isinstance(firms[fid]["cash"], int | float)
                and math.isfinite(firms[fid]["cash"])
                and isinstance(firms[fid]["bankrupt"], bool)
                for fid in self.scenario.firm_ids
            )
        except (TypeError, ValueError, KeyError, RecursionError):
            good = False
        if not good:
            raise self._edited(f"rounds.report (round {round_no})", "must be a report Jigsaw wrote")
        return report  # type: ignore[no-any-return]

    def log(self) -> list[tuple[str, str, str]]:
        return [
            tuple(r)
            for r in self.db.execute("SELECT at, who, what FROM log ORDER BY id").fetchall()
        ]

    def _standing(self, team: Team, round_no: int) -> tuple[float, float, bool]:
        """A team's cash, credit line and bankruptcy as round `round_no` opens (from the
        cache of the round before)."""
        firm = self.scenario.firm(team.firm_id)
        if round_no == 1:
            return firm.cash, firm.credit_line, False
        report = self.cached_report(round_no - 1, self._copy(team))
        assert report is not None, "a closed round always has its report"
        mine = report["firms"][team.firm_id]
        return mine["cash"], firm.credit_line, mine["bankrupt"]

    # --- writing ---------------------------------------------------------------------------

    def parse(self, team: Team, raw: Mapping[str, Any], source: str) -> list[Decision]:
        """A decisions file's content for this team's firm (one decision or [[rounds]])."""
        return parse_decisions(dict(raw), self.scenario, source, firm_id=team.firm_id)

    def submit(
        self,
        team_name: str,
        code: str,
        raw: Mapping[str, Any],
        source: str = "<decisions>",
        by: str | None = None,
        expect_round: int | None = None,
        seat: str | None = None,
    ) -> int:
        """Record a team's decision for the open round (replacing an earlier one for it).
        Returns the round it was recorded for. With `expect_round`, refuse if another round
        is open; a [[rounds]] file gives the entry for the open round. `seat`: where the code
        comes from (`check_team`'s source; default: the command line)."""
        team = self.check_team(team_name, code, seat)
        if expect_round is not None and expect_round < 1:
            raise InputError("--round", str(expect_round), "rounds are numbered from 1")
        plan = self.parse(team, raw, source)
        with self._write() as db:
            k = self.open_round
            if k > self.scenario.meta.rounds:
                raise InputError(source, "", "the game is over: no round is open")
            if self.paused:
                raise InputError(
                    source,
                    "",
                    "the instructor has paused the class: submissions open again when it "
                    "resumes (your last submission, if any, still counts)",
                )
            if expect_round is not None and expect_round != k:
                state = "is closed" if expect_round < k else "is not open yet"
                raise InputError(source, "", f"round {expect_round} {state}; round {k} is open")
            decision = for_round(plan, k - 1)
            _, _, bankrupt = self._standing(team, k)
            if bankrupt:
                raise InputError(source, "", f"{team.name} is bankrupt: it makes no decisions")
            try:
                # budgets, studies and the hiring or severance the sales budget means, as the
                # team's screen checks them (`RivalView.check_affordable`)
                self.game(team=team).view(team.firm_id).check_affordable(decision, source, "")
            except InputError as exc:
                raise InputError(exc.source, exc.field, f"{exc.message} in round {k}") from None
            at, who, text = now(), signature(by), decision.model_dump_json()
            db.execute(
                "INSERT INTO decisions (round, team, decision, how, by, at) "
                "VALUES (?, ?, ?, 'submitted', ?, ?) "
                "ON CONFLICT (round, team) DO UPDATE SET decision = excluded.decision, "
                "how = 'submitted', by = excluded.by, at = excluded.at",
                (k, team.name, text, who, at),
            )
            db.execute(
                "INSERT INTO submissions (round, team, decision, by, at) VALUES (?, ?, ?, ?, ?)",
                (k, team.name, text, who, at),
            )
            db.execute(
                "INSERT INTO log (at, who, what) VALUES (?, ?, ?)",
                (at, team.name, f"submitted round {k} (by {who})"),
            )
        return k

    def advance(self, code: str, expect_round: int | None = None) -> Advanced:
        """Close the open round: carry the last decision of every team that did not submit,
        play the round, keep its report, open the next. All or nothing, in one transaction.
        With `expect_round`, only that round is closed: asking again does nothing."""
        self.check_instructor(code)
        if expect_round is not None and expect_round < 1:
            raise InputError("--round", str(expect_round), "rounds are numbered from 1")
        with holding(self.path, f"closing round {self.open_round}"), self._write() as db:
            k = self.open_round
            rounds = self.scenario.meta.rounds
            if expect_round is not None and expect_round < k:
                return Advanced(None, {}, f"round {expect_round} is already closed; nothing done")
            if expect_round is not None and expect_round > k:
                raise InputError("--round", str(expect_round), f"round {k} is the open round")
            if k > rounds:
                raise InputError("", "", f"the game is over: all {rounds} rounds are played")
            games = self.markets(k - 1)  # in a class, the one game for every team
            given = {
                team: self._decision(k, team, text)
                for team, text in db.execute(
                    "SELECT team, decision FROM decisions WHERE round = ?", (k,)
                )
            }
            carried: dict[str, str] = {}
            at = now()
            for t in self.teams:  # after a rollback, a decision kept may no longer fit
                mine = given.get(t.name)
                ledger = games[t.name].ledgers[t.seat]
                if mine is None or ledger.bankrupt:
                    continue
                fitted = mine.within(self.scenario, ledger.room)
                if fitted is not mine:
                    given[t.name] = fitted
                    db.execute(
                        "UPDATE decisions SET decision = ? WHERE round = ? AND team = ?",
                        (fitted.model_dump_json(), k, t.name),
                    )
                    db.execute(
                        "INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)",
                        (at, f"{t.name}'s round {k} decision was cut to what cash allows"),
                    )
            for t in self.teams:
                if t.name in given or games[t.name].ledgers[t.seat].bankrupt:
                    continue
                decision, note = self._carry(games[t.name], t, k)
                given[t.name] = decision
                carried[t.name] = note
                db.execute(
                    "INSERT INTO decisions (round, team, decision, how, by, at) "
                    "VALUES (?, ?, ?, 'carried', 'instructor', ?)",
                    (k, t.name, decision.model_dump_json(), at),
                )
                db.execute(
                    "INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)",
                    (at, f"{t.name} did not submit round {k}: {note}"),
                )
            _fault("carried")
            if self.duplicate:  # each team's market with its own decision
                for t in self.teams:
                    own = {t.firm_id: given[t.name]} if t.name in given else {}
                    games[t.name].play_round(own)
                    self._keep(db, games[t.name], t.copy)
            else:
                shared = games[self.teams[0].name]
                shared.play_round({t.firm_id: given[t.name] for t in self.teams if t.name in given})
                self._keep(db, shared)
            _fault("played")
            db.execute(
                "UPDATE class SET open_round = ? WHERE id = 1 AND open_round = ?", (k + 1, k)
            )
            db.execute(
                "INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)",
                (at, f"closed round {k}" + (f"; carried: {', '.join(carried)}" if carried else "")),
            )
            _fault("before-commit")
        nxt = f"round {k + 1} is open" if k < rounds else "the game is over"
        return Advanced(k, carried, f"closed round {k}; {nxt}")

    def _carry(self, game: Game, team: Team, k: int) -> tuple[Decision, str]:
        """A team that did not submit keeps its last decision (the balanced default before
        its first), cut to what its cash and credit allow."""
        last = self.db.execute(
            "SELECT decision, round FROM decisions WHERE team = ? AND round < ? "
            "ORDER BY round DESC LIMIT 1",
            (team.name, k),
        ).fetchone()
        if last is None:
            decision, note = game.decide_for(team.firm_id, "balanced"), "balanced default"
        else:
            decision, note = self._decision(last[1], team.name, last[0]), "kept its last decision"
        ledger = game.ledgers[team.seat]
        fitted = decision.within(self.scenario, ledger.room)
        if fitted is not decision:
            note += ", cut to what cash and credit allow"
        return fitted, note

    def migrate(self, code: str) -> str:
        """Move the class to this Jigsaw's model, explicitly (instructor): every closed round
        is replayed under the new rules from the decisions kept, its cached report rewritten; a
        decision the new books cannot afford is cut to what cash and credit allow. Logged."""
        self.check_instructor(code)
        old = self.model
        if old == MODEL_VERSION and self.schema in (SCHEMA_VERSION, DUPLICATE_SCHEMA):
            return f"the class already plays model version {MODEL_VERSION}; nothing done"
        at = now()
        with self._write() as db:
            if self.schema < 2:
                db.execute("ALTER TABLE class ADD COLUMN model INTEGER NOT NULL DEFAULT 0")
            db.execute(SNAPSHOTS)
            db.execute("DELETE FROM snapshots")
            firm = {t.name: t for t in self.teams}
            markets = (
                [(t.copy, self.scenario_of(t), {t.name}) for t in self.teams]
                if self.duplicate
                else [(0, self.scenario, set(firm))]
            )
            cut = 0
            for copy, scenario, names in markets:
                game = Game(scenario, self.seed, max_leads=self.max_leads)
                for k in range(1, self.open_round):
                    decided = {}
                    for team, text in db.execute(
                        "SELECT team, decision FROM decisions WHERE round = ?", (k,)
                    ).fetchall():
                        if team not in names:
                            continue
                        t = firm[team]
                        kept = self._decision(k, team, text)
                        ledger = game.ledgers[t.seat]
                        d = kept.within(self.scenario, ledger.room)
                        if d is not kept:
                            db.execute(
                                "UPDATE decisions SET decision = ? WHERE round = ? AND team = ?",
                                (d.model_dump_json(), k, team),
                            )
                            cut += 1
                        decided[t.firm_id] = d
                    game.play_round(decided)
                    self._keep(db, game, copy)
            db.execute(  # as this model reads it (sim.model.scenario.written_under)
                "UPDATE class SET scenario = ?, model = ? WHERE id = 1",
                (json.dumps(self.scenario.model_dump(mode="json"), sort_keys=True), MODEL_VERSION),
            )
            if not self.duplicate:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            note = f"; {cut} decisions cut to what cash and credit allow" if cut else ""
            message = (
                f"migrated from model version {old} to {MODEL_VERSION}: "
                f"{self.open_round - 1} closed rounds replayed under the new rules{note}"
            )
            db.execute("INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)", (at, message))
        self.model, self.schema = MODEL_VERSION, max(self.schema, SCHEMA_VERSION)
        return message

    # --- the instructor's corrections --------------------------------------------------------

    def _setting(self, key: str) -> str | None:
        for (value,) in self._rows("SELECT value FROM settings WHERE key = ?", (key,)):
            return str(value)
        return None

    @property
    def paused(self) -> bool:
        return self._setting("paused") == "1"

    def pause(self, code: str, paused: bool = True) -> str:
        """Refuse (or again accept) submissions, for everyone, until resumed. Logged."""
        self.check_instructor(code)
        with self._write() as db:
            db.execute(SETTINGS)
            db.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES ('paused', ?)",
                ("1" if paused else "0",),
            )
            what = "paused the class: submissions refused" if paused else "resumed the class"
            db.execute("INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)", (now(), what))
        return what

    @property
    def deadline(self) -> datetime | None:
        """When the open round closes by itself (UTC), if the instructor set a time for it."""
        value = self._setting("deadline")
        if not value:
            return None
        k, _, at = value.partition("|")
        if not k.isdigit() or int(k) != self.open_round:
            return None  # set for a round that has closed since
        try:
            return datetime.fromisoformat(at)
        except ValueError:
            return None

    def set_deadline(self, code: str, at: datetime | None) -> str:
        """The open round closes by itself at `at` (while a dashboard or `class serve` with
        the instructor code runs); None clears it. Logged."""
        self.check_instructor(code)
        k = self.open_round
        if k > self.scenario.meta.rounds:
            raise InputError("deadline", "", "the game is over: no round is open")
        if at is not None and at.tzinfo is None:
            raise InputError("--at", str(at), "a deadline needs a time zone")
        if at is not None and at <= datetime.now(UTC):
            raise InputError("--at", at.isoformat(), "is in the past")
        with self._write() as db:
            db.execute(SETTINGS)
            value = "" if at is None else f"{k}|{at.astimezone(UTC).isoformat(timespec='seconds')}"
            db.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES ('deadline', ?)", (value,)
            )
            what = (
                f"round {k} has no deadline"
                if at is None
                else f"round {k} closes by itself at {at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
            )
            db.execute("INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)", (now(), what))
        return what

    def close_if_due(self, code: str) -> Advanced | None:
        """Close the open round if its deadline has passed (and the class is not paused)."""
        due = self.deadline
        if due is None or self.paused or datetime.now(UTC) < due:
            return None
        k = self.open_round
        done = self.advance(code, expect_round=k)
        if done.round is not None:
            self.record(f"round {k} closed at its deadline")
        return done

    def announce(self, code: str, text: str) -> str:
        """A message every team sees in its news and in the report of the round it was made
        in. Logged."""
        self.check_instructor(code)
        clean = " ".join(text.split())
        if not clean or len(clean) > MAX_ANNOUNCEMENT or not clean.isprintable():
            raise InputError(
                "TEXT", clean[:40], f"expected 1-{MAX_ANNOUNCEMENT} printable characters"
            )
        with self._write() as db:
            db.execute(ANNOUNCEMENTS)
            k = self.open_round
            at = now()
            db.execute(
                "INSERT INTO announcements (round, at, text) VALUES (?, ?, ?)", (k, at, clean)
            )
            db.execute(
                "INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)",
                (at, f"announced (round {k}): {clean}"),
            )
        return f"announced to every team in round {k}"

    def announcements(self) -> list[tuple[int, str, str]]:
        """Every announcement, oldest first: (round it was made in, when, text)."""
        rows = self._rows("SELECT round, at, text FROM announcements ORDER BY id")
        return [(int(k), str(at), str(text)) for k, at, text in rows]

    def override(
        self, code: str, team_name: str, raw: Mapping[str, Any], source: str = "<decisions>"
    ) -> int:
        """The instructor's decision for a team in the open round (replacing the team's),
        recorded and logged as the instructor's. Returns the round."""
        self.check_instructor(code)
        team = self.team(team_name)
        plan = self.parse(team, raw, source)
        with self._write() as db:
            k = self.open_round
            if k > self.scenario.meta.rounds:
                raise InputError(source, "", "the game is over: no round is open")
            decision = for_round(plan, k - 1)
            cash, credit, bankrupt = self._standing(team, k)
            if bankrupt:
                raise InputError(source, "", f"{team.name} is bankrupt: it makes no decisions")
            check_affordable(decision, cash, credit, source, scenario=self.scenario)
            at, text = now(), decision.model_dump_json()
            db.execute(
                "INSERT INTO decisions (round, team, decision, how, by, at) "
                "VALUES (?, ?, ?, 'submitted', 'instructor', ?) "
                "ON CONFLICT (round, team) DO UPDATE SET decision = excluded.decision, "
                "how = 'submitted', by = 'instructor', at = excluded.at",
                (k, team.name, text, at),
            )
            db.execute(
                "INSERT INTO submissions (round, team, decision, by, at) "
                "VALUES (?, ?, ?, 'instructor', ?)",
                (k, team.name, text, at),
            )
            db.execute(
                "INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)",
                (at, f"overrode {team.name}'s decision for round {k}"),
            )
        return k

    def rollback(self, code: str, to_round: int) -> str:
        """Reopen closed round K: its report and every later one are dropped (they are replayed
        as the rounds are closed again); decisions the teams submitted are kept, decisions the
        class carried for teams that did not submit are dropped (they are carried again, from
        the corrected state, when their round closes); a late team's rounds before it joined
        keep the computer's decisions. Logged."""
        self.check_instructor(code)
        with self._write() as db:
            k = self.open_round
            if not 1 <= to_round < k:
                closed = f"rounds 1-{k - 1} are closed" if k > 1 else "no round has closed yet"
                raise InputError("--to-round", str(to_round), f"expected a closed round ({closed})")
            db.execute("DELETE FROM rounds WHERE round >= ?", (to_round,))
            db.execute(SNAPSHOTS)
            db.execute("DELETE FROM snapshots WHERE round >= ?", (to_round,))
            dropped = db.execute(  # a late team's rounds before it joined stay the computer's
                "DELETE FROM decisions WHERE round >= ? AND how = 'carried' "
                "AND by NOT LIKE 'computer: %'",
                (to_round,),
            ).rowcount
            db.execute("UPDATE class SET open_round = ? WHERE id = 1", (to_round,))
            reopened = f"round {to_round}" if to_round == k - 1 else f"rounds {to_round}-{k - 1}"
            what = (
                f"rolled back to round {to_round}: {reopened} to be played again "
                f"(submitted decisions kept, {dropped} carried dropped)"
            )
            db.execute("INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)", (now(), what))
        return what

    def _hashed_as(self, team: Team) -> str:
        """The name a team's code was hashed with (its name then: a renamed team keeps its
        code)."""
        return self._setting(f"hashed-as:{team.name}") or team.name

    def add_team(self, code: str, name: str) -> tuple[Team, str, str]:
        """A late team takes the first computer-run seat that is still solvent, from the open
        round on. The rounds before it are the computer's: its decisions then are kept as the
        seat's (carried, by "computer: STRATEGY"), so every closed round replays exactly as it
        was played. Returns the team, its join code (shown once, stored hashed) and the log
        line. Logged."""
        self.check_instructor(code)
        fresh = team_name(name, "NAME")
        if any(t.name.casefold() == fresh.casefold() for t in self.teams):
            raise InputError("NAME", fresh, "another team already has that name")
        if self.duplicate:
            return self._add_copy(fresh)
        with holding(self.path, "adding a team"), self._write() as db:
            k, rounds = self.open_round, self.scenario.meta.rounds
            if k > rounds:
                raise InputError("", "", f"the game is over: all {rounds} rounds are played")
            played = self._replayed(k - 1)  # every firm's decisions, the computer's too
            taken = {t.seat for t in self.teams}
            free = [
                i
                for i, _ in enumerate(self.scenario.firms)
                if i not in taken and not played.ledgers[i].bankrupt
            ]
            if not free:
                raise InputError(
                    "NAME",
                    fresh,
                    "no seat is free: every firm has a team or is bankrupt "
                    f"({len(self.teams)} teams in {len(self.scenario.firms)} firms)",
                )
            seat = free[0]
            rival_named(fresh, self.scenario, "NAME", but=seat)
            firm = self.scenario.firms[seat]
            was = firm.controlled_by
            joined = now()
            secret = new_code()
            db.execute(
                "INSERT INTO teams (name, firm_id, seat, code_hash) VALUES (?, ?, ?, ?)",
                (fresh, firm.id, seat, code_hash(secret, self._salt(), fresh)),
            )
            for r, decided in enumerate(played.history, start=1):
                db.execute(
                    "INSERT INTO decisions (round, team, decision, how, by, at) "
                    "VALUES (?, ?, ?, 'carried', ?, ?)",
                    (r, fresh, decided[firm.id].model_dump_json(), f"computer: {was}", joined),
                )
            data = self.scenario.model_dump(mode="json")
            data["firms"][seat].update(controlled_by="player", name=fresh)
            db.execute(
                "UPDATE class SET scenario = ? WHERE id = 1", (json.dumps(data, sort_keys=True),)
            )
            db.execute(SETTINGS)
            db.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                (f"joined:{fresh}", str(k)),
            )
            self._rekey(db)  # the snapshots' digests cover the decisions
            what = (
                f"added team {fresh} in seat {firm.id} (was {firm.name}, computer-run: {was}); "
                f"it plays from round {k}"
            )
            db.execute(
                "INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)", (joined, what)
            )
        self.scenario = parse_scenario(data, f"{self.path}: scenario")
        team = Team(fresh, firm.id, seat)
        self.teams = sorted([*self.teams, team], key=lambda t: t.seat)
        return team, secret, what

    def _add_copy(self, fresh: str) -> tuple[Team, str, str]:
        """A late team in a duplicate class: a copy of the market of its own, in which the
        computer (`balanced`) ran the seat through the closed rounds (its decisions kept as
        the team's, carried by "computer: balanced"); it plays from the open round on."""
        if len(self.teams) >= MAX_TEAMS:
            raise InputError("NAME", fresh, f"a class has at most {MAX_TEAMS} teams")
        rival_named(fresh, self.scenario, "NAME")
        with holding(self.path, "adding a team"), self._write() as db:
            k, rounds = self.open_round, self.scenario.meta.rounds
            if k > rounds:
                raise InputError("", "", f"the game is over: all {rounds} rounds are played")
            first = self.teams[0]
            copy = max(t.copy for t in self.teams) + 1
            team = Team(fresh, first.firm_id, first.seat, copy)
            secret = new_code()
            joined = now()
            db.execute(
                "INSERT INTO teams (name, firm_id, seat, copy, code_hash) VALUES (?, ?, ?, ?, ?)",
                (fresh, team.firm_id, team.seat, copy, code_hash(secret, self._salt(), fresh)),
            )
            game = Game(self.scenario_of(team), self.seed, max_leads=self.max_leads)
            for r in range(1, k):
                mine = game.decide_for(team.firm_id, "balanced")
                db.execute(
                    "INSERT INTO decisions (round, team, decision, how, by, at) "
                    "VALUES (?, ?, ?, 'carried', 'computer: balanced', ?)",
                    (r, fresh, mine.model_dump_json(), joined),
                )
                game.play_round({team.firm_id: mine})
                self._keep(db, game, copy)
            db.execute(SETTINGS)
            db.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                (f"joined:{fresh}", str(k)),
            )
            what = (
                f"added team {fresh} with a market of its own (copy {copy}); it plays from "
                f"round {k}" + (" (the computer ran its seat before)" if k > 1 else "")
            )
            db.execute(
                "INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)", (joined, what)
            )
        self.teams = [*self.teams, team]
        return team, secret, what

    def joined(self, team: str) -> int:
        """The first round `team` played (1 unless it joined late: `add_team`)."""
        return int(self._setting(f"joined:{team}") or 1)

    def _replayed(self, last: int) -> Game:
        """The closed rounds through `last`, played again from round 0 with the teams'
        decisions, so that every firm's decisions are in the game's history (a game restored
        from a snapshot knows only the teams')."""
        by_round = self._by_round(last)
        game = Game(self.scenario, self.seed, max_leads=self.max_leads)
        for k in range(1, last + 1):
            game.play_round(by_round.get(k, {}))
        return game

    def rename_team(self, code: str, old: str, new: str) -> str:
        """A team's new name, everywhere: its decisions, submissions, the firm it plays. Its
        code keeps working. Logged."""
        self.check_instructor(code)
        team = self.team(old)
        fresh = team_name(new, "NEW")
        rival_named(fresh, self.scenario, "NEW")
        if any(t.name.casefold() == fresh.casefold() and t != team for t in self.teams):
            raise InputError("NEW", fresh, "another team already has that name")
        hashed_as = self._hashed_as(team)
        data = self.scenario.model_dump(mode="json")
        if not self.duplicate:  # a duplicate class's copy is named after its team as it is
            data["firms"][team.seat]["name"] = fresh
        with self._write() as db:
            db.execute("PRAGMA defer_foreign_keys = ON")  # teams and their rows move together
            db.execute("UPDATE teams SET name = ? WHERE name = ?", (fresh, team.name))
            db.execute("UPDATE decisions SET team = ? WHERE team = ?", (fresh, team.name))
            db.execute("UPDATE submissions SET team = ? WHERE team = ?", (fresh, team.name))
            db.execute(
                "UPDATE class SET scenario = ? WHERE id = 1", (json.dumps(data, sort_keys=True),)
            )
            db.execute(SETTINGS)
            db.execute("DELETE FROM settings WHERE key = ?", (f"hashed-as:{team.name}",))
            if hashed_as != fresh:
                db.execute(
                    "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                    (f"hashed-as:{fresh}", hashed_as),
                )
            self._rekey(db)  # the snapshots' digests cover the decisions
            what = f"renamed team {team.name} to {fresh}"
            db.execute("INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)", (now(), what))
        self.scenario = parse_scenario(data, f"{self.path}: scenario")
        self.teams = [
            Team(fresh, t.firm_id, t.seat, t.copy) if t == team else t for t in self.teams
        ]
        self._copies = {}
        return what

    def reset_code(self, code: str, who: str | None = None) -> str:
        """A new code for a team (or, with no team, for the instructor); the old one stops
        working at once. Returns the new code: shown once, stored hashed. Logged."""
        self.check_instructor(code)
        fresh = new_code()
        salt = self._salt()
        with self._write() as db:
            if who is None:
                db.execute(
                    "UPDATE class SET instructor_hash = ? WHERE id = 1",
                    (code_hash(fresh, salt, "\0instructor"),),
                )
                what = "new instructor code issued"
            else:
                team = self.team(who)
                db.execute(
                    "UPDATE teams SET code_hash = ? WHERE name = ?",
                    (code_hash(fresh, salt, team.name), team.name),
                )
                db.execute(SETTINGS)
                db.execute("DELETE FROM settings WHERE key = ?", (f"hashed-as:{team.name}",))
                what = f"new code issued for {team.name}"
            db.execute("INSERT INTO log (at, who, what) VALUES (?, 'instructor', ?)", (now(), what))
        return fresh

    # --- what a team may see ---------------------------------------------------------------

    def team_view(self, team_name: str, code: str) -> tuple[Team, RivalView]:
        """The closed rounds as this team may see them: its own books in full, the others'
        public figures only (`RoundReport.public`), as a rival strategy sees them."""
        team = self.check_team(team_name, code)
        return team, self.game(team=team).view(team.firm_id)


def _fault(point: str) -> None:
    """Crash-safety tests kill the process here (JIGSAW_CLASS_FAULT=point): what SIGKILL in
    the middle of `advance` does, at a known place rather than a lucky one."""
    if os.environ.get("JIGSAW_CLASS_FAULT") == point:
        os.kill(os.getpid(), signal.SIGKILL)
