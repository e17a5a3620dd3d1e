"""Sweep speed: the same 200-cell sweep serially, on a local process pool and on Dask.

    .venv/bin/python benchmarks/sweep.py [--cells 200] [--workers 2] [--no-dask]

Reports seconds for each executor, the pool's speed-up over serial, whether the rows are
identical (they must be), and Dask's overhead per cell against the pool: from the same sweep
(Dask minus pool, less the cluster's start-up, per cell) and from 2,000 empty cells, which
isolate the cost of dispatching a cell. Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import load_scenario  # noqa: E402
from sim.experiments.executor import cores, open_executor  # noqa: E402
from sim.experiments.sweep import _execute, run_sweep  # noqa: E402


def empty_cell(k: int) -> dict[str, int]:
    """A cell with no game in it: what is left is the executor's cost of one cell."""
    return {"k": k}


def dispatch_seconds(workers: int, scheduler: str | None, n: int = 2000) -> float:
    """Seconds per empty cell, the executor already running."""
    jobs = [(k,) for k in range(n)]
    _execute(empty_cell, jobs[:50], workers, None, scheduler)  # warm: imports in the workers
    t = time.perf_counter()
    rows, _ = _execute(empty_cell, jobs, workers, None, scheduler)
    assert rows == [{"k": k} for k in range(n)]
    return (time.perf_counter() - t) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--workers", type=int, default=cores())
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask measurements")
    args = parser.parse_args()
    scenario = load_scenario("classic")
    points = 10
    axes = {"marketing_share": [k / (points - 1) for k in range(points)]}
    reps = max(1, args.cells // points)
    n = points * reps

    t = time.perf_counter()
    serial = run_sweep(scenario, axes, reps=reps, workers=1)
    t_serial = time.perf_counter() - t
    t = time.perf_counter()
    pooled = run_sweep(scenario, axes, reps=reps, workers=args.workers)
    t_pool = time.perf_counter() - t
    print(
        f"{n} cells (classic, 8 rounds each): serial {t_serial:.1f} s "
        f"({1000 * t_serial / n:.0f} ms a cell); {args.workers} processes {t_pool:.1f} s; "
        f"speed-up {t_serial / t_pool:.2f}x; identical rows: {serial.rows == pooled.rows}"
    )
    if args.no_dask:
        return
    t = time.perf_counter()
    with open_executor(args.workers, "local"):
        pass
    t_start = time.perf_counter() - t
    t = time.perf_counter()
    on_dask = run_sweep(scenario, axes, reps=reps, workers=args.workers, scheduler="local")
    t_dask = time.perf_counter() - t
    per_cell = (t_dask - t_start - t_pool) / n
    print(
        f"Dask LocalCluster ({args.workers} workers): {t_dask:.1f} s including {t_start:.1f} s "
        f"to start the cluster; speed-up {t_serial / t_dask:.2f}x; identical rows: "
        f"{serial.rows == on_dask.rows}; overhead against the pool "
        f"{1000 * per_cell:+.1f} ms a cell ({100 * per_cell * n / t_pool:+.1f}%)"
    )
    pool_dispatch = dispatch_seconds(args.workers, None)
    dask_dispatch = dispatch_seconds(args.workers, "local")
    print(
        f"2000 empty cells: pool {1e3 * pool_dispatch:.2f} ms a cell, Dask "
        f"{1e3 * dask_dispatch:.2f} ms a cell (Dask overhead {1e3 * (dask_dispatch - pool_dispatch):+.2f} ms a cell)"
    )


if __name__ == "__main__":
    main()
