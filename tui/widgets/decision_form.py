"""The player's decisions for the next round: the split, the budget, price, the share for
product development and, in full mode, the marketing mix, targeting, the position claimed,
the sales levers and the market studies to buy. Edits flow into the session's draft; a value
that does not parse or is out of range is refused in place with a message."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.validation import Number
from textual.widgets import Checkbox, Input, Label, Static

from sim.model.decisions import RANGES
from sim.model.errors import InputError
from sim.model.scenario import CHANNELS, STUDIES, STUDY_LABELS
from sim.narrative import money
from sim.numbers import plural
from tui.session import Session
from tui.widgets.split_bar import SplitBar
from tui.widgets.ticks import TickBox

CHANNEL_LABELS = {"advertising": "Ads", "pr": "PR", "demand_gen": "Demand gen"}


def _amount(x: float) -> str:
    """A range's end as a person writes it: 0, 0.5, 2, 1,000,000,000,000."""
    return f"{x:,.0f}" if x == int(x) else f"{x:g}"


def _pct(x: float) -> str:
    """A share as a percentage with at most one decimal (50, 35.8)."""
    return f"{100 * x:.1f}".removesuffix(".0")


# What a number may be typed with (1e6, -0.5, 1_000); any other printable key is a command,
# not text: it passes through the field to the screen's keys (n, w, u, ?, q ...), so "8n" in
# the budget plays the round at 8, instead of writing "8n" into the field.
NUMBER_KEYS = frozenset("0123456789.,_+-eE")


class NumberInput(Input):
    """A number field: digits and a number's signs are text, other printable keys commands."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Only a number's characters are the field's (so the footer keeps the screen's
        keys while a number is being typed)."""
        return character is not None and character in NUMBER_KEYS

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character not in NUMBER_KEYS:
            event.prevent_default()  # not text: Input's own handler must not write it
            event.stop()
            active = self.screen.active_bindings.get(event.key)
            if active is not None and active.enabled:
                await self.app.run_action(active.binding.action, active.node)
            return
        await super()._on_key(event)


class Field(Vertical):
    """A labelled number input."""

    DEFAULT_CSS = """
    Field { height: auto; width: 1fr; }
    Field > Label { color: $text-muted; }
    Field > Input { width: 1fr; }
    """

    def __init__(
        self, label: str, value: str, field_id: str, minimum: float, maximum: float, unit: str = ""
    ) -> None:
        super().__init__(id=f"field-{field_id}")
        self.label = label
        self.value = value
        self.field_id = field_id
        self.minimum = minimum
        self.maximum = maximum
        self.unit = unit

    def compose(self) -> ComposeResult:
        yield Label(f"{self.label}{f' ({self.unit})' if self.unit else ''}", markup=False)
        yield NumberInput(
            self.value,
            id=self.field_id,
            validators=[
                Number(
                    minimum=self.minimum,
                    maximum=self.maximum,
                    failure_description=f"must be a number from {_amount(self.minimum)} to "
                    f"{_amount(self.maximum)}",
                )
            ],
            valid_empty=False,
        )


