"""`jigsaw scenario`: list, show and validate scenarios, print their schema, check their
balance (`tui.cli.balance`)."""

from __future__ import annotations

import argparse
from typing import Any

from sim.model.files import parse_toml, read_text
from sim.model.scenario import bundled_scenarios, load_scenario, resolve, scenario_schema
from sim.model.workload import workload
from sim.numbers import plural
from tui.cli import balance
from tui.cli.common import Parser, UsageError, add_max_leads, plain


def add(sub: Any) -> None:
    scen = sub.add_parser("scenario", help="list, show, validate scenarios; print the schema")
    ssub = scen.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    ssub.add_parser("list", help="bundled scenarios with their titles")
    show = ssub.add_parser("show", help="print a scenario's TOML (copy it to make your own)")
    show.add_argument("name", metavar="NAME")
    val = ssub.add_parser("validate", help="check a scenario file; exit 2 with the first problem")
    val.add_argument("file", metavar="FILE")
    add_max_leads(val)
    ssub.add_parser("schema", help="print the JSON Schema of scenario files")
    balance.add(ssub)
    scen.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    if args.action == "list":
        rows = [("name", "difficulty", "rounds", "title")]
        for name in bundled_scenarios():
            s = load_scenario(name)
            rows.append((name, s.meta.difficulty, str(s.meta.rounds), s.meta.name))
        widths = [max(len(r[k]) for r in rows) for k in range(4)]
        for r in rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip())
        return 0
    if args.action == "show":
        path = resolve(args.name)
        text = read_text(path, "scenario")
        parse_toml(text, str(path))  # a readable error if it is not TOML
        print(text, end="")
        return 0
    if args.action == "validate":
        s = load_scenario(args.file, args.max_leads)
        print(
            f"{plain(args.file)}: ok ({s.meta.name}: {plural(len(s.segments), 'segment')}, "
            f"{plural(len(s.firms), 'firm')}, {plural(s.meta.rounds, 'round')}); work: {workload(s).line()}"
        )
        return 0
    if args.action == "schema":
        print(scenario_schema())
        return 0
    if args.action == "balance":
        return balance.main(args)
    raise UsageError("jigsaw scenario: choose list, show NAME, validate FILE, schema or balance")
