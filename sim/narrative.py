"""Plain words from the numbers: what happened in a round and why, for the round report.

Pure functions of the reports (no Textual), so they are tested directly.
"""

from __future__ import annotations

from sim.model.gauge import ALIGNED, reading, rho_text
from sim.model.goals import GoalCheck
from sim.model.kpis import ROUND_KPIS
from sim.model.report import FirmRound, RoundReport
from sim.model.research import benchmark
from sim.model.scenario import Scenario
from sim.numbers import and_list, money, plural, show


def change(now: float, before: float | None) -> str:
    """'+12%' against the round before (or '' when there is none)."""
    if before is None or before == 0:
        return ""
    return f"{(now - before) / abs(before):+.0%}"


def _rho(rho: float | None) -> str:
    return "none (no reps)" if rho is None else rho_text(rho)


WORDS = {
    "no_reps": "no reps to work leads: every lead goes cold; move budget to sales",
    "idle": "reps idle: marketing is starving sales; move budget to marketing",
    "room": "reps have room: move a little budget to marketing",
    "aligned": "aligned: marketing and sales in balance; hold the split",
    "waiting": "leads waiting: sales is falling behind marketing; move budget to sales",
    "cold": "leads going cold: sales is far behind marketing; move budget to sales",
    "late": "too late for a change of split to pay back before the game ends; hold the split",
}


def gauge_words(where: str) -> str:
    """The alignment gauge's advice in words, from its reading (`FirmRound.gauge_reading`:
    the outlook's place in the band, `sim.model.gauge.advice`)."""
    return WORDS[where]


# Which side of the band a reading is on, as the round report says it.
SIDE = {"idle": "below", "room": "below", "aligned": "inside", "waiting": "above", "cold": "above"}


def band() -> str:
    """The aligned band as players read it: '0.65 to 1.30'."""
    lo, hi = ALIGNED
    return f"{lo:.2f} to {hi:.2f}"


# The lever for each reason a lead was lost (sim.model.pipeline.REASONS): what the round
# report says after the win/loss study names the biggest one.
LEVERS = {
    "price": "a lower price wins more of them (and earns less from each)",
    "brand": "buyers who follow brands kept what they had: PR and advertising build brand equity",
    "rep": "buyers who follow people were not won over: training raises your reps' skill, "
    "commission their effort",
    "fit": "buyers found your offer far from what they want: claim a position nearer their ideal "
    "(the perceptual map shows it), or raise quality with R&D",
    "rival": "a rival's offer won on the shortlist: compare its price and brand with yours",
    "cold": "they waited longer than their patience for a free slot: more reps or less account "
    "management work them (the gauge says whether to move budget)",
    "dropped": "reps dropped prospects for warm leads: a sign that slots are short",
    "slow": "they were answered too late to be won: free slots answer leads sooner (more reps)",
}


