"""A round boundary is data: snapshot, pickle, restore, play on = playing straight through."""

from __future__ import annotations

import base64
import json
import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import Game, load_scenario
from sim.classroom.store import Classroom
from sim.model.decisions import RANGES, Decision, expand
from sim.model.report import RoundReport
from sim.model.rivals import strategy
from sim.model.scenario import Scenario, parse_scenario
from sim.model.snapshot import Snapshot, SnapshotError, loads

BUNDLED = ("tutorial", "classic", "enterprise", "recession")
SCENARIOS = {name: load_scenario(name) for name in BUNDLED}
STRATEGIES = ("balanced", "brand_builder", "sales_machine", "discounter", "adaptive", "even")


def transcript(game: Game) -> str:
    return json.dumps(game.to_json(), sort_keys=True)


def decide(game: Game, fid: str, how: tuple[str, float, float, float]) -> Decision:
    """A player's decision: a strategy's, then its price, R&D share and budget changed as
    drawn, cut to what the firm can spend."""
    name, price, product_share, scale = how
    base = strategy(name)(game.view(fid))
    budget = base.total_budget * scale
    raw = {
        "budget": budget,
        "marketing_share": base.marketing_share,
        "product_share": product_share,
        "price": price,
    }
    return expand(game.scenario, raw, firm_id=fid).within(game.scenario, game.room(fid))


def plan_rounds(game: Game, plan: list[tuple[str, float, float, float]]) -> list[dict]:
    """Play `game` to the end by `plan` (one entry per round, cycled), snapshotting before
    every round. Returns each round's decisions; the snapshots go to `game.taken`."""
    decided, taken = [], []
    while not game.finished:
        how = plan[game.round % len(plan)]
        taken.append(pickle.loads(pickle.dumps(game.snapshot())))
        d = {fid: decide(game, fid, how) for fid in game.player_ids}
        decided.append(d)
        game.play_round(d)
    game.taken = taken  # type: ignore[attr-defined]
    return decided


def played_on(game: Game, snapshot: Snapshot, decided: list[dict]) -> str:
    twin = game.restore(snapshot)
    for d in decided[snapshot.round :]:
        twin.play_round(d)
    return transcript(twin)


@pytest.mark.parametrize("name", BUNDLED)
def test_a_game_restored_at_any_round_plays_on_exactly_as_it_would_have(name: str) -> None:
    scenario = SCENARIOS[name]
    game = Game(scenario, seed=3)
    decided = plan_rounds(game, [("balanced", 1.0, 0.0, 1.0), ("sales_machine", 1.2, 0.1, 1.3)])
    straight = transcript(game)
    if name == "tutorial":
        assert straight == transcript(_replayed(scenario, 3, decided)), "snapshots changed it"
    for snapshot in game.taken:  # type: ignore[attr-defined]
        assert played_on(game, snapshot, decided) == straight, f"round {snapshot.round}"


def _replayed(scenario: Scenario, seed: int, decided: list[dict]) -> Game:
    game = Game(scenario, seed)
    for d in decided:
        game.play_round(d)
    return game


@pytest.mark.parametrize("ramp_days", [91, 150])
def test_snapshots_hold_leads_waiting_deals_in_flight_and_hires_ramping(ramp_days: int) -> None:
    """The round trip where it is hard: boundaries with leads in the queue, deals holding
    slots, and hires still ramping (at 91 days a ramp ends exactly on the next boundary)."""
    data = SCENARIOS["classic"].model_dump(mode="json")
    data["economics"]["ramp_days"] = ramp_days
    data["meta"]["rounds"] = 4
    data["events"] = [e for e in data["events"] if e["round"] <= 4]
    scenario = parse_scenario(data)
    game = Game(scenario, seed=1)
    decided = plan_rounds(
        game, [("sales_machine", 1.0, 0.0, 1.5), ("brand_builder", 1.0, 0.0, 0.5)]
    )
    seen = {"holding": 0, "waiting": 0, "ramps": 0}
    for snapshot in game.taken:  # type: ignore[attr-defined]
        world = loads(snapshot.data, game.scenario, game.params)
        for force in world["forces"]:
            for part in seen:
                seen[part] += len(force.__dict__["pool"][part])
    assert all(seen.values()), seen
    for snapshot in game.taken:  # type: ignore[attr-defined]
        assert played_on(game, snapshot, decided) == transcript(game), f"round {snapshot.round}"


