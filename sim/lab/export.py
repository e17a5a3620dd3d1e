"""One firm's data as a real analyst would get it: `jigsaw lab export`.

The game is played again from round 0 with a diary attached (`sim.model.diary`: the same game,
byte for byte), and one firm's days, leads and cohorts are written as CSV files:

    media.csv       one row per period: spend by channel and segment, price, the events in
                    force, and the outcomes (the wide layout PyMC-Marketing's MMM reads)
    media_geo.csv   the same with segment as the geography, one row per segment and period
                    (the long geo x time layout Meridian reads)
    leads.csv       one row per lead: how it came, how long it waited, how it ended
    cohorts.csv     customers by the round they signed, and how many were left after each
                    later round
    README.md       what every column holds, and in what unit

Only the firm's own figures are in it, and the market's events (which every firm's round
report names): no rival's spend, no hidden parameter of the market.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from sim.csvtext import csv_text
from sim.model.diary import OPEN, Diary, Lead
from sim.model.errors import InputError
from sim.model.files import check_folder_writable, replace_folder
from sim.model.game import Game
from sim.model.pipeline import KINDS, REASONS, STAGES
from sim.model.scenario import CHANNELS

EPOCH = date(2024, 1, 1)  # day 0 of every game's calendar: a Monday, so weeks start on Mondays
GRAINS = {"day": 1, "week": 7}  # days per period
FILES = ("media.csv", "media_geo.csv", "leads.csv", "cohorts.csv", "lift_tests.csv", "README.md")
LIFT_HEADER = ("round", "segment", "withheld", "bookings_held_out", "measured", "se", "lift_roas")


def observed(game: Game) -> tuple[Diary, Game]:
    """The game played again from round 0 with a diary attached (the same game: the diary only
    listens), and the diary, closed with the leads still open where the game stands."""
    twin = Game(game.scenario, game.seed, game.streams, game.max_leads)
    twin.notice = game.notice
    diary = twin.diary = Diary.of(twin)
    for decided in game.history:
        twin.play_round(decided)
    diary.stopped(twin)
    return diary, twin


def number(x: float, places: int = 6) -> str:
    """A figure as a CSV cell: at most `places` decimals, no trailing zeros ("" if not a
    number)."""
    if x != x:  # nan
        return ""
    text = f"{x:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Export:
    """One firm's files, as text, before they are written."""

    firm_id: str
    grain: str
    files: dict[str, str]

    def write(self, folder: Path) -> list[Path]:
        """Write every file as the folder `folder`, whole (`replace_folder`): an earlier
        export there is replaced in one step, so an interrupted export leaves the old files
        or the new, never a mix."""
        check_folder(folder)
        replace_folder(folder, {name: self.files[name] for name in FILES})
        return [folder / name for name in FILES]


SEGMENT_LEVERS = ("coverage", "partner", "self_serve")  # levers with a column per segment


def levers(game: Game, firm: int) -> dict[int, dict[str, str]]:
    """By round, the levers beyond spend and price the firm decided, as media.csv's cells:
    `qualification` (the bar), `coverage_SEG` (the coverage plan's shares; empty in a round
    with one pool of reps), and, in a scenario with routes to market, `partner_SEG` and
    `self_serve_SEG` (for the segments that offer the route) and `partner_margin`. A lever
    has columns only when some round of the game set it (a coverage plan, a bar above 0) or
    the scenario offers it (routes), so the export of a game without them reads as it
    always did."""
    scenario = game.scenario
    segments = scenario.segment_ids
    fid = game.ids[firm]
    mine = [r[fid] for r in game.history if fid in r]
    used_bar = any(d.marketing.qualification > 0 for d in mine)
    used_plan = any(d.sales.coverage is not None for d in mine)
    none = np.zeros(len(segments))
    out: dict[int, dict[str, str]] = {}
    for k, decided in enumerate(game.history, start=1):
        d = decided.get(fid)
        row: dict[str, str] = {}
        out[k] = row
        if d is None:  # the firm had left the market
            continue
        if used_bar:
            row["qualification"] = number(d.marketing.qualification)
        if used_plan:
            plan = d.sales.coverage_shares(segments)
            for s, seg in enumerate(segments):
                row[f"coverage_{seg}"] = "" if plan is None else number(float(plan[s]))
        if scenario.offers_routes:
            partner, self_serve = (none, none) if d.routes is None else d.routes.shares(segments)
            for s, seg in enumerate(segments):
                if seg in scenario.partner_segments:
                    row[f"partner_{seg}"] = number(float(partner[s]))
            for s, seg in enumerate(segments):
                if seg in scenario.self_serve_segments:
                    row[f"self_serve_{seg}"] = number(float(self_serve[s]))
            market = game.params.tables[firm].partner_margin
            row["partner_margin"] = number(d.partner_margin(market))
    return out