def explain(
    scenario: Scenario,
    report: RoundReport,
    firm_id: str,
    before: RoundReport | None = None,
    full_mode: bool = True,
) -> list[str]:
    """A few sentences on the firm's round, each drawn from its numbers (`full_mode`: the
    player can buy market studies; in simple mode the report says where they are)."""
    f = report.firms[firm_id]
    prev = before.firms[firm_id] if before is not None else None
    cur = scenario.meta.currency
    out: list[str] = []
    if f.bankrupt:
        out.append(
            f"Your cash fell below your credit line ({money(f.cash)} {cur}): the company is "
            "bankrupt and has left the market."
        )
    rev_change = change(f.revenue, prev.revenue if prev else None)
    costs = [
        ("cost of revenue", f.cost_of_revenue, ""),
        ("marketing", f.marketing_spend, ""),
        ("nurture", f.nurture_spend, ""),
        ("sales", f.sales_spend, f" ({_sales_lines(f)})"),
        ("partner margins", f.partner_margins, ""),
        ("R&D", f.product_spend, ""),
        ("studies", f.research_spend, ""),
        ("fixed costs", f.fixed_costs, ""),
    ]
    less = ", ".join(f"{name} {money(v)}{detail}" for name, v, detail in costs if v > 0)
    out.append(
        f"Revenue was {money(f.revenue)} {cur}"
        + (f" ({rev_change} on the round before)" if rev_change else "")
        + f"; less {less}, operating profit was {money(f.profit)} (the income statement "
        "below adds it up)."
    )
    warm = f.leads_inbound + f.leads_referral
    sources = [  # (count, in a list of sources, as the only source)
        (f.leads_inbound, f"{f.leads_inbound:,} inbound", "inbound"),
        (f.leads_referral, f"{f.leads_referral:,} from referrals", "from referrals"),
        (
            f.leads_outbound,
            f"{f.leads_outbound:,} that your reps found by prospecting",
            "found by your reps prospecting",
        ),
    ]
    came = [(listed, alone) for n, listed, alone in sources if n]
    if not came:
        out.append("No leads came in.")
    elif len(came) == 1:  # one source: say which, not its count again
        out.append(
            f"{plural(f.leads, 'lead')} came in, {'all ' if f.leads > 1 else ''}{came[0][1]}."
        )
    else:
        out.append(f"{plural(f.leads, 'lead')} came in: " + and_list([c for c, _ in came]) + ".")
    if misdeployed(scenario, f) and f.alignment_ratio is not None:
        out.append(
            f"Alignment {rho_text(f.alignment_ratio)} over all your reps, but they do not work "
            "where the leads are"
            + (
                f": {plural(f.leads_cold, 'warm lead')} went cold ({warm} came in this round)"
                if f.leads_cold
                else ""
            )
            + ". The split is not the problem; the coverage plan is."
        )
    else:
        out.extend(_alignment(f, warm, full_mode, scenario.meta.rounds - report.round))
    out.extend(_coverage(scenario, f))
    if f.leads_nurtured or f.leads_returned or f.nurture_stock:
        passed = warm - f.leads_returned
        out.append(
            f"Your qualification bar sent {plural(f.leads_nurtured, 'warm lead')} to nurture "
            f"({money(f.nurture_spend)}) and passed {max(passed, 0)} to sales; "
            f"{f.leads_returned} came back from nurture, warmer, and {f.nurture_stock} are "
            "still in it"
            + (
                f" (marketing- to sales-qualified {f.mql_to_sql:.0%}, sales-qualified to won "
                f"{f.sql_to_won:.0%})"
                if f.mql_to_sql is not None and f.sql_to_won is not None
                else ""
            )
            + ". A bar too low floods the reps with leads that rarely buy; too high starves "
            "them while good leads age in nurture."
        )
    out.extend(_routes(f))
    if f.deals_won + f.deals_lost:
        out.append(
            f"You won {f.deals_won} deals and lost {f.deals_lost} (win rate "
            f"{(f.win_rate or 0):.0%}), gaining {plural(round(f.new_customers), 'customer')}; "
            f"{plural(round(f.churned), 'customer')} left. You now have {f.total_customers:.0f}."
        )
    elif f.reps == 0 and not f.bankrupt:
        out.append("With no productive reps, no deal could be worked or won.")
    if f.pipeline:
        later = (
            "they are won or lost in a later round"
            if report.round < scenario.meta.rounds
            else "the game ends with them open"
        )
        out.append(
            f"{plural(f.pipeline, 'lead')} {'is' if f.pipeline == 1 else 'are'} still open at the "
            f"close (waiting for a rep or in a deal); {later}."
        )
    if "brand_tracker" in f.studies:
        brand = f"Your brand tracker: brand equity {f.brand_equity:.0f}/100"
        if prev is not None and "brand_tracker" in prev.studies:
            brand += f" ({f.brand_equity - prev.brand_equity:+.1f})"
        aware = ", ".join(
            f"{s.label} {f.awareness[s.id]:.0%}" for s in scenario.segments if s.id in f.awareness
        )
        out.append(f"{brand}; awareness: {aware}.")
    else:
        out.append(
            "Brand equity and awareness are unknown this round: no brand tracker was bought."
            if full_mode
            else "Brand equity and awareness are unknown this round: a brand tracker shows "
            "them (market studies are bought in full decisions)."
        )
    if "win_loss" in f.studies and any(f.lost_reasons.values()):
        reasons = sorted(f.lost_reasons.items(), key=lambda kv: -kv[1])
        said = ", ".join(f"{name} {n}" for name, n in reasons if n)
        top = reasons[0][0]
        out.append(
            f"Win/loss study, leads not won by reason: {said}. The biggest, {top}: "
            f"{LEVERS.get(top, 'see the help')}."
        )
    if "pipeline_benchmark" in f.studies:
        bench = benchmark(report)

        def days(x: float | None) -> str:
            return "-" if x is None else f"{x:.1f} days"

        out.append(
            f"Pipeline benchmark: the industry won {(bench['win_rate'] or 0):.0%} of its deals "
            f"(you {(f.win_rate or 0):.0%}), in {days(bench['cycle_days'])} (you "
            f"{days(f.cycle_days)}), and took {days(bench['response_days'])} to answer a lead "
            f"(you {days(f.response_days)})."
        )
    if "perceptual_map" in f.studies and scenario.positioning:
        where = []
        for seg in scenario.segments:
            ideal = report.segments[seg.id].ideal
            p = f.position.get(seg.id)
            if ideal is not None and p is not None:
                gap = ((p[0] - ideal[0]) ** 2 + (p[1] - ideal[1]) ** 2) ** 0.5
                where.append(f"{seg.label} {gap:.2f} from its ideal")
        out.append(f"Perceptual map: buyers place you {'; '.join(where)} (0 = a perfect fit).")
    out.append(_cash(scenario, report, firm_id))
    for e in report.events:
        out.append(f"News: {e}.")
    return out


