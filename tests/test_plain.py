"""`jigsaw play --plain`: the whole game in plain lines from a script on standard input, with
the same results as the Textual game given the same inputs."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim import load_scenario
from sim.model.errors import InputError
from sim.numbers import money
from tests.test_tui import advance
from tui.app import JigsawApp
from tui.plain import play_plain, scorecard_lines
from tui.session import Session

JIGSAW = str(Path(sys.executable).with_name("jigsaw"))
SCRIPT = "budget 250000\nmarketing 50\nprice 1.1\n\n\nmarketing 60\n"  # then: end of input


@pytest.fixture(autouse=True)
def saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JIGSAW_SAVE_DIR", str(tmp_path / "saves"))
    return tmp_path / "saves"


def test_a_whole_tutorial_from_a_script_on_standard_input(tmp_path: Path) -> None:
    proc = subprocess.run(
        [JIGSAW, "play", "--plain", "--seed", "2"],
        input=SCRIPT,
        capture_output=True,
        text=True,
        env={**os.environ, "JIGSAW_SAVE_DIR": str(tmp_path / "s")},
        timeout=120,
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    out = proc.stdout
    assert out.count("what happened") == 6 and "Game over. Balanced scorecard" in out
    assert "(end of input: playing on with the decisions shown)" in out
    assert "\x1b" not in out  # plain text: no escape sequences, no full-screen drawing
    assert "Income statement (USD):" in out and "Operating profit" in out


async def test_plain_and_textual_games_end_with_the_same_scorecard() -> None:
    plain = Session.new(load_scenario("tutorial"), 2)
    text = io.StringIO()
    assert play_plain(plain, io.StringIO(SCRIPT), text) == 0

    session = Session.new(load_scenario("tutorial"), 2)
    app = JigsawApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#budget").value = "250000"
        await pilot.press("right", "right")  # the split bar: 40% -> 50% marketing
        app.screen.query_one("#price").value = "1.1"
        await pilot.pause()
        await advance(pilot)
        await advance(pilot)
        await pilot.press("right", "right")  # 60%
        for _ in range(4):
            await advance(pilot)
    assert session.game.history == plain.game.history
    assert scorecard_lines(session) == scorecard_lines(plain)
    assert "\n".join(scorecard_lines(plain)) in text.getvalue()


def test_a_bad_command_changes_nothing_and_says_why() -> None:
    session = Session.new(load_scenario("tutorial"), 1)
    out = io.StringIO()
    play_plain(session, io.StringIO("price lots\nstudy astrology\nfly\nq\n"), out)
    said = out.getvalue()
    assert "Not changed: price: expected a number (such as 250000" in said and "got 'lots'" in said
    assert "Not changed: study: astrology: expected one of brand_tracker" in said
    assert "Not a command: 'fly'" in said
    assert session.game.round == 0 and session.draft.price == 1.0


def test_endless_or_hostile_input_is_bounded_and_echoed_as_text(tmp_path: Path) -> None:
    """/dev/zero once read 7 GB into one line; a script's control characters reached the
    terminal in the transcript."""
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run(
            [JIGSAW, "play", "--plain", "--seed", "2"],
            stdin=zero,
            capture_output=True,
            env={**os.environ, "JIGSAW_SAVE_DIR": str(tmp_path / "s")},
            timeout=60,
        )
    assert proc.returncode == 2
    assert proc.stderr.decode() == "jigsaw: standard input: a command is at most 1000 characters\n"
    session = Session.new(load_scenario("tutorial"), 1)
    out = io.StringIO()
    play_plain(session, io.StringIO("fly\x1b[2J\x07\nq\n"), out)
    said = out.getvalue()
    assert "\x1b" not in said and "\x07" not in said and "fly\\x1b[2J\\x07" in said
    with pytest.raises(InputError, match="more than 10,000 commands in one round"):
        play_plain(Session.new(load_scenario("tutorial"), 1), io.StringIO("s\n" * 10_001), out)


def test_a_save_from_an_older_model_says_so_in_plain_mode(tmp_path: Path) -> None:
    """As the full screen's "Older save" notice and `run --load`'s note: one line."""
    import json

    from sim import Game
    from sim.model.decisions import simple

    game = Game(load_scenario("tutorial"), 1)
    game.play_round({"you": simple(game.scenario, 200_000, 0.4)})
    doc = game.to_save(cache=False)
    doc["model"] = 3
    doc["scenario"]["meta"]["mean_field"] = True  # the tutorial's setting under model 3
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    out = io.StringIO()
    play_plain(Session.load(str(path)), io.StringIO("q\n"), out)
    notes = [line for line in out.getvalue().splitlines() if line.startswith("Note: ")]
    assert len(notes) == 1 and "model version 3" in notes[0] and "results differ" in notes[0]


def test_a_value_out_of_its_range_is_refused_as_the_form_refuses_it() -> None:
    """Plain mode reads the decision schema's ranges: 150% marketing, price 5 or a negative
    budget change nothing (they bought -5 reps and stopped the round before)."""
    session = Session.new(load_scenario("tutorial"), 1)
    out = io.StringIO()
    script = "marketing 150\nprice 5\nbudget -5\nrd 150\ncommission 60\naccounts 95\n\nq\n"
    play_plain(session, io.StringIO(script), out)
    said = out.getvalue()
    for line in (
        "Not changed: marketing: must be 0 to 100 percent, got 150",
        "Not changed: price: must be 0.5 to 2, got 5",
        "Not changed: budget: must be 0 or more, got -5",
        "Not changed: rd: must be 0 to 100 percent, got 150",
        "Not changed: commission: must be 0 to 50 percent, got 60",
        "Not changed: accounts: must be 0 to 90 percent, got 95",
    ):
        assert line in said, line
    assert "Cannot play" not in said and session.game.round == 1  # the round played as shown


def test_plain_mode_sets_the_qualification_bar_and_a_coverage_plan() -> None:
    from tests.conftest import shortened

    session = Session.new(shortened("classic", 2), 1, full_mode=True)
    out = io.StringIO()
    play_plain(session, io.StringIO("qualify 20\ncover smb 60\n\ncover off\n\nq\n"), out)
    said = out.getvalue()
    first, second = (d["you"] for d in session.game.history)
    assert first.marketing.qualification == pytest.approx(0.2)
    assert first.sales.coverage is not None and first.sales.coverage["smb"] == pytest.approx(0.6)
    assert sum(first.sales.coverage.values()) == pytest.approx(1.0)
    assert second.sales.coverage is None  # one pool again
    assert "Your coverage plan" in said and "Your qualification bar sent" in said
    tutorial = Session.new(load_scenario("tutorial"), 1, full_mode=True)
    out = io.StringIO()
    play_plain(tutorial, io.StringIO("cover smb 60\nq\n"), out)
    assert "a market of one segment has one pool of reps" in out.getvalue()


def test_a_refused_command_changes_neither_the_mode_nor_the_plan() -> None:
    from tests.conftest import shortened

    session = Session.new(shortened("classic", 2), 1)
    out = io.StringIO()
    play_plain(session, io.StringIO("cover moon 50\ncover smb 150\nmix radio 20\nq\n"), out)
    assert not session.full_mode and session.draft.coverage is None
    assert out.getvalue().count("Not changed:") == 3
    session = Session.new(shortened("classic", 2), 1)
    out = io.StringIO()
    play_plain(session, io.StringIO("qualify 0.5\n\nq\n"), out)  # simple mode: shown from now
    assert session.full_mode and "qualification bar 0.5%" in out.getvalue()
    assert session.game.history[0]["you"].marketing.qualification == pytest.approx(0.005)


def test_plain_mode_sends_leads_by_routes_to_market_and_refuses_what_the_market_lacks() -> None:
    from tests.conftest import shortened

    session = Session.new(shortened("classic", 2), 1)
    out = io.StringIO()
    script = (
        "?\n"  # the help names the route commands
        "partner mid 20\npartner smb 150\nselfserve moon 10\nmargin 90\n"  # refused, all four
        "partner smb 60\nselfserve smb 50\n"  # 110% of SMB's leads: refused
        "selfserve smb 30\nmargin 35\n\nroutes off\n\nq\n"
    )
    play_plain(session, io.StringIO(script), out)
    said = out.getvalue()
    assert said.count("Not changed:") == 5
    # the rule a decisions file meets, in its words
    assert (
        "partner: mid: this scenario has no channel partners in mid (it has them in: smb)" in said
    )
    assert "selfserve: smb: partner and self_serve shares add up to 110% of its warm" in said
    assert all(c in said for c in ("partner smb 30", "selfserve smb 20", "margin 30", "routes off"))
    first, second = (d["you"] for d in session.game.history)
    assert first.routes is not None and first.routes.partner == {"smb": 0.6}
    assert first.routes.self_serve["smb"] == 0.3 and first.routes.partner_margin == 0.35
    assert "routes: smb 60% to partners, smb 30% self-serve, partner margin 35%" in said
    assert "Partners took" in said
    assert second.routes is None  # every lead to the reps again
    assert session.reports[0].firms["you"].deals_by_route["partner"] > 0


def test_plain_mode_refuses_routes_where_the_market_has_none() -> None:
    """The tutorial has no partners and no self-serve: every route command is refused in one
    line and leaves the mode, and the status, as they were."""
    from tests.conftest import shortened

    session = Session.new(shortened("tutorial", 1), 1)
    out = io.StringIO()
    play_plain(session, io.StringIO("partner smb 20\nselfserve smb 10\nmargin 30\n\nq\n"), out)
    said = out.getvalue()
    assert said.count("Not changed:") == 3 and "this market has no channel partners" in said
    assert not session.full_mode and "routes:" not in said
    assert session.game.history[0]["you"].routes is None


def test_a_percent_just_past_its_range_is_echoed_as_typed() -> None:
    from tests.conftest import shortened

    session = Session.new(shortened("classic", 1), 1)
    out = io.StringIO()
    play_plain(session, io.StringIO("margin 60.0000001\nq\n"), out)
    assert "must be 0 to 60 percent, got 60.0000001" in out.getvalue()


def test_numbers_are_typed_in_ascii_digits_and_nothing_typed_reaches_the_terminal_raw() -> None:
    """Digits of other scripts and stray commas are refused (float() would read '١٢' as 12);
    -0 is 0 (no '-0%'); a refused value holding an escape sequence, a bidirectional override
    or bytes that are not UTF-8 is echoed with escapes, never as the raw characters."""
    session = Session.new(load_scenario("tutorial"), 1)
    out = io.StringIO()
    script = (
        "budget \u0661\u0662\nbudget \uff11\uff12\nbudget 1,,,,2\nmarketing -0\n"
        "study x\x1b]0;PWNED\x07\ntarget e\u202emoc 50\nbudget \udcff\udcfe\nq\n"
    )
    play_plain(session, io.StringIO(script), out)
    said = out.getvalue()
    assert said.count("Not changed: budget: expected a number") == 4
    assert session.draft.budget == 200_000 and session.draft.marketing_share == 0.0
    assert "-0%" not in said and "marketing 0% / sales 100%" in said
    assert "\x1b" not in said and "\u202e" not in said and "\x07" not in said
    assert "x\\x1b]0;PWNED\\x07" in said and "e\\u202emoc" in said and "\\udcff" in said


def test_the_history_command_shows_the_rounds_every_firm_and_segments_as_the_screen_does() -> None:
    session = Session.new(load_scenario("classic"), 2)
    out = io.StringIO()
    script = "h\nmarketing 30\n\nmarketing 50\n\nh\nq\n"
    assert play_plain(session, io.StringIO(script), out) == 0
    text = out.getvalue()
    assert "Nothing yet: the history starts after the first round." in text
    shown = text[text.rindex("> h\n") :]
    game = session.game
    mine = shown[shown.index("Your decisions and results:") : shown.index("Every firm's")]
    rows = [line.split() for line in mine.splitlines()[2:]]
    assert [r[0] for r in rows] == ["1", "2"] and [r[2] for r in rows] == ["30%", "50%"]
    assert [r[6] for r in rows] == [money(rep.firms["you"].profit) for rep in game.reports]
    public = shown[shown.index("Every firm's public figures:") : shown.index("You by segment:")]
    firms = session.scenario.firms
    assert len(public.splitlines()) == 2 + 2 * len(firms)
    for f in firms:  # every firm's revenue in round 2, by its name (the player marked)
        label = f.label + (" (you)" if f.id == session.player else "")
        line = next(x for x in public.splitlines() if x.startswith("  2 ") and label in x)
        assert money(game.reports[1].public()[f.id]["revenue"]) in line.split()
    by = shown[shown.index("You by segment:") : shown.index("Round 3 of")]
    won = [line.rsplit(maxsplit=4)[1] for line in by.splitlines()[2:]]
    assert sum(map(int, won)) == sum(r.firms["you"].deals_won for r in game.reports)
