"""State benchmark: what a round boundary as data buys, against replaying from round 0.

Scenario: a player presses what-if, undoes a round, loads a save; an instructor advances a
class and opens the results. Each of these used to replay the game from round 0 (O(rounds));
now each restores a snapshot (O(1) in rounds). Both ways are measured here, interleaved, in
the same process and on the same games, so the old figure and the new are like for like:

- what-if: the next round over 20 draws of luck (`Game.forecast`), against the old way
  (a replay from round 0 per draw), at every round of `classic` and of a 40-round `classic`;
- undo: `Game.rewound(1)` from the snapshot kept of the round before, against a replay;
- load: a save with its snapshot cache, against the same save without it (a replay);
- class advance and class results (`Classroom.game()`, the debrief's read) at the last
  round of a 40-round class, against a class file without snapshots;
- the snapshot itself: its size, and the time to take one and to restore one.

Run by hand (not in CI):

    .venv/bin/python benchmarks/state.py [--quick] [--json FILE]

Times are CPU seconds of this process (time.process_time), medians over repetitions.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sim import Game, load_scenario
from sim.classroom.store import Classroom
from sim.model import saves
from sim.model.decisions import Decision
from sim.model.rivals import strategy
from sim.model.scenario import Scenario, parse_scenario

DRAWS = 20  # what-if draws: enough for the stated interval of a forecast
OLD_DRAWS = 4  # what the old what-if drew (its figure is scaled to DRAWS in the table)
POLICY = strategy("balanced")


def cpu(fn: Callable[[], Any]) -> float:
    gc.collect()
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def long_classic(rounds: int = 40) -> Scenario:
    """`classic` played for `rounds` rounds (its events as scheduled)."""
    data = load_scenario("classic").model_dump(mode="json")
    data["meta"]["rounds"] = rounds
    return parse_scenario(data, f"classic, {rounds} rounds")


def decide(game: Game) -> dict[str, Decision]:
    return {fid: POLICY(game.view(fid)) for fid in game.player_ids}


def old_forecast(game: Game, decisions: dict[str, Decision], draws: int) -> None:
    """The what-if as it was: a replay from round 0 for every draw."""
    for r in range(draws):
        twin = game.replay()
        twin.fork_luck(r)
        twin.play_round(decisions)


def old_rewound(game: Game) -> Game:
    twin = Game(game.scenario, game.seed, game.streams)
    for decided in game.history[:-1]:
        twin.play_round(decided)
    return twin


def whatif(scenario: Scenario, rounds: Sequence[int], reps: int) -> list[dict[str, Any]]:
    """What-if at each of `rounds` (the round about to be played), new and old, interleaved."""
    game = Game(scenario, 1)
    rows = []
    for k in range(1, max(rounds) + 1):
        if k in rounds:
            mine = decide(game)
            new, old = [], []
            for _ in range(reps):
                new.append(cpu(lambda m=mine: game.forecast(m, DRAWS)))
                old.append(cpu(lambda m=mine: old_forecast(game, m, OLD_DRAWS)))
            rows.append(
                {
                    "round": k,
                    "new_s": statistics.median(new),
                    "old_s": statistics.median(old) * DRAWS / OLD_DRAWS,
                    "old_4_draws_s": statistics.median(old),
                }
            )
            print(f"  what-if round {k}: {rows[-1]['new_s']:.3f} s", file=sys.stderr)
        game.play_round(decide(game))
    return rows


def boundary(scenario: Scenario, rounds: int, reps: int) -> dict[str, Any]:
    """Undo, load and the snapshot itself after `rounds` rounds."""
    game = Game(scenario, 1)
    game.keep_snapshots = True
    for _ in range(rounds):
        game.play_round(decide(game))
    doc = json.loads(json.dumps(game.to_save()))
    bare = {k: v for k, v in doc.items() if k != "cache"}
    snapshot = game.snapshot()
    t: dict[str, list[float]] = {
        k: [] for k in ("undo", "undo_old", "load", "load_old", "take", "restore")
    }
    for _ in range(reps):
        t["undo"].append(cpu(lambda: game.rewound(1)))
        t["undo_old"].append(cpu(lambda: old_rewound(game)))
        t["load"].append(cpu(lambda: saves.read(doc)))
        t["load_old"].append(cpu(lambda: saves.read(bare)))
        t["take"].append(cpu(game.snapshot))
        t["restore"].append(cpu(lambda: game.restore(snapshot)))
    out: dict[str, Any] = {k + "_s": statistics.median(v) for k, v in t.items()}
    out["snapshot_bytes"] = len(snapshot.data)
    out["deals_in_flight"] = sum(len(f.slots.users) + len(f.slots.queue) for f in game.forces)
    return out


def classroom(scenario: Scenario, reps: int) -> dict[str, Any]:
    """Advance and results at the last round of a class, with and without snapshots."""
    rounds = scenario.meta.rounds
    with tempfile.TemporaryDirectory() as tmp:
        room, instructor, _ = Classroom.create(Path(tmp) / "c.db", scenario, ["Red", "Blue"], 1)
        for _ in range(rounds - 1):
            room.advance(instructor)
        # The same class without its snapshots: every read replays, as before them.
        stale = Path(tmp) / "stale.db"
        room.db.execute("VACUUM INTO ?", (str(stale),))
        old = Classroom(stale)
        old.db.execute("DELETE FROM snapshots")
        t: dict[str, list[float]] = {
            k: [] for k in ("advance", "advance_old", "results", "results_old")
        }
        for k in range(reps):
            t["results"].append(cpu(room.game))
            t["results_old"].append(cpu(old.game))
            for name, source in (("advance", room), ("advance_old", old)):
                copy = Path(tmp) / f"{name}-{k}.db"  # each advance closes the same round
                source.db.execute("VACUUM INTO ?", (str(copy),))
                fresh = Classroom(copy)
                t[name].append(cpu(lambda fresh=fresh: fresh.advance(instructor)))
                fresh.close()
        room.close()
        old.close()
    return {k + "_s": statistics.median(v) for k, v in t.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 repetition, fewer rounds")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    args = parser.parse_args(argv)
    reps = 1 if args.quick else 3
    classic = load_scenario("classic")
    forty = long_classic(40)
    result: dict[str, Any] = {}
    print("what-if, classic (8 rounds)", file=sys.stderr)
    result["whatif_classic"] = whatif(classic, range(1, 9), reps)
    print("what-if, classic (40 rounds)", file=sys.stderr)
    result["whatif_40"] = whatif(forty, (1, 10, 20, 30, 40) if not args.quick else (1, 40), reps)
    print("undo, load, snapshot at round 7 of classic and 39 of 40", file=sys.stderr)
    result["boundary_classic"] = boundary(classic, 7, reps)
    result["boundary_40"] = boundary(forty, 39, reps)
    print("class advance and results at round 40", file=sys.stderr)
    result["class_40"] = classroom(forty, reps)
    report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


def report(r: dict[str, Any]) -> None:
    print(
        f"CPU seconds, medians; what-if over {DRAWS} draws (old: {OLD_DRAWS} draws x {DRAWS // OLD_DRAWS})"
    )
    print(f"{'what-if at round':28s} {'new':>8s} {'old':>9s}")
    for label, rows in (("classic", r["whatif_classic"]), ("classic 40", r["whatif_40"])):
        for row in rows:
            print(
                f"  {label + ' ' + str(row['round']):26s} {row['new_s']:8.3f} {row['old_s']:9.3f}"
            )
    for label, b in (
        ("classic, round 8", r["boundary_classic"]),
        ("classic 40, round 40", r["boundary_40"]),
    ):
        print(
            f"{label}: undo {b['undo_s'] * 1000:.1f} ms (replay {b['undo_old_s']:.3f} s), "
            f"load {b['load_s'] * 1000:.1f} ms (replay {b['load_old_s']:.3f} s), "
            f"snapshot {b['snapshot_bytes'] / 1000:.0f} kB with {b['deals_in_flight']} leads "
            f"and deals, taken in {b['take_s'] * 1000:.1f} ms, restored in "
            f"{b['restore_s'] * 1000:.1f} ms"
        )
    c = r["class_40"]
    print(
        f"class at round 40: advance {c['advance_s']:.3f} s (replay {c['advance_old_s']:.3f} s), "
        f"results {c['results_s']:.3f} s (replay {c['results_old_s']:.3f} s)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
