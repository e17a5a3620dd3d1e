"""The instructor's debrief of a class: one self-contained HTML page and CSV of everything.

The page holds the leaderboard on the balanced scorecard, a chart per measure (revenue,
profit, market share, awareness, alignment ratio rho) with a line per firm over the rounds,
lessons for the class, each team's story (its rounds in numbers, each round in the narrative
engine's words, its best split in hindsight with the other teams' decisions as they were),
every team's decisions side by side (carried ones marked), the events and the class log.
The charts are inline SVG, so the page opens offline, prints, and needs no plotting library.
Everything a user typed (team names) is escaped.

    write_debrief(classroom, "debrief/") -> [index.html, rounds.csv, decisions.csv, ...]
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sim.classroom.store import Classroom, Submission, Team
from sim.csvtext import csv_text
from sim.experiments.luck import FirmLuck, Luck, across_copies, with_every_decision
from sim.experiments.luck import luck as measure_luck
from sim.experiments.quality import Quality, quality
from sim.model.decisions import Decision
from sim.model.files import write_atomic
from sim.model.game import Game
from sim.model.gauge import ALIGNED, rho_text
from sim.model.report import RoundReport, flat_row
from sim.model.scenario import Scenario
from sim.narrative import explain
from sim.numbers import money, pct, plural

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
NAMED = {  # a team called Red is drawn in red
    "red": "#d62728",
    "blue": "#1f77b4",
    "green": "#2ca02c",
    "purple": "#9467bd",
    "orange": "#ff7f0e",
    "brown": "#8c564b",
    "pink": "#e377c2",
    "cyan": "#17becf",
    "teal": "#17becf",
    "yellow": "#bcbd22",
    "grey": "#7f7f7f",
    "gray": "#7f7f7f",
    "black": "#222222",
}


def route_cells(scenario: Scenario, d: Decision, firm_id: str) -> dict[str, object]:
    """A decision's routes to market as decisions.csv columns: each offered segment's share
    to partners and to self-serve, and the partners' margin (the firm's market's unless it
    offered another)."""
    partner = d.routes.partner if d.routes is not None else {}
    self_serve = d.routes.self_serve if d.routes is not None else {}
    market = scenario.economics_for(scenario.firm(firm_id)).partner_margin
    return {
        **{f"routes.partner.{k}": partner.get(k, 0.0) for k in scenario.partner_segments},
        **{f"routes.self_serve.{k}": self_serve.get(k, 0.0) for k in scenario.self_serve_segments},
        "routes.partner_margin": d.partner_margin(market),
    }


def colours(names: list[str]) -> dict[str, str]:
    """A colour per name: its own when the name is a colour, else the next one not taken."""
    out = {n: NAMED[n.strip().lower()] for n in names if n.strip().lower() in NAMED}
    free = [c for c in PALETTE if c not in out.values()] or PALETTE
    k = 0
    for n in names:
        if n not in out:
            out[n] = free[k % len(free)]
            k += 1
    return out


def awareness(report: RoundReport, firm_id: str) -> float:
    """Awareness over the whole market: each segment's weighted by its accounts."""
    total = sum(s.accounts for s in report.segments.values())
    if not total:
        return 0.0
    shares = report.firms[firm_id].awareness
    return sum(shares.get(k, 0.0) * s.accounts for k, s in report.segments.items()) / total


MEASURES: list[tuple[str, Callable[[RoundReport, str], float | None], Callable[[float], str]]] = [
    ("Revenue", lambda r, f: r.firms[f].revenue, money),
    ("Profit", lambda r, f: r.firms[f].profit, money),
    ("Market share (of revenue)", lambda r, f: r.firms[f].market_share, pct),
    ("Awareness (all segments)", awareness, pct),
    (
        "Alignment ratio rho (warm demand / sales capacity)",
        lambda r, f: r.firms[f].alignment_ratio,
        lambda x: f"{x:.2f}",
    ),
]


def nice_step(rough: float) -> float:
    """The round step (1, 2, 2.5 or 5 times a power of ten) at or above `rough`."""
    power = 10.0 ** math.floor(math.log10(rough))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough * (1 - 1e-9))


