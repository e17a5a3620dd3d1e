"""Engine benchmark: how long a game takes, and what one deal costs next to bare SimPy.

Scenario: the lead engineer wants to know where a game's time goes before optimising it. A
default game (the classic scenario, the player on the `balanced` strategy, rivals on theirs) is
timed end to end. Its cost per lead is set against a bare SimPy deal loop run in the same
process (a `simpy.Resource` with c slots; each deal takes a slot and holds it through 4 stage
timeouts), fed the same arrivals. The same lead stream is replayed through
`sim.model.pipeline.SalesForce` alone (lead by lead into `work`, and day by day into `receive`), which
separates the pipeline's cost from the daily market tick's.
Finally every segment's `accounts` is scaled (x0.1 .. x100) to show that run time follows the
number of leads, not the number of accounts (accounts are counts in numpy arrays).

Run by hand (not in CI):

    make bench
    .venv/bin/python benchmarks/engine.py [--quick] [--json FILE] [--profile]

Times are CPU seconds of this process (time.process_time), medians over repetitions; the garbage
collector stays on (as in play) but runs a full collection before each timed run.
See benchmarks/README.md for what each figure means and the figures measured here.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import datetime
import gc
import hashlib
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import simpy

import sim
from sim.model.decisions import Decision
from sim.model.files import read_toml
from sim.model.game import Game
from sim.model.pipeline import COLD, STAGE_TIME, LeadBatch, SalesForce, exit_stage
from sim.model.report import RoundReport
from sim.model.rivals import strategy
from sim.model.scenario import Scenario, parse_scenario, resolve

SIM_DIR = Path(sim.__file__).resolve().parent  # the model measured (as imported)
ROOT = SIM_DIR.parent
SCENARIO = "classic"
SEEDS = (1, 2, 3)
BARE_STAGES = 4  # the textbook bare deal: a slot held through 4 stage timeouts
FACTORS = (0.1, 1.0, 10.0, 100.0)  # segment size multipliers
QUICK_RAW_FACTORS = (0.1, 1.0, 10.0)  # x100 alone takes ~30 s per game: full mode only
MAX_ACCOUNTS = 10_000_000  # the scenario schema's upper bound per segment


def balanced(game: Game, firm_id: str) -> Decision:
    """The player seat: the `balanced` strategy on what the firm may see."""
    return strategy("balanced")(game.view(firm_id))


# --- the machine ---------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """Versions, CPUs, load and the code measured (commit, local changes under sim/)."""
    info: dict[str, Any] = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "simpy": simpy.__version__,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "loadavg_start": _loadavg(),
    }
    info["commit"] = _git("rev-parse", "--short", "HEAD")
    digest = hashlib.sha1()
    for path in sorted(SIM_DIR.rglob("*.py")):
        digest.update(path.read_bytes())
    info["sim_sha1"] = digest.hexdigest()[:12]  # the sim/ sources measured (read at start)
    dirty = _git("status", "--porcelain", "--", "sim")
    info["sim_modified"] = sorted(line.split(maxsplit=1)[-1] for line in dirty.splitlines())
    return info


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def _git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


# --- 1. whole games ------------------------------------------------------------------------


def play(scenario: Scenario, seed: int) -> tuple[float, list[RoundReport]]:
    """Seconds to build and play one whole game (the scenario is parsed beforehand)."""
    gc.collect()
    t0 = time.process_time()
    reports = Game(scenario, seed).play(balanced)
    return time.process_time() - t0, reports


def lead_counts(reports: Sequence[RoundReport]) -> dict[str, int]:
    """Leads processed (worked + cold, summed over firms and rounds) and leads arrived."""
    firms = [f for r in reports for f in r.firms.values()]
    worked = sum(f.leads_worked for f in firms)
    cold = sum(f.leads_cold for f in firms)
    arrived = sum(f.leads_inbound + f.leads_referral + f.leads_outbound for f in firms)
    return {"processed": worked + cold, "worked": worked, "cold": cold, "arrived": arrived}


# --- 2. the same leads through the pipeline alone, and through a bare SimPy loop -----------


class Lead(NamedTuple):
    """One lead as the market handed it to a sales force, with that force's slots then."""

    t: float  # arrival, days since the start of the game
    firm: int
    capacity: int  # the firm's hunting slots on the day it arrived
    segment: int
    kind: int
    p_win: float
    cycle: float
    fate: float
    patience: float