def statement_lines(rounds: list[FirmRound]) -> list[tuple[str, list[float]]]:
    """The one rule for the lines an income statement shows over `rounds` (one value a
    round): revenue, each cost that is not zero in some round, then the operating profit
    (`FirmRound.statement`, whose lines are the same every round)."""
    lines = [f.statement() for f in rounds]
    shown = []
    for k, (name, _) in enumerate(lines[0]):
        values = [line[k][1] for line in lines]
        if name == "Revenue" or any(round(v, 2) != 0 for v in values):
            shown.append((name, values))
    shown.append(("Operating profit", [f.profit for f in rounds]))
    return shown


def statement_rows(f: FirmRound) -> list[tuple[str, str]]:
    """The income statement as a report shows it (`statement_lines`), then cash."""
    rows = [(name, money(v)) for name, (v,) in statement_lines([f])]
    rows.append(("Cash at the close", money(f.cash)))
    return rows


def _sales_lines(f: FirmRound) -> str:
    parts = [
        ("salaries", f.salaries),
        ("training", f.training),
        ("hiring", f.hiring),
        ("severance", f.severance),
        ("commission", f.commission),
    ]
    return ", ".join(f"{name} {money(v)}" for name, v in parts if v > 0) or "nothing"


def _routes(f: FirmRound) -> list[str]:
    """What the routes to market did this round (nothing for a firm without them), and the
    lesson its numbers point at: partners pay where the reps are short, not where they sit
    idle; a full partner network turns leads away."""
    out = []
    if f.partner_leads or f.deals_by_route.get("partner"):
        taken = f.partner_leads - f.partner_turned_away
        closed = f.deals_by_route.get("partner", 0)
        if not f.partner_leads:  # routed in an earlier round: its deals still close
            line = (
                f"No leads went to partners this round; they closed {plural(closed, 'deal')} "
                "from earlier ones"
            )
        elif not taken:
            line = (
                f"Partners took none of the {plural(f.partner_leads, 'lead')} that went to "
                "them: every place was taken, and the leads were lost"
            )
        elif not f.partner_turned_away:
            line = (
                f"Partners took all {f.partner_leads:,} leads that went to them"
                if f.partner_leads > 1
                else "Partners took the one lead that went to them"
            )
        else:
            line = (
                f"Partners took {taken:,} of the {plural(f.partner_leads, 'lead')} that went "
                "to them"
            )
            if f.partner_turned_away:
                line += (
                    f" (the other {f.partner_turned_away:,} found every place taken and were lost)"
                )
        if f.partner_leads:
            line += (
                f" and closed {plural(closed, 'deal')}"
                if closed
                else "; none of their deals signed this round, so no margin was paid."
            )
        if closed:
            line += f", for {money(f.partner_margins)} in margins."
        if f.partner_turned_away > 0.2 * f.partner_leads:
            line += (
                " More than a fifth turned away: send them fewer leads, or offer a higher "
                "margin for more of their capacity."
            )
        if reading(f.alignment_ratio) in ("idle", "room"):
            line += (
                " Your own reps had time to spare: the leads you gave partners are ones "
                "they could have closed at full margin."
            )
        out.append(line)
    if f.self_serve_leads or f.deals_by_route.get("self_serve"):
        signed = f.deals_by_route.get("self_serve", 0)
        sent = f.self_serve_leads
        if sent == 1:
            who = "The one buyer sent online " + ("signed up" if signed else "did not sign up")
        elif signed == 0:
            who = f"None of the {sent:,} buyers sent online signed up"
        elif signed == sent:
            who = f"All {sent:,} buyers sent online signed up"
        else:
            who = f"{plural(signed, 'buyer')} of the {sent:,} sent online signed up"
        out.append(
            f"{who} on their own: no rep, no cycle, but self-serve customers leave sooner, and "
            "buyers who follow the rep rarely buy alone."
        )
    return out