HOW = st.tuples(
    st.sampled_from(STRATEGIES),
    st.floats(*RANGES["price"]),
    st.floats(0.0, 0.4),
    st.floats(0.0, 2.0),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(BUNDLED),
    seed=st.integers(0, 2**32 - 1),
    plan=st.lists(HOW, min_size=1, max_size=3),
    where=st.floats(0.0, 1.0),
)
def test_round_trip_is_exact_for_any_scenario_round_and_decisions(
    name: str, seed: int, plan: list, where: float
) -> None:
    """Property: snapshot -> pickle -> restore -> play on gives the same JSON, byte for
    byte, as playing straight through."""
    scenario = _short(name)
    game = Game(scenario, seed)
    decided = plan_rounds(game, plan)
    snapshot = game.taken[int(where * (len(game.taken) - 1))]  # type: ignore[attr-defined]
    assert played_on(game, snapshot, decided) == transcript(game)


def _short(name: str) -> Scenario:
    """The bundled scenario cut to 5 rounds (keeps the property test inside its budget)."""
    from .conftest import shortened

    return shortened(name, min(5, SCENARIOS[name].meta.rounds))


def test_a_forecast_from_a_snapshot_is_the_forecast_from_a_replay() -> None:
    game = Game(SCENARIOS["classic"], seed=2)
    policy = strategy("balanced")
    for _ in range(3):
        game.play_round({fid: policy(game.view(fid)) for fid in game.player_ids})
    mine = {fid: policy(game.view(fid)) for fid in game.player_ids}
    forecast = [r.to_dict() for r in game.forecast(mine, replications=3)]
    replayed = []
    for r in range(3):
        twin = game.replay()
        twin.fork_luck(r)
        replayed.append(twin.play_round(mine).to_dict())
    assert forecast == replayed
    assert game.round == 3, "a forecast leaves the game as it was"