class Delivery(NamedTuple):
    """One day's leads for one firm, as the market handed them over."""

    day: float
    firm: int
    capacity: int  # the firm's hunting slots that day
    batch: LeadBatch


def capture(scenario: Scenario, seed: int) -> list[Delivery]:
    """Play one game (untimed) and record every batch of leads the market hands to a sales
    force. Each force's `receive` is wrapped on the instance only; nothing in `sim/` changes."""
    game = Game(scenario, seed)
    deliveries: list[Delivery] = []
    for force in game.forces:

        def receive(batch: LeadBatch, force: SalesForce = force, inner=force.receive) -> None:
            deliveries.append(Delivery(force.env.now, force.firm, force.slots.capacity, batch))
            inner(batch)

        force.receive = receive  # type: ignore[method-assign]
    game.play(balanced)
    return deliveries


def unpack(deliveries: Sequence[Delivery]) -> list[Lead]:
    """Every lead of the captured batches as plain Python values, in arrival order."""
    leads = [
        Lead(
            d.day + float(b.offset[k]),
            d.firm,
            d.capacity,
            int(b.segment[k]),
            int(b.kind[k]),
            float(b.p_win[k]),
            float(b.cycle[k]),
            float(b.fate[k]),
            float(b.patience[k]),
        )
        for d in deliveries
        for b in [d.batch]
        for k in range(len(b.kind))
    ]
    leads.sort(key=lambda x: x.t)
    return leads


def _forces(scenario: Scenario, env: simpy.Environment) -> list[SalesForce]:
    days = scenario.meta.round_days
    return [
        SalesForce(
            env,
            i,
            scenario.economics_for(f),
            f.reps,
            f.rep_skill,
            days,
            segments=len(scenario.segments),
        )
        for i, f in enumerate(scenario.firms)
    ]


def _run(
    scenario: Scenario,
    env: simpy.Environment,
    source: Generator[simpy.Event, None, None],
    forces: Sequence[SalesForce],
) -> tuple[float, int, int]:
    """Time env.run through the game's last day. Returns (seconds, leads processed, cold),
    where processed = leads a slot took + leads gone cold, as the game's reports count them."""
    gc.collect()
    t0 = time.process_time()
    env.process(source)
    env.run(until=scenario.meta.rounds * scenario.meta.round_days)
    seconds = time.process_time() - t0
    cold = sum(1 for f in forces for r in f.records if r.outcome == COLD)
    return seconds, sum(f.started for f in forces) + cold, cold


def replay_work(scenario: Scenario, leads: Sequence[Lead]) -> tuple[float, int, int]:
    """One `SalesForce` per firm, each lead started with env.process(force.work(...)) at its
    recorded arrival time; slots follow the recorded headcount. No market, no books
    (on_close=None)."""
    env = simpy.Environment()
    forces = _forces(scenario, env)

    def source() -> Generator[simpy.Event, None, None]:
        for lead in leads:
            wait = lead.t - env.now
            if wait > 0:
                yield env.timeout(wait)
            force = forces[lead.firm]
            if force.slots.capacity != lead.capacity:
                force.slots.resize(lead.capacity)
            env.process(
                force.work(
                    lead.segment, lead.kind, lead.p_win, lead.cycle, lead.fate, lead.patience
                )
            )

    return _run(scenario, env, source(), forces)


def replay_receive(scenario: Scenario, deliveries: Sequence[Delivery]) -> tuple[float, int, int]:
    """The same, but each day's batch goes through force.receive(batch) as the market tick
    hands it over, so the pipeline's own per-batch work (counters, its `arrivals` process that
    unpacks the arrays lead by lead) is included."""
    env = simpy.Environment()
    forces = _forces(scenario, env)

    def source() -> Generator[simpy.Event, None, None]:
        for d in deliveries:
            if d.day > env.now:
                yield env.timeout(d.day - env.now)
            force = forces[d.firm]
            if force.slots.capacity != d.capacity:
                force.slots.resize(d.capacity)
            force.receive(d.batch)

    return _run(scenario, env, source(), forces)


class BareInput(NamedTuple):
    arrivals: list[float]  # days
    holds: list[float]  # days a deal holds its slot in total
    capacity: int  # slots


