"""A firm's decisions for one round, and decisions files.

Full form: a marketing budget with its mix and targeting, a sales budget with training,
commission and account management, and a price index. Simple form: `budget` and
`marketing_share`, expanded with the scenario's defaults. A decisions file holds one decision
(used every round) or a `[[rounds]]` list (a shorter list repeats its last entry).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import InputError, from_validation
from sim.scenario import CHANNELS, Scenario, read_toml

TOLERANCE = 1e-6


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _check_shares(table: dict[str, float], what: str) -> None:
    if any(v < 0 or v > 1 for v in table.values()):
        raise ValueError(f"{what} shares must be between 0 and 1")
    total = sum(table.values())
    if abs(total - 1) > TOLERANCE:
        raise ValueError(f"{what} shares must sum to 1, got {total:g}")


class Marketing(_Strict):
    budget: float = Field(ge=0, description="Marketing spend this round, currency.")
    mix: dict[str, float] = Field(description="Shares of advertising, pr, demand_gen (sum 1).")
    targeting: dict[str, float] = Field(description="Shares by segment id (sum 1).")

    @model_validator(mode="after")
    def _shares(self) -> Marketing:
        unknown = set(self.mix) - set(CHANNELS)
        if unknown:
            raise ValueError(
                f"mix has unknown channel {sorted(unknown)[0]!r}; expected {', '.join(CHANNELS)}"
            )
        _check_shares(self.mix, "mix")
        _check_shares(self.targeting, "targeting")
        return self

    def channel(self, name: str) -> float:
        return self.mix.get(name, 0.0)


class Sales(_Strict):
    budget: float = Field(
        ge=0, description="Sales spend: buys headcount at rep cost; the rest trains."
    )
    training_share: float = Field(ge=0, le=1, description="Share of the budget kept for training.")
    commission_rate: float = Field(ge=0, le=0.5, description="Commission on first-year bookings.")
    account_management: float = Field(
        ge=0, le=0.9, description="Share of sales capacity kept for customers."
    )


class Decision(_Strict):
    marketing: Marketing
    sales: Sales
    price: float = Field(1.0, ge=0.5, le=2.0, description="Price index on list price.")

    @property
    def total_budget(self) -> float:
        return self.marketing.budget + self.sales.budget

    @property
    def marketing_share(self) -> float:
        total = self.total_budget
        return self.marketing.budget / total if total > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def simple(
    scenario: Scenario,
    budget: float,
    marketing_share: float,
    price: float = 1.0,
    firm_id: str | None = None,
) -> Decision:
    """Simple mode: a total budget and the share of it that goes to marketing."""
    return expand(
        scenario,
        {"budget": budget, "marketing_share": marketing_share, "price": price},
        firm_id=firm_id,
    )


def expand(
    scenario: Scenario,
    raw: dict[str, Any],
    source: str = "<decisions>",
    prefix: str = "",
    firm_id: str | None = None,
) -> Decision:
    """Validate one decision table (full or simple form) against the scenario."""
    econ = scenario.economics
    if firm_id is not None:
        econ = scenario.economics_for(scenario.firm(firm_id))
    raw = dict(raw)
    if "marketing_share" in raw or ("budget" in raw and "marketing" not in raw):
        simple_keys = {"budget", "marketing_share", "price"}
        extra = set(raw) - simple_keys
        if extra:
            name = sorted(extra)[0]
            raise InputError(
                source,
                _join(prefix, name),
                "is not a simple-mode field (budget, marketing_share, price)",
            )
        try:
            simple_form = _SimpleDecision.model_validate(raw)
        except ValidationError as exc:
            raise from_validation(source, exc, prefix) from None
        b, m = simple_form.budget, simple_form.marketing_share
        raw = {
            "marketing": {"budget": b * m},
            "sales": {"budget": b * (1 - m)},
            "price": simple_form.price,
        }
    for section in ("marketing", "sales"):
        if section not in raw:
            raise InputError(source, _join(prefix, section), "is required but missing")
        if not isinstance(raw[section], dict):
            raise InputError(source, _join(prefix, section), "must be a table")
    mk = {"mix": dict(econ.mix), "targeting": scenario.default_targeting(), **raw["marketing"]}
    sl = {
        "training_share": econ.training_share,
        "commission_rate": econ.commission_rate,
        "account_management": econ.account_management,
        **raw["sales"],
    }
    if isinstance(mk.get("targeting"), dict):
        for seg in mk["targeting"]:
            if seg not in scenario.segment_ids:
                raise InputError(
                    source,
                    _join(prefix, f"marketing.targeting.{seg}"),
                    f"unknown segment; expected one of {', '.join(scenario.segment_ids)}",
                )
        mk["targeting"] = {s: mk["targeting"].get(s, 0.0) for s in scenario.segment_ids}
    try:
        return Decision.model_validate({**raw, "marketing": mk, "sales": sl})
    except ValidationError as exc:
        raise from_validation(source, exc, prefix) from None


class _SimpleDecision(_Strict):
    budget: float = Field(ge=0)
    marketing_share: float = Field(0.4, ge=0, le=1)
    price: float = Field(1.0, ge=0.5, le=2.0)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def check_affordable(
    decision: Decision, cash: float, credit_line: float, source: str = "", field: str = ""
) -> None:
    """Refuse spending beyond cash plus credit (a clear message, not a crash)."""
    available = cash + credit_line
    if decision.total_budget > available + TOLERANCE:
        raise InputError(
            source,
            field or "budget",
            f"spending {decision.total_budget:,.0f} is more than cash plus credit "
            f"({available:,.0f})",
        )


def parse_decisions(
    data: dict[str, Any],
    scenario: Scenario,
    source: str = "<decisions>",
    firm_id: str | None = None,
) -> list[Decision]:
    """A decisions mapping: one decision, or `rounds = [...]`, one per round."""
    if "rounds" in data:
        rounds = data["rounds"]
        extra = set(data) - {"rounds"}
        if extra:
            raise InputError(source, sorted(extra)[0], "must sit inside a [[rounds]] table")
        if not isinstance(rounds, list) or not rounds:
            raise InputError(source, "rounds", "must be a non-empty list of [[rounds]] tables")
        if len(rounds) > scenario.meta.rounds:
            raise InputError(
                source,
                "rounds",
                f"has {len(rounds)} entries; the scenario has {scenario.meta.rounds} rounds",
            )
        out = []
        for k, entry in enumerate(rounds):
            if not isinstance(entry, dict):
                raise InputError(source, f"rounds[{k}]", "must be a table")
            out.append(expand(scenario, entry, source, prefix=f"rounds[{k}]", firm_id=firm_id))
        return out
    return [expand(scenario, data, source, firm_id=firm_id)]


def load_decisions(
    path: str | Path, scenario: Scenario, firm_id: str | None = None
) -> list[Decision]:
    """Read a decisions TOML file (one decision, or a `[[rounds]]` list)."""
    p = Path(path)
    if not p.exists():
        raise InputError(str(path), "", "no such decisions file")
    return parse_decisions(read_toml(p), scenario, str(path), firm_id=firm_id)


def for_round(plan: list[Decision], round_index: int) -> Decision:
    """The decision for round `round_index` (0-based): a shorter plan repeats its last entry."""
    return plan[min(round_index, len(plan) - 1)]
