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

import difflib
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from sim.lab.truth import FORMAT, quantities
from sim.model.errors import InputError, from_validation
from sim.model.files import MAX_NUMBER, parse_json, read_text, read_toml

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


# The shape of a truth file where it is read: every section `quantities` and `score` read,
# with numbers where numbers belong (a value the game could not measure is null); the other
# sections (units, counterfactuals, spend) are text for the reader and left alone.
class _Shape(BaseModel):
    model_config = ConfigDict(strict=True, allow_inf_nan=False, extra="ignore", frozen=True)


class _KS(_Shape):
    K: float
    S: float


class _Churn(_Shape):
    faced: float | None


class _Parameters(_Shape):
    half_life_days: dict[str, float]
    hill: dict[str, dict[str, _KS]]
    ad_lift: dict[str, float]
    churn: dict[str, _Churn]


class _Value(_Shape):
    value: float | None


class _ByOutcome(_Shape):
    bookings: _Value


class _Truth(_Shape):
    firm: str
    scenario: str
    parameters: _Parameters
    roas: dict[str, _ByOutcome]
    marginal_roas: dict[str, _ByOutcome]
    incremental: dict[str, dict[str, _Value]]


def read_truth(path: Path) -> dict[str, Any]:
    """A truth file (`jigsaw lab export --truth`), its shape checked: one line naming the
    field that is missing or is not what the truth holds there."""
    doc = parse_json(read_text(path, "truth"), str(path))
    if not isinstance(doc, dict) or doc.get("jigsaw_lab_truth") != FORMAT:
        raise InputError(
            str(path), "jigsaw_lab_truth", f"expected a Jigsaw truth file of format {FORMAT}"
        )
    try:
        _Truth.model_validate(doc)
    except ValidationError as exc:
        raise from_validation(str(path), exc) from None
    return doc


def is_truth(path: Path) -> bool:
    """`path` holds a truth file (one `jigsaw lab export --truth` may write over)."""
    try:
        doc = parse_json(read_text(path, "truth"), str(path))
    except InputError:
        return False
    return isinstance(doc, dict) and "jigsaw_lab_truth" in doc


def names(doc: dict[str, Any]) -> list[str]:
    """Every quantity this truth could hold (`quantities`' names, measured or not): what an
    estimates file may name."""
    params = doc["parameters"]
    out = [f"half_life_days.{ch}" for ch in params["half_life_days"]]
    for ch, segs in params["hill"].items():
        out += [f"hill.{ch}.{s}.{k}" for s in segs for k in ("K", "S")]
    out += [f"ad_lift.{s}" for s in params["ad_lift"]]
    out += [f"churn.{s}" for s in params["churn"]]
    for name in ("roas", "marginal_roas"):
        out += [f"{name}.{ch}" for ch in doc[name]]
    out += [f"incremental.{part}" for part in ("marketing", "sales", "interaction")]
    return out


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


def read_estimates(path: Path, doc: dict[str, Any]) -> dict[str, float]:
    """The estimates file: every name one this truth can hold (those it could not measure are
    scored as skipped), every value a number. A name it cannot hold (a typo: `[roas]
    advertizing`) is one line: scoring nothing for it silently would be worse."""
    flat = flatten(read_toml(path, "estimates"))
    if not flat:
        raise InputError(str(path), "", "holds no estimate (docs/LAB.md lists the quantities)")
    possible = names(doc)
    unknown = [n for n in flat if n not in possible]
    if unknown:
        name = unknown[0]
        if name.split(".")[0] not in SECTIONS:
            expected = f"expected one of {', '.join(SECTIONS)} (docs/LAB.md)"
        else:
            near = difflib.get_close_matches(name, possible, n=1)
            expected = f"did you mean {near[0]}?" if near else "docs/LAB.md lists them"
        more = f" (and {', '.join(unknown[1:4])}{', ...' if len(unknown) > 4 else ''})"
        raise InputError(
            str(path),
            name,
            f"is not a quantity of the truth; {expected}{more if len(unknown) > 1 else ''}",
        )
    out = {}
    for name, value in flat.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(str(path), name, f"expected a number, got {value!r}")
        out[name] = float(value)
    return out


def score(estimates: dict[str, float], truth: dict[str, Any], source: str = "") -> Score:
    """Each estimate against the truth (`source`: where the estimates come from, for the
    line that refuses one that is not a finite number of at most MAX_NUMBER)."""
    known = quantities(truth)
    items = []
    skipped = [n for n in estimates if n not in known]
    for name, est in estimates.items():
        if not -MAX_NUMBER <= est <= MAX_NUMBER:  # NaN is outside too
            raise InputError(
                source,
                name,
                f"is {est:g}; an estimate is a finite number of at most {MAX_NUMBER:g}",
            )
        if name not in known:
            continue
        true = known[name]
        err = est - true
        relative = err / abs(true) if true != 0 else None
        if relative is not None and not math.isfinite(relative):
            relative = None  # a truth too near 0 for a ratio
        items.append(Scored(name, est, true, err, relative))
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
