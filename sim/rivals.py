"""Computer-run competitors. A strategy sees only what a real rival could: its own books and
the public market report of past rounds (`RivalView`), and returns its next decisions.

- balanced: 45% marketing, the scenario's default mix and targeting, list price.
- brand_builder: 65% marketing, heavy on advertising and PR, a 10% price premium.
- sales_machine: 20% marketing (mostly demand generation), well-trained, well-paid reps.
- discounter: 40% marketing, 20% under list price, light account management.
- adaptive: starts balanced and moves its split 10 points at a time, keeping the direction
  while its profit rises and reversing it when profit falls.
- even: spreads everything evenly: every segment the same targeting, the centre of the
  perceptual map, half to marketing, no R&D.
- split:X (for seats and experiments): the scenario's budget with marketing share X.
- focus:SEG: a coherent strategy for one segment: 70% of targeting there, the segment's ideal
  claimed on the map, a split that fits how it buys (more marketing where buyers follow the
  brand, more sales where they follow the rep), R&D where it wants a powerful product, and a
  perceptual map bought every other round to check the position.

Brand builders and discounters claim the simple, self-serve corner of the map; the sales
machine claims the powerful, high-touch one; balanced and adaptive keep their place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.decisions import Decision, expand
from sim.errors import InputError
from sim.report import FirmRound
from sim.scenario import STRATEGIES, Scenario


@dataclass(frozen=True)
class RivalView:
    """What a firm knows when it decides round `round` (1-based)."""

    scenario: Scenario
    firm_id: str
    round: int
    cash: float
    credit_line: float
    own: list[FirmRound] = field(default_factory=list)  # its own past rounds (sim.research)
    public: list[dict[str, dict[str, Any]]] = field(default_factory=list)  # market reports
    studies: list[dict[str, Any]] = field(default_factory=list)  # what it bought, per round

    @property
    def budget(self) -> float:
        """The firm's budget per round, cut back when cash runs low."""
        firm = self.scenario.firm(self.firm_id)
        base = (
            firm.budget_per_round
            if firm.budget_per_round is not None
            else self.scenario.meta.budget_per_round
        )
        return max(0.0, min(base, 0.8 * (self.cash + self.credit_line)))


def _decide(
    view: RivalView,
    share: float,
    price: float = 1.0,
    mix: dict | None = None,
    position: tuple[float, float] | None = None,
    targeting: dict[str, float] | None = None,
    product_share: float = 0.0,
    research: list[str] | None = None,
    **sales: float,
) -> Decision:
    b = view.budget
    research = research or []
    b = max(0.0, b - sum(view.scenario.research.price(r) for r in research))
    rest = b * (1.0 - product_share)
    raw: dict[str, Any] = {
        "marketing": {"budget": rest * share},
        "sales": {"budget": rest * (1.0 - share), **sales},
        "price": price,
    }
    if product_share:
        raw["product"] = {"budget": b * product_share}
    if research:
        raw["research"] = research
    if mix is not None:
        raw["marketing"]["mix"] = mix
    if position is not None:
        raw["marketing"]["positioning"] = {"power": position[0], "service": position[1]}
    if targeting is not None:
        raw["marketing"]["targeting"] = targeting
    return expand(view.scenario, raw, f"strategy for {view.firm_id}", firm_id=view.firm_id)


def balanced(view: RivalView) -> Decision:
    return _decide(view, 0.45)


def brand_builder(view: RivalView) -> Decision:
    return _decide(
        view,
        0.65,
        price=1.1,
        mix={"advertising": 0.5, "pr": 0.35, "demand_gen": 0.15},
        position=(0.3, 0.25),
        training_share=0.05,
    )


def sales_machine(view: RivalView) -> Decision:
    return _decide(
        view,
        0.2,
        mix={"advertising": 0.2, "pr": 0.1, "demand_gen": 0.7},
        position=(0.75, 0.8),
        training_share=0.15,
        commission_rate=0.12,
    )


def discounter(view: RivalView) -> Decision:
    return _decide(
        view,
        0.4,
        price=0.8,
        mix={"advertising": 0.4, "pr": 0.0, "demand_gen": 0.6},
        position=(0.25, 0.2),
        account_management=0.1,
    )


def adaptive(view: RivalView) -> Decision:
    """Hill-climb the split on its own profit: +10 points first, then keep the direction while
    profit improves and reverse it when profit falls. Share stays within 10%..80%."""
    own = view.own
    share = 0.45
    if len(own) == 1:
        share = own[-1].marketing_share + 0.1
    elif len(own) >= 2:
        last, prev = own[-1], own[-2]
        direction = 1.0 if last.marketing_share >= prev.marketing_share else -1.0
        if last.profit < prev.profit:
            direction = -direction
        share = last.marketing_share + 0.1 * direction
        if not 0.1 - 1e-9 <= share <= 0.8 + 1e-9:  # at a bound: probe the other way
            share = last.marketing_share - 0.1 * direction
    return _decide(view, min(0.8, max(0.1, share)))


def even(view: RivalView) -> Decision:
    segments = view.scenario.segment_ids
    return _decide(
        view, 0.5, position=(0.5, 0.5), targeting={s: 1.0 / len(segments) for s in segments}
    )


def focus(segment_id: str) -> Callable[[RivalView], Decision]:
    """Fit everything to one segment (see the module docstring)."""

    def focused(view: RivalView) -> Decision:
        scen = view.scenario
        seg = next(s for s in scen.segments if s.id == segment_id)
        others = [s for s in scen.segment_ids if s != segment_id]
        targeting = {s: 0.3 / len(others) for s in others} | {
            segment_id: 1.0 if not others else 0.7
        }
        ideal = seg.ideal.xy() if seg.ideal is not None else None
        share = 0.65 - 0.4 * seg.relationship_weight
        rd = 0.06 if ideal is not None and ideal[0] > 0.6 else 0.0
        research = ["perceptual_map"] if view.round % 2 == 1 else []
        return _decide(
            view, share, position=ideal, targeting=targeting, product_share=rd, research=research
        )

    return focused


def fixed_split(share: float) -> Callable[[RivalView], Decision]:
    def split(view: RivalView) -> Decision:
        return _decide(view, share)

    return split


BY_NAME: dict[str, Callable[[RivalView], Decision]] = {
    "balanced": balanced,
    "brand_builder": brand_builder,
    "sales_machine": sales_machine,
    "discounter": discounter,
    "adaptive": adaptive,
    "even": even,
}
assert tuple(BY_NAME) == STRATEGIES


def check_strategy(name: str, scenario: Scenario) -> None:
    """Refuse a strategy name before any game: unknown, or focus: on no such segment."""
    strategy(name)
    if name.startswith("focus:") and name[6:] not in scenario.segment_ids:
        raise InputError(
            "--strategy",
            name,
            f"focus: names a segment; expected one of {', '.join(scenario.segment_ids)}",
        )


def strategy(name: str) -> Callable[[RivalView], Decision]:
    """A strategy by name: one of STRATEGIES, or `split:X` with X in [0, 1]."""
    if name in BY_NAME:
        return BY_NAME[name]
    if name.startswith("split:"):
        try:
            share = float(name.split(":", 1)[1])
        except ValueError:
            share = -1.0
        if 0.0 <= share <= 1.0:
            return fixed_split(share)
        raise InputError("--strategy", name, "split:X needs X between 0 and 1, e.g. split:0.4")
    if name.startswith("focus:"):
        return focus(name.split(":", 1)[1])
    raise InputError(
        "--strategy",
        name,
        f"unknown strategy; expected one of {', '.join(STRATEGIES)}, split:X or focus:SEGMENT",
    )