def _alignment(f: FirmRound, warm: int, full_mode: bool = True, rounds_left: int = 1) -> list[str]:
    """What the gauge read this round, what to expect if the decisions are held (the outlook,
    `sim.model.outlook`), and which way to move: the advice follows the outlook's reading
    (`FirmRound.gauge_reading`), so it always points the way the gauge does."""
    rho = f.alignment_ratio
    where = reading(rho)
    advice = f.gauge_reading
    says = f"The gauge says: {gauge_words(advice)}."
    if advice in SIDE and rho is not None and SIDE[advice] != SIDE[where]:
        # the advice reads the outlook, not this round: say so, or it reads as a mistake
        says = f"So the gauge, which reads the outlook, says: {gauge_words(advice)}."
    if rounds_left <= 0:  # the game is over: the gauge reads, it no longer advises
        advice = ""
        says = "The game is over, so there is no split left to move."
    cold = f" {f.leads_cold} of your {warm} warm leads went cold." if f.leads_cold else ""
    if warm and f.hunting_slots == 0:
        return [
            f"{f.leads_cold} of your {warm} warm leads went cold: with no reps on the sales "
            f"floor, nobody could work them. Marketing without sales is money wasted. {says}"
        ]
    if rho is None:
        return []
    if SIDE[where] == "above":
        ramp = f" ({f.reps_ramping} new hires are still ramping up)" if f.reps_ramping else ""
        facts = (
            f"Alignment {rho_text(rho)}, above the aligned band ({band()}): your warm leads asked for "
            f"more time than your {f.reps} productive reps had{ramp}.{cold}"
        )
    elif SIDE[where] == "below":
        share_out = f.leads_outbound / f.leads if f.leads else 0.0
        facts = (
            f"Alignment {rho_text(rho)}, below the aligned band ({band()}): your reps had time on "
            f"their hands, and {share_out:.0%} of the leads were strangers they cold-called, "
            f"who buy far less often.{cold}"
        )
    else:
        facts = (
            f"Alignment {rho_text(rho)}, inside the aligned band ({band()}): reps were busy with "
            f"warm leads.{cold}"
        )
    ahead = f.alignment_outlook
    outlook = ""
    if ahead is not None and rounds_left > 0:
        why = (
            ", as awareness and brand keep building"
            if ahead > rho * 1.05
            else ", as what your marketing built wears off"
            if ahead < rho * 0.95
            else ""
        )
        outlook = (
            f" Held at these decisions, expect about {rho_text(ahead)} over the rest of the "
            f"game{why}: {SIDE[reading(ahead)]} the band."
        )
    lever = {
        "waiting": "More reps, or less account management, would work them."
        if full_mode  # account management is a full-mode lever
        else "More reps would work them.",
        "idle": "Awareness and demand generation would bring them warm leads.",
        "late": "New reps take time to ramp and deals time to close, and hiring or letting go "
        "costs now.",
    }
    lever["cold"], lever["room"] = lever["waiting"], lever["idle"]
    tail = f" {lever[advice]}" if advice in lever else ""
    return [f"{facts}{outlook} {says}{tail}"]