def test_a_damaged_snapshot_is_refused_and_never_used() -> None:
    game = Game(SCENARIOS["tutorial"], seed=1)
    policy = strategy("balanced")
    game.play_round({fid: policy(game.view(fid)) for fid in game.player_ids})
    good = game.snapshot()
    flipped = bytearray(good.data)
    flipped[len(flipped) // 2] ^= 0x01
    with pytest.raises(SnapshotError, match="damaged"):
        game.restore(Snapshot(good.round, bytes(flipped), good.digest))
    # Damage that comes with a matching digest is still refused when it cannot be read.
    with pytest.raises(SnapshotError):
        game.restore(Snapshot.of(good.round, bytes(flipped[:100])))


def test_a_snapshot_may_name_only_the_models_own_classes() -> None:
    """A snapshot read from a file cannot run other code: pickle's globals are allow-listed."""

    class Boom:
        def __reduce__(self) -> tuple:
            return (print, ("ran code from a snapshot",))

    hostile = pickle.dumps({"market": Boom()})
    game = Game(SCENARIOS["tutorial"], seed=1)
    with pytest.raises(SnapshotError, match="builtins.print"):
        game.restore(Snapshot.of(0, hostile))


def test_a_snapshot_is_of_its_round_and_refuses_another_history() -> None:
    game = Game(SCENARIOS["tutorial"], seed=1)
    policy = strategy("balanced")
    game.play_round({fid: policy(game.view(fid)) for fid in game.player_ids})
    with pytest.raises(SnapshotError, match="round 1"):
        game.restore(game.snapshot(), history=[], reports=[])


# --- where snapshots are kept: saves, undo, the class file ---------------------------------


def count_rounds_played(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count `Game.play_round` calls from now on (to tell a restore from a replay)."""
    played: list[int] = []
    original = Game.play_round

    def counting(self: Game, *args: object, **kwargs: object) -> object:
        played.append(self.round + 1)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Game, "play_round", counting)
    return played


def _played(name: str, rounds: int, seed: int = 4) -> Game:
    game = Game(SCENARIOS[name], seed)
    policy = strategy("balanced")
    for _ in range(rounds):
        game.play_round({fid: policy(game.view(fid)) for fid in game.player_ids})
    return game


def test_a_save_loads_from_its_cache_and_plays_on_as_a_replay_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    game = _played("classic", 4)
    game.save(tmp_path / "g.json")
    played = count_rounds_played(monkeypatch)
    loaded = Game.load(tmp_path / "g.json")
    assert played == [], "a save with a good cache is restored, not replayed"
    doc = json.loads((tmp_path / "g.json").read_text())
    del doc["cache"]
    replayed = Game.from_save(doc)
    assert played == [1, 2, 3, 4]
    for g in (loaded, replayed, game):
        _finish(g)
    assert transcript(loaded) == transcript(replayed) == transcript(game)


def _finish(game: Game) -> None:
    policy = strategy("balanced")
    while not game.finished:
        game.play_round({fid: policy(game.view(fid)) for fid in game.player_ids})


@pytest.mark.parametrize(
    "damage",
    ["snapshot", "check", "reports", "decisions", "model", "not base64", "not zlib", "round"],
)
def test_a_damaged_or_stale_save_cache_is_never_used(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decisions are the truth: a cache that does not match them, or is damaged, is
    ignored and the decisions are replayed (the result is the replay's, not the cache's)."""
    game = _played("tutorial", 3)
    doc = json.loads(json.dumps(game.to_save()))
    cache = doc["cache"]
    if damage == "snapshot":
        data = cache["snapshot"]
        cache["snapshot"] = data[:100] + ("A" if data[100] != "A" else "B") + data[101:]
    elif damage == "check":
        cache["check"] = "0" * 64
    elif damage == "reports":
        cache["reports"][1]["firms"]["you"]["profit"] += 1.0
    elif damage == "decisions":  # edited by hand after the save: the cache no longer matches
        doc["decisions"][1]["you"]["price"] = 1.4
    elif damage == "model":
        cache["model"] = doc["model"] = 2
    elif damage == "not base64":
        cache["snapshot"] = "***"
    elif damage == "not zlib":
        cache["snapshot"] = base64.b64encode(b"plain bytes").decode()
    elif damage == "round":
        cache["round"] = 99
    played = count_rounds_played(monkeypatch)
    loaded = Game.from_save(doc)
    assert played == [1, 2, 3], "the decisions were replayed"
    if damage == "decisions":
        assert loaded.reports[1].firms["you"].price == 1.4
    elif damage != "model":
        assert [r.to_dict() for r in loaded.reports] == [r.to_dict() for r in game.reports]


def test_undo_restores_the_round_before_without_replaying(monkeypatch: pytest.MonkeyPatch) -> None:
    game = Game(SCENARIOS["classic"], 6)
    game.keep_snapshots = True
    policy = strategy("balanced")
    for _ in range(3):
        game.play_round({fid: policy(game.view(fid)) for fid in game.player_ids})
    played = count_rounds_played(monkeypatch)
    back = game.rewound(1)
    assert played == [] and back.round == 2
    assert [r.to_dict() for r in back.reports] == [r.to_dict() for r in game.reports[:2]]
    again = back.play_round(game.history[2])
    assert again.to_dict() == game.reports[2].to_dict()


def test_a_class_restores_its_last_closed_round_and_ignores_a_damaged_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    room, instructor, codes = Classroom.create(
        tmp_path / "c.db", SCENARIOS["classic"], ["Red", "Blue"], seed=3
    )
    for _ in range(3):
        room.advance(instructor)
    played = count_rounds_played(monkeypatch)
    restored = room.game()
    assert played == [] and restored.round == 3
    # Damage the bytes of the last snapshot: the class replays rather than trust it.
    data = room.db.execute("SELECT data FROM snapshots WHERE round = 3").fetchone()[0]
    broken = bytearray(data)
    broken[len(broken) // 2] ^= 0x40
    room.db.execute("UPDATE snapshots SET data = ? WHERE round = 3", (bytes(broken),))
    fallback = room.game()
    assert played == [3], "round 3 replayed from round 2's snapshot"
    # Edit a decision by hand: every snapshot after it stops matching.
    red = room.team("Red")
    text = room.db.execute(
        "SELECT decision FROM decisions WHERE round = 1 AND team = 'Red'"
    ).fetchone()[0]
    changed = json.loads(text)
    changed["price"] = 1.5
    room.db.execute(
        "UPDATE decisions SET decision = ? WHERE round = 1 AND team = 'Red'",
        (json.dumps(changed),),
    )
    played.clear()
    edited = room.game()
    assert played == [1, 2, 3]
    assert transcript(fallback) == transcript(restored)
    assert edited.reports[0].firms[red.firm_id].price == 1.5


def test_a_cached_report_reads_back_in_the_games_order_whatever_order_the_file_kept() -> None:
    """Files sort their keys; a report read back lists firms, segments and reasons as the
    game does, so a restored game's JSON is the same bytes as a replayed one's."""
    game = _played("classic", 2)
    for report in game.reports:
        stored = json.loads(json.dumps(report.to_dict(), sort_keys=True))
        back = RoundReport.from_dict(stored, game.ids, game.scenario.segment_ids)
        assert json.dumps(back.to_dict()) == json.dumps(report.to_dict())


def test_a_save_whose_cache_an_earlier_jigsaw_wrote_plays_on_as_its_replay_would() -> None:
    """tests/fixtures/channels_state4_save.json was written (two rounds of channels, seed 7,
    with its snapshot cache) by the code of the stop before: a stream or force pickled then
    holds only the attributes it had then. Loaded now, it plays its next round exactly as a
    replay of its decisions does (a new attribute on a pickled object would fail here)."""
    from sim.model.saves import read

    path = Path(__file__).parent / "fixtures" / "channels_state4_save.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert "cache" in data
    cached = read(data, str(path))
    replayed = read({k: v for k, v in data.items() if k != "cache"}, str(path))
    for game in (cached, replayed):
        assert game.round == 2
        game.play_round({"you": strategy("balanced")(game.view("you"))})
    assert json.dumps(cached.to_json()) == json.dumps(replayed.to_json())
