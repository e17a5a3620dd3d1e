"""Luck against skill: `luck()` over a 6-team, 8-round class game at 30 draws, serially, on a
local process pool and on a Dask LocalCluster; the results must be identical.

    .venv/bin/python benchmarks/luck.py [--draws 30] [--workers 2] [--no-dask]

A 6-team class is `classic` with two more player seats (copies of its player firm), every
seat playing the balanced strategy. Wall-clock seconds (the draws run in other processes),
one run each after a warm-up, and the CPU seconds of one draw (in this process). Run by hand,
not in CI.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import load_scenario  # noqa: E402
from sim.experiments.luck import draw_seeds, luck, replay  # noqa: E402
from sim.model.game import Game  # noqa: E402
from sim.model.rivals import strategy  # noqa: E402
from sim.model.scenario import parse_scenario  # noqa: E402


def six_teams() -> Game:
    data = load_scenario("classic").model_dump(mode="json")
    player = next(f for f in data["firms"] if f["controlled_by"] == "player")
    for k in (2, 3):
        data["firms"].append(dict(player, id=f"team{k}", name=f"Team {k}"))
    for f in data["firms"]:
        f["controlled_by"] = "player"
    scenario = parse_scenario(data)
    game = Game(scenario, 1)
    play = strategy("balanced")
    game.play(lambda g, fid: play(g.view(fid)))
    return game


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    game = six_teams()
    print(f"6 firms, {game.round} rounds, {args.draws} draws", file=sys.stderr)
    base = game.scenario.model_dump(mode="json")
    plan = [{fid: d.to_dict() for fid, d in rnd.items()} for rnd in game.history]
    seed = draw_seeds(game.seed, 1)[0]
    replay(base, seed, plan, game.max_leads)  # warm: imports, first calls
    cpu = time.process_time()
    replay(base, seed, plan, game.max_leads)
    one = time.process_time() - cpu
    figures: dict[str, float] = {"one draw, CPU s": one}
    results = {}
    runs = [("serial", 1, None), (f"pool of {args.workers}", args.workers, None)]
    if not args.no_dask:
        runs.append((f"Dask LocalCluster of {args.workers}", args.workers, "local"))
    for name, workers, scheduler in runs:
        t = time.perf_counter()
        results[name] = luck(game, args.draws, workers, None, scheduler).to_json()
        figures[f"{name}, wall s"] = time.perf_counter() - t
        print(f"{name}: {figures[f'{name}, wall s']:.1f} s", file=sys.stderr)
    same = all(r == results["serial"] for r in results.values())
    print(f"Luck against skill, {args.draws} draws of a 6-team, {game.round}-round classic")
    for k, v in figures.items():
        print(f"  {k:40s} {v:8.2f}")
    print(f"  identical results on every executor: {same}")
    print(json.dumps({k: round(v, 3) for k, v in figures.items()} | {"identical": same}))
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