def _staffing(scenario: Scenario, f: FirmRound) -> list[tuple[str, int, float | None, int, str]]:
    """Under a coverage plan, each segment's (label, hunting slots, rho, leads gone cold, how
    it stands): "unstaffed" (no reps of its own, and leads went cold), "empty" (no reps, no
    leads lost), "short" (its leads wait or go cold), "spare" (its reps idle or with room) or
    "busy" (in the band). Empty without a plan."""
    out = []
    for seg in scenario.segments if f.hunting_slots_by else ():
        slots = f.hunting_slots_by.get(seg.id, 0)
        rho = f.alignment_by_segment.get(seg.id)
        cold = f.leads_cold_by.get(seg.id, 0)
        if slots == 0 or rho is None:
            state = "unstaffed" if cold else "empty"
        else:
            state = {"above": "short", "below": "spare", "inside": "busy"}[SIDE[reading(rho)]]
        out.append((seg.label, slots, rho, cold, state))
    return out


def _coverage(scenario: Scenario, f: FirmRound) -> list[str]:
    """Under a coverage plan, where the reps work and what each segment's gauge says; when
    one segment's leads wait (or have no reps) while another's reps are idle, which way to
    move reps (or marketing)."""
    staffing = _staffing(scenario, f)
    if not staffing:
        return []
    total = sum(f.hunting_slots_by.values())
    parts = []
    for label, slots, rho, cold, state in staffing:
        share = f"{slots / total:.0%}" if total else "0%"
        gone = f", {plural(cold, 'lead')} went cold" if cold else ""
        if state in ("unstaffed", "empty"):
            parts.append(f"{label} {share} (no reps of its own{gone})")
        else:
            parts.append(f"{label} {share} (alignment {rho_text(rho or 0.0)}{gone})")
    short = [label for label, *_, state in staffing if state in ("unstaffed", "short")]
    spare = [label for label, *_, state in staffing if state == "spare"]
    line = "Your coverage plan, the share of hunting slots each segment's reps have: " + (
        "; ".join(parts) + "."
    )
    if short and spare:
        line += (
            f" {' and '.join(short)} leads waited for reps while {' and '.join(spare)} reps "
            f"had room and cold-called: move reps to {' and '.join(short)}, or aim marketing "
            "where your reps are."
        )
    elif short:
        line += (
            f" {' and '.join(short)} leads found no rep free to work them: give "
            f"{' and '.join(short)} reps of its own (or more reps), or aim marketing where your "
            "reps are."
        )
    return [line]


def misdeployed(scenario: Scenario, f: FirmRound) -> bool:
    """A coverage plan whose reps sit where the leads are not: a segment without reps of its
    own loses leads to going cold (the plan's fault on its own), or one segment's warm leads
    wait while another segment's reps have room."""
    states = {state for *_, state in _staffing(scenario, f)}
    return "unstaffed" in states or {"short", "spare"} <= states


def _cash(scenario: Scenario, report: RoundReport, firm_id: str) -> str:
    f = report.firms[firm_id]
    credit = scenario.firm(firm_id).credit_line
    room = f.cash + credit
    text = f"Cash at the close: {money(f.cash)}; with the credit line you can spend {money(room)}."
    if f.cash < 0 and not f.bankrupt:
        text += " You are drawing on credit: below minus the credit line the firm goes bankrupt."
    return text


GOAL_MARK = {"met": "✓", "missed": "✗", "open": "…"}


def goal_line(check: GoalCheck) -> str:
    """'✓ Win more than half the market (62%)': the goal, where it stands and its figure."""
    return f"{GOAL_MARK[check.status]} {check.goal.text} ({_goal_figure(check)})"


def _goal_figure(check: GoalCheck) -> str:
    g, value = check.goal, check.value
    if value is None:
        return "no round yet"
    if g.over == "rounds":
        return (
            f"{value:.0f} done of {g.rounds} needed"
            if check.status == "open"
            else (f"{value:.0f} rounds")
        )
    kind = ROUND_KPIS[g.kpi].kind
    shown = show(kind, value)
    bound = g.at_least if g.at_least is not None else g.at_most
    if bound is not None and value != bound and shown == show(kind, bound):
        shown = _finer(kind, value, bound)  # 54.7% is not the 55% a goal asks for
    if g.over == "every":
        return f"lowest {shown}" if g.at_least is not None else f"highest {shown}"
    if check.status == "open":
        return f"{shown} so far" if g.over == "total" else f"now {shown}"
    return shown