def export(game: Game, firm_id: str, grain: str = "day") -> Export:
    """Firm `firm_id`'s files from `game` (the rounds played so far), by day or by week."""
    if firm_id not in game.ids:
        raise InputError("", "firm", f"unknown firm {firm_id!r}; expected one of {game.ids}")
    if grain not in GRAINS:
        raise InputError("", "grain", f"expected one of {', '.join(GRAINS)}, not {grain!r}")
    if not game.history:
        raise InputError("", "", "no round has been played yet: there is nothing to export")
    diary, _ = observed(game)
    tables = _Tables(game, diary, game.ids.index(firm_id), GRAINS[grain])
    files = {
        "media.csv": tables.media(),
        "media_geo.csv": tables.media_geo(),
        "leads.csv": tables.leads(),
        "cohorts.csv": tables.cohorts(),
        "lift_tests.csv": lift_tests(game, firm_id),
    }
    files["README.md"] = readme(game, firm_id, grain, tables)
    return Export(firm_id, grain, files)


class _Tables:
    """The diary of one firm, summed (flows) or averaged (levels) over periods of `width`
    days."""

    def __init__(self, game: Game, diary: Diary, firm: int, width: int) -> None:
        self.game, self.diary, self.firm, self.width = game, diary, firm, width
        self.segments = game.scenario.segment_ids
        days = diary.days
        self.starts = np.arange(0, days, width)
        self.lengths = np.diff(np.append(self.starts, days))
        i = firm
        self.spend = self._sum(diary.stacked("spend")[:, :, i, :])  # period x channel x segment
        self.revenue = self._sum(diary.stacked("revenue")[:, i, :])  # period x segment
        self.bookings = self._sum(diary.by_day(diary.booked)[:, i, :])
        self.customers = self._sum(diary.by_day(diary.signed)[:, i, :])
        self.arrivals = self._sum(diary.stacked("leads")[:, i, :, :])  # period x kind x segment
        self.price = self._mean(diary.stacked("price")[:, i])
        self.price_cut = self._mean(diary.stacked("price_cut")[:, i])
        self.interest = self._mean(diary.stacked("interest"))  # period x segment
        self.churn = self._mean(diary.stacked("churn"))
        # routes to market, in a scenario that has them: customers by route, and the levers
        self.routes = game.scenario.offers_routes
        self.by_partner = self._sum(diary.by_day(diary.by_partner)[:, i, :])
        self.by_self_serve = self._sum(diary.by_day(diary.by_self_serve)[:, i, :])
        self.levers = levers(game, firm)
        # their columns, once: media.csv's, and media_geo.csv's (a per-segment lever as one)
        self.lever_columns = list(dict.fromkeys(k for row in self.levers.values() for k in row))
        per_segment = {f"{n}_{s}": n for n in SEGMENT_LEVERS for s in self.segments}
        self.geo_lever_columns = list(
            dict.fromkeys(per_segment.get(name, name) for name in self.lever_columns)
        )

    def decided(self, p: int) -> dict[str, str]:
        """The levers beyond spend and price in force at period p's start (`levers`)."""
        round_no = int(self.starts[p]) // self.diary.round_days + 1
        return self.levers.get(round_no, {})

    def _sum(self, daily: np.ndarray) -> np.ndarray:
        return np.add.reduceat(daily, self.starts, axis=0)

    def _mean(self, daily: np.ndarray) -> np.ndarray:
        shape = (-1,) + (1,) * (daily.ndim - 1)
        return self._sum(daily) / self.lengths.reshape(shape)

    def _when(self, p: int) -> dict[str, object]:
        start = int(self.starts[p])
        return {
            "date": (EPOCH + timedelta(days=start)).isoformat(),
            "round": start // self.diary.round_days + 1,
            "days": int(self.lengths[p]),
        }

    def _outcomes(self, p: int, s: slice | int) -> dict[str, object]:
        row: dict[str, object] = {
            "revenue": number(float(np.sum(self.revenue[p, s]))),
            "bookings": number(float(np.sum(self.bookings[p, s]))),
            "new_customers": int(np.sum(self.customers[p, s])),
        }
        for k, kind in enumerate(KINDS):
            row[f"leads_{kind}"] = int(np.sum(self.arrivals[p, k, s]))
        if self.routes:
            row["new_customers_partner"] = int(np.sum(self.by_partner[p, s]))
            row["new_customers_self_serve"] = int(np.sum(self.by_self_serve[p, s]))
        return row

    def outcome_header(self) -> list[str]:
        names = ["revenue", "bookings", "new_customers", *(f"leads_{k}" for k in KINDS)]
        if self.routes:
            names += ["new_customers_partner", "new_customers_self_serve"]
        return names

    def media_header(self) -> list[str]:
        spend = [f"spend_{ch}_{s}" for ch in CHANNELS for s in self.segments]
        controls = ["price", "price_cut", *(f"interest_{s}" for s in self.segments)]
        controls += [f"churn_{s}" for s in self.segments]
        controls += self.lever_columns
        return ["date", "round", "days", *spend, *controls, *self.outcome_header()]

    def media(self) -> str:
        rows = []
        for p in range(len(self.starts)):
            row = self._when(p)
            for c, ch in enumerate(CHANNELS):
                for k, s in enumerate(self.segments):
                    row[f"spend_{ch}_{s}"] = number(float(self.spend[p, c, k]))
            row["price"] = number(float(self.price[p]), 6)
            row["price_cut"] = number(float(self.price_cut[p]), 6)
            for k, s in enumerate(self.segments):
                row[f"interest_{s}"] = number(float(self.interest[p, k]), 6)
                row[f"churn_{s}"] = number(float(self.churn[p, k]), 6)
            row.update(self.decided(p))
            row.update(self._outcomes(p, slice(None)))
            rows.append(row)
        return csv_text(self.media_header(), rows)

    def geo_header(self) -> list[str]:
        spend = [f"spend_{ch}" for ch in CHANNELS]
        controls = ["price", "price_cut", "interest", "churn", *self.geo_lever_columns]
        head = ["geo", "date", "round", "days", "population", *spend, *controls]
        return [*head, *self.outcome_header()]

    def media_geo(self) -> str:
        rows = []
        accounts = self.game.market.accounts
        for k, s in enumerate(self.segments):
            for p in range(len(self.starts)):
                row: dict[str, object] = {"geo": s, **self._when(p)}
                row["population"] = int(accounts[k])
                for c, ch in enumerate(CHANNELS):
                    row[f"spend_{ch}"] = number(float(self.spend[p, c, k]))
                row["price"] = number(float(self.price[p]), 6)
                row["price_cut"] = number(float(self.price_cut[p]), 6)
                row["interest"] = number(float(self.interest[p, k]), 6)
                row["churn"] = number(float(self.churn[p, k]), 6)
                decided = self.decided(p)
                for name in self.geo_lever_columns:
                    if name in SEGMENT_LEVERS:  # a route the segment lacks: none of its leads
                        row[name] = decided.get(f"{name}_{s}", "" if name == "coverage" else "0")
                    else:
                        row[name] = decided.get(name, "")
                row.update(self._outcomes(p, k))
                rows.append(row)
        return csv_text(self.geo_header(), rows)

    LEAD_HEADER = (
        "lead",
        "arrived_day",
        "round",
        "source",
        "segment",
        "waited_days",
        "outcome",
        "stage_reached",
        "lost_because",
        "ended_day",
        "value",
    )

    def own_leads(self) -> list[Lead]:
        mine = [r for r in self.diary.records if r.firm == self.firm]
        return sorted(mine, key=lambda r: (r.arrived, r.kind, r.segment))

    def leads(self) -> str:
        end = float(self.diary.days)
        rows = []
        for n, r in enumerate(self.own_leads(), start=1):
            if r.started == r.started:
                waited = r.started - r.arrived
            elif r.ended == r.ended:  # went cold
                waited = r.ended - r.arrived
            else:  # still waiting when the game stopped
                waited = end - r.arrived
            lost = r.outcome not in ("won", OPEN)
            rows.append(
                {
                    "lead": n,
                    "arrived_day": number(r.arrived),
                    "round": int(r.arrived // self.diary.round_days) + 1,
                    "source": KINDS[r.kind],
                    "segment": self.segments[r.segment],
                    "waited_days": number(waited),
                    "outcome": r.outcome,
                    "stage_reached": STAGES[r.stage] if r.stage >= 0 else "",
                    "lost_because": REASONS[r.reason] if lost and r.reason >= 0 else "",
                    "ended_day": number(r.ended),
                    "value": number(r.value, 2),
                }
            )
        return csv_text(self.LEAD_HEADER, rows)

    def cohorts_header(self) -> list[str]:
        rounds = len(self.diary.cohorts)
        return ["cohort", "segment", "signed", *(f"after_round_{r}" for r in range(1, rounds + 1))]

    def cohorts(self) -> str:
        i = self.firm
        diary = self.diary
        start = self.game.scenario.firms[i].customers
        rows = []
        for k in range(len(diary.cohorts) + 1):
            for s, seg in enumerate(self.segments):
                signed = start.get(seg, 0) if k == 0 else int(diary.won[k - 1][i, s])
                row: dict[str, object] = {"cohort": k, "segment": seg, "signed": int(signed)}
                for r, held in enumerate(diary.cohorts, start=1):
                    row[f"after_round_{r}"] = int(held[i, s, k]) if r >= k else ""
                rows.append(row)
        return csv_text(self.cohorts_header(), rows)


def lift_tests(game: Game, firm_id: str) -> str:
    """The lift tests the firm ran (`sim.model.lift`), one row per test."""
    rows = [
        {"round": r.round, **r.lift_tests[firm_id]} for r in game.reports if firm_id in r.lift_tests
    ]
    return csv_text(LIFT_HEADER, rows)


def readme(game: Game, firm_id: str, grain: str, t: _Tables) -> str:
    """The folder's README: where the data comes from, and every column with its unit."""
    scen = game.scenario
    cur = "the scenario's currency"
    segs = ", ".join(t.segments)  # ids (letters, digits and _ from a letter): plain Markdown
    days = scen.meta.round_days
    period = "day" if grain == "day" else "week (7 days, Monday to Sunday)"
    spend_cols = ", ".join(f"`spend_{ch}_SEGMENT`" for ch in CHANNELS)
    lines = [
        f"{README_TITLE}: {markdown_text(scen.firm(firm_id).label)} ({firm_id})",
        "",
        f"Scenario {markdown_text(scen.meta.name)}, seed {game.seed}, {len(game.history)} of "
        f"{scen.meta.rounds} rounds played ({days} days a round), one row per {period}. "
        f"Written by `jigsaw lab export`. Segments: {segs}. Channels: {', '.join(CHANNELS)}.",
        "",
        "Every figure is this firm's own, as its books and its CRM hold it; the market's events "
        "are those every firm's round report names. Dates are a calendar for the game: day 0 "
        f"is {EPOCH.isoformat()} (a Monday). Money is in {cur}; counts are accounts or leads.",
        "",
        "## media.csv: one row per period (PyMC-Marketing's wide layout)",
        "",
        "| column | what it holds | unit |",
        "|---|---|---|",
        "| `date` | the first day of the period | ISO date |",
        "| `round` | the round the period starts in (decisions change at a round's start) | 1.. |",
        "| `days` | days in the period | days |",
        f"| {spend_cols} | marketing spend on the channel aimed at the segment, over the period "
        f"(the only columns whose names contain `spend`) | {cur} |",
        "| `price` | the price index charged (1 = the segment's list price), the period's mean "
        "| index |",
        "| `price_cut` | a price war's cut off the decided price (an event), the period's mean "
        "| share 0..1 |",
        "| `interest_SEGMENT` | the events' multiplier on the segment's buying interest (1 = "
        "none; a recession lowers it) | multiplier |",
        "| `churn_SEGMENT` | the events' multiplier on the segment's churn (1 = none) "
        "| multiplier |",
        "| `revenue` | subscription revenue recognised (customers pay their contract day by "
        f"day) | {cur} |",
        "| `bookings` | first-year contract value of the deals won (each deal is booked the day "
        f"it is signed) | {cur} |",
        "| `new_customers` | accounts that signed | accounts |",
        "| `leads_inbound`, `leads_referral`, `leads_outbound` | leads that arrived, by route: "
        "prospects who asked (inbound), customers' referrals, and reps' own prospecting "
        "(outbound) | leads |",
        *lever_rows(t, cur),
        "",
        "Spend is a decision made once a round and spread evenly over its days: it moves only "
        "at round boundaries (and when an event cuts budgets).",
        "",
        "## media_geo.csv: one row per segment and period (Meridian's geo x time layout)",
        "",
        "The same figures with the segment as the geography: `geo` (the segment), `date`, "
        "`round`, `days`, `population` (accounts in the segment), `spend_advertising`, "
        "`spend_pr`, `spend_demand_gen` (the spend aimed at that segment), `price`, "
        "`price_cut`, `interest`, `churn` (that segment's multipliers), and the outcomes of "
        "media.csv for that segment only. For Meridian: `time` is `date`, `kpi` is "
        "`bookings` (or `new_customers`, with revenue per kpi = bookings / new customers), "
        "`media` and `media_spend` are the three spend columns, `controls` are `price`, "
        "`interest`, `churn`."
        + (
            " The levers of media.csv come here as "
            + ", ".join(f"`{name}`" for name in t.geo_lever_columns)
            + ": a lever set by segment as that segment's value (0 where the segment lacks "
            "the route), a firm-wide one as it is."
            if t.geo_lever_columns
            else ""
        ),
        "",
        "## leads.csv: one row per lead (the sales side)",
        "",
        "| column | what it holds | unit |",
        "|---|---|---|",
        "| `lead` | a number, in order of arrival | 1.. |",
        "| `arrived_day` | when it arrived | days since day 0 |",
        "| `round` | the round it arrived in | 1.. |",
        "| `source` | inbound, referral or outbound | |",
        "| `segment` | the account's segment | |",
        "| `waited_days` | days until a rep took it (or until it went cold, or, still "
        "waiting, until the data ends) | days |",
        "| `outcome` | won; lost; cold (nobody answered in time); taken (won, but the account "
        "had just signed with another firm); open (still waiting or in progress when the data "
        "ends) | |",
        "| `stage_reached` | the last stage worked: " + ", ".join(STAGES) + " (empty: never "
        "started) | |",
        "| `lost_because` | for a lead not won, the reason the firm's win/loss study gives: "
        + ", ".join(REASONS)
        + " | |",
        "| `ended_day` | when it was won, lost or went cold (empty: open) | days since day 0 |",
        f"| `value` | the first-year contract booked (0 unless won) | {cur} |",
        "",
        "## cohorts.csv: customers by the round they signed",
        "",
        "| column | what it holds | unit |",
        "|---|---|---|",
        "| `cohort` | the round the customers signed in (0: the customers the firm started "
        "with) | 0.. |",
        "| `segment` | their segment | |",
        "| `signed` | accounts that signed in that round (cohort 0: at the start) | accounts |",
        "| `after_round_R` | how many of them were still customers at the end of round R "
        "(empty before the cohort existed) | accounts |",
        "",
        "A customer who leaves returns to the market and may sign again later, in a new cohort.",
        "",
    ]
    return "\n".join(lines)


def lever_rows(t: _Tables, cur: str) -> list[str]:
    """README rows for the columns only some exports have: the levers a round set, and the
    customers by route in a scenario with routes to market."""
    header = t.media_header()
    rows = []

    def named(prefix: str) -> str:
        return ", ".join(f"`{h}`" for h in header if h.startswith(prefix) and h != "partner_margin")

    if "qualification" in header:
        rows.append(
            "| `qualification` | the qualification bar decided: the share of new warm leads "
            "sent to nurture instead of sales | share 0..1 |"
        )
    if any(h.startswith("coverage_") for h in header):
        rows.append(
            f"| {named('coverage_')} | the coverage plan decided: the segment's share of the "
            "hunting reps (empty: one pool of reps that round) | share 0..1 |"
        )
    if t.routes:
        routed = ", ".join(x for x in (named("partner_"), named("self_serve_")) if x)
        rows += [
            f"| {routed} | the routes to market decided, for the segments that offer them: "
            "the segment's share of warm leads sent to channel partners and to self-serve "
            "sign-up (the rest go to the reps; the routed leads are not in `leads_*` or "
            "leads.csv) | share 0..1 |",
            "| `partner_margin` | the partners' margin on the first-year value of the deals "
            "they close | share 0..1 |",
            "| `new_customers_partner`, `new_customers_self_serve` | of `new_customers`, those "
            "that came through partners and by self-serve | accounts |",
        ]
    return rows


def check_folder(folder: Path) -> None:
    """Refuse, before the game is played again, a folder that holds anything but an older
    export (nothing the user keeps there is overwritten), and one that could not be written
    (`check_folder_writable`)."""
    if not folder.exists():
        check_folder_writable(folder)
        return
    if not folder.is_dir():
        raise InputError(str(folder), "", "is a file; expected a folder to write into")
    check_folder_writable(folder)
    others = sorted(p.name for p in folder.iterdir() if p.name not in FILES)
    if others:
        raise InputError(
            str(folder),
            "",
            f"holds other files ({', '.join(others[:3])}{', ...' if len(others) > 3 else ''}); "
            "expected a new or empty folder, or an earlier export",
        )


README_TITLE = "# Jigsaw lab export"


def is_export(folder: Path) -> bool:
    """`folder` holds an export's data (its README, or media.csv and leads.csv): a folder
    students get."""
    try:
        if all((folder / name).exists() for name in ("media.csv", "leads.csv")):
            return True
        with open(folder / "README.md", "rb") as fh:
            return fh.read(len(README_TITLE)).decode("utf-8", "replace") == README_TITLE
    except OSError:
        return False


def check_apart(truth: Path, out: Path | None) -> None:
    """Refuse, before any work, a truth file inside the data folder students get: `out`, or,
    without it, any export folder above the file (at any depth)."""
    where = truth.parent.resolve() / truth.name
    if out is not None and where.is_relative_to(out.resolve()):
        raise InputError(
            str(truth), "", f"is inside the data folder students get ({out}); keep the truth apart"
        )
    for folder in where.parents:
        if is_export(folder):
            raise InputError(
                str(truth),
                "",
                f"is inside an export folder ({folder}), the data students get; keep the truth "
                "apart",
            )


_MARKDOWN = "\\`*_{}[]<>|~!&"  # what gives text a meaning inside a line of Markdown


def markdown_text(text: str) -> str:
    """A name a user chose, as Markdown that shows it as it is inside a line: every character
    that Markdown gives a meaning there (emphasis, code, links and images, tables, HTML and
    its entities) escaped with a backslash, and a control character written as its escape."""
    out = []
    for c in str(text):
        if c in _MARKDOWN:
            out.append("\\" + c)
        elif not c.isprintable():
            out.append(c.encode("unicode_escape").decode("ascii"))
        else:
            out.append(c)
    return "".join(out)