def bare_input(leads: Sequence[Lead]) -> BareInput:
    """The captured arrivals, each holding a slot as long as the model's deal would (its cycle
    times the stage shares up to the stage it ends at), with c = the firms' median slots."""
    holds = [
        lead.cycle * float(STAGE_TIME[: exit_stage(lead.fate, lead.p_win) + 1].sum())
        for lead in leads
    ]
    by_firm: dict[int, list[int]] = {}
    for lead in leads:
        by_firm.setdefault(lead.firm, []).append(lead.capacity)
    capacity = max(1, int(sum(statistics.median(c) for c in by_firm.values())))
    return BareInput([lead.t for lead in leads], holds, capacity)


def bare_deals(data: BareInput, stages: int = BARE_STAGES) -> float:
    """Bare SimPy: one Resource with c slots; each deal requests a slot and holds it through
    `stages` equal timeouts; a source starts deals at the given arrival times. No reneging, so
    every deal is served (the run goes on until the last one ends). Returns seconds."""
    env = simpy.Environment()
    slots = simpy.Resource(env, capacity=data.capacity)

    def deal(stage_days: float) -> Generator[simpy.Event, None, None]:
        with slots.request() as req:
            yield req
            for _ in range(stages):
                yield env.timeout(stage_days)

    def source() -> Generator[simpy.Event, None, None]:
        for t, hold in zip(data.arrivals, data.holds, strict=True):
            wait = t - env.now
            if wait > 0:
                yield env.timeout(wait)
            env.process(deal(hold / stages))

    gc.collect()
    t0 = time.process_time()
    env.process(source())
    env.run()
    return time.process_time() - t0


def bare_timeouts(n: int = 200_000) -> float:
    """Bare SimPy's event rate: one process yielding n unit timeouts. Returns events/s."""
    env = simpy.Environment()

    def clock() -> Generator[simpy.Event, None, None]:
        for _ in range(n):
            yield env.timeout(1.0)

    env.process(clock())
    gc.collect()
    t0 = time.process_time()
    env.run()
    return n / (time.process_time() - t0)


def bench_default(scenario: Scenario, seeds: Sequence[int], reps: int) -> dict[str, Any]:
    """Parts 1 and 2, interleaved per (rep, seed) so machine noise hits every contender alike."""
    deliveries = {s: capture(scenario, s) for s in seeds}
    streams = {s: unpack(deliveries[s]) for s in seeds}
    bare = {s: bare_input(streams[s]) for s in seeds}
    runs: list[dict[str, Any]] = []
    for _ in range(reps):
        for s in seeds:
            game_s, reports = play(scenario, s)
            counts = lead_counts(reports)
            work_s, work_n, work_cold = replay_work(scenario, streams[s])
            recv_s, recv_n, recv_cold = replay_receive(scenario, deliveries[s])
            n = len(streams[s])
            bare4_s = bare_deals(bare[s], BARE_STAGES)
            bare1_s = bare_deals(bare[s], 1)
            rate = bare_timeouts()
            runs.append(
                {
                    "seed": s,
                    "game_s": game_s,
                    **{f"game_{k}": v for k, v in counts.items()},
                    "game_us_per_lead": 1e6 * game_s / counts["processed"],
                    "pipeline_s": work_s,
                    "pipeline_processed": work_n,
                    "pipeline_cold": work_cold,
                    "pipeline_us_per_lead": 1e6 * work_s / work_n,
                    "receive_s": recv_s,
                    "receive_processed": recv_n,
                    "receive_cold": recv_cold,
                    "receive_us_per_lead": 1e6 * recv_s / recv_n,
                    "bare_deals": n,
                    "bare_slots": bare[s].capacity,
                    "bare_s": bare4_s,
                    "bare_us_per_deal": 1e6 * bare4_s / n,
                    "bare1_us_per_deal": 1e6 * bare1_s / n,
                    "timeouts_per_s": rate,
                }
            )
    med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
    days = scenario.meta.rounds * scenario.meta.round_days
    bare_us = med("bare_us_per_deal")
    rest_s = med("game_s") - med("receive_s")
    return {
        "scenario": SCENARIO,
        "seeds": list(seeds),
        "reps_per_seed": reps,
        "days_per_game": days,
        "game_s": med("game_s"),
        "game_s_min": min(r["game_s"] for r in runs),
        "game_s_max": max(r["game_s"] for r in runs),
        "leads_processed": med("game_processed"),
        "leads_arrived": med("game_arrived"),
        "leads_cold": med("game_cold"),
        "game_us_per_lead": med("game_us_per_lead"),
        "pipeline_s": med("pipeline_s"),
        "pipeline_leads_processed": med("pipeline_processed"),
        "pipeline_leads_cold": med("pipeline_cold"),
        "pipeline_us_per_lead": med("pipeline_us_per_lead"),
        "receive_s": med("receive_s"),
        "receive_us_per_lead": med("receive_us_per_lead"),
        "ratio_receive_to_bare": med("receive_us_per_lead") / bare_us,
        # the replays resize slots when leads arrive; the game also when a hire ramps up
        "replay_vs_game_processed": max(
            abs(r[f"{k}_processed"] - r["game_processed"])
            for r in runs
            for k in ("pipeline", "receive")
        ),
        "replay_vs_game_cold": max(
            abs(r[f"{k}_cold"] - r["game_cold"]) for r in runs for k in ("pipeline", "receive")
        ),
        "bare_deals": med("bare_deals"),
        "bare_slots": med("bare_slots"),
        "bare_us_per_deal": bare_us,
        "bare1_us_per_deal": med("bare1_us_per_deal"),
        "timeouts_per_s": med("timeouts_per_s"),
        "ratio_game_to_bare": med("game_us_per_lead") / bare_us,
        "ratio_pipeline_to_bare": med("pipeline_us_per_lead") / bare_us,
        "rest_s": rest_s,
        "rest_ms_per_day": 1e3 * rest_s / days,
        "runs": runs,
    }


