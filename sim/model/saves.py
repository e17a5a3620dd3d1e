"""Save files: the scenario, the seed and every round's decisions, and a cache of where the
game stands.

The decisions are the truth: loading a save plays them again under this Jigsaw's rules. A save
written by this Jigsaw also carries a cache: a snapshot of the last round boundary
(`sim.model.snapshot`) with the reports up to it, so loading restores the game instead of replaying
every round. The cache is used only when its check matches: a SHA-256 over the save's
scenario, seed, streams, model version, the decisions it covers, the reports and the snapshot.
A cache that is damaged, made under another model, or no longer matches decisions edited by
hand is ignored, and the decisions are replayed. The check finds damage, not intent: whoever
can write a save can change its decisions too, and can as well write a cache that agrees
with them.

Format versions: 1 (the first engine: round-keyed random streams), 2 (positioning, product and
research), 3 (records the model version). The cache is an optional field of version 3: an
older Jigsaw that reads version 3 ignores it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from pathlib import Path
from typing import Any

from sim.model.decisions import Decision, expand
from sim.model.errors import InputError
from sim.model.files import LIMITS, parse_json, read_text, size_text, write_atomic
from sim.model.game import MODEL_VERSION, Game
from sim.model.report import RoundReport
from sim.model.scenario import parse_scenario, written_under
from sim.model.snapshot import STATE, UNREADABLE, Snapshot
from sim.model.workload import MAX_LEADS, check_workload

FORMAT = "jigsaw-save"
VERSION = 3  # the file's layout: 3 records the model version (and may carry a cache)
READS_VERSIONS = (1, 2, 3)
MODEL_OF_FORMAT = {1: 1, 2: 2}  # saves before format 3 do not say: their format tells
# The most a cache may take in a save: a 40-round game with hundreds of deals in flight
# takes well under a megabyte.
MAX_CACHE_CHARS = 16 * 1024 * 1024


def model_notice(made_under: int, source: str) -> str | None:
    """One line for a save or class made under another model (None when it is this one)."""
    if made_under == MODEL_VERSION:
        return None
    return (
        f"{source}: made under model version {made_under}; this Jigsaw plays model version "
        f"{MODEL_VERSION}, so the decisions replay under the new rules and the results differ "
        "from when it was played"
    )


def document(game: Game, cache: bool = True) -> dict[str, Any]:
    """The save as a JSON-ready document; with the cache of where the game stands."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "model": MODEL_VERSION,
        "streams": game.streams,
        "scenario": game.scenario.model_dump(mode="json"),
        "seed": game.seed,
        "decisions": [{fid: d.to_dict() for fid, d in rnd.items()} for rnd in game.history],
    }
    if cache:
        snapshot = game.snapshot()
        reports = [r.to_dict() for r in game.reports]
        data = base64.b64encode(zlib.compress(snapshot.data, 6)).decode("ascii")
        doc["cache"] = {
            "round": snapshot.round,
            "reports": reports,
            "snapshot": data,
            "check": _check(doc, snapshot.round, reports, data),
        }
    return doc


def _check(doc: dict[str, Any], round_no: int, reports: list[Any], data: str) -> str:
    """What a cache must match: the save's game up to `round_no`, the reports and the bytes."""
    covered = {
        "model": doc.get("model"),
        "state": STATE,
        "streams": doc.get("streams"),
        "scenario": doc.get("scenario"),
        "seed": doc.get("seed"),
        "decisions": doc.get("decisions", [])[:round_no]
        if isinstance(doc.get("decisions"), list)
        else None,
        "round": round_no,
        "reports": reports,
    }
    text = json.dumps(covered, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8") + b"\0" + data.encode("ascii")).hexdigest()


def write(game: Game, path: Path) -> None:
    """Write the save file atomically (temp file in the same folder, then rename). A save is
    always one Jigsaw can load again: a cache that would take it past the save limit
    (LIMITS["save"]) is left out (the game then replays when loaded); a game whose decisions
    alone pass it is refused in one line, and the file is left as it was."""
    limit = LIMITS["save"]
    for cache in (True, False):
        text = json.dumps(document(game, cache), indent=1, sort_keys=True) + "\n"
        if len(text.encode("utf-8")) <= limit:
            write_atomic(path, text)
            return
    raise InputError(
        str(path),
        "",
        f"this game's save would be larger than the {size_text(limit)} a save may take",
    )


# A snapshot is 10-100 KB (sim.model.snapshot); a cache that inflates past this is not one.
MAX_SNAPSHOT = 16 * 1024 * 1024


def _cached(doc: dict[str, Any], game: Game, model: int) -> Game | None:
    """The game restored from the save's cache, or None when there is none to trust."""
    cache = doc.get("cache")
    if not isinstance(cache, dict) or model != MODEL_VERSION:
        return None
    round_no, reports, data = cache.get("round"), cache.get("reports"), cache.get("snapshot")
    if (
        not isinstance(round_no, int)
        or isinstance(round_no, bool)
        or not isinstance(reports, list)
        or not isinstance(data, str)
        or len(data) > MAX_CACHE_CHARS
        or not 0 <= round_no <= len(doc["decisions"])
        or len(reports) != round_no
        or cache.get("check") != _check(doc, round_no, reports, data)
    ):
        return None
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.b64decode(data, validate=True), MAX_SNAPSHOT)
        if inflate.unconsumed_tail or not inflate.eof:  # bigger than any snapshot (or cut)
            return None
        segments = game.scenario.segment_ids
        restored = [RoundReport.from_dict(r, game.ids, segments) for r in reports]
        return game.restore(Snapshot.of(round_no, raw), game.history[:round_no], restored)
    except (*UNREADABLE, binascii.Error, zlib.error):
        return None


