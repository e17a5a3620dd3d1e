"""`jigsaw class ...`: a classroom game from the command line.

    jigsaw class new SCENARIO --teams "Red,Blue,Green" [--db class.db] [--seed N]
    jigsaw class status [--db class.db]
    jigsaw class submit --team T FILE [--round K] [--by NAME]
    jigsaw class results --team T                   # the team's own books + the public report
    jigsaw class advance [--round K]                # instructor
    jigsaw class report --out DIR                   # instructor: index.html + CSV

Codes come from $JIGSAW_CODE or a prompt without echo (`--code` works, with a warning: a
command line is visible to every user of the machine).
The class lives in one SQLite file (`sim.classroom.store`); these commands only read and write it.
"""

from __future__ import annotations

import argparse
import getpass
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from sim.classroom.grades import BY
from sim.classroom.store import Classroom, Team, opened
from sim.classroom.when import deadline_time
from sim.experiments.luck import DRAWS
from sim.experiments.quality import DEBRIEF_DRAWS as QUALITY_DRAWS
from sim.experiments.quality import MAX_DRAWS as QUALITY_MAX
from sim.model.errors import InputError
from sim.model.files import read_toml
from sim.model.gauge import rho_text
from sim.model.hidden import check_drawn
from sim.model.report import FirmRound
from sim.model.scenario import load_scenario
from sim.narrative import statement_lines
from sim.numbers import money, pct, time_left
from tui.cli.common import (
    Parser,
    UsageError,
    add_draws,
    add_max_leads,
    count_of,
    decimal,
    plain,
    seed_number,
    whole,
)
from tui.progress import ProgressBar
from tui.table import aligned

DEFAULT_DB = os.environ.get("JIGSAW_CLASS_DB", "class.db")
CODE_VARIABLE = "JIGSAW_CODE"


def code(parser: argparse.ArgumentParser, what: str) -> None:
    """`--code`: optional, since a command line is visible to every user of the machine."""
    parser.add_argument(
        "--code",
        help=f"{what}; better unset: jigsaw reads ${CODE_VARIABLE} or asks (no echo), since "
        "other users of this machine can see a command line",
    )


def the_code(args: argparse.Namespace, team: str | None = None) -> str:
    """A code from `--code` (with a one-line warning), else $JIGSAW_CODE, else a prompt
    without echo on the terminal."""
    if args.code is not None:
        print(
            f"jigsaw: warning: --code can be seen by other users of this machine (process "
            f"list, shell history); set {CODE_VARIABLE} or leave it out to be asked",
            file=sys.stderr,
        )
        return str(args.code)
    env = os.environ.get(CODE_VARIABLE)
    if env:
        return env
    if not sys.stdin.isatty():
        raise InputError(
            "--code",
            "",
            f"no code: set {CODE_VARIABLE}, run in a terminal to be asked, or give --code",
        )
    try:
        typed = getpass.getpass(f"Join code for {team}: " if team else "Instructor code: ")
    except EOFError:
        typed = ""
    if not typed.strip():
        raise InputError("--code", "", "no code typed")
    return typed


def seat(room: Classroom, args: argparse.Namespace, team: str, instructor: bool) -> Team:
    """The team a command reads a class for: as the instructor (`--instructor`, with the
    instructor's code) any team; else the team's own seat, with the team's code."""
    if instructor:
        room.check_instructor(the_code(args))
        return room.team(team)
    return room.check_team(team, the_code(args, team))