def _finer(kind: str, value: float, bound: float) -> str:
    """A figure with the digits that tell it from the goal's bound it rounds to (never a
    '-0' that reads as the bound itself)."""
    scale, unit = (100.0, "%") if kind == "share" else (1.0, "")
    for digits in range(1, 7):
        if round(value * scale, digits) != round(bound * scale, digits):
            break
    text = f"{value * scale:,.{digits}f}" if kind == "money" else f"{value * scale:.{digits}f}"
    return text + unit


def luck_line(
    percentile: float,
    score: float,
    expected: float,
    low: float,
    high: float,
    draws: int,
    lucky: bool,
) -> str:
    """The luck line of a scorecard (`sim.experiments.luck`): where the result as played
    falls among what the same decisions earn over other draws of luck."""
    if not lucky:
        return (
            "Luck: none to measure here; every draw of luck gave the same result, so the "
            "score is the decisions' alone."
        )
    if high - low < 0.5:  # every draw the same to the point shown (a firm bankrupt in each)
        return (
            f"Luck: all {draws} other draws of luck gave your decisions about the same score "
            f"({score:.0f}, within half a point): the result is your decisions', not luck's."
        )
    n = int(round(percentile))
    where = (
        "bottom"
        if n <= 0
        else "top"
        if n >= 100
        else f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
    )
    side = "luckier than" if percentile > 60 else "less lucky than" if percentile < 40 else "about"
    return (
        f"Luck: your result was at the {where} percentile of what your decisions would have "
        f"earned (score {score:.0f}; {expected:.0f} expected, 95% {low:.0f}-{high:.0f}, over "
        f"{draws} other draws of luck): {side} average."
    )


# What each factor of an explanation is called in a sentence (`sim.experiments.explain`).
FACTOR_WORDS = {
    "marketing": "your marketing",
    "sales": "your sales",
    "price_product": "your price and product",
    "rivals": "the rivals' decisions",
    "events": "market events",
    "momentum": "momentum (what earlier rounds carried in)",
    "luck": "luck",
}


def signed_money(x: float) -> str:
    """'+12k', '-3k', '0'."""
    return "0" if round(x) == 0 else ("+" if x > 0 else "") + money(x)


def explain_line(
    round_no: int,
    before: float,
    after: float,
    contributions: dict[str, float],
    settings: dict[str, str],
    luck_now: float,
    luck_before: float,
    rivals: str | None = None,
    whose: str | None = None,
) -> str:
    """A round's change in profit in a sentence, its largest causes first: 'Your profit rose
    52k from round 4 (-120k to -68k): +31k from your sales (sales 160k to 200k; rho 0.40 to
    0.90), ...'. `rivals`: what the rivals' factor is called (in a class: the other firms);
    `whose`: the firm's name when the reader is not the firm ('Northwind's profit ...')."""
    change = after - before
    verb = "rose" if change > 0 else "fell" if change < 0 else "held"
    size = f" {money(abs(change))}" if round(change) != 0 else ""
    subject = f"{whose}'s" if whose else "Your"
    head = (
        f"{subject} profit {verb}{size} from round {round_no - 1} to round {round_no} "
        f"({money(before)} to {money(after)})"
    )
    words = {**FACTOR_WORDS, **({"rivals": rivals} if rivals else {})}
    if whose:
        words = {f: w.replace("your ", "its ") for f, w in words.items()}
    parts = []
    for factor in sorted(contributions, key=lambda f: -abs(contributions[f])):
        amount = contributions[factor]
        if round(amount) == 0:
            continue
        if factor == "luck":
            parts.append(
                f"{signed_money(amount)} luck (this round's luck {signed_money(luck_now)} "
                f"less last round's {signed_money(luck_before)})"
            )
        elif factor == "momentum":
            parts.append(f"{signed_money(amount)} {words[factor]}")
        else:
            why = f" ({settings[factor]})" if settings.get(factor) else ""
            parts.append(f"{signed_money(amount)} from {words[factor]}{why}")
    return head + (": " + ", ".join(parts) if parts else "") + "."