# --- 3. segment size -----------------------------------------------------------------------


def scaled(raw: dict[str, Any], factor: float, keep_leads: bool) -> Scenario:
    """The scenario with every segment's accounts x factor (and, if keep_leads, interest /
    factor, so inbound lead volume stays about the same). Starting customers are kept, or
    scaled down pro rata where they would exceed a shrunken segment."""
    data = copy.deepcopy(raw)
    for seg in data["segments"]:
        seg["accounts"] = min(MAX_ACCOUNTS, max(1, int(round(seg["accounts"] * factor))))
        if keep_leads:
            seg["interest"] = seg.get("interest", 0.2) / factor
        taken = sum(f.get("customers", {}).get(seg["id"], 0) for f in data["firms"])
        if taken > seg["accounts"]:
            for f in data["firms"]:
                cust = f.get("customers", {})
                if seg["id"] in cust:
                    cust[seg["id"]] = cust[seg["id"]] * seg["accounts"] // taken
    name = f"{SCENARIO} x{factor:g}" + (" interest/k" if keep_leads else "")
    return parse_scenario(data, name)


def bench_scaling(
    raw: dict[str, Any], seed: int, reps: int, raw_factors: Sequence[float]
) -> list[dict[str, Any]]:
    rows = []
    variants = [(k, False) for k in raw_factors] + [(k, True) for k in FACTORS]
    for factor, keep in variants:
        scenario = scaled(raw, factor, keep)
        times, counts = [], {}
        for _ in range(reps):
            seconds, reports = play(scenario, seed)
            times.append(seconds)
            counts = lead_counts(reports)
        game_s = statistics.median(times)
        rows.append(
            {
                "variant": "accounts x k, interest / k" if keep else "accounts x k",
                "factor": factor,
                "accounts": sum(s.accounts for s in scenario.segments),
                "game_s": game_s,
                "leads_processed": counts["processed"],
                "leads_cold": counts["cold"],
                "us_per_lead": 1e6 * game_s / counts["processed"],
                "reps": reps,
            }
        )
    return rows


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What the scaling rows show: how flat time stays when lead volume is held (interest / k),
    and the marginal cost of an extra lead between successive sizes when it is not."""
    held = [r for r in rows if r["variant"].endswith("interest / k")]
    secs = [r["game_s"] for r in held]
    grown = sorted((r for r in rows if r["variant"] == "accounts x k"), key=lambda r: r["factor"])
    steps = [
        {
            "from": a["factor"],
            "to": b["factor"],
            "us_per_extra_lead": 1e6
            * (b["game_s"] - a["game_s"])
            / (b["leads_processed"] - a["leads_processed"]),
        }
        for a, b in zip(grown, grown[1:], strict=False)
        if b["leads_processed"] != a["leads_processed"]
    ]
    return {
        "held_min_s": min(secs),
        "held_max_s": max(secs),
        "held_max_over_min": max(secs) / min(secs),
        "marginal": steps,
    }


# --- hot spots -----------------------------------------------------------------------------


def profile(scenario: Scenario, seed: int, top: int = 10) -> list[dict[str, Any]]:
    """cProfile one game; the `top` functions by own time (tottime)."""
    prof = cProfile.Profile()
    game = Game(scenario, seed)
    prof.enable()
    game.play(balanced)
    prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.values())
    rows = []
    for (path, line, name), (_, ncalls, tottime, cumtime, _) in sorted(
        stats.items(), key=lambda kv: kv[1][2], reverse=True
    )[:top]:
        rows.append(
            {
                "function": _short(path, line, name),
                "ncalls": ncalls,
                "tottime_s": tottime,
                "tottime_share": tottime / total if total else 0.0,
                "cumtime_s": cumtime,
            }
        )
    return rows


def _short(path: str, line: int, name: str) -> str:
    """A profile entry's file:line(name), trimmed to the repo or site-packages."""
    if path == "~":  # a builtin
        return name
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{line}({name})"