def line_chart(
    title: str,
    series: dict[str, list[float | None]],
    label: Callable[[float], str],
    width: int = 560,
    height: int = 250,
) -> str:
    """An SVG line chart: rounds along x, one polyline per firm, a zero line when the values
    cross it. Missing values (None) break the line."""
    left, right, top, bottom = 64, 12, 28, 34
    values = [v for vs in series.values() for v in vs if v is not None]
    n = max((len(vs) for vs in series.values()), default=0)
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    lo, hi = min(lo, 0.0), max(hi, 0.0)  # the zero line is always on the chart
    if hi == lo:
        hi = lo + 1.0
    step = nice_step((hi - lo) / 4)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    ticks = [lo + step * j for j in range(round((hi - lo) / step) + 1)]
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(k: int) -> float:
        return left + (plot_w * k / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (hi - v) / (hi - lo)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{html.escape(title)}">',
        f'<text x="{left}" y="18" class="title">{html.escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" class="frame"/>',
    ]
    for v in ticks:
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="grid"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" class="tick" text-anchor="end">{html.escape(label(v))}</text>'
        )
    if lo < 0 < hi:
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(0):.1f}" y2="{y(0):.1f}" class="zero"/>'
        )
    for k in range(n):
        out.append(
            f'<text x="{x(k):.1f}" y="{top + plot_h + 16}" class="tick" text-anchor="middle">{k + 1}</text>'
        )
    out.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" class="tick" text-anchor="middle">round</text>'
    )
    palette = colours(list(series))
    for name, vs in series.items():
        colour = palette[name]
        runs: list[list[str]] = [[]]
        for k, value in enumerate(vs):
            if value is None:
                runs.append([])
            else:
                runs[-1].append(f"{x(k):.1f},{y(value):.1f}")
        for run in runs:
            if len(run) > 1:
                out.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"/>'
                )
            for point in run:
                px, py = point.split(",")
                out.append(
                    f'<circle cx="{px}" cy="{py}" r="2.5" fill="{colour}"><title>{html.escape(name)}</title></circle>'
                )
    out.append("</svg>")
    return "\n".join(out)


def luck_strip(f: FirmLuck, width: int = 560, height: int = 86) -> str:
    """A strip of the firm's scores over the draws of luck (one tick each), their mean (the
    expected score: what its decisions earn) and the score as played (a diamond)."""
    left, right, top = 64, 12, 28
    values = [*f.scores, f.score]
    lo = math.floor(min(values) / 5) * 5
    hi = math.ceil(max(values) / 5) * 5
    if hi <= lo:
        hi = lo + 5
    plot_w = width - left - right
    mid = top + 18

    def x(v: float) -> float:
        return left + plot_w * (v - lo) / (hi - lo)

    title = (
        f"{f.name}: score {f.score:.1f} as played, {f.expected_score:.1f} expected over "
        f"{len(f.scores)} draws of luck (luck: {f.score_percentile:.0f}th percentile)"
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{html.escape(title)}">',
        f'<text x="{left}" y="18" class="title">{html.escape(f.name)}: score over the draws '
        "of luck</text>",
        f'<line x1="{left}" x2="{left + plot_w}" y1="{mid}" y2="{mid}" class="frame"/>',
    ]
    step = nice_step((hi - lo) / 4)
    tick = math.ceil(lo / step) * step
    while tick <= hi + 1e-9:
        out.append(
            f'<text x="{x(tick):.1f}" y="{mid + 30}" class="tick" text-anchor="middle">'
            f"{tick:g}</text>"
        )
        tick += step
    for v in f.scores:
        out.append(
            f'<line x1="{x(v):.1f}" x2="{x(v):.1f}" y1="{mid - 8}" y2="{mid + 8}" '
            'stroke="#7a8fa6" stroke-width="1.5"/>'
        )
    e = x(f.expected_score)
    out.append(
        f'<line x1="{e:.1f}" x2="{e:.1f}" y1="{mid - 14}" y2="{mid + 14}" stroke="#222" '
        'stroke-width="2"><title>expected score</title></line>'
    )
    p = x(f.score)
    out.append(
        f'<polygon points="{p:.1f},{mid - 9} {p + 7:.1f},{mid} {p:.1f},{mid + 9} '
        f'{p - 7:.1f},{mid}" fill="#c0392b"><title>as played</title></polygon>'
    )
    out.append("</svg>")
    return "\n".join(out)