def read(data: Any, source: str = "<save>", max_leads: float = MAX_LEADS) -> Game:
    """The game a save document holds: its decisions validated, then played again, or
    restored from its cache up to where the cache stands and played on from there."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(source, "format", f"is not a Jigsaw save (expected format {FORMAT!r})")
    version = data.get("version")
    if isinstance(version, bool) or type(version) is not int or version not in READS_VERSIONS:
        raise InputError(
            source,
            "version",
            f"save format version {data.get('version')!r} is not supported "
            f"(this Jigsaw reads versions {', '.join(map(str, READS_VERSIONS))})",
        )
    for key in ("scenario", "seed", "decisions"):
        if key not in data:
            raise InputError(source, key, "is required but missing")
    seed = data["seed"]
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise InputError(source, "seed", f"must be a whole number, 0 or more, got {seed!r}")
    model = data.get("model", MODEL_OF_FORMAT.get(data["version"]))
    if not isinstance(model, int) or isinstance(model, bool) or not 1 <= model <= MODEL_VERSION:
        raise InputError(
            source, "model", f"must be a model version 1..{MODEL_VERSION}, got {model!r}"
        )
    streams = data.get("streams", 1 if data["version"] == 1 else 2)
    if isinstance(streams, bool) or type(streams) is not int or streams not in (1, 2):
        raise InputError(source, "streams", f"must be 1 or 2, got {streams!r}")
    scenario = parse_scenario(written_under(data["scenario"], model), f"{source}: scenario")
    check_workload(scenario, f"{source}: scenario", max_leads)
    game = Game(scenario, data["seed"], streams=streams, max_leads=max_leads)
    notice = model_notice(model, source)
    rounds = data["decisions"]
    if not isinstance(rounds, list) or len(rounds) > scenario.meta.rounds:
        raise InputError(
            source, "decisions", f"must be a list of at most {scenario.meta.rounds} rounds"
        )
    plan = []
    for k, rnd in enumerate(rounds):
        if not isinstance(rnd, dict):
            raise InputError(source, f"decisions[{k}]", "must be a table of firm decisions")
        decided = {}
        for fid, raw in rnd.items():
            if fid not in game.ids:
                raise InputError(source, f"decisions[{k}].{fid}", "unknown firm")
            if not isinstance(raw, dict):
                raise InputError(source, f"decisions[{k}].{fid}", "must be a table")
            decided[fid] = expand(
                scenario, raw, source, prefix=f"decisions[{k}].{fid}", firm_id=fid
            )
        plan.append(decided)
    game.history = plan  # what the cache is checked against; replaced as rounds are played
    restored = _cached(data, game, model)
    game.history = []
    if restored is not None:
        try:
            return _played_on(restored, plan, source, notice)
        except InputError:
            raise
        except Exception:  # noqa: BLE001 - a cache that restores but cannot play on: replay
            game = Game(scenario, data["seed"], streams=streams, max_leads=max_leads)
    return _played_on(game, plan, source, notice)


def _played_on(
    game: Game, plan: list[dict[str, Decision]], source: str, notice: str | None
) -> Game:
    """`game` with the rest of the save's rounds played (each one's errors named)."""
    game.notice = notice
    for k in range(game.round, len(plan)):
        try:
            game.play_round(plan[k])
        except InputError as exc:
            raise InputError(source, f"decisions[{k}]", str(exc)) from None
    return game


def is_save(path: Path) -> bool:
    """`path` holds a Jigsaw save (of any version): a file a new save may replace."""
    try:
        data = parse_json(read_text(path, "save"), str(path))
    except InputError:
        return False
    return isinstance(data, dict) and data.get("format") == FORMAT


def load(path: Path, max_leads: float = MAX_LEADS) -> Game:
    """The game in a save file (`read`); one clear line for a file that is not one."""
    data = parse_json(read_text(path, "save"), str(path), "a JSON save file")
    return read(data, str(path), max_leads)
