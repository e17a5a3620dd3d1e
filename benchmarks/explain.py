"""Every number explained: `explain()` of one round of an 8-round `classic`, serially, on a
local process pool and on a Dask LocalCluster; the results must be identical.

    .venv/bin/python benchmarks/explain.py [--draws 4] [--workers 2] [--no-dask]

The player plays `balanced` and, in the round explained (the last), moves budget from
marketing to sales and cuts its price, so four groups changed (marketing, sales, price and
product, the rivals, who answer by their rules): 16 coalitions and last round's settings,
each played from a snapshot once per draw of luck. A second row explains a round of the
`recession` scenario, whose random events make the events a fifth group (32 coalitions).
Wall-clock seconds (the draws run in other processes), one run each after a warm-up, and the
CPU seconds of one round played from a snapshot (in this process). Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import load_scenario  # noqa: E402
from sim.experiments.explain import explain  # noqa: E402
from sim.model.decisions import Decision  # noqa: E402
from sim.model.game import Game  # noqa: E402
from sim.model.rivals import strategy  # noqa: E402


def played(name: str) -> Game:
    """`name` played to its last round by `balanced`, the last round changed as above."""
    scenario = load_scenario(name)
    game = Game(scenario, 1)
    play = strategy("balanced")
    you = scenario.player_ids[0]
    while game.round < scenario.meta.rounds - 1:
        game.play_round({you: play(game.view(you))})
    data = play(game.view(you)).to_dict()
    moved = 0.3 * data["marketing"]["budget"]
    data["marketing"]["budget"] -= moved
    data["sales"]["budget"] += moved
    data["price"] = round(data["price"] - 0.1, 2)
    game.play_round({you: Decision.model_validate(data).within(scenario, game.room(you))})
    return game


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    same = True
    for name in ("classic", "recession"):
        game = played(name)
        you = game.player_ids[0]
        before = game.rewound(1)
        snap = before.snapshot()
        before.restore(snap).play_round(game.history[-1])  # warm: imports, first calls
        cpu = time.process_time()
        before.restore(snap).play_round(game.history[-1])
        figures[f"{name}: one round from a snapshot, CPU s"] = time.process_time() - cpu
        results = {}
        runs = [("serial", 1, None), (f"pool of {args.workers}", args.workers, None)]
        if not args.no_dask:
            runs.append((f"Dask LocalCluster of {args.workers}", args.workers, "local"))
        groups = 0
        for label, workers, scheduler in runs:
            t = time.perf_counter()
            e = explain(game, you, None, args.draws, workers, None, scheduler)
            results[label] = e.to_json()
            groups = len(e.changed)
            figures[f"{name} ({groups} groups): {label}, wall s"] = time.perf_counter() - t
            print(f"{name} {label}: {time.perf_counter() - t:.1f} s", file=sys.stderr)
        same = same and all(r == results["serial"] for r in results.values())
    print(f"Explaining the last round of classic and of recession, {args.draws} draws of luck")
    for k, v in figures.items():
        print(f"  {k:58s} {v:7.2f}")
    print(f"  identical results on every executor: {same}")
    print(json.dumps({k: round(v, 3) for k, v in figures.items()} | {"identical": same}))
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
