"""`jigsaw play --plain`: the whole solo game in plain lines of text.

No full-screen drawing: a prompt, the decisions in force, the round report and the income
statement as lines, and the scorecard at the end. It reads commands from standard input, so it
works with a screen reader, over a serial console and from a script; it plays the same
`Session` as the Textual game, so the same inputs give the same results.

At each round's prompt an empty line (or `n`) plays the round with the decisions shown; other
commands change them; `?` lists the commands; end of input plays on with the decisions shown
to the end of the game.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from sim.history import history_tables
from sim.model.decisions import RANGES, routes_table
from sim.model.errors import InputError
from sim.model.files import MAX_NUMBER, read_number
from sim.model.forecast import LEVEL, band
from sim.model.scenario import CHANNELS, MEASURE_LABELS, STUDIES
from sim.narrative import explain, goal_line, statement_rows
from sim.numbers import money
from tui.cli.common import one_line, plain
from tui.session import Session
from tui.table import aligned

HELP = """Commands (one a line; an empty line or n plays the round):
  budget 300000      the round's total budget
  marketing 40       the marketing share of the budget, percent (sales gets the rest)
  price 1.1          price index, x list price (0.5 to 2.0)
  rd 10              R&D, percent of the budget (taken first)
  training 10        share of the sales budget for training, percent
  commission 8       commission on bookings, percent
  accounts 20        share of sales capacity kept for customers, percent
  mix advertising 50 one channel's share of marketing (advertising, pr, demand_gen), percent
  target smb 60      one segment's share of marketing, percent
  qualify 20         the qualification bar: the lowest-scored share of new warm leads sent
                     to nurture instead of sales, percent
  cover smb 60       a coverage plan: one segment's share of the reps, percent (the other
                     segments share the rest); cover off: one pool of reps again
  partner smb 30     routes to market, where the market has them: one segment's share of
  selfserve smb 20   warm leads sent to channel partners, or to self-serve sign-up, percent
  margin 30          the partners' margin on first-year value, percent; routes off: every
                     lead to your reps again
  study brand_tracker  buy (or stop buying) a study: brand_tracker, perceptual_map, win_loss,
                     pipeline_benchmark
  w                  what-if: the next round, median and 80% interval over 20 draws of luck
  h                  history: your decisions and results, every firm's public figures and
                     you by segment, round by round
  u                  go back one round
  s                  show the decisions again
  ?                  this list
  q                  quit (the game is autosaved after every round)"""

# Each command's draft field and its range in the decision schema (sim.model.decisions.RANGES:
# one home for the ranges). The percent commands are typed in percent.
FIELDS = {
    "budget": ("budget", "budget"),
    "price": ("price", "price"),
}
PERCENT = {
    "marketing": ("marketing_share", "marketing_share"),
    "rd": ("product_share", "product_share"),
    "training": ("training_share", "sales.training_share"),
    "commission": ("commission_rate", "sales.commission_rate"),
    "accounts": ("account_management", "sales.account_management"),
    "qualify": ("qualification", "marketing.qualification"),
}
# The percent commands for levers of full decisions: setting one switches to full mode, so
# that every lever in force is shown.
FULL_MODE = ("training", "commission", "accounts", "qualify")


MAX_COMMAND = 1000  # characters in a line of input: the longest command is a few dozen
MAX_COMMANDS = 10_000  # lines read in one round before it is played (a runaway script)


def percent(share: float) -> str:
    """A share as a percentage, to a tenth where a whole number would hide it (0.5%)."""
    text = f"{100 * share:.1f}".removesuffix(".0")
    return f"{text}%"


class PlainGame:
    """The game loop of plain mode: reads `lines`, writes to `out`."""

    def __init__(self, session: Session, lines: TextIO, out: TextIO) -> None:
        self.session = session
        self.lines = lines
        self.out = out
        self.ended_input = False
        self.asked = 0  # commands read since the last round was played

    def say(self, text: str = "") -> None:
        """A line (or lines) out; what it quotes of the input (a refused value, a name) cannot
        drive the terminal (`plain`: control characters written as escapes)."""
        print("\n".join(plain(line) for line in text.split("\n")), file=self.out, flush=True)

    def ask(self, prompt: str) -> str | None:
        """The next line of input (None at its end, from then on)."""
        if self.ended_input:
            return None
        print(prompt, end="", file=self.out, flush=True)
        self.asked += 1
        if self.asked > MAX_COMMANDS:
            raise InputError(
                "standard input",
                "",
                f"more than {MAX_COMMANDS:,} commands in one round without playing it",
            )
        line = self.lines.readline(MAX_COMMAND + 1)
        if not line:
            self.ended_input = True
            self.say("(end of input: playing on with the decisions shown)")
            return None
        if len(line.rstrip("\n")) > MAX_COMMAND:
            raise InputError("standard input", "", f"a command is at most {MAX_COMMAND} characters")
        if not self.lines.isatty():
            # a script's transcript reads like a session (a control character it holds is
            # shown as an escape, never sent to the terminal)
            self.say(one_line(line.rstrip("\n")))
        return line.strip()

    def run(self) -> int:
        s = self.session
        m = s.scenario.meta
        self.say(f"Jigsaw: {m.name}. {m.rounds} rounds of {m.round_days} days; seed {s.game.seed}.")
        if s.game.notice:  # a save made under another model (the full screen's "Older save")
            self.say(f"Note: {s.game.notice}.")
        self.say("Type ? for the commands; an empty line plays the round.")
        while not s.finished and not s.bankrupt:
            self.say()
            self.show_decisions()
            while True:
                line = self.ask(f"Round {s.game.round + 1} of {m.rounds}> ")
                if line is None or line.lower() in ("", "n"):
                    if self.play():
                        break
                    continue
                if line.lower() in ("q", "quit"):
                    self.say(f"Saved: {s.autosave_path}" if s.game.history else "Bye.")
                    return 0
                self.command(line)
        self.say()
        self.say("\n".join(scorecard_lines(s)))
        return 0

    def show_decisions(self) -> None:
        s = self.session
        d = s.draft
        v = s.view()
        line = (
            f"Cash {money(v.cash)}. Decisions: budget {money(d.budget)}, marketing "
            f"{d.marketing_share:.0%} / sales {1 - d.marketing_share:.0%}, price {d.price:.2f}"
        )
        if d.product_share:
            line += f", R&D {d.product_share:.0%}"
        if s.full_mode:
            line += (
                f", training {d.training_share:.0%}, commission {d.commission_rate:.0%}, "
                f"accounts {d.account_management:.0%}; mix "
                + ", ".join(f"{ch} {d.mix.get(ch, 0):.0%}" for ch in CHANNELS)
                + "; targeting "
                + ", ".join(f"{k} {v:.0%}" for k, v in d.targeting.items())
            )
        if s.full_mode or d.qualification or d.coverage is not None:  # never in force unseen
            line += f"; qualification bar {percent(d.qualification)}; " + (
                "one pool of reps"
                if d.coverage is None
                else "reps " + ", ".join(f"{k} {percent(v)}" for k, v in d.coverage.items())
            )
        if s.scenario.offers_routes and (s.full_mode or d.routed):
            line += "; " + self.routes_text()
        line += "; studies " + (", ".join(d.research) if d.research else "none") + "."
        self.say(line)
        x = s.derived()
        costs = f"That buys {x['reps']:.0f} reps ({x['slots']:.0f} deal slots)"
        if x["hires"]:
            costs += f", hiring {x['hires']:.0f} for {money(x['hiring'])}"
        if x["fires"]:
            costs += f", letting {x['fires']:.0f} go for {money(x['severance'])} of severance"
        self.say(
            f"{costs}; cash after spending {money(x['spend'])} and fixed costs "
            f"{money(x['fixed_costs'])}: {money(x['cash_after'])} (before revenue)."
        )
        over = s.over_budget()
        if over:
            self.say(f"Warning: {over}")

    def command(self, line: str) -> None:
        s = self.session
        words = line.split()
        verb, args = words[0].lower(), words[1:]
        try:
            if verb == "?":
                self.say(HELP)
            elif verb == "s":
                self.show_decisions()
            elif verb == "w":
                self.what_if()
            elif verb == "h":
                self.history()
            elif verb == "u":
                k = s.undo()
                self.say(f"Back to round {k}: its decisions are loaded again.")
                self.show_decisions()
            elif verb in FIELDS and len(args) == 1:
                field, lever = FIELDS[verb]
                setattr(s.draft, field, within(number(args[0], verb), verb, lever))
                self.show_decisions()
            elif verb in PERCENT and len(args) == 1:
                field, lever = PERCENT[verb]
                share = within(number(args[0], verb) / 100.0, verb, lever, percent=True)
                if verb in FULL_MODE:  # a full-mode lever: shown from now on
                    self.full_mode_on()
                setattr(s.draft, field, share)
                self.show_decisions()
            elif verb == "cover" and args == ["off"]:
                s.draft.coverage = None
                self.show_decisions()
            elif verb == "routes" and args == ["off"]:
                s.draft.drop_routes()
                self.show_decisions()
            elif verb in ("partner", "selfserve") and len(args) == 2:
                self.route(verb, args[0], number(args[1], f"{verb} {args[0]}") / 100.0)
                self.show_decisions()
            elif verb == "margin" and len(args) == 1:
                margin = within(
                    number(args[0], verb) / 100.0, verb, "routes.partner_margin", percent=True
                )
                if not s.scenario.partner_segments:
                    raise InputError(verb, "", "this market has no channel partners")
                self.full_mode_on()
                s.draft.partner_margin = margin
                self.show_decisions()
            elif verb in ("mix", "target", "cover") and len(args) == 2:
                self.share(verb, args[0], number(args[1], f"{verb} {args[0]}") / 100.0)
                self.show_decisions()
            elif verb == "study" and len(args) == 1:
                name = args[0]
                if name not in STUDIES:
                    raise InputError("study", name, f"expected one of {', '.join(STUDIES)}")
                research = s.draft.research
                research.remove(name) if name in research else research.append(name)
                self.show_decisions()
            else:
                self.say(f"Not a command: {line!r}. Type ? for the list.")
        except InputError as exc:
            self.say(f"Not changed: {exc}")

    def history(self) -> None:
        """The game so far, as the Textual game's history screen shows it (`sim.history`)."""
        s = self.session
        if not s.reports:
            self.say("Nothing yet: the history starts after the first round.")
            return
        for table in history_tables(s.scenario, s.reports, s.game.history, s.player):
            self.say(f"{table.title}:")
            self.say("\n".join(aligned([table.columns, *table.rows], indent="  ")))

    def routes_text(self) -> str:
        """The routes decided, in words ('routes: all to your reps' when none)."""
        d = self.session.draft
        parts = [f"{k} {percent(v)} to partners" for k, v in d.partner.items() if v > 0]
        parts += [f"{k} {percent(v)} self-serve" for k, v in d.self_serve.items() if v > 0]
        text = "routes: " + (", ".join(parts) if parts else "every lead to your reps")
        if d.partner_margin is not None:
            text += f", partner margin {percent(d.partner_margin)}"
        return text

    def full_mode_on(self) -> None:
        s = self.session
        if not s.full_mode:  # a full-mode lever: shown from now on
            s.full_mode = True
            s.defaults_for_full_mode()

    def route(self, verb: str, segment: str, value: float) -> None:
        """One segment's share of warm leads to partners (or self-serve), checked before
        anything changes by the rule a decisions file meets (`routes_table`: the segment must
        offer the route, the shares fit with the other route's in that segment)."""
        s = self.session
        if not 0 <= value <= 1:
            raise InputError(verb, segment, "must be between 0 and 100 percent")
        route = "partner" if verb == "partner" else "self_serve"
        shares = {"partner": dict(s.draft.partner), "self_serve": dict(s.draft.self_serve)}
        shares[route][segment] = value
        try:
            checked = routes_table(s.scenario, shares, "", "")
        except InputError as exc:  # the rule's words, named by the command typed
            raise InputError(verb, segment, exc.message) from None
        self.full_mode_on()
        s.draft.partner = checked.get("partner", {})
        s.draft.self_serve = checked.get("self_serve", {})

    def share(self, verb: str, key: str, value: float) -> None:
        """One channel's (or segment's) share; the others scale to fill the rest. Checked
        before anything changes: a refused command leaves the mode and the plan as they were."""
        s = self.session
        if verb == "cover" and len(s.scenario.segments) < 2:
            raise InputError("cover", key, "a market of one segment has one pool of reps")
        if verb == "target" and len(s.scenario.segments) < 2:
            raise InputError(
                "target", key, "a market of one segment gets all of marketing's targeting"
            )
        keys = CHANNELS if verb == "mix" else tuple(s.scenario.segment_ids)
        if key not in keys:
            raise InputError(verb, key, f"expected one of {', '.join(keys)}")
        if not 0 <= value <= 1:
            raise InputError(verb, key, "must be between 0 and 100 percent")
        self.full_mode_on()
        if verb == "cover" and s.draft.coverage is None:
            s.draft.coverage = s.suggested_coverage()
        table = {"mix": s.draft.mix, "target": s.draft.targeting}.get(verb, s.draft.coverage)
        assert table is not None
        rest = sum(v for k, v in table.items() if k != key)
        for k in table:
            if k != key:
                table[k] = (
                    table[k] / rest * (1 - value) if rest > 0 else (1 - value) / (len(table) - 1)
                )
        table[key] = value

    def what_if(self) -> None:
        s = self.session
        try:
            draws = s.forecast()
        except InputError as exc:
            self.say(f"No forecast: {exc}")
            return
        mine = [r.firms[s.player] for r in draws]

        def span(get: Callable, fmt: Callable = money) -> str:
            low, mid, high = band([get(f) for f in mine])
            if fmt(low) == fmt(high):
                return fmt(mid)
            return f"{fmt(mid)} ({fmt(low)} to {fmt(high)})"

        self.say(
            f"What-if, median and {LEVEL:.0%} interval over {len(mine)} draws of luck: revenue "
            f"{span(lambda f: f.revenue)}, profit {span(lambda f: f.profit)}, deals won "
            f"{span(lambda f: f.deals_won, lambda x: f'{x:.0f}')}, leads gone cold "
            f"{span(lambda f: f.leads_cold, lambda x: f'{x:.0f}')}, rho "
            f"{span(lambda f: f.alignment_ratio or 0.0, lambda x: f'{x:.2f}')}."
        )

    def play(self) -> bool:
        """Play the round with the decisions shown; False if it was not played."""
        s = self.session
        problem = None
        try:
            s.decision()
        except InputError as exc:
            problem = str(exc)
        if problem:
            if self.ended_input:  # a script whose decisions cannot be played: one line, exit 2
                k = s.game.round + 1
                raise InputError("standard input", "", f"cannot play round {k}: {problem}")
            self.say(f"Cannot play this round: {problem}")
            return False
        if s.confirm_overrun() and not self.ended_input:
            answer = self.ask(f"{s.over_budget()} Play anyway? [y/N] ")
            if answer is not None and answer.lower() not in ("y", "yes"):
                self.say("Not played.")
                return False
        before = s.reports[-1] if s.reports else None
        outcome = s.advance()
        self.asked = 0
        report = outcome.report
        assert report is not None
        self.say()
        self.say(f"Round {report.round} of {s.scenario.meta.rounds}: what happened")
        # every lever is one command away here (a study, account management): the report
        # speaks as to full decisions, never of a mode to switch to
        for line in explain(s.scenario, report, s.player, before, full_mode=True):
            self.say(f"- {line}")
        if s.autosave_problem:
            self.say(f"- Autosave failed: {s.autosave_problem}")
        self.say(f"Income statement ({s.scenario.meta.currency}):")
        rows = statement_rows(report.firms[s.player])
        for line in aligned([(name, amount) for name, amount in rows], indent="  "):
            self.say(line)
        return True


