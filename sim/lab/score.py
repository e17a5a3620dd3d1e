"""A student's estimates against the truth: `jigsaw lab score ESTIMATES.toml --truth FILE`.

The estimates file is TOML and holds any subset of the truth's quantities, named as the truth
file names them (docs/LAB.md):

    [half_life_days]          # adstock half-life per channel, days
    advertising = 25
    [hill.advertising.smb]    # Hill saturation of a channel in a segment (pr: [hill.pr.all])
    K = 9000
    S = 1.2
    [ad_lift]                 # advertising's extra awareness hazard at saturation, per year
    smb = 0.4
    [churn]                   # the annual churn hazard the firm's customers faced
    smb = 0.2
    [roas]                    # bookings per unit of the channel's spend, over the game
    advertising = 1.5
    [marginal_roas]           # bookings per extra unit of the channel's spend
    advertising = 0.8
    [incremental]             # bookings marketing added, sales added, and their interaction
    marketing = 2.5e6
    sales = 5e6
    interaction = 2e6

Each estimate is compared with the truth: its error (estimate - truth) and its relative error
(error / |truth|); the total is the mean absolute relative error over the quantities given,
and, when two or more channels' ROAS are given, whether they are in the true order.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sim.lab.truth import FORMAT, quantities
from sim.model.errors import InputError
from sim.model.files import parse_json, read_text, read_toml

CLOSE = 0.25  # an estimate within 25% of the truth counts as close


@dataclass(frozen=True)
class Scored:
    quantity: str
    estimate: float
    truth: float
    error: float
    relative: float | None  # error / |truth| (None when the truth is 0)


@dataclass(frozen=True)
class Score:
    firm: str
    scenario: str
    items: list[Scored]
    mean_relative: float | None  # mean |relative error| over the items that have one
    close: int  # items within CLOSE of the truth
    roas_order: bool | None  # the ROAS estimates in the true order (None: fewer than two)
    skipped: list[str]  # estimates of quantities this truth did not measure

    def to_json(self) -> dict[str, Any]:
        return {
            "firm": self.firm,
            "scenario": self.scenario,
            "items": [asdict(i) for i in self.items],
            "mean_relative_error": self.mean_relative,
            "within_25_percent": self.close,
            "roas_order_right": self.roas_order,
            "skipped": list(self.skipped),
        }


def read_truth(path: Path) -> dict[str, Any]:
    """A truth file (`jigsaw lab export --truth`), checked."""
    doc = parse_json(read_text(path, "truth"), str(path))
    if not isinstance(doc, dict) or doc.get("jigsaw_lab_truth") != FORMAT:
        raise InputError(
            str(path), "jigsaw_lab_truth", f"expected a Jigsaw truth file of format {FORMAT}"
        )
    try:
        quantities(doc)
        str(doc["firm"]), str(doc["scenario"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(str(path), "", f"is not a whole truth file (missing {exc})") from None
    return doc


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


SECTIONS = ("half_life_days", "hill", "ad_lift", "churn", "roas", "marginal_roas", "incremental")


def read_estimates(path: Path, known: dict[str, float]) -> dict[str, float]:
    """The estimates file: every name one a truth can hold (those this truth did not measure
    are scored as skipped), every value a number."""
    flat = flatten(read_toml(path, "estimates"))
    if not flat:
        raise InputError(str(path), "", "holds no estimate (docs/LAB.md lists the quantities)")
    out = {}
    for name, value in flat.items():
        if name not in known and name.split(".")[0] not in SECTIONS:
            raise InputError(
                str(path),
                name,
                f"is not a quantity of a truth; expected one of {', '.join(SECTIONS)} "
                "(docs/LAB.md)",
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(str(path), name, f"expected a number, got {value!r}")
        out[name] = float(value)
    return out


def score(estimates: dict[str, float], truth: dict[str, Any]) -> Score:
    known = quantities(truth)
    items = []
    skipped = [n for n in estimates if n not in known]
    for name, est in estimates.items():
        if name not in known:
            continue
        true = known[name]
        err = est - true
        items.append(Scored(name, est, true, err, err / abs(true) if true != 0 else None))
    rel = [abs(i.relative) for i in items if i.relative is not None]
    mean = sum(rel) / len(rel) if rel else None
    close = sum(
        1
        for i in items
        if (i.relative is not None and abs(i.relative) <= CLOSE) or (i.truth == 0 and i.error == 0)
    )
    roas = sorted(n for n in estimates if n.startswith("roas.") and n in known)
    order = None
    if len(roas) >= 2:
        by_truth = sorted(roas, key=lambda n: -known[n])
        by_estimate = sorted(roas, key=lambda n: -estimates[n])
        order = by_truth == by_estimate
    return Score(str(truth["firm"]), str(truth["scenario"]), items, mean, close, order, skipped)


def relative_text(x: float | None) -> str:
    return "" if x is None or not math.isfinite(x) else f"{x:+.0%}"
