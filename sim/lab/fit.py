"""A reference marketing-mix model in numpy: `jigsaw lab fit DIR`.

What a straightforward MMM of the exported media.csv gets right and wrong. The outcome y_t
(bookings by default) of period t is

    y_t = b_0 + b_1 t / T + sum_c beta_c h_c(t) + sum_k gamma_k z_k(t) + e_t

with, for each channel c, its spend x_c summed over segments, a geometric adstock
a_c(t) = d_c a_c(t-1) + (1 - d_c) x_c(t) (d_c = 0.5^(period / half-life), so a steady spend
keeps a_c at that spend) and a Hill saturation h_c = a_c^S / (a_c^S + K_c^S); z_k are the
control columns that vary (price, the events' multipliers). The channels' half-lives, K and S
are found by grid search (coordinate descent over the channels, `SWEEPS` times), with
ordinary least squares for b, beta and gamma inside. A channel's ROAS is its fitted
contribution over the data, sum_t beta_c h_c(t), per unit of its spend, in bookings: an
outcome that counts (leads, new customers) is turned into bookings at the data's bookings per
unit of it (Meridian's revenue per KPI); its marginal ROAS what the fitted model gives for 10%
more of that spend, per unit.

It leaves out on purpose what the game has and a simple MMM does not: awareness and brand
are stocks of their own (their memory adds to the adstock's), a deal is booked a cycle after
its lead, sales capacity caps what marketing can bring in (leads go cold when reps are
short), and the channels' spends move together when one budget is split. docs/LAB.md shows how
far it gets on designed spend and on ordinary play.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.model.errors import InputError, shown
from sim.model.files import MAX_NUMBER, read_number, read_text
from sim.model.scenario import CHANNELS

HALF_LIVES = (
    2.0,
    3.0,
    4.0,
    5.0,
    6.0,
    7.0,
    8.5,
    10.0,
    12.0,
    14.0,
    17.0,
    20.0,
    24.0,
    28.0,
    33.0,
    39.0,
    45.0,
    52.0,
    60.0,
    70.0,
    80.0,
    92.0,
    106.0,
    122.0,
    140.0,
    160.0,
    185.0,
    215.0,
    250.0,
    290.0,
    365.0,
)  # days: about 15% apart
K_SCALES = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)  # K as a multiple of the mean adstock
SHAPES = (1.0,)  # concave saturation (Michaelis-Menten); S-shaped curves are not fitted
SWEEPS = 4
STARTS = (7.0, 30.0, 120.0)  # the half-lives the coordinate descent starts from (the best end wins)
OUTCOMES = ("bookings", "revenue", "new_customers", "leads_inbound")
# Columns an export always fills (a blank there is damage, not "no figure"): spend, the
# period's length, the controls (price, interest, churn) and the outcomes.
MEASURED = ("spend_", "days", "price", "interest_", "churn_", *OUTCOMES)
RAISE = 0.10
MIN_PERIODS = 20
# What a media.csv may hold, checked before any fitting: a daily export of 40 rounds of 91
# days is 3,640 periods and one of 12 segments 71 columns; a fit's time grows with both.
MAX_PERIODS = 5_000
MAX_COLUMNS = 128
MAX_CONTROLS = 26  # price, price_cut, and interest_ and churn_ of at most 12 segments
CONTROLS = ("price", "interest_", "churn_")  # how the fit names its control columns
MAX_CELL = 64  # characters: a number, or a date
MAX_PERIOD_DAYS = 366  # the days of one period


@dataclass(frozen=True)
class ChannelFit:
    channel: str
    spend: float
    half_life_days: float | None  # None: no spend, nothing to fit
    K: float | None  # in adstock units of daily spend (as the truth gives it)
    S: float | None
    roas: float | None
    marginal_roas: float | None


@dataclass(frozen=True)
class Fit:
    outcome: str
    periods: int
    period_days: int
    r2: float
    controls: list[str]
    channels: list[ChannelFit]
    form: str = "additive"
    trend: bool = False

    def to_json(self) -> dict[str, Any]:
        """The fit as JSON can hold it: a figure that is not a finite number is null (JSON
        has no NaN or Infinity)."""
        return _finite({**asdict(self), "channels": [asdict(c) for c in self.channels]})

    def estimates(self) -> str:
        """The fit as an estimates file for `jigsaw lab score` (TOML)."""
        lines = [
            f"# jigsaw lab fit ({self.form}{', with a trend' if self.trend else ''}, "
            f"{self.outcome}, {self.periods} periods, "
            f"R2 {self.r2:.3f})"
        ]
        fitted = [c for c in self.channels if c.half_life_days is not None]
        lines.append("[half_life_days]")
        lines += [f"{c.channel} = {c.half_life_days:g}" for c in fitted]
        if self.outcome != "revenue":  # in bookings (a count outcome converted)
            for name in ("roas", "marginal_roas"):
                lines.append(f"[{name}]")
                lines += [
                    f"{c.channel} = {getattr(c, name):.6g}"
                    for c in fitted
                    if getattr(c, name) is not None
                ]
        return "\n".join(lines) + "\n"


def _finite(data: Any) -> Any:
    """`data` with every float that is not finite made None."""
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_finite(v) for v in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


def read_media(folder: Path) -> tuple[list[str], dict[str, np.ndarray]]:
    """media.csv of an export folder: its header and every column as numbers. Bounded before
    any work: at most MAX_PERIODS rows, MAX_COLUMNS columns (MAX_CONTROLS of them controls:
    the fit's time grows with the square of its regressors) and MAX_CELL characters a cell,
    each column named once, every number finite and of at most MAX_NUMBER, spend not
    negative, and `days` a whole number of days from 1 to MAX_PERIOD_DAYS."""
    path = folder / "media.csv"
    source = str(path)
    text = read_text(path, "media")
    lines = text.count("\n") + (not text.endswith("\n"))
    if lines > MAX_PERIODS + 1:
        raise InputError(
            source, "", f"has {lines - 1:,} rows; a fit takes at most {MAX_PERIODS:,} periods"
        )
    reader = csv.reader(io.StringIO(text), strict=True)  # a quote left open is an error
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(
            source, "", "is empty; expected the media.csv of jigsaw lab export"
        ) from None
    except csv.Error as exc:
        raise InputError(source, "line 1", f"is not CSV ({exc})") from None
    if len(header) > MAX_COLUMNS:
        raise InputError(
            source, "", f"has {len(header):,} columns; a fit takes at most {MAX_COLUMNS}"
        )
    for h in header:
        if len(h) > MAX_CELL:
            raise InputError(
                source, "line 1", f"has a column name of {len(h):,} characters (at most {MAX_CELL})"
            )
        if header.count(h) > 1:
            raise InputError(source, "line 1", f"names the column {shown(h)} twice")
    controls = [h for h in header if h.startswith(CONTROLS)]
    if len(controls) > MAX_CONTROLS:
        raise InputError(
            source,
            "",
            f"has {len(controls)} control columns (price, interest_, churn_); a fit takes at "
            f"most {MAX_CONTROLS}, an export's 12 segments' worth",
        )
    need = {"date", "days", "bookings"}
    if not need <= set(header):
        missing = ", ".join(sorted(need - set(header)))
        raise InputError(
            source, "", f"has no column {missing}; expected jigsaw lab export's media.csv"
        )
    if not any(h.startswith("spend_") for h in header):
        raise InputError(
            source, "line 1", "has no spend_ column; expected jigsaw lab export's media.csv"
        )
    cols: dict[str, list[float]] = {h: [] for h in header if h != "date"}

    def open_quote(line: int) -> InputError:
        return InputError(
            source, f"line {line}", "opens a quote it does not close (a cell runs on)"
        )

    n = 1
    while True:
        first = reader.line_num + 1  # where the row starts (a quoted cell may run on)
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # a field past csv's own limit (128 KiB), a stray NUL
            if "unexpected end of data" in str(exc):  # a quote open to the end of the file
                raise open_quote(first) from None
            raise InputError(source, f"line {reader.line_num}", f"is not CSV ({exc})") from None
        n = reader.line_num
        if not row:
            continue  # a blank line
        if any("\n" in cell or "\r" in cell for cell in row):  # ... closed lines later
            raise open_quote(first)
        if len(row) != len(header):
            raise InputError(source, f"line {n}", f"has {len(row)} cells; expected {len(header)}")
        for h, cell in zip(header, row, strict=True):
            if len(cell) > MAX_CELL:
                raise InputError(
                    source, f"line {n}: {h}", f"is {len(cell):,} characters; expected a number"
                )
            if h == "date":
                continue
            if not cell and h.startswith(MEASURED):
                raise InputError(source, f"line {n}: {h}", "is empty; expected a number")
            number = read_number(cell) if cell else 0.0
            if number is None and cell.strip().lower().lstrip("+-") in ("inf", "infinity", "nan"):
                number = math.inf  # refused below, as a number out of range
            if number is None:
                raise InputError(source, f"line {n}: {h}", f"expected a number, got {cell!r}")
            value = number
            if not -MAX_NUMBER <= value <= MAX_NUMBER:  # NaN and infinities are outside too
                raise InputError(
                    source,
                    f"line {n}: {h}",
                    f"expected a finite number of at most {MAX_NUMBER:g}, got {shown(cell)}",
                )
            if h == "days" and not (value.is_integer() and 1 <= value <= MAX_PERIOD_DAYS):
                raise InputError(
                    source,
                    f"line {n}: days",
                    f"expected a whole number of days from 1 to {MAX_PERIOD_DAYS}, "
                    f"got {shown(cell)}",
                )
            if h.startswith("spend_") and value < 0:
                raise InputError(
                    source, f"line {n}: {h}", f"expected a spend of 0 or more, got {shown(cell)}"
                )
            cols[h].append(value)
    return header, {h: np.array(v) for h, v in cols.items()}


def adstocked(x: np.ndarray, half_life: float, period_days: float) -> np.ndarray:
    """Geometric adstock normalised to the spend: a(t) = d a(t-1) + (1 - d) x(t)."""
    d = 0.5 ** (period_days / half_life)
    out = np.empty_like(x)
    s = 0.0
    for t, v in enumerate(x.tolist()):
        s = d * s + (1.0 - d) * v
        out[t] = s
    return out


def hill(a: np.ndarray, K: float, S: float) -> np.ndarray:
    aS = np.maximum(a, 0.0) ** S
    return aS / (aS + K**S)


FORMS = ("additive", "multiplicative")


def fit(
    folder: Path, outcome: str = "bookings", trend: bool = False, form: str = "additive"
) -> Fit:
    """Fit the reference MMM to an export folder's media.csv (`trend`: with a linear trend
    among the regressors; off by default, since a trend competes with a long carry-over for
    the same slow movements of the outcome). `form` "multiplicative" fits log(1 + y) instead of y, so the
    channels multiply; a channel's contribution is then what removing it takes away,
    sum_t (yhat_t - yhat_t without it), interactions included."""
    if form not in FORMS:
        raise InputError("--form", form, f"expected one of {', '.join(FORMS)}")
    if outcome not in OUTCOMES:
        raise InputError("--outcome", outcome, f"expected one of {', '.join(OUTCOMES)}")
    header, cols = read_media(folder)
    if outcome not in cols:
        raise InputError(str(folder / "media.csv"), "", f"has no column {outcome}")
    observed = cols[outcome]
    if form == "multiplicative" and (observed < 0).any():
        raise InputError(
            str(folder / "media.csv"), outcome, "is negative; a multiplicative fit needs y >= 0"
        )
    y = np.log1p(observed) if form == "multiplicative" else observed
    T = len(y)
    if T < MIN_PERIODS:
        raise InputError(
            str(folder / "media.csv"), "", f"has {T} periods; a fit needs at least {MIN_PERIODS}"
        )
    period = float(np.median(cols["days"]))
    spend = {
        ch: sum((cols[h] for h in header if h.startswith(f"spend_{ch}_")), np.zeros(T))
        for ch in CHANNELS
    }
    live = [ch for ch in CHANNELS if spend[ch].sum() > 0]
    controls = [h for h in header if h.startswith(CONTROLS) and np.ptp(cols[h]) > 1e-9]
    base = [np.ones(T), *([np.arange(T) / T] if trend else []), *(cols[h] for h in controls)]
    stocks: dict[str, dict[float, np.ndarray]] = {
        ch: {hl: adstocked(spend[ch], hl, period) for hl in HALF_LIVES} for ch in live
    }

    def column(ch: str, p: tuple[float, float, float], scale: float = 1.0) -> np.ndarray:
        hl, k, s = p
        a = stocks[ch][hl] if scale == 1.0 else adstocked(scale * spend[ch], hl, period)
        return hill(a, k * float(stocks[ch][hl].mean()), s)

    def solve(params: dict[str, tuple[float, float, float]]) -> tuple[float, np.ndarray]:
        A = np.column_stack([*base, *(column(ch, params[ch]) for ch in live)])
        beta, *_ = np.linalg.lstsq(A, y, rcond=None)
        r = y - A @ beta
        return float(r @ r), beta

    grid = list(itertools.product(HALF_LIVES, K_SCALES, SHAPES))

    def descend(start: float) -> tuple[float, dict[str, tuple[float, float, float]]]:
        """Coordinate descent over the channels from every half-life at `start`."""
        h0 = min(HALF_LIVES, key=lambda h: abs(h - start))
        params = {ch: (h0, 1.0, 1.0) for ch in live}
        best, _ = solve(params)
        for _ in range(SWEEPS):
            moved = False
            for ch in live:
                for p in grid:
                    trial = {**params, ch: (float(p[0]), p[1], p[2])}
                    sse, _ = solve(trial)
                    if sse < best - 1e-12 * max(1.0, best):
                        best, params, moved = sse, trial, True
            if not moved:
                break
        return best, params

    params = min((descend(s) for s in STARTS), key=lambda found: found[0])[1]
    sse, beta = solve(params)
    per_kpi = 1.0  # bookings per unit of the outcome (1 for money outcomes)
    if outcome in ("new_customers", "leads_inbound") and observed.sum() > 0:
        per_kpi = float(cols["bookings"].sum() / observed.sum())
    A = np.column_stack([*base, *(column(ch, params[ch]) for ch in live)])
    eta = A @ beta

    def outcome_of(linear: np.ndarray) -> float:
        """The outcome summed over the data, as the model predicts it from `linear`."""
        return float((np.expm1(linear) if form == "multiplicative" else linear).sum())

    fitted = outcome_of(eta)
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - sse / total if total > 0 else 0.0
    out = []
    for ch in CHANNELS:
        if ch not in live:
            out.append(ChannelFit(ch, 0.0, None, None, None, None, None))
            continue
        k = live.index(ch)
        b = float(beta[len(base) + k])
        hl, kscale, s = params[ch]
        h = column(ch, params[ch])
        contribution = fitted - outcome_of(eta - b * h)
        more = outcome_of(eta + b * (column(ch, params[ch], 1.0 + RAISE) - h)) - fitted
        x = float(spend[ch].sum())
        K_spend = kscale * float(stocks[ch][hl].mean())  # per period, in spend units
        d_day = 0.5 ** (1.0 / hl)
        out.append(
            ChannelFit(
                ch,
                x,
                hl,
                K_spend / period / (1.0 - d_day),  # adstock units of daily spend
                s,
                per_kpi * contribution / x,
                per_kpi * more / (RAISE * x),
            )
        )
    return Fit(outcome, T, int(period), r2, controls, out, form, trend)
