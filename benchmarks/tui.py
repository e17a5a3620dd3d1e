"""Responsiveness of the terminal game, measured headless with Textual's Pilot.

    .venv/bin/python benchmarks/tui.py [--json FILE]

Figures:
- startup: from creating the app to the boardroom mounted and painted (headless, no terminal
  I/O), median of several starts;
- round advance and what-if: wall time of the worker (classic, at round 1 and at round 7; the
  what-if replays the game so far once per draw of luck, 4 draws);
- key latency: while an advance or a what-if runs in its worker thread, the time from a key
  press (moving the split bar) to the widget holding the new value, max and median over many
  presses. The target is under 100 ms.
Run by hand, not in CI: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("JIGSAW_SAVE_DIR", tempfile.mkdtemp(prefix="jigsaw-bench-"))

from sim import load_scenario  # noqa: E402
from sim.model.decisions import simple  # noqa: E402
from tui.app import JigsawApp  # noqa: E402
from tui.screens.boardroom import Boardroom  # noqa: E402
from tui.session import Session  # noqa: E402
from tui.widgets.split_bar import SplitBar  # noqa: E402


def session_at(round_no: int) -> Session:
    scenario = load_scenario("classic")
    s = Session.new(scenario, 1)
    for _ in range(round_no - 1):
        s.game.play_round({"you": simple(scenario, 300_000, 0.4)})
    return Session(s.game)


async def startup() -> float:
    t0 = time.perf_counter()
    app = JigsawApp(session_at(1))
    async with app.run_test(size=(120, 40)) as pilot:
        while not isinstance(app.screen, Boardroom):
            await pilot.pause(0.001)
        await pilot.pause()
        return time.perf_counter() - t0


async def busy_latency(round_no: int, key: str) -> dict[str, float]:
    """Run an advance (n) or a what-if (w) and press keys while its worker runs."""
    app = JigsawApp(session_at(round_no))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(SplitBar)
        t0 = time.perf_counter()
        app.simulate_key(key)  # post the key as a terminal would, without waiting for idle
        await asyncio.sleep(0.05)
        latencies = []
        start_round = app.session.game.round
        done_at = None
        while any(w.is_running for w in app.workers):
            if app.session.game.round != start_round:
                done_at = done_at or time.perf_counter()  # the round is played
                break
            before = bar.share
            direction = "left" if before > 0.3 else "right"
            t = time.perf_counter()
            app.simulate_key(direction)
            while bar.share == before and time.perf_counter() - t < 1.0:
                await asyncio.sleep(0.0005)
            if bar.share == before:
                break  # the round report took the focus: the worker is done
            latencies.append(time.perf_counter() - t)
            await asyncio.sleep(0.02)  # a fast typist: a key every 20 ms
        await app.workers.wait_for_complete()
        worker_time = (done_at or time.perf_counter()) - t0
        return {
            "worker_s": worker_time,
            "presses": len(latencies),
            "key_max_ms": 1000 * max(latencies) if latencies else float("nan"),
            "key_median_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        }


async def main(out: str | None) -> None:
    starts = [await startup() for _ in range(5)]
    figures: dict[str, object] = {"startup_s_median": statistics.median(starts)}
    for round_no in (1, 7):
        figures[f"advance_round{round_no}"] = await busy_latency(round_no, "n")
        figures[f"whatif_round{round_no}"] = await busy_latency(round_no, "w")
    print(f"startup to boardroom (median of 5): {figures['startup_s_median'] * 1000:.0f} ms")
    for name in ("advance_round1", "whatif_round1", "advance_round7", "whatif_round7"):
        f = figures[name]
        assert isinstance(f, dict)
        print(
            f"{name:<16} worker {f['worker_s'] * 1000:6.0f} ms; {f['presses']:3d} key presses "
            f"during it: median {f['key_median_ms']:5.1f} ms, max {f['key_max_ms']:5.1f} ms"
        )
    if out:
        Path(out).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="FILE")
    asyncio.run(main(parser.parse_args().json))
