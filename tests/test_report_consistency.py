"""No line of a round report contradicts the numbers it cites: over many seeds and splits,
every count, every side of the aligned band and every word of the gauge is checked against
the round's own figures (`sim.narrative.explain`)."""

from __future__ import annotations

import re

import pytest

from sim import Game, load_scenario
from sim.model.gauge import ALIGNED, reading
from sim.model.rivals import budget_decision
from sim.narrative import WORDS, explain

LEADS = re.compile(
    r"^(\d+) leads came in: (\d+) inbound, (\d+) from referrals and (\d+) that your reps"
)
COLD = re.compile(r"(\d+) of your (\d+) warm leads went cold")
ALIGNMENT = re.compile(r"^Alignment (\d+\.\d+), (above|below|inside) the aligned band")
OUTLOOK = re.compile(
    r"expect about (\d+\.\d+) over the rest of the game[^:]*: (above|below|inside) the band"
)
DEALS = re.compile(r"^You won (\d+) deals and lost (\d+) \(win rate (\d+)%\)")


@pytest.mark.parametrize("name, seeds", [("tutorial", (1,)), ("classic", (3,))])
def test_no_report_line_contradicts_rho_or_the_counts(name: str, seeds: tuple[int, ...]) -> None:
    """One seed of each: every split, every round of its report."""
    scenario = load_scenario(name)
    lo, hi = ALIGNED
    seen: set[str] = set()
    for seed in seeds:
        for share in (0.0, 0.3, 0.6, 1.0):
            game = Game(scenario, seed)
            game.play(lambda g, fid, s=share: budget_decision(g.view(fid), s))
            before = None
            for report in game.reports:
                f = report.firms["you"]
                lines = explain(scenario, report, "you", before)
                before = report
                warm = f.leads_inbound + f.leads_referral
                for line in lines:
                    if m := LEADS.match(line):
                        seen.add("leads")
                        counts = [int(x) for x in m.groups()]
                        assert counts == [
                            f.leads,
                            f.leads_inbound,
                            f.leads_referral,
                            f.leads_outbound,
                        ], line
                        assert counts[0] == sum(counts[1:]), line
                    for m in COLD.finditer(line):
                        assert (int(m[1]), int(m[2])) == (f.leads_cold, warm), line
                        seen.add("cold")
                    if m := ALIGNMENT.match(line):
                        rho = f.alignment_ratio
                        assert rho is not None and f"{rho:.2f}" == m[1], line
                        side = "above" if rho > hi else "below" if rho < lo else "inside"
                        assert m[2] == side, (line, rho)
                        seen.add(side)
                        # the advice follows the outlook's reading, and no other reading's;
                        # after the last round there is nothing left to advise
                        last = report.round == scenario.meta.rounds
                        if last:
                            assert "no split left to move" in line, line
                        for other, words in WORDS.items():
                            assert (words in line) == (other == f.gauge_reading and not last), line
                        if report.round < scenario.meta.rounds:
                            o = OUTLOOK.search(line)
                            ahead = f.alignment_outlook
                            assert o and ahead is not None and f"{ahead:.2f}" == o[1], line
                            side = "above" if ahead > hi else "below" if ahead < lo else "inside"
                            assert o[2] == side, (line, ahead)
                            if f.gauge_reading != "late":
                                assert f.gauge_reading == reading(ahead), line
                            seen.add("outlook")
                    if m := DEALS.match(line):
                        assert (int(m[1]), int(m[2])) == (f.deals_won, f.deals_lost), line
                        assert int(m[3]) == round(100 * (f.win_rate or 0)), line
                        seen.add("deals")
                    if "move budget to sales" in line:
                        assert f.gauge_reading in ("waiting", "cold", "no_reps"), line
                    if "move budget to marketing" in line or "budget to marketing" in line:
                        assert f.gauge_reading in ("idle", "room"), line
    assert {"leads", "deals", "below", "inside", "outlook"} <= seen, (
        seen
    )  # every rule was exercised