def add(sub: Any) -> None:
    cls = sub.add_parser(
        "class",
        help="a classroom game: teams in one market, the instructor runs the rounds",
        description="Teams compete in one market; the instructor advances the rounds and "
        "exports the debrief. The class is one SQLite file (--db, default class.db or "
        "$JIGSAW_CLASS_DB).",
    )
    actions = cls.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    cls.set_defaults(run=main)

    def db(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", default=DEFAULT_DB, help=f"the class file ({DEFAULT_DB})")

    new = actions.add_parser(
        "new",
        help="create a class; prints the instructor code and one join code per team",
        description="Create a class on SCENARIO. Teams take the scenario's player seats first, "
        "then the computer-run seats; seats no team fills stay computer-run. With --duplicate, "
        "each team plays its own copy of the market instead (the first player seat, the same "
        "seed, the same computer rivals; up to 40 teams), ranked against the others. Prints "
        "'instructor: CODE' and 'TEAM: CODE', one per line: the codes are stored hashed and "
        "cannot be shown again.",
    )
    new.add_argument("scenario", metavar="SCENARIO", help="bundled name or TOML path")
    new.add_argument("--teams", required=True, help='team names, e.g. "Red,Blue,Green"')
    new.add_argument("--seed", type=seed_number, default=1, help="random seed (1)")
    new.add_argument(
        "--duplicate",
        action="store_true",
        help="each team plays its own copy of the market (the first player seat), with the "
        "same seed against the same computer rivals: ranked on equal luck and opponents",
    )
    add_max_leads(new)
    db(new)

    status = actions.add_parser(
        "status",
        help="the open round and who has submitted",
        description="The open round "
        "(Round K of N) and which teams have submitted for it (never what they submitted).",
    )
    db(status)

    submit = actions.add_parser(
        "submit",
        help="submit a team's decisions for the open round",
        description="Record a team's decisions (a decisions TOML: one decision, or "
        "[[rounds]] whose entry for the open round is used) for the open round. A team may "
        "resubmit until the round closes; the last submission counts.",
    )
    submit.add_argument("file", metavar="FILE")
    submit.add_argument("--team", required=True)
    code(submit, "the team's join code")
    submit.add_argument("--round", type=whole, help="refuse unless this round is the open one")
    submit.add_argument("--by", help="who is submitting (default: user@host)")
    db(submit)

    results = actions.add_parser(
        "results",
        help="a team's own books and the public market report",
        description="The closed rounds as a team sees them: its own figures in full, and "
        "the public market report (shares, prices, revenue, customers) of every firm.",
    )
    results.add_argument("--team", required=True)
    code(results, "the team's join code")
    db(results)

    advance = actions.add_parser(
        "advance",
        help="close the open round and play it (instructor)",
        description="Close the open round: a team that did not submit keeps its last "
        "decisions (logged as carried), the round is played and the next one opens. With "
        "--round K, only round K is closed: running it twice never plays a round twice.",
    )
    code(advance, "the instructor code")
    advance.add_argument("--round", type=whole, help="close only this round")
    db(advance)

    play = actions.add_parser(
        "play",
        help="a team's boardroom in the terminal (its own books and the public report)",
        description="Play for one team: n submits your decisions for the open round; the "
        "boardroom shows the round report when the instructor closes the round. Without "
        "--team and --code, a login screen asks for them.",
    )
    play.add_argument("--team")
    code(play, "the team's join code (with --team)")
    play.add_argument("--full", action="store_true", help="full decisions, not simple")
    db(play)

    dash = actions.add_parser(
        "dashboard",
        help="the instructor's screen: submissions, leaderboard, close the round",
        description="Watch submissions arrive, see the leaderboard, close the round (a) and "
        "write the debrief (d).",
    )
    code(dash, "the instructor code")
    db(dash)

    serve = actions.add_parser(
        "serve",
        help="teams play in a browser (extra: serve)",
        description="Serve the team boardroom over HTTP with textual-serve: each browser tab "
        "gets its own game process, and each team logs in with its code. At most "
        "--max-sessions tabs are open at once (more are refused), and a tab nobody types in "
        "for --idle-minutes is ended. The page loads nothing from the internet. Install "
        "with pip install 'jigsaw-sim[serve]'.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=whole, default=8000, help="port (8000)")
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the address browsers use, e.g. http://10.0.0.5:8000 (needed with --host 0.0.0.0)",
    )
    serve.add_argument(
        "--max-sessions",
        type=whole,
        metavar="N",
        help="browser tabs open at once (default: 2 per team); each is a game process",
    )
    serve.add_argument(
        "--idle-minutes",
        type=decimal,
        default=30.0,
        metavar="M",
        help="end a tab after M minutes with no key pressed (30)",
    )
    db(serve)

    migrate = actions.add_parser(
        "migrate",
        help="move a class made by an older Jigsaw to this one's rules (instructor)",
        description="A class remembers the model version it was created under, and a newer "
        "Jigsaw refuses to continue it (its rules would change mid-course). migrate replays "
        "every closed round under this Jigsaw's model from the decisions kept, rewrites the "
        "round reports, and logs it; results change, decisions do not (one the new books "
        "cannot afford is cut to what cash and credit allow).",
    )
    code(migrate, "the instructor code")
    db(migrate)

    roll = actions.add_parser(
        "rollback",
        help="reopen a closed round (instructor): fix a mistake, then close it again",
        description="Reopen round K: its report and every later one are dropped and replayed "
        "as you close the rounds again. Decisions the teams submitted are kept (change one "
        "with override, or let the team resubmit); decisions carried for teams that did not "
        "submit are carried again from the corrected state. Open team screens notice.",
    )
    roll.add_argument("--to-round", type=whole, required=True, metavar="K")
    code(roll, "the instructor code")
    db(roll)

    over = actions.add_parser(
        "override",
        help="the instructor's decision for a team in the open round",
        description="Record FILE (the decisions format of submit) as TEAM's decision for the "
        "open round, in place of the team's; logged as the instructor's.",
    )
    over.add_argument("--team", required=True)
    over.add_argument("file", metavar="FILE")
    code(over, "the instructor code")
    db(over)

    reset = actions.add_parser(
        "reset-code",
        help="a new code for a team (or, without --team, the instructor); the old one stops",
        description="Print a new join code for TEAM (or a new instructor code): the old code "
        "stops working at once. Like every code, it is stored hashed and shown only now.",
    )
    reset.add_argument("--team")
    code(reset, "the instructor code")
    db(reset)

    for name, text in (
        ("pause", "refuse submissions until resume (instructor)"),
        ("resume", "accept submissions again (instructor)"),
    ):
        hold = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        code(hold, "the instructor code")
        db(hold)

    due = actions.add_parser(
        "deadline",
        help="the open round closes by itself at a time (instructor)",
        description="Set when the open round closes by itself: --at 15:00 (today, this "
        "machine's time zone) or an ISO time (2026-12-03T15:00+01:00), or --in 20m (1h30m, "
        "90s). It closes while a dashboard runs (or class serve, given the instructor code in "
        "JIGSAW_CODE); teams see the time left. --clear removes it.",
    )
    when = due.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", metavar="TIME")
    when.add_argument("--in", dest="within", metavar="DURATION")
    when.add_argument("--clear", action="store_true")
    code(due, "the instructor code")
    db(due)

    late = actions.add_parser(
        "add-team",
        help="a late team takes a computer-run seat from the open round (instructor)",
        description="Team NAME takes the first computer-run seat that is still solvent, "
        "from the open round on (in a duplicate class, a copy of the market of its own, in "
        "which the computer ran its seat so far); prints its join code (shown once). The "
        "rounds before it stay as the computer played them. Logged.",
    )
    late.add_argument("name", metavar="NAME")
    code(late, "the instructor code")
    db(late)

    rename = actions.add_parser(
        "rename-team",
        help="a team's new name, everywhere (its code keeps working)",
        description="Rename team OLD to NEW: its decisions, history and firm take the new "
        "name; its join code keeps working. Logged.",
    )
    rename.add_argument("old", metavar="OLD")
    rename.add_argument("new", metavar="NEW")
    code(rename, "the instructor code")
    db(rename)

    say = actions.add_parser(
        "announce",
        help="a message every team sees in its news and round report (instructor)",
        description="TEXT (up to 500 characters) appears in every team's news panel at once "
        "and in the report of the open round.",
    )
    say.add_argument("text", metavar="TEXT")
    code(say, "the instructor code")
    db(say)

    grade = actions.add_parser(
        "grades",
        help="a grades CSV: per team, per member with --roster, or an LMS import (instructor)",
        description="Write one row per team (rank, score, each measure's score). With "
        "--roster FILE (a CSV: name,id,email,team[,section]), one row per member; with --lms "
        "canvas or moodle, that LMS's gradebook import layout (the score as the grade).",
    )
    grade.add_argument("--out", required=True, metavar="FILE.csv")
    grade.add_argument("--roster", metavar="FILE")
    grade.add_argument("--lms", choices=["canvas", "moodle"])
    grade.add_argument(
        "--assignment", default="Jigsaw", help="the grade column's name in the LMS (Jigsaw)"
    )
    grade.add_argument(
        "--by",
        choices=BY,
        default="result",
        help="result: the score as played (default); skill: the expected score of each team's "
        "decisions over other draws of luck (jigsaw luck), the same luck for every team",
    )
    add_draws(grade, note=": with --by skill")
    code(grade, "the instructor code")
    db(grade)

    view = actions.add_parser(
        "overview",
        help="one table across the sections of a course (several class files)",
        description="For each class file: scenario, the open round, submissions, whether it "
        "is paused or has a deadline, and the head of its leaderboard.",
    )
    view.add_argument(
        "--db", action="append", required=True, metavar="FILE", help="a class file (repeat)"
    )

    back = actions.add_parser(
        "backup",
        help="a consistent copy of the class file, even while teams submit",
        description="Copy the class file with SQLite's backup API: the copy is consistent "
        "even while teams submit and the instructor closes rounds. It holds everything the "
        "class file does (decisions, code hashes), so keep it as private as the class.",
    )
    back.add_argument("--out", required=True, metavar="FILE", help="the copy (not overwritten)")
    db(back)

    report = actions.add_parser(
        "report",
        help="write the debrief: an HTML page and CSV of everything (instructor)",
        description="Write DIR/index.html (leaderboard, charts over the rounds, lessons for "
        "the class, each team's story round by round with its best split in hindsight, "
        "decisions side by side, events, log; it prints one team per page) and rounds.csv, "
        "decisions.csv, scorecard.csv, log.csv.",
    )
    code(report, "the instructor code")
    report.add_argument("--out", required=True, metavar="DIR", help="folder for the debrief")
    report.add_argument(
        "--force", action="store_true", help="replace a debrief already in that folder"
    )
    report.add_argument(
        "--no-hindsight",
        action="store_true",
        help="skip each team's best split in hindsight (a few games per team)",
    )
    add_draws(report, 0, ": for the luck against skill section; 0 leaves it out")
    report.add_argument(
        "--quality-seeds",
        type=count_of("draws of luck", 0, QUALITY_MAX),
        default=QUALITY_DRAWS,
        help=f"draws of luck for each team's decision quality ({QUALITY_DRAWS}; 0 leaves it "
        "out; each is every team's every round and its ten neighbours)",
    )
    db(report)


def main(args: argparse.Namespace) -> int:
    if args.action == "new":
        scenario = load_scenario(args.scenario, args.max_leads)
        check_drawn(scenario, args.scenario)  # a class draws no hidden values
        room, instructor, codes = Classroom.create(
            args.db, scenario, args.teams.split(","), args.seed, args.max_leads, args.duplicate
        )
        print(f"instructor: {instructor}")
        for team in room.teams:
            print(f"{team.name}: {codes[team.name]}")
        computer = [f.label for f in room.scenario.firms if not f.is_player]
        if room.duplicate:
            extra = f"; duplicate: each team plays its own market as {room.teams[0].firm_id}" + (
                f" against {', '.join(computer)}" if computer else ""
            )
        else:
            extra = f"; computer-run: {', '.join(computer)}" if computer else ""
        print(
            f"Class {plain(args.db)} created on {scenario.meta.name} (seed {args.seed}){extra}. "
            "Keep these codes: they are stored hashed and cannot be shown again.",
            file=sys.stderr,
        )
        return 0
    if args.action == "serve":
        return serve(args)
    if args.action == "overview":
        return overview(args.db)
    if args.action is None:
        raise InputError(
            "class",
            "",
            "name an action: new, status, submit, results, play, dashboard, advance, "
            "rollback, override, reset-code, add-team, rename-team, pause, resume, announce, deadline, "
            "report, grades, "
            "backup, overview, "
            "migrate or serve (jigsaw class --help)",
        )
    with opened(args.db, migrating=args.action == "migrate") as room:
        return ACTIONS[args.action](room, args)


def status(room: Classroom, args: argparse.Namespace) -> int:
    s = room.status()
    print(f"{room.scenario.meta.name} ({plain(args.db)}), seed {room.seed}")
    print(s.headline)
    if not s.over and room.paused:
        print("Paused: submissions wait until the instructor resumes (jigsaw class resume).")
    if not s.over and room.deadline is not None:
        print(f"Deadline: round {room.open_round} {time_left(room.deadline)}.")
    width = max((len(t.name) for t in s.teams), default=4)
    for t in s.teams:
        if s.over:
            state = "done"
        elif t.name in s.submitted:
            state = f"submitted {s.submitted[t.name][11:19]} UTC"
        else:
            state = "not yet"
        print(f"  {t.name.ljust(width)}  {state}")
    computer = [f"{f.label} ({f.controlled_by})" for f in room.scenario.firms if not f.is_player]
    if room.duplicate:
        print(
            "Duplicate class: each team plays its own copy of the market, the same seed and "
            "the same computer rivals" + (f" ({', '.join(computer)})" if computer else "")
        )
    elif computer:
        print(f"Computer-run: {', '.join(computer)}")
    return 0


def submit(room: Classroom, args: argparse.Namespace) -> int:
    raw = read_toml(Path(args.file), "decisions")  # before the code is asked for
    k = room.submit(
        args.team,
        the_code(args, args.team),
        raw,
        args.file,
        by=args.by,
        expect_round=args.round,
    )
    team = room.team(args.team)
    mine = room.own_decision(team)
    assert mine is not None
    d = mine.decision
    print(
        f"{team.name}: decisions recorded for round {k} of {room.scenario.meta.rounds} "
        f"(budget {money(d.total_budget)}, marketing {pct(d.marketing_share)}, "
        f"price {d.price:.2f}); you may resubmit until the round closes"
    )
    return 0


def results(room: Classroom, args: argparse.Namespace) -> int:
    team, view = room.team_view(args.team, the_code(args, args.team))
    status = room.status()
    print(f"{team.name} in {room.scenario.meta.name}: {status.headline}")
    if not view.own:
        print("No round has closed yet.")
        return 0
    rows = [("round", "revenue", "profit", "cash", "share", "customers", "won", "win%", "rho")]
    for f in view.own:
        rows.append(
            (
                str(view.own.index(f) + 1),
                money(f.revenue),
                money(f.profit),
                money(f.cash),
                pct(f.market_share),
                f"{f.total_customers:.0f}",
                str(f.deals_won),
                pct(f.win_rate),
                "inf" if f.alignment_ratio is None else rho_text(f.alignment_ratio),
            )
        )
    print("Your books")
    print("\n".join(aligned(rows)))
    print(f"Income statement by round ({room.scenario.meta.currency})")
    print("\n".join(aligned(statement_table(view.own))))
    names = {f.id: f.label for f in room.scenario_of(team).firms}
    own_market = " (your own copy of the market)" if room.duplicate else ""
    print(f"Market report, round {len(view.public)} (public){own_market}")
    rows = [("firm", "share", "price", "revenue", "customers")]
    for fid, p in view.public[-1].items():
        rows.append(
            (
                names[fid] + (" (bankrupt)" if p["bankrupt"] else ""),
                pct(p["market_share"]),
                f"{p['price']:.2f}",
                money(p["revenue"]),
                f"{p['customers']:.0f}",
            )
        )
    print("\n".join(aligned(rows)))
    return 0


def statement_table(rounds: list[FirmRound]) -> list[tuple[str, ...]]:
    """The income statement with a column per round (`statement_lines`, as the game's Books
    tab shows it), then the cash."""
    table: list[tuple[str, ...]] = [("", *(f"round {k}" for k in range(1, len(rounds) + 1)))]
    table += [(name, *(money(v) for v in values)) for name, values in statement_lines(rounds)]
    table.append(("Cash at the close", *(money(f.cash) for f in rounds)))
    return table


def advance(room: Classroom, args: argparse.Namespace) -> int:
    done = room.advance(the_code(args), expect_round=args.round)
    print(done.message)
    for name, note in done.carried.items():
        print(f"  {name} did not submit: {note}")
    return 0


def migrate(room: Classroom, args: argparse.Namespace) -> int:
    print(room.migrate(the_code(args)))
    return 0


def report(room: Classroom, args: argparse.Namespace) -> int:
    from sim.classroom.debrief import DEBRIEF_FILES, write_debrief

    out = Path(args.out)  # never empty (tui.cli.common.Parser)
    if out.exists() and not out.is_dir():
        raise InputError(args.out, "", "is a file; --out names a folder")
    taken = [name for name in DEBRIEF_FILES if (out / name).exists()]
    if taken and not args.force:
        raise InputError(
            args.out,
            "",
            f"already holds a debrief's files ({', '.join(taken)}); add --force to replace "
            "them, or name a new folder",
        )
    room.check_instructor(the_code(args))

    def progress(done: int, total: int) -> None:
        print(f"hindsight: team {done} of {total}", file=sys.stderr, flush=True)

    try:
        files = write_debrief(
            room,
            out,
            hindsight=not args.no_hindsight,
            progress=progress,
            draws=args.seeds,
            quality_draws=args.quality_seeds,
        )
    except OSError as exc:
        raise InputError(args.out, "", f"cannot write ({exc.strerror})") from None
    print(f"Debrief written to {plain(out / 'index.html')}")
    for f in files[1:]:
        print(f"  {plain(f)}")
    return 0


def play(room: Classroom, args: argparse.Namespace) -> int:
    from tui.app import JigsawApp
    from tui.class_session import ClassSession

    if args.team is None and args.code is not None:
        raise InputError("--code", "", "give --team with it (or neither: a login screen asks)")
    session = None
    if args.team is not None:
        session = ClassSession.login(args.db, args.team, the_code(args, args.team))
        session.full_mode = args.full
    room.close()
    JigsawApp(session, class_db=args.db).run()
    return 0


def dashboard(room: Classroom, args: argparse.Namespace) -> int:
    from tui.app import InstructorApp

    instructor = the_code(args)
    room.check_instructor(instructor)
    room.close()
    InstructorApp(args.db, instructor).run()
    return 0


def serve(args: argparse.Namespace) -> int:
    """Teams in a browser: `tui.serve.ClassServer` runs `jigsaw class play --db DB` per tab."""
    try:
        from tui.serve import SESSIONS_PER_TEAM, ClassServer, public_url
    except ImportError:
        raise InputError(
            "class serve", "", "textual-serve is not installed: pip install 'jigsaw-sim[serve]'"
        ) from None
    db = Path(args.db).resolve()
    # The instructor code (for deadlines) stays in this process: the game processes started
    # for the browsers never see it.
    instructor = os.environ.pop(CODE_VARIABLE, None) or None
    with opened(db) as room:  # a clear error now rather than in every browser tab
        teams = len(room.teams)
        if instructor is not None:
            room.check_instructor(instructor)  # deadlines close rounds here
    if not 0 < args.port < 65536:
        raise InputError("--port", "", f"must be 1-65535, got {args.port}")
    cap = SESSIONS_PER_TEAM * teams if args.max_sessions is None else args.max_sessions
    if not 1 <= cap <= 1000:
        raise InputError("--max-sessions", "", f"must be 1-1000, got {cap}")
    if not 0 < args.idle_minutes <= 24 * 60:
        raise InputError(
            "--idle-minutes", "", f"must be above 0 and at most 1440, got {args.idle_minutes}"
        )
    url = public_url(args.public_url, args.host, args.port)
    command = shlex.join([sys.executable, "-m", "tui.cli", "class", "play", "--db", str(db)])
    print(
        f"Serving {db.name} on {url} (listening on {args.host}:{args.port}; at most {cap} "
        f"tabs, idle ones end after {args.idle_minutes:g} min; ctrl+c to stop)",
        file=sys.stderr,
    )
    if instructor is not None:
        print("Rounds close here at their deadline (jigsaw class deadline).", file=sys.stderr)
    server = ClassServer(
        command,
        args.host,
        args.port,
        url,
        cap,
        args.idle_minutes * 60.0,
        db=db,
        instructor=instructor,
    )
    server.serve()
    return 0


def rollback(room: Classroom, args: argparse.Namespace) -> int:
    print(room.rollback(the_code(args), args.to_round))
    return 0


def override(room: Classroom, args: argparse.Namespace) -> int:
    raw = read_toml(Path(args.file), "decisions")  # before the code is asked for
    k = room.override(the_code(args), args.team, raw, args.file)
    print(f"{room.team(args.team).name}: the instructor's decisions recorded for round {k}")
    return 0


def reset_code(room: Classroom, args: argparse.Namespace) -> int:
    fresh = room.reset_code(the_code(args), args.team)
    who = room.team(args.team).name if args.team else "instructor"
    print(f"{who}: {fresh}")
    print("The old code no longer works; this one is shown only now.", file=sys.stderr)
    return 0


def pause(room: Classroom, args: argparse.Namespace) -> int:
    print(room.pause(the_code(args), paused=args.action == "pause"))
    return 0


def set_deadline(room: Classroom, args: argparse.Namespace) -> int:
    at = None if args.clear else deadline_time(args.at, args.within)
    print(room.set_deadline(the_code(args), at))
    return 0


def add_team(room: Classroom, args: argparse.Namespace) -> int:
    team, secret, what = room.add_team(the_code(args), args.name)
    print(what)
    print(f"{team.name}: {secret}")
    return 0


def rename_team(room: Classroom, args: argparse.Namespace) -> int:
    print(room.rename_team(the_code(args), args.old, args.new))
    return 0


def announce(room: Classroom, args: argparse.Namespace) -> int:
    print(room.announce(the_code(args), args.text))
    return 0


def grades(room: Classroom, args: argparse.Namespace) -> int:
    from sim.classroom.grades import grade_sheet, is_grade_sheet, read_roster
    from sim.model.files import check_output, write_atomic

    if args.seeds != DRAWS and args.by != "skill":
        raise UsageError("jigsaw class grades: --seeds goes with --by skill")
    if args.lms and not args.roster:
        raise InputError("--lms", args.lms, "an LMS import lists students: give --roster FILE")
    room.check_instructor(the_code(args))
    read = [("the class file", room.path)] + ([("the roster", args.roster)] if args.roster else [])
    # never over an input or a file that is not a grade sheet written before
    check_output(Path(args.out), "grade sheet", read, ours=is_grade_sheet)
    roster = read_roster(args.roster, room) if args.roster else None
    if args.by == "skill":
        with ProgressBar("draws of luck") as progress:
            text = grade_sheet(
                room,
                roster,
                args.lms,
                args.assignment.strip() or "Jigsaw",
                "skill",
                args.seeds,
                progress,
            )
    else:
        text = grade_sheet(room, roster, args.lms, args.assignment.strip() or "Jigsaw")
    out = Path(args.out)
    try:
        write_atomic(out, text, private=True)  # students' names, emails and grades
    except OSError as exc:
        raise InputError(args.out, "", f"cannot write ({exc.strerror})") from None
    rows = text.count("\n") - 1
    kind = (f"{args.lms} import" if args.lms else "grades") + (
        " by skill" if args.by == "skill" else ""
    )
    room.record(f"{kind} written to {out.name} ({rows} rows)")
    print(
        f"{kind}: {rows} row(s) written to {plain(out)} (after {room.open_round - 1} closed rounds)"
    )
    return 0


MAX_SECTIONS = 100


def overview(paths: list[str]) -> int:
    """One line per section: its state and the first two of its leaderboard."""
    if len(paths) > MAX_SECTIONS:
        raise InputError("--db", "", f"at most {MAX_SECTIONS} class files, got {len(paths)}")
    rows = [("section", "scenario", "round", "submitted", "state", "leading")]
    for path in paths:
        with opened(path) as room:
            s = room.status()
            state = "paused" if room.paused else ""
            if room.deadline is not None:
                state = (state + " " + time_left(room.deadline)).strip()
            leading = "-"
            if s.open_round > 1:
                best = room.leaderboard()[:2]
                leading = ", ".join(
                    f"{plain(b.name)}{'' if b.team else ' (computer)'} {b.total:.1f}" for b in best
                )
            rows.append(
                (
                    Path(path).name,
                    room.scenario.meta.name,
                    "over" if s.over else f"{s.open_round} of {s.rounds}",
                    "-" if s.over else f"{len(s.submitted)} of {len(s.teams)}",
                    state or "-",
                    leading,
                )
            )
    print("\n".join(aligned(rows)))
    return 0


def backup(room: Classroom, args: argparse.Namespace) -> int:
    out = Path(args.out)
    room.backup(out)
    room.record(f"backed up to {out.name}")
    print(
        f"Backed up {plain(room.path)} to {plain(out)} (a consistent copy; restore by copying "
        "it back)"
    )
    return 0


ACTIONS = {
    "rollback": rollback,
    "override": override,
    "reset-code": reset_code,
    "pause": pause,
    "resume": pause,
    "announce": announce,
    "rename-team": rename_team,
    "add-team": add_team,
    "deadline": set_deadline,
    "backup": backup,
    "grades": grades,
    "play": play,
    "dashboard": dashboard,
    "status": status,
    "submit": submit,
    "results": results,
    "advance": advance,
    "migrate": migrate,
    "report": report,
}