class DecisionForm(Vertical):
    """Edits `session.draft`; posts `Edited` after every accepted change."""

    DEFAULT_CSS = """
    DecisionForm { height: auto; }
    DecisionForm .row { height: auto; }
    DecisionForm #full { height: auto; }
    DecisionForm.simple #full { display: none; }
    DecisionForm #derived { margin-top: 1; height: auto; }
    DecisionForm #problem { color: $error; height: auto; }
    DecisionForm .section { color: $text-muted; text-style: bold; margin-top: 1; }
    DecisionForm #studies { grid-size: 1; grid-gutter: 0; height: auto; }
    DecisionForm #studies Checkbox { border: none; padding: 0; height: 1; }
    DecisionForm #coverage-on { border: none; padding: 0; height: 1; margin-top: 1; }
    DecisionForm.pooled #coverage { display: none; }
    """

    class Edited(Message):
        """The draft changed (and may or may not be valid as a whole)."""

    def __init__(self, session: Session, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.invalid: dict[str, str] = {}
        self.set_class(not session.full_mode, "simple")
        self.set_class(session.draft.coverage is None, "pooled")

    def compose(self) -> ComposeResult:
        d = self.session.draft
        if self.session.full_mode:
            self.session.defaults_for_full_mode()
        yield Label("Split (←/→: 5 points; shift: 1)", classes="section")
        yield SplitBar(id="split")
        with Horizontal(classes="row"):
            yield Field(
                "Budget",
                f"{d.budget:.0f}",
                "budget",
                0,
                1e12,
                self.session.scenario.meta.currency,
            )
            yield Field("Price", f"{d.price:.2f}", "price", *RANGES["price"], "x list")
        with Horizontal(classes="row"):
            yield Field("R&D", _pct(d.product_share), "rd", 0, 100, "% of budget")
        with Vertical(id="full"):
            power, service = self._claimed()
            yield Label("Position claimed (0..100)", classes="section")
            with Horizontal(classes="row"):
                yield Field("Power", _pct(power), "pos-power", 0, 100)
                yield Field("Service", _pct(service), "pos-service", 0, 100)
            yield Label("Marketing mix (%)", classes="section")
            with Horizontal(classes="row"):
                for ch in CHANNELS:
                    yield Field(CHANNEL_LABELS[ch], _pct(d.mix[ch]), f"mix-{ch}", 0, 100)
            yield Label("Targeting (%)", classes="section")
            with Grid(classes="row", id="targeting"):
                for seg in self.session.scenario.segments:
                    yield Field(seg.label, _pct(d.targeting[seg.id]), f"target-{seg.id}", 0, 100)
            with Horizontal(classes="row"):
                yield Field(
                    "Qualification bar", _pct(d.qualification), "qualify", 0, 100, "% to nurture"
                )
            yield Label("Sales levers", classes="section")
            # one a row, each in its own unit (what the percentage is of), in full at any width
            with Horizontal(classes="row"):
                yield Field(
                    "Training", _pct(d.training_share), "training", 0, 100, "% of sales budget"
                )
            with Horizontal(classes="row"):
                top = RANGES["sales.commission_rate"][1] * 100
                yield Field(
                    "Commission", _pct(d.commission_rate), "commission", 0, top, "% of bookings"
                )
            with Horizontal(classes="row"):
                top = RANGES["sales.account_management"][1] * 100
                yield Field(
                    "Account management", _pct(d.account_management), "am", 0, top, "% of reps"
                )
            if len(self.session.scenario.segments) > 1:
                yield TickBox(
                    "Deploy reps by segment (%)",
                    d.coverage is not None,
                    id="coverage-on",
                )
                with Grid(classes="row", id="coverage"):
                    cover = d.coverage or self.session.suggested_coverage()
                    for seg in self.session.scenario.segments:
                        yield Field(seg.label, _pct(cover[seg.id]), f"cover-{seg.id}", 0, 100)
            scen = self.session.scenario
            if scen.offers_routes:
                yield Label("Routes (% of warm leads)", classes="section")
                with Grid(classes="row", id="routes"):
                    for seg in scen.segments:
                        if seg.id in scen.partner_segments:
                            share = _pct(d.partner.get(seg.id, 0.0))
                            yield Field(
                                f"{seg.label}: partners", share, f"partner-{seg.id}", 0, 100
                            )
                        if seg.id in scen.self_serve_segments:
                            share = _pct(d.self_serve.get(seg.id, 0.0))
                            yield Field(f"{seg.label}: online", share, f"online-{seg.id}", 0, 100)
                    if scen.partner_segments:
                        top = RANGES["routes.partner_margin"][1] * 100
                        yield Field(
                            "Partner margin", _pct(self._margin()), "margin", 0, top, "% 1st year"
                        )
            yield Label("Market studies (paid per round)", classes="section")
            with Grid(classes="row", id="studies"):
                for study in STUDIES:
                    price = money(self.session.scenario.research.price(study))
                    yield TickBox(
                        f"{STUDY_LABELS[study]} {price}", study in d.research, id=f"study-{study}"
                    )
        yield Static(id="derived", markup=False)
        yield Static(id="problem", markup=False)

    def on_mount(self) -> None:
        self.query_one(SplitBar).share = self.session.draft.marketing_share
        self.refresh_derived()

    def _margin(self) -> float:
        """The partner margin the draft offers (the market's unless set)."""
        d = self.session.draft
        if d.partner_margin is not None:
            return d.partner_margin
        scen = self.session.scenario
        return scen.economics_for(scen.firm(self.session.player)).partner_margin

    def _claimed(self) -> tuple[float, float]:
        """The position the draft claims (by default, what the firm claims now)."""
        if self.session.draft.positioning is not None:
            return self.session.draft.positioning
        return self.session.view().target

    def load_draft(self) -> None:
        """Show the session's draft again (after going back a round)."""
        d = self.session.draft
        power, service = self._claimed()
        shown = {
            "budget": f"{d.budget:.0f}",
            "price": f"{d.price:.2f}",
            "rd": _pct(d.product_share),
            "pos-power": _pct(power),
            "pos-service": _pct(service),
            "training": _pct(d.training_share),
            "commission": _pct(d.commission_rate),
            "am": _pct(d.account_management),
            "qualify": _pct(d.qualification),
        }
        shown |= {f"mix-{k}": _pct(v) for k, v in d.mix.items()}
        shown |= {f"target-{k}": _pct(v) for k, v in d.targeting.items()}
        shown |= {f"cover-{k}": _pct(v) for k, v in (d.coverage or {}).items()}
        scen = self.session.scenario
        shown |= {f"partner-{k}": _pct(d.partner.get(k, 0.0)) for k in scen.partner_segments}
        shown |= {f"online-{k}": _pct(d.self_serve.get(k, 0.0)) for k in scen.self_serve_segments}
        if scen.partner_segments:
            shown["margin"] = _pct(self._margin())
        for field_id, value in shown.items():
            for holder in self.query(f"#field-{field_id}").results(Field):
                holder.value = value
                self.query_one(f"#{field_id}", Input).value = value
        for study in STUDIES:
            self.query_one(f"#study-{study}", Checkbox).value = study in d.research
        for box in self.query("#coverage-on").results(Checkbox):
            box.value = d.coverage is not None
        self.set_class(d.coverage is None, "pooled")
        self.invalid.clear()
        self.query_one(SplitBar).share = d.marketing_share
        self.refresh_derived()

    @on(Checkbox.Changed, "#coverage-on")
    def coverage_toggled(self, event: Checkbox.Changed) -> None:
        """A coverage plan, starting from where the last round's warm leads were; or one
        pool again."""
        event.stop()
        d = self.session.draft
        if event.value == (d.coverage is not None):
            return  # shown as it stands (after going back a round)
        d.coverage = self.session.suggested_coverage() if event.value else None
        for k in list(self.invalid):
            if k.startswith("cover-") and d.coverage is None:
                del self.invalid[k]
        for seg, share in (d.coverage or {}).items():
            holder = self.query_one(f"#field-cover-{seg}", Field)
            holder.value = _pct(share)
            self.query_one(f"#cover-{seg}", Input).value = holder.value
        self.set_class(d.coverage is None, "pooled")
        self.refresh_derived()
        self.post_message(self.Edited())

    @on(Checkbox.Changed)
    def study_toggled(self, event: Checkbox.Changed) -> None:
        if not (event.checkbox.id or "").startswith("study-"):
            return
        study = (event.checkbox.id or "").removeprefix("study-")
        research = [s for s in self.session.draft.research if s != study]
        if event.value:
            research.append(study)
        self.session.draft.research = [s for s in STUDIES if s in research]
        self.refresh_derived()
        self.post_message(self.Edited())

    def set_full_mode(self, full: bool) -> list[str]:
        """Switch modes. Entering full mode rounds mix and targeting to tenths of a percent
        (summing to 100), so the fields show what will be played. Leaving it drops what only
        full mode shows (the studies, a coverage plan, a qualification bar, routes to market:
        nothing is played unseen): returns what was dropped, in words."""
        self.session.full_mode = full
        self.set_class(not full, "simple")
        dropped = [] if full else self.session.drop_full_mode_levers()
        if dropped:
            self.load_draft()
        if full:
            self.session.defaults_for_full_mode()
            d = self.session.draft
            shown = {f"mix-{k}": v for k, v in d.mix.items()}
            shown |= {f"target-{k}": v for k, v in d.targeting.items()}
            for field_id, share in shown.items():
                holder = self.query_one(f"#field-{field_id}", Field)
                holder.value = _pct(share)
                self.query_one(f"#{field_id}", Input).value = holder.value
        self.refresh_derived()
        return dropped

    @on(SplitBar.Changed)
    def split_moved(self, event: SplitBar.Changed) -> None:
        self.session.draft.marketing_share = event.share
        self.refresh_derived()
        self.post_message(self.Edited())

    @on(Input.Changed)
    def typed(self, event: Input.Changed) -> None:
        field_id = event.input.id or ""
        holder = self.query_one(f"#field-{field_id}", Field)
        if event.value == holder.value and field_id not in self.invalid:
            return  # the value it was given (Input reports it once on mount)
        holder.value = event.value
        result = event.validation_result
        if result is not None and not result.is_valid:
            label = self._label(field_id)
            self.invalid[field_id] = f"{label}: {'; '.join(result.failure_descriptions)}"
        else:
            self.invalid.pop(field_id, None)
            self._store(field_id, float(event.value))
        self.refresh_derived()
        self.post_message(self.Edited())

    @on(Input.Submitted)
    def submitted(self) -> None:
        """Enter leaves a number field for the split bar, where n, w and f work."""
        self.query_one(SplitBar).focus()

    def _label(self, field_id: str) -> str:
        try:
            return self.query_one(f"#field-{field_id}", Field).label
        except Exception:
            return field_id

    def _store(self, field_id: str, value: float) -> None:
        d = self.session.draft
        if field_id == "budget":
            d.budget = value
        elif field_id == "price":
            d.price = value
        elif field_id.startswith("mix-"):
            d.mix[field_id[4:]] = value / 100
        elif field_id.startswith("target-"):
            d.targeting[field_id[7:]] = value / 100
        elif field_id.startswith("cover-"):
            if d.coverage is not None:
                d.coverage[field_id[6:]] = value / 100
        elif field_id == "training":
            d.training_share = value / 100
        elif field_id == "commission":
            d.commission_rate = value / 100
        elif field_id == "am":
            d.account_management = value / 100
        elif field_id == "qualify":
            d.qualification = value / 100
        elif field_id.startswith("partner-"):
            d.partner[field_id[8:]] = value / 100
        elif field_id.startswith("online-"):
            d.self_serve[field_id[7:]] = value / 100
        elif field_id == "margin":
            d.partner_margin = value / 100
        elif field_id == "rd":
            d.product_share = value / 100
        elif field_id in ("pos-power", "pos-service"):
            power, service = self._claimed()
            if field_id == "pos-power":
                power = value / 100
            else:
                service = value / 100
            d.positioning = (power, service)

    def problem(self) -> str | None:
        """Why the draft cannot be played, in one line (or None if it can)."""
        if self.invalid:
            return next(iter(self.invalid.values()))
        d = self.session.draft
        tables = [("Marketing mix", d.mix), ("Targeting", d.targeting)]
        if d.coverage is not None:
            tables.append(("Coverage plan", d.coverage))
        for name, table in tables:
            total = 100 * sum(table.values())
            if abs(total - 100) > 1e-4:
                return f"{name} must add up to 100% (now {total:.4g}%)"
        try:
            self.session.decision()
        except InputError as exc:
            return (
                exc.message
                if not exc.field or exc.field == "budget"
                else f"{exc.field}: {exc.message}"
            )
        return None

    def refresh_derived(self) -> None:
        s = self.session
        x = s.derived()
        text = Text()
        text.append(f"Marketing {money(x['marketing'])}", style="bold")
        text.append(" · ")
        text.append(f"Sales {money(x['sales'])}", style="bold")
        if x["product"]:
            text.append(" · ")
            text.append(f"R&D {money(x['product'])}", style="bold")
        text.append(
            f" → {x['reps']:.0f} reps, {x['slots']:.0f} deal slots, training "
            f"{money(x['training'])}\n"
        )
        if x["hires"]:
            text.append(
                f"Hiring {plural(round(x['hires']), 'rep')} costs {money(x['hiring'])} more. "
            )
        if x["fires"]:
            text.append(
                f"Letting {plural(round(x['fires']), 'rep')} go costs {money(x['severance'])} of "
                "severance. ",
                style="bold",
            )
        if x["research"]:
            text.append(f"Studies {money(x['research'])}. ")
        if x["hires"] or x["fires"] or x["research"]:
            text.append("\n")
        text.append(
            f"Cash {money(x['cash'])} → {money(x['cash_after'])} after spending "
            f"{money(x['spend'])} and fixed costs {money(x['fixed_costs'])} (before revenue); "
        )
        over = x["credit_used"] > x["credit_line"]
        text.append(
            f"credit used {money(x['credit_used'])} of {money(x['credit_line'])}",
            style="bold red" if over else "",
        )
        self.query_one("#derived", Static).update(text)
        problem = self.problem()
        usual = s.scenario.meta.budget_per_round
        if not problem and usual and s.draft.budget < 0.25 * usual:
            problem = (
                f"Note: a budget of {money(s.draft.budget)} is far below the usual "
                f"{money(usual)}; reps you cannot pay are let go."
            )
        over = s.over_budget()
        if not problem and over:
            problem = over
        self.query_one("#problem", Static).update(f"⚠ {problem}" if problem else "")