def luck_html(result: Luck, team_of: dict[str, str]) -> str:
    """The debrief's luck against skill: a table of every firm, then each team's strip."""
    esc = html.escape
    seeds = result.seeds
    parts = [
        "<h2>Luck against skill</h2>",
        f"<p class='sub'>The closed rounds played again over {result.draws} other draws of "
        f"luck (seeds {seeds.start}..{seeds.stop - 1}, the same for every firm), every firm's "
        "decisions held as played. Expected: what the decisions earn on average (skill). "
        "Luck: where the score as played falls among the draws (50 is average). It cannot "
        "say how a team would have decided after other luck (docs/LUCK.md).</p>",
    ]
    if not result.lucky:
        parts.append("<p>This game has no luck to measure: every draw is the same game.</p>")
        return "".join(parts)
    parts.append(
        "<table><tr><th class='name'>firm</th><th>score as played</th><th>expected "
        "(95%)</th><th>luck</th><th>rank as played</th><th>rank by skill</th></tr>"
    )
    for f in sorted(result.firms, key=lambda f: f.skill_rank):
        who = esc(team_of.get(f.firm, f"{f.name} (computer)"))
        css = "" if f.firm in team_of else " class='computer'"
        parts.append(
            f"<tr{css}><td class='name'>{who}</td><td>{f.score:.1f}</td>"
            f"<td>{f.expected_score:.1f} [{f.score_low:.1f}, {f.score_high:.1f}]</td>"
            f"<td>{f.score_percentile:.0f}%</td><td>{f.rank}</td><td>{f.skill_rank}</td></tr>"
        )
    parts.append("</table><div class='charts'>")
    for f in result.firms:
        if f.firm in team_of:
            parts.append(f"<div class='chart'>{luck_strip(f)}</div>")
    parts.append("</div>")
    return "".join(parts)


CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1180px; color: #222; }
h1 { margin-bottom: 0.2rem; } .sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.92rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: right; vertical-align: top; }
th { background: #f3f3f3; } td.name, th.name { text-align: left; }
tr.computer td { color: #666; } .carried { color: #a0522d; font-style: italic; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.legend span { display: inline-block; margin-right: 1rem; } .legend i { display: inline-block;
  width: 0.9rem; height: 0.9rem; margin-right: 0.3rem; vertical-align: -0.1rem; }
svg .title { font-weight: 600; font-size: 13px; } svg .tick { font-size: 11px; fill: #555; }
svg .frame { fill: none; stroke: #bbb; } svg .grid { stroke: #eee; } svg .zero { stroke: #888; }
.chart { break-inside: avoid; } .chart .legend { font-size: 0.85rem; margin: 0.2rem 0 0; }
.team { border-top: 2px solid #ddd; margin-top: 2rem; } .team li { margin-bottom: 0.3rem; }
.lessons li { margin-bottom: 0.4rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  table, .chart, .team li { break-inside: avoid; page-break-inside: avoid; }
  .team { break-before: page; page-break-before: always; border-top: none; }
  a { color: inherit; text-decoration: none; }
}
"""
SHARES = [round(0.1 * k, 1) for k in range(11)]  # the fixed splits tried in hindsight


def decision_text(s: Submission) -> str:
    d = s.decision
    text = (
        f"budget {money(d.total_budget)} &middot; marketing {pct(d.marketing_share)} &middot; "
        f"price {d.price:.2f}"
    )
    if d.product.budget:
        text += f" &middot; R&amp;D {money(d.product.budget)}"
    if d.marketing.positioning is not None:
        p = d.marketing.positioning
        text += f" &middot; claims ({p.power:.2f}, {p.service:.2f})"
    if d.research:
        text += " &middot; studies: " + ", ".join(html.escape(r) for r in d.research)
    return text


Hindsight = dict[str, tuple[float, float, float]]  # team -> (best share, its profit, actual)


def hindsight_by_team(
    classroom: Classroom,
    markets: dict[str, Game],
    decisions: list[Submission],
    progress: Callable[[int, int], None] | None = None,
) -> Hindsight:
    """For each team, its best fixed split in hindsight *in its own situation*, like for like:
    the closed rounds again, same seed, the other teams' decisions as they were, the team's
    own decisions with their marketing + sales budget split one way every round, everything
    else as played. (share, that game's profit, the team's own profit). `markets`: the game
    each team plays in (`Classroom.markets`)."""
    from sim.experiments.hindsight import look_back

    out: Hindsight = {}
    teams = classroom.teams
    for n, team in enumerate(teams):
        game = markets[team.name]
        closed = len(game.reports)
        if not closed:
            return {}
        scenario = classroom.scenario_of(team)
        cut = scenario.model_copy(
            update={"meta": scenario.meta.model_copy(update={"rounds": closed})}
        )
        others = [dict(h) for h in game.history[:closed]]
        spent = [s.decision.total_budget for s in decisions if s.team == team.name]
        budget = sum(spent) / len(spent) if spent else scenario.meta.budget_per_round
        own = [h[team.firm_id] for h in game.history[:closed] if team.firm_id in h]
        looks = look_back(
            cut, classroom.seed, team.firm_id, budget, SHARES, others=others, mine=own
        )
        best = max(looks, key=lambda look: look.profit)
        actual = sum(r.firms[team.firm_id].profit for r in game.reports)
        out[team.name] = (best.share, best.profit, actual)
        if progress is not None:
            progress(n + 1, len(teams))
    return out


# How a team's round was decided (the rounds table's last column), and what its story says
# of a round it did not submit.
KEPT = "carried (did not submit)"
DEFAULT = "balanced default (did not submit)"
COMPUTER = "the computer (before the team joined)"
CARRIED_STORY = {
    KEPT: "The team did not submit: its last decisions were kept.",
    DEFAULT: "The team did not submit and had no decisions of its own yet: the computer's "
    "balanced decisions were played for it.",
    COMPUTER: "The computer played this seat before the team joined.",
}


def _how_decided(row: Submission, own: list[Submission]) -> str:
    """A round's decision as the debrief names it: submitted, by the instructor, the team's
    last decisions kept, the balanced default (nothing of its own to keep yet), or the
    computer's (a seat a team took over later). `own`: the team's rows by round."""
    if row.how != "carried":
        return "instructor" if row.by == "instructor" else "submitted"
    if row.by.startswith("computer"):
        return COMPUTER
    kept = any(r.round < row.round and not r.by.startswith("computer") for r in own)
    return KEPT if kept else DEFAULT


def _rounds_table(game: Game, firm_id: str, how: dict[int, str]) -> str:
    rows = [
        "<table><tr><th>round</th><th>marketing spent</th><th>sales spent</th>"
        "<th>split decided</th><th>price</th>"
        "<th>leads in / ref / out</th><th>worked</th><th>cold</th><th>won</th><th>win rate</th>"
        "<th>rho</th><th>profit</th><th class='name'>decided</th></tr>"
    ]
    for r in game.reports:
        f = r.firms[firm_id]
        # the split the team decided (its sales spent also counts commission and hiring)
        decided = game.history[r.round - 1].get(firm_id)
        split = pct(decided.marketing_share) if decided is not None else "-"
        rho = "-" if f.alignment_ratio is None else rho_text(f.alignment_ratio)
        rows.append(
            f"<tr><td>{r.round}</td><td>{money(f.marketing_spend)}</td>"
            f"<td>{money(f.sales_spend)}</td><td>{split}</td><td>{f.price:.2f}</td>"
            f"<td>{f.leads_inbound} / {f.leads_referral} / {f.leads_outbound}</td>"
            f"<td>{f.leads_worked}</td><td>{f.leads_cold}</td><td>{f.deals_won}</td>"
            f"<td>{pct(f.win_rate)}</td><td>{rho}</td><td>{money(f.profit)}</td>"
            f"<td class='name'>{html.escape(how.get(r.round, 'submitted'))}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def quality_html(q: Quality) -> str:
    """A team's decision quality, round by round (`sim.experiments.quality`)."""
    how = f"the mean over {plural(q.draws, 'draw')} of luck"
    rows = [
        f"<p><b>Decision quality</b>: each round's decision against its neighbours (the split "
        "10 points, the price 0.1, training, commission and account management a step, each "
        "way), from the round's starting point, valued by what the round created (profit plus "
        f"the change in customer equity), {how}. Left on the table over the game: "
        f"{money(q.left)}.</p>",
        "<table><tr><th>round</th><th>value created (expected)</th><th>left on the table</th>"
        "<th class='name'>best neighbour</th></tr>",
    ]
    for r in q.rounds:
        best = r.best
        where = "none did clearly better" if best is None else r.advice()
        rows.append(
            f"<tr><td>{r.round}</td><td>{money(r.value)}</td><td>{money(r.left)}</td>"
            f"<td class='name'>{html.escape(where)}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def team_story(
    classroom: Classroom,
    game: Game,
    decisions: list[Submission],
    team: Team,
    looked_back: tuple[float, float, float] | None,
    quality: Quality | None = None,
) -> str:
    """One team's story: its rounds in numbers, a short account per round in the narrative
    engine's words (rho, cold leads, cold calls, price, studies, events), and its best split
    in hindsight in its own situation."""
    esc = html.escape
    scenario = classroom.scenario_of(team)
    own = sorted((s for s in decisions if s.team == team.name), key=lambda s: s.round)
    how = {s.round: _how_decided(s, own) for s in own}
    parts = [f"<section class='team'><h2>{esc(team.name)}</h2>"]
    parts.append(_rounds_table(game, team.firm_id, how))
    parts.append("<ul>")
    for k, report in enumerate(game.reports):
        before = game.reports[k - 1] if k else None
        lines = explain(scenario, report, team.firm_id, before)
        story = [  # the instructor sees everything: no "unknown without a study" lines
            line
            for line in lines
            if not line.startswith(("Cash at the close", "Brand equity and awareness are unknown"))
        ]
        said = how.get(report.round, "")
        if said in CARRIED_STORY:
            story.insert(0, CARRIED_STORY[said])
        parts.append(
            f"<li><b>Round {report.round}.</b> " + " ".join(esc(s) for s in story) + "</li>"
        )
    parts.append("</ul>")
    if looked_back is not None:
        share, best, actual = looked_back
        mine = [s.decision.marketing_share for s in decisions if s.team == team.name]
        avg = sum(mine) / len(mine) if mine else None
        others = "rivals" if classroom.duplicate else "other teams' decisions"
        parts.append(
            f"<p><b>In hindsight</b> (the same rounds, seed and {others}; the "
            "team's own decisions with their marketing and sales budget split one way every "
            f"round, everything else as decided): the best fixed split was "
            f"{pct(share)} marketing, for a profit of {money(best)} against the team's "
            f"{money(actual)}"
            + (f"; its own splits averaged {pct(avg)}." if avg is not None else ".")
            + "</p>"
        )
    if quality is not None:
        parts.append(quality_html(quality))
    parts.append("</section>")
    return "".join(parts)


def lessons_html(
    classroom: Classroom,
    markets: dict[str, Game],
    decisions: list[Submission],
    looked_back: Hindsight,
) -> str:
    """What the class as a whole shows, in a few sentences drawn from its numbers."""
    lo, hi = ALIGNED
    teams = classroom.teams
    reports = {t.name: markets[t.name].reports for t in teams}
    profit = {t.name: sum(r.firms[t.firm_id].profit for r in reports[t.name]) for t in teams}
    inside: list[str] = []
    outside: list[str] = []
    for t in teams:
        # most rounds: more than half of every round played, as a scorecard's goal counts them
        rhos = [r.firms[t.firm_id].alignment_ratio for r in reports[t.name]]
        share_in = sum(1 for x in rhos if x is not None and lo <= x <= hi) / max(len(rhos), 1)
        (inside if share_in > 0.5 else outside).append(t.name)
    items: list[str] = []
    if inside and outside:
        avg_in = sum(profit[n] for n in inside) / len(inside)
        avg_out = sum(profit[n] for n in outside) / len(outside)
        items.append(
            f"Teams that kept rho in the aligned band ({lo:.2f} to {hi:.2f}) most rounds "
            f"({', '.join(inside)}) made {money(avg_in)} on average; the others "
            f"({', '.join(outside)}) {money(avg_out)}."
        )
    elif inside:
        items.append(f"Every team kept rho in the aligned band ({lo:.2f} to {hi:.2f}) most rounds.")
    else:
        items.append(
            f"No team kept rho in the aligned band ({lo:.2f} to {hi:.2f}) most rounds: marketing "
            "and sales were out of step everywhere."
        )
    cold = {t.name: sum(r.firms[t.firm_id].leads_cold for r in reports[t.name]) for t in teams}
    worst = max(cold, key=lambda n: cold[n])
    if cold[worst]:
        items.append(
            f"{sum(cold.values())} warm leads went cold across the class, {cold[worst]} of them "
            f"at {worst}: demand marketing paid for that no rep was free to work."
        )
    carried = sum(1 for s in decisions if s.how == "carried" and not s.by.startswith("computer"))
    if carried:
        items.append(
            f"{plural(carried, 'team-round')} went without a submission: the team's last "
            "decisions were kept (the computer's balanced ones before its first)."
        )
    if looked_back:
        gaps = {n: best - actual for n, (_, best, actual) in looked_back.items()}
        far = max(gaps, key=lambda n: gaps[n])
        items.append(
            "In hindsight every team could have done better with one well-chosen split held "
            f"all game; {far} ended furthest from its best one ({money(gaps[far])} of profit), "
            "as its story below says (In hindsight)."
        )
    esc = html.escape
    return (
        "<h2>Lessons for the class</h2><ul class='lessons'>"
        + "".join(f"<li>{esc(i)}</li>" for i in items)
        + "</ul>"
    )


def page(
    classroom: Classroom,
    markets: dict[str, Game],
    decisions: list[Submission],
    hindsight: Hindsight | None = None,
    luck: Luck | None = None,
    qualities: dict[str, Quality] | None = None,
) -> str:
    """The debrief HTML (`markets`: the game each team plays in, `Classroom.markets`; `luck`:
    luck against skill, `qualities`: each team's decision quality, when they were measured)."""
    hindsight = hindsight or {}
    qualities = qualities or {}
    scenario = classroom.scenario
    status = classroom.status()
    first = classroom.teams[0]
    game = markets[first.name]  # the one market; in a duplicate class the first team's copy
    reports = game.reports
    team_of = {t.firm_id: t.name for t in classroom.teams}
    names = {f.id: f.label for f in scenario.firms}
    esc = html.escape
    mode = " &middot; duplicate: a market per team" if classroom.duplicate else ""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Debrief: {esc(scenario.meta.name)}</title><style>{CSS}</style></head><body>",
        f"<h1>Debrief: {esc(scenario.meta.name)}</h1>",
        f"<p class='sub'>Seed {classroom.seed} &middot; {esc(status.headline)} &middot; "
        f"{len(classroom.teams)} teams{mode} &middot; generated "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}</p>",
    ]
    if classroom.duplicate:
        rivals = [
            f"{esc(f.label)} ({esc(f.controlled_by)})" for f in scenario.firms if not f.is_player
        ]
        parts.append(
            "<p>A duplicate class: each team played its own copy of the market, in the same "
            f"seat ({esc(first.firm_id)}), with the same seed against the same computer rivals"
            + (f" ({', '.join(rivals)})" if rivals else "")
            + ". The rivals answered each team's own moves, so their figures differ from copy "
            "to copy; the teams are ranked against each other on equal luck and equal "
            "opponents.</p>"
        )
    if not reports:
        parts.append("<p>No round has been played yet.</p>")
    else:
        weights = scenario.scoring.weights()
        parts.append(
            "<h2>Leaderboard (balanced scorecard)</h2><table><tr><th>rank</th>"
            "<th class='name'>firm</th><th>total</th>"
        )
        parts += [f"<th>{esc(m.replace('_', ' '))} ({w:.0%})</th>" for m, w in weights.items()]
        parts.append("<th>profit (all rounds)</th><th>market share</th></tr>")
        for row in classroom.leaderboard(markets):
            fid = row.firm_id
            who = (
                esc(row.name)
                if row.team is not None
                else f"{esc(row.name)} (computer: {esc(scenario.firm(fid).controlled_by)})"
            )
            css = "" if row.team is not None else " class='computer'"
            parts.append(
                f"<tr{css}><td>{row.rank}</td><td class='name'>{who}</td><td>{row.total:.1f}</td>"
            )
            parts += [f"<td>{row.score['scores'][m]:.0f}</td>" for m in weights]
            parts.append(
                f"<td>{money(row.score['measures']['profit'])}</td>"
                f"<td>{pct(row.game.reports[-1].firms[fid].market_share)}</td></tr>"
            )
        parts.append(
            "</table><p class='sub'>Each measure is scored against the benchmarks the "
            "scenario declares (what scores 0 and what scores 100), not against the other "
            "firms; value created is the profit plus the change in what the customers are "
            "worth. The raw measures are in scorecard.csv.</p>"
        )
        parts.append("<h2>Over the rounds</h2>")
        if classroom.duplicate:  # one line per team, each from its own copy
            lines = {t.name: (markets[t.name], t.firm_id) for t in classroom.teams}
            labels = {t.name: t.name for t in classroom.teams}
        else:
            lines = {team_of.get(fid, names[fid]): (game, fid) for fid in game.ids}
            labels = {
                team_of.get(fid, names[fid]): team_of.get(fid, f"{names[fid]} (computer)")
                for fid in game.ids
            }
        palette = colours(list(lines))
        legend = ["<p class='legend'>"]
        for name in lines:
            legend.append(
                f"<span><i style='background:{palette[name]}'></i>{esc(labels[name])}</span>"
            )
        legend.append("</p>")
        parts.append("<div class='charts'>")
        for title, measure, label_fn in MEASURES:  # each chart with its own legend (print)
            series = {
                name: [measure(r, fid) for r in played.reports]
                for name, (played, fid) in lines.items()
            }
            parts.append(
                f"<div class='chart'>{line_chart(title, series, label_fn)}{''.join(legend)}</div>"
            )
        parts.append("</div>")
        if luck is not None:
            parts.append(
                luck_html(
                    luck,
                    team_of
                    if not classroom.duplicate
                    else {t.name: t.name for t in classroom.teams},
                )
            )
        parts.append(lessons_html(classroom, markets, decisions, hindsight))
        for team in classroom.teams:
            parts.append(
                team_story(
                    classroom,
                    markets[team.name],
                    decisions,
                    team,
                    hindsight.get(team.name),
                    qualities.get(team.name),
                )
            )
    parts.append("<h2>Decisions, side by side</h2>")
    if decisions:
        rounds = sorted({s.round for s in decisions})
        by = {(s.round, s.team): s for s in decisions}
        parts.append("<table><tr><th>round</th>")
        parts += [f"<th class='name'>{esc(t.name)}</th>" for t in classroom.teams]
        parts.append("</tr>")
        for k in rounds:
            parts.append(f"<tr><td>{k}</td>")
            for t in classroom.teams:
                s = by.get((k, t.name))
                if s is None:
                    parts.append("<td class='name'>bankrupt</td>")
                    continue
                how = (
                    " <span class='carried'>(carried: not submitted)</span>"
                    if s.how == "carried"
                    else f"<br><small>{esc(s.by)}, {esc(s.at[:19].replace('T', ' '))}</small>"
                )
                parts.append(f"<td class='name'>{decision_text(s)}{how}</td>")
            parts.append("</tr>")
        parts.append("</table>")
    else:
        parts.append("<p>No decisions yet: the first round is still open.</p>")
    events = [(r.round, e) for r in reports for e in r.events]
    if events:
        parts.append("<h2>Events</h2><ul>")
        parts += [f"<li>Round {k}: {esc(e)}</li>" for k, e in events]
        parts.append("</ul>")
    parts.append(
        "<h2>Class log</h2><table><tr><th class='name'>when (UTC)</th>"
        "<th class='name'>who</th><th class='name'>what</th></tr>"
    )
    for at, who, what in classroom.log():
        parts.append(
            f"<tr><td class='name'>{esc(at[:19].replace('T', ' '))}</td>"
            f"<td class='name'>{esc(who)}</td><td class='name'>{esc(what)}</td></tr>"
        )
    parts.append(
        "</table><p>Data: <a href='rounds.csv'>rounds.csv</a> &middot; "
        "<a href='decisions.csv'>decisions.csv</a> &middot; "
        "<a href='scorecard.csv'>scorecard.csv</a> &middot; <a href='log.csv'>log.csv</a></p>"
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)


# What a debrief writes into its folder (write_debrief's files, in this order).
DEBRIEF_FILES = ("index.html", "rounds.csv", "decisions.csv", "scorecard.csv", "log.csv")


def write_debrief(
    classroom: Classroom,
    out_dir: str | Path,
    hindsight: bool = True,
    progress: Callable[[int, int], None] | None = None,
    draws: int = 0,
    quality_draws: int = 0,
) -> list[Path]:
    """The debrief page and its CSVs, each written atomically. Returns the files.
    hindsight: also find each team's best split in hindsight (a few games per team).
    draws: also measure luck against skill over this many draws of luck (0: not).
    quality_draws: also judge each team's decisions against their neighbours over this many
    draws of luck (0: not; `sim.experiments.quality`)."""
    out = Path(out_dir)
    markets = classroom.markets()
    game = markets[classroom.teams[0].name]
    decisions = classroom.decisions()
    team_of = {t.firm_id: t.name for t in classroom.teams}
    looked = hindsight_by_team(classroom, markets, decisions, progress) if hindsight else {}
    # every firm's decisions once (a class restored from its snapshot lacks the computer's),
    # for the luck and every team's quality
    complete = markets
    if (draws or quality_draws) and game.reports:  # once per game: a class has only one
        replayed = {id(g): with_every_decision(g) for g in markets.values()}
        complete = {name: replayed[id(g)] for name, g in markets.items()}
    luck: Luck | None = None
    if draws and game.reports:
        luck = (
            across_copies({t.name: (complete[t.name], t.firm_id) for t in classroom.teams}, draws)
            if classroom.duplicate
            else measure_luck(complete[classroom.teams[0].name], draws)
        )
    judged = {
        t.name: quality(complete[t.name], t.firm_id, draws=quality_draws)
        for t in classroom.teams
        if quality_draws and game.reports
    }
    files: dict[str, str] = {
        "index.html": page(classroom, markets, decisions, looked, luck, judged)
    }

    rounds = []
    if classroom.duplicate:  # every firm of every team's copy, the copy named by its team
        for t in classroom.teams:
            played = markets[t.name]
            for r in played.reports:
                for fid in played.ids:
                    row = flat_row(r, fid)
                    rounds.append(
                        {"market": t.name, "team": t.name if fid == t.firm_id else "", **row}
                    )
        header = list(rounds[0]) if rounds else ["market", "team", "round", "firm"]
    else:
        for r in game.reports:
            for fid in game.ids:
                rounds.append({"team": team_of.get(fid, ""), **flat_row(r, fid)})
        header = list(rounds[0]) if rounds else ["team", "round", "firm"]
    files["rounds.csv"] = csv_text(header, rounds)

    rows = []
    for s in decisions:
        d = s.decision
        rows.append(
            {
                "round": s.round,
                "team": s.team,
                "firm": classroom.team(s.team).firm_id,
                "how": s.how,
                "by": s.by,
                "at": s.at,
                "budget": d.total_budget,
                "marketing_share": round(d.marketing_share, 6),
                "price": d.price,
                "marketing_budget": d.marketing.budget,
                "sales_budget": d.sales.budget,
                **{f"mix.{k}": v for k, v in d.marketing.mix.items()},
                **{f"targeting.{k}": v for k, v in d.marketing.targeting.items()},
                "qualification": d.marketing.qualification,
                "holdout": d.marketing.holdout or "",
                "training_share": d.sales.training_share,
                "commission_rate": d.sales.commission_rate,
                "account_management": d.sales.account_management,
                # a coverage plan's shares ("" for one pool of reps)
                **{
                    f"coverage.{k}": ""
                    if d.sales.coverage is None
                    else d.sales.coverage.get(k, 0.0)
                    for k in game.scenario.segment_ids
                },
                # routes to market, in a scenario that has them (the rest go to the reps)
                **(
                    route_cells(game.scenario, d, classroom.team(s.team).firm_id)
                    if game.scenario.offers_routes
                    else {}
                ),
                "product_budget": d.product.budget,
                "positioning.power": d.marketing.positioning.power
                if d.marketing.positioning
                else "",
                "positioning.service": d.marketing.positioning.service
                if d.marketing.positioning
                else "",
                "research": " ".join(d.research),
            }
        )
    header = list(rows[0]) if rows else ["round", "team", "firm", "how", "by", "at"]
    files["decisions.csv"] = csv_text(header, rows)

    score_rows = []
    for standing in classroom.leaderboard(markets) if game.reports else []:
        score_rows.append(
            {
                "firm": standing.firm_id,
                "team": standing.name if standing.team is not None else "",
                "rank": standing.rank,
                "total": standing.score["total"],
                **{f"score.{k}": v for k, v in standing.score["scores"].items()},
                **{f"measure.{k}": v for k, v in standing.score["measures"].items()},
            }
        )
    header = list(score_rows[0]) if score_rows else ["firm", "team", "rank", "total"]
    files["scorecard.csv"] = csv_text(header, score_rows)
    files["log.csv"] = csv_text(
        ["at", "who", "what"],
        [dict(zip(("at", "who", "what"), r, strict=True)) for r in classroom.log()],
    )
    written = []
    for name in DEBRIEF_FILES:
        write_atomic(out / name, files[name])
        written.append(out / name)
    return written
