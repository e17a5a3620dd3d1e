"""What every command shares: one-line usage errors (exit 2), the seed and scenario arguments."""

from __future__ import annotations

import argparse
import math
import re
import signal
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any, NoReturn

from sim.experiments.executor import cores
from sim.experiments.luck import DRAWS, MAX_DRAWS
from sim.model.errors import shown
from sim.model.files import MAX_WHOLE, read_number, read_whole
from sim.model.workload import MAX_LEADS


class UsageError(Exception):
    """Bad command-line usage (exit 2)."""


# Options and arguments that name a file or a folder (their dest): none may be empty.
PATH_OPTIONS = (
    "out",
    "save",
    "load",
    "plot",
    "db",
    "roster",
    "decisions",
    "file",
    "truth",
    "estimates",
    "folder",
    "design",
)


class Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line and exit code 2, never a usage dump."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the innermost command parsed names itself, so that arguments left over are blamed
        # on it ('jigsaw luck: unrecognized arguments: --draws (see jigsaw luck --help)')
        self.set_defaults(command_prog=self.prog)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")

    def parse_args(  # type: ignore[override]
        self, args: Any = None, namespace: Any = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            prog = getattr(parsed, "command_prog", self.prog)
            raise UsageError(
                f"{prog}: unrecognized arguments: {' '.join(extras)} (see {prog} --help)"
            )
        return parsed

    def parse_known_args(  # type: ignore[override]
        self, args: Any = None, namespace: Any = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """argparse, and an empty path refused: `--out ''` would otherwise be no --out at
        all (nothing written, silently) or the current folder."""
        parsed, rest = super().parse_known_args(args, namespace)
        for name in PATH_OPTIONS:
            value = getattr(parsed, name, None)
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and not text.strip():
                    self.error(f"{self._named(name)} needs a path, got an empty one")
        return parsed, rest

    def _named(self, dest: str) -> str:
        """How the command line names an argument: its option (--truth), or its metavar."""
        for action in self._actions:
            if action.dest == dest:
                if action.option_strings:
                    return str(action.option_strings[0])
                return str(action.metavar or dest)
        return f"--{dest}"

    def _print_message(self, message: str, file: IO[str] | None = None) -> None:
        """argparse drops a help text it cannot write (a full disk under `--help > FILE`,
        exit 0); here the failure reaches `tui.cli.main`, which says so."""
        if message:
            (file or sys.stderr).write(message)


def seed_number(text: str) -> int:
    """`--seed`: a whole number from 0 (numpy's seeds cannot be negative) to 2^63 - 1 (what a
    save, a class file and a Parquet column hold)."""
    value = read_whole(text, 40)
    if value is None:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {shown(text)}")
    if not 0 <= value <= MAX_WHOLE:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to {MAX_WHOLE}")
    return value


def add_scenario_and_seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help="bundled name (e.g. classic) or path to a scenario TOML file",
    )
    parser.add_argument("--seed", type=seed_number, default=1, help="random seed (default 1)")
    add_max_leads(parser)


def add_max_leads(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-leads",
        type=whole_leads,
        default=MAX_LEADS,
        metavar="N",
        help=f"refuse a game that could ask for more than N leads (default {MAX_LEADS:,}: "
        "about a minute of CPU); lift it on purpose for a bigger market",
    )


MAX_WORKERS_PER_CORE = 2


def check_workers(prog: str, workers: int, remote: bool = False) -> None:
    """`--workers`: 0 (one per core) to two per core, unless the work runs on a remote
    cluster (whose workers are not this machine's processes)."""
    most = MAX_WORKERS_PER_CORE * cores()
    if workers < 0 or (workers > most and not remote):
        raise UsageError(
            f"{prog}: --workers must be 0 (one per core) to {most} (two per core on this "
            f"machine: each is a whole Python process playing games on one core, so more only "
            f"take memory), got {workers}"
        )


def count_of(what: str, least: int = 1, most: int = 1_000_000) -> Callable[[str], int]:
    """An argparse type: a whole number of `what` from `least` to `most`."""

    def parse(text: str) -> int:
        value = read_whole(text, 40)
        if value is None:
            raise argparse.ArgumentTypeError(f"must be a whole number of {what}, got {shown(text)}")
        if not least <= value <= most:
            raise argparse.ArgumentTypeError(f"must be {least:,} to {most:,} {what}")
        return value

    return parse


def whole(text: str) -> int:
    """An argparse type: a whole number in ASCII digits (`read_whole`)."""
    value = read_whole(text, 40)
    if value is None:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {shown(text)}")
    return value


def decimal(text: str) -> float:
    """An argparse type: a finite number in ASCII digits (`read_number`)."""
    value = read_number(text)
    if value is None or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a number, got {shown(text)}")
    return value


def whole_leads(text: str) -> int:
    number = read_number(text)
    if number is None or not number.is_integer():
        raise argparse.ArgumentTypeError(f"must be a whole number, got {shown(text)}")
    value = int(number)
    if not 1 <= value <= 10**12:
        raise argparse.ArgumentTypeError(f"must be between 1 and 10^12, got {text!r}")
    return value


MAX_LINE = 400  # characters in an error line; a longer one keeps its start and its end


def plain(text: object) -> str:
    """Text as it may reach a terminal: a control character it holds (an escape sequence, a
    bell, a bidirectional override, U+2028) is written as its escape, so a path or a name
    cannot drive the terminal, and so is a lone surrogate (a byte of input that was not UTF-8),
    which no terminal could be sent. For every path or name a success line echoes."""
    return "".join(
        c.encode("unicode_escape").decode("ascii")
        if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")
        else c
        for c in str(text)
    )


def one_line(text: str) -> str:
    """The rule is one line on stderr, whatever a message quotes from the user's input: line
    breaks become spaces, other control characters (an escape sequence, a bell, U+2028) are
    written as escapes so they cannot drive the terminal, and a line over MAX_LINE characters
    keeps its start (the file, the field) and its end (what was expected)."""
    text = re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", text).strip(" \t\r\n").replace("\t", " ")
    text = plain(text)
    if len(text) > MAX_LINE:
        head = MAX_LINE * 2 // 3
        text = text[:head] + " ... " + text[head - MAX_LINE + 5 :]
    return text


def add_draws(parser: argparse.ArgumentParser, least: int = 2, note: str = "") -> None:
    """`--seeds`: the draws of luck of luck against skill (`sim.experiments.luck`), from
    `least` (0: leave it out) to MAX_DRAWS."""
    parser.add_argument(
        "--seeds",
        type=count_of("draws of luck", least, MAX_DRAWS),
        default=DRAWS,
        help=f"draws of luck ({DRAWS}; {least} to {MAX_DRAWS}){note}",
    )


def add_executor(parser: argparse.ArgumentParser) -> None:
    """`--workers` and `--scheduler`: where draws of luck run (a process pool, or Dask)."""
    parser.add_argument(
        "--workers", type=whole, default=0, help="processes (0: one per core, 1: serial)"
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on Dask: 'local' or tcp://host:port"
    )


CONFIRM_GAMES = 2_000  # games: half an hour of CPU at classic's second a game; more asks first


def confirm_games(prog: str, games: int, yes: bool, what: str = "the study") -> None:
    """A study of more than CONFIRM_GAMES games (hours of CPU) starts only when the user
    says so: --yes, or y at a prompt; without a terminal to ask at, one line and exit 2."""
    if games <= CONFIRM_GAMES or yes:
        return
    size = f"{games:,} games (each a whole game of the scenario)"
    if not sys.stdin.isatty():
        raise UsageError(
            f"{prog}: {what} holds {size}, more than {CONFIRM_GAMES:,}; add --yes to play "
            "them all, or ask for fewer"
        )
    answer = input(f"{what[0].upper()}{what[1:]} holds {size}. Play them all? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise UsageError(f"{prog}: not started")


class Terminated(KeyboardInterrupt):
    """SIGTERM (a `kill`, a job scheduler's time limit) during a study: stopped as Ctrl-C
    stops it, its finished rows kept whole and no temporary file left behind."""


@contextmanager
def terminated_as_interrupt() -> Iterator[None]:
    """While inside, SIGTERM raises `Terminated` in the main thread instead of killing the
    process where it stands (elsewhere, or off the main thread, nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