# --- output --------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    fmt = lambda r: "  ".join(  # noqa: E731
        c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
    )
    lines = [fmt(cells[0]), "  ".join("-" * w for w in widths)]
    return "\n".join(lines + [fmt(r) for r in cells[1:]])


def report(result: dict[str, Any], out: Callable[[str], None] = print) -> None:
    m = result["machine"]
    out(f"Jigsaw engine benchmark ({result['mode']} mode), {m['date']}")
    out(
        f"Python {m['python']} ({m['implementation']}), numpy {m['numpy']}, simpy {m['simpy']}; "
        f"{m['cpu_count']} CPUs ({m['cpus_usable']} usable); {m['platform']}"
    )
    sim_state = ", modified: " + " ".join(m["sim_modified"]) if m["sim_modified"] else ""
    out(f"commit {m['commit'] or '?'}{sim_state} (sim/**/*.py sha1 {m['sim_sha1']})")
    out(f"load average at start {m['loadavg_start']}, at end {m.get('loadavg_end')}")
    d = result["default"]
    out("")
    out(
        f"1. Default game: {d['scenario']}, player 'balanced', seeds {d['seeds']}, "
        f"{d['reps_per_seed']} run(s) per seed, {d['days_per_game']} days"
    )
    out(
        table(
            ["figure", "value"],
            [
                ["seconds per game (median)", f"{d['game_s']:.3f}"],
                ["  fastest / slowest run", f"{d['game_s_min']:.3f} / {d['game_s_max']:.3f}"],
                ["leads processed per game (worked + cold)", f"{d['leads_processed']:.0f}"],
                ["  of which cold", f"{d['leads_cold']:.0f}"],
                [
                    "  leads arrived (incl. any still waiting at the end)",
                    f"{d['leads_arrived']:.0f}",
                ],
                ["us per lead (game)", f"{d['game_us_per_lead']:.1f}"],
                [
                    "ms to parse the scenario (once, not in game time)",
                    f"{1e3 * result['scenario_parse_s']:.2f}",
                ],
            ],
        )
    )
    out("")
    out(
        f"2. Cost per deal against bare SimPy (same process, same arrivals: "
        f"{d['bare_deals']:.0f} deals, c = {d['bare_slots']:.0f} slots)"
    )
    out(
        table(
            ["contender", "us per lead/deal", "x bare"],
            [
                [
                    f"bare SimPy deal (slot + {BARE_STAGES} stage timeouts)",
                    f"{d['bare_us_per_deal']:.1f}",
                    "1.00",
                ],
                [
                    "bare SimPy deal (slot + 1 hold timeout)",
                    f"{d['bare1_us_per_deal']:.1f}",
                    f"{d['bare1_us_per_deal'] / d['bare_us_per_deal']:.2f}",
                ],
                [
                    "SalesForce.work alone (recorded leads, one by one)",
                    f"{d['pipeline_us_per_lead']:.1f}",
                    f"{d['ratio_pipeline_to_bare']:.2f}",
                ],
                [
                    "SalesForce.receive (recorded daily batches)",
                    f"{d['receive_us_per_lead']:.1f}",
                    f"{d['ratio_receive_to_bare']:.2f}",
                ],
                [
                    "whole game (market tick + pipeline + rounds)",
                    f"{d['game_us_per_lead']:.1f}",
                    f"{d['ratio_game_to_bare']:.2f}",
                ],
            ],
        )
    )
    out(f"bare SimPy timeout events per second (one process): {d['timeouts_per_s']:,.0f}")
    out(
        f"pipeline replays: work {d['pipeline_s']:.3f} s, receive {d['receive_s']:.3f} s "
        f"per game; {d['pipeline_leads_processed']:.0f} leads processed "
        f"({d['pipeline_leads_cold']:.0f} cold), off the game's counts by at most "
        f"{d['replay_vs_game_processed']} processed and {d['replay_vs_game_cold']} cold in any run"
    )
    out(
        f"rest of the game (game - receive replay: market tick, rounds, books): "
        f"{d['rest_s']:.3f} s per game = {d['rest_ms_per_day']:.3f} ms per simulated day"
    )
    out("")
    out(
        f"3. Segment size (seed {result['scaling_seed']}, "
        f"median of {result['scaling_reps']} run(s) per variant)"
    )
    out(
        table(
            ["variant", "k", "accounts", "s per game", "leads", "cold", "us per lead"],
            [
                [
                    r["variant"],
                    f"{r['factor']:g}",
                    f"{r['accounts']:,}",
                    f"{r['game_s']:.3f}",
                    f"{r['leads_processed']:,}",
                    f"{r['leads_cold']:,}",
                    f"{r['us_per_lead']:.1f}",
                ]
                for r in result["scaling"]
            ],
        )
    )
    f = result["scaling_summary"]
    out(
        f"leads held about constant (interest / k): {f['held_min_s']:.3f} .. "
        f"{f['held_max_s']:.3f} s per game (max / min {f['held_max_over_min']:.2f})"
    )
    for step in f["marginal"]:
        out(
            f"accounts x{step['from']:g} -> x{step['to']:g}: "
            f"{step['us_per_extra_lead']:.1f} us per extra lead"
        )
    if result.get("profile"):
        out("")
        out(f"Hot spots: cProfile of one default game (seed {result['profile_seed']}), by tottime")
        out(
            table(
                ["function", "ncalls", "tottime s", "share", "cumtime s"],
                [
                    [
                        p["function"],
                        p["ncalls"],
                        f"{p['tottime_s']:.3f}",
                        f"{100 * p['tottime_share']:.1f}%",
                        f"{p['cumtime_s']:.3f}",
                    ]
                    for p in result["profile"]
                ],
            )
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="benchmarks/engine.py",
        description="Time the Jigsaw engine: whole games, cost per deal against bare SimPy, "
        "and scaling with segment size.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="one run per seed and variant, no x100 account run"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile one game and list the top 10"
    )
    args = parser.parse_args(argv)

    reps, scale_reps = (1, 1) if args.quick else (5, 3)
    raw_factors = QUICK_RAW_FACTORS if args.quick else FACTORS
    result: dict[str, Any] = {"mode": "quick" if args.quick else "full", "machine": machine()}
    raw = read_toml(resolve(SCENARIO), "scenario")
    t0 = time.process_time()
    scenario = parse_scenario(copy.deepcopy(raw), SCENARIO)
    result["scenario_parse_s"] = time.process_time() - t0
    play(scenario, 0)  # warm-up: imports, caches, first-call costs

    print("running: default games and deal baselines ...", file=sys.stderr, flush=True)
    result["default"] = bench_default(scenario, SEEDS, reps)
    print("running: segment size variants ...", file=sys.stderr, flush=True)
    result["scaling_seed"], result["scaling_reps"] = SEEDS[0], scale_reps
    result["scaling"] = bench_scaling(raw, SEEDS[0], scale_reps, raw_factors)
    result["scaling_summary"] = summarise(result["scaling"])
    if args.profile:
        print("running: profile ...", file=sys.stderr, flush=True)
        result["profile_seed"] = SEEDS[0]
        result["profile"] = profile(scenario, SEEDS[0])
    result["machine"]["loadavg_end"] = _loadavg()

    report(result)
    if args.json:
        path = Path(args.json)
        path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"\nfigures written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
