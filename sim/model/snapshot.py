"""A round boundary as data: what a game holds between rounds, written down and read back.

A snapshot holds the market's arrays, the accounts, the ledgers, every random stream's state,
the events in force, and every lead waiting and deal in flight (`sim.model.pipeline.Deal`), with
each pending timer's due time and place in the firing order (`sim.model.clock`). It does not hold
the scenario, the seed or the rounds' decisions and reports: the game it belongs to has those,
and a snapshot is only read back into a game of the same scenario (`Game.restore`).

The bytes are a pickle (protocol 5) in which the scenario and the per-firm parameters are
references, not copies, so a snapshot stays small (about 10-100 KB). Reading one back allows
only the classes a snapshot is made of (`ALLOWED`), so a snapshot from a file cannot name
any other code; its SHA-256 digest, kept with it wherever it is stored, tells a damaged copy,
which is then not used. A digest proves no authorship: whoever can write a save or a class
file can already change its decisions, and can as well write a snapshot that does not match
them. The game then plays on from the state the file says.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from dataclasses import dataclass
from typing import Any

from sim.model.economy import FirmParams
from sim.model.scenario import Scenario

# The shape of a game's state as a snapshot holds it: a cache of another shape (from a Jigsaw
# before the state gained a part) is not used, and the game is played again instead.
# 2: a sales force's coverage plan and expertise; 3: the nurture stock and its stream;
# 4: routes to market (partners' deals in flight, a cohort per route and round); 5: the
# round's warm leads expected and drawn (the gauge's outlook).
STATE = 5

# The globals a snapshot may name: the model's own state classes and numpy's arrays, scalars
# and random generators. Anything else in a snapshot is refused.
ALLOWED = {
    ("sim.model.market", "Market"),
    ("sim.model.routes", "RoutesToMarket"),
    ("sim.model.accounts", "Accounts"),
    ("sim.model.ledger", "Ledger"),
    ("sim.model.events", "EventBook"),
    ("sim.model.events", "Fired"),
    ("sim.model.scenario", "Event"),
    ("sim.model.chance", "Chance"),
    ("sim.model.pipeline", "SalesForce"),
    ("sim.model.pipeline", "Deal"),
    ("sim.model.pipeline", "DealRecord"),
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy.random._pickle", "__generator_ctor"),
    ("numpy.random._pickle", "__bit_generator_ctor"),
    ("numpy.random._pcg64", "PCG64"),
    ("numpy.random.bit_generator", "__pyx_unpickle_SeedSequence"),
    ("numpy.random.bit_generator", "SeedSequence"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "slice"),
    ("builtins", "complex"),
}


class SnapshotError(ValueError):
    """A snapshot that cannot be read back: damaged, or naming code it may not."""


# What reading back a cached snapshot and its reports (from a save or a class file) raises
# when the cache is not one Jigsaw wrote: the cache is then not used, the rounds replayed.
UNREADABLE = (
    SnapshotError,
    AttributeError,
    IndexError,
    KeyError,
    TypeError,
    ValueError,
    OverflowError,
    RecursionError,
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The state after `round` rounds (0: before the first), as bytes with their digest."""

    round: int
    data: bytes
    digest: str

    @classmethod
    def of(cls, round_no: int, data: bytes) -> Snapshot:
        return cls(round_no, data, hashlib.sha256(data).hexdigest())

    def intact(self) -> bool:
        """True when the bytes still match their digest."""
        return hashlib.sha256(self.data).hexdigest() == self.digest


def _references(scenario: Scenario, params: FirmParams) -> dict[int, tuple[str, int]]:
    """The shared objects a snapshot refers to rather than copies, by `id`."""
    refs = {id(scenario): ("scenario", 0), id(params): ("params", 0)}
    refs.update({id(t): ("economics", i) for i, t in enumerate(params.tables)})
    refs.update({id(e): ("event", i) for i, e in enumerate(scenario.events)})
    return refs


def _resolve(scenario: Scenario, params: FirmParams, ref: Any) -> Any:
    try:
        kind, i = ref
        if kind == "scenario":
            return scenario
        if kind == "params":
            return params
        if kind == "economics":
            return params.tables[i]
        if kind == "event":
            return scenario.events[i]
    except (TypeError, ValueError, IndexError):
        pass
    raise SnapshotError(f"refers to {ref!r}, which this scenario does not have")


def dumps(world: dict[str, Any], scenario: Scenario, params: FirmParams) -> bytes:
    """Pickle a round boundary's state, the scenario and its parameters by reference."""
    refs = _references(scenario, params)
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=5)
    pickler.persistent_id = lambda obj: refs.get(id(obj))  # type: ignore[method-assign]
    pickler.dump(world)
    return buf.getvalue()


class _Reader(pickle.Unpickler):
    def __init__(self, data: bytes, scenario: Scenario, params: FirmParams) -> None:
        super().__init__(io.BytesIO(data))
        self.scenario, self.params = scenario, params

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED:
            raise SnapshotError(f"names {module}.{name}, which a snapshot may not")
        return super().find_class(module, name)

    def persistent_load(self, pid: Any) -> Any:
        return _resolve(self.scenario, self.params, pid)


def loads(data: bytes, scenario: Scenario, params: FirmParams) -> dict[str, Any]:
    """Read back what `dumps` wrote; SnapshotError for anything else."""
    try:
        world = _Reader(data, scenario, params).load()
    except SnapshotError:
        raise
    except Exception as exc:  # any damage to the bytes shows as some unpickling error
        raise SnapshotError(f"cannot be read ({type(exc).__name__})") from None
    if not isinstance(world, dict):
        raise SnapshotError("does not hold a round boundary")
    return world
