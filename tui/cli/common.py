"""What every command shares: one-line usage errors (exit 2), the seed and scenario arguments."""

from __future__ import annotations

import argparse
import re
from typing import NoReturn

from sim.model.workload import MAX_LEADS


class UsageError(Exception):
    """Bad command-line usage (exit 2)."""


class Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line and exit code 2, never a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def seed_number(text: str) -> int:
    """`--seed`: a whole number, 0 or more (numpy's seeds cannot be negative)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
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


def whole_leads(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not 1 <= value <= 10**12:
        raise argparse.ArgumentTypeError(f"must be between 1 and 10^12, got {text!r}")
    return value


def one_line(text: str) -> str:
    """The rule is one line on stderr, whatever a message quotes from the user's input."""
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()
