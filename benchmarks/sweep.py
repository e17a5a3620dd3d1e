"""Sweep speed: the same 200-cell sweep serially and on a local process pool.

    .venv/bin/python benchmarks/sweep.py [--cells 200] [--workers 2]

Reports seconds for each, the speed-up, and whether the rows are identical (they must be).
Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import load_scenario  # noqa: E402
from sim.experiment import run_sweep  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    scenario = load_scenario("classic")
    points = 10
    axes = {"marketing_share": [k / (points - 1) for k in range(points)]}
    reps = max(1, args.cells // points)
    t = time.perf_counter()
    serial = run_sweep(scenario, axes, reps=reps, workers=1)
    t_serial = time.perf_counter() - t
    t = time.perf_counter()
    pooled = run_sweep(scenario, axes, reps=reps, workers=args.workers)
    t_pool = time.perf_counter() - t
    n = points * reps
    print(
        f"{n} cells (classic, 8 rounds each): serial {t_serial:.1f} s "
        f"({1000 * t_serial / n:.0f} ms a cell); {args.workers} processes {t_pool:.1f} s; "
        f"speed-up {t_serial / t_pool:.2f}x; identical rows: {serial.rows == pooled.rows}"
    )


if __name__ == "__main__":
    main()