def number(text: str, what: str) -> float:
    """A number typed at the prompt (-0 is 0: a report never shows '-0%')."""
    value = read_number(text)
    if value is None:
        raise InputError(
            what, "", f"expected a number (such as 250000, 250,000 or 1.5), got {text!r}"
        )
    if value in (float("inf"), float("-inf")):
        raise InputError(what, "", f"expected a finite number, got {text!r}")
    return value


def within(value: float, verb: str, lever: str, percent: bool = False) -> float:
    """`value` if the decision schema allows it for `lever`, else one clear refusal."""
    low, high = RANGES[lever]
    if low <= value <= high:
        return value
    scale, unit = (100.0, " percent") if percent else (1.0, "")
    allowed = (  # a budget's bound (10^15) is no figure a player needs to see below it
        f"{low * scale:g} or more"
        if high == float("inf") or (value < low and high >= MAX_NUMBER)
        else f"{low * scale:g} to {high * scale:g}"
    )
    raise InputError(verb, "", f"must be {allowed}{unit}, got {value * scale:.12g}")


def scorecard_lines(session: Session) -> list[str]:
    """The final ranking, as the scorecard screen shows it: rank, firm, total, each measure."""
    game = session.game
    score = game.score()
    weights = session.scenario.scoring.weights()
    lines = ["Game over. Balanced scorecard (0-100 per measure, weighted):"]
    rows = [("rank", "firm", "total", *(MEASURE_LABELS[m].lower() for m in weights))]
    for fid, sc in sorted(score.items(), key=lambda kv: kv[1]["rank"]):
        name = game.scenario.firm(fid).label + (" (you)" if fid == session.player else "")
        rows.append(
            (
                str(sc["rank"]),
                name,
                f"{sc['total']:.1f}",
                *(f"{v:.0f}" for v in sc["scores"].values()),
            )
        )
    lines += aligned(rows, indent="  ")
    goals = session.goals()
    if goals:
        met = sum(1 for g in goals if g.status == "met")
        lines.append(f"Your goals: {met} of {len(goals)} met")
        lines += [f"  {goal_line(g)}" for g in goals]
    return lines


def play_plain(session: Session, lines: TextIO | None = None, out: TextIO | None = None) -> int:
    return PlainGame(session, lines or sys.stdin, out or sys.stdout).run()
