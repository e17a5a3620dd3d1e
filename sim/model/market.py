"""The market: awareness, brand equity and lead arrivals, over firms x segments at once.

Scenario: every day, each firm's marketing budget is spent evenly by channel and segment. Spend
carries over as adstock and saturates (Hill). Advertising adds to the Bass hazard of becoming
aware; PR builds brand equity (Nerlove-Arrow goodwill); demand generation raises appeal. Aware
prospects ask for a salesperson at a rate set by segment interest and the firm's appeal; happy
customers refer others. Each day's leads go to the firm's sales force (`sim.model.pipeline`).

Units: time in days (rates per year in the scenario are divided by 365), money in the
scenario's currency, awareness as a count of accounts, brand equity on 0..100.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.model.chance import Chance
from sim.model.economy import FirmParams
from sim.model.nurture import lead_score, release
from sim.model.pipeline import (
    INBOUND,
    OUTBOUND,
    REFERRAL,
    RIVAL,
    LeadBatch,
    expected_hold_share,
)
from sim.model.positioning import drifted_ideal, fit_penalty, settle
from sim.model.product import improve
from sim.model.routes import RoutesToMarket, logistic
from sim.model.scenario import Scenario
from sim.model.workload import NoRoom

if TYPE_CHECKING:
    from sim.model.accounts import Accounts
    from sim.model.pipeline import SalesForce

DT = 1.0 / 365.0  # years per day


def adstock(stock: np.ndarray, spend: np.ndarray, decay: np.ndarray | float) -> np.ndarray:
    """Geometric carry-over: stock_t = decay * stock_{t-1} + spend_t (currency per day)."""
    return decay * stock + spend


def hill(stock: np.ndarray, half: np.ndarray | float, shape: np.ndarray | float) -> np.ndarray:
    """Hill saturation h = x^S / (x^S + K^S), in [0, 1); h(K) = 1/2."""
    x = np.maximum(stock, 0.0) / half
    xs = x**shape
    return xs / (1.0 + xs)


def bass_cdf(t: np.ndarray | float, p: float, q: float) -> np.ndarray | float:
    """Bass (1969) closed form F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}), t in years."""
    e = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1 - e) / (1 + (q / p) * e)


def relax(value: np.ndarray, target: np.ndarray, rate: np.ndarray | float, dt: float) -> np.ndarray:
    """Exact step of dv/dt = rate * (target - v) over dt, with target and rate held constant."""
    return target + (value - target) * np.exp(-rate * dt)


class Market:
    """Awareness, brand equity and leads for every firm in every segment."""

    def __init__(self, scenario: Scenario, params: FirmParams, seed: int, streams: int = 2) -> None:
        """streams: 2 = day-keyed random streams; 1 = round-keyed (saves of version 1)."""
        segs = scenario.segments
        firms = scenario.firms
        self.scenario = scenario
        self.params = params
        F, S = len(firms), len(segs)
        self.shape = (F, S)
        seg = lambda name: np.array([float(getattr(s, name)) for s in segs])  # noqa: E731
        self.accounts = seg("accounts")
        self.deal_value = seg("deal_value")
        self.innovation = seg("innovation")
        self.imitation = seg("imitation")
        self.forgetting = seg("forgetting")
        self.ad_lift = seg("ad_lift")
        self.ad_half = seg("ad_half_saturation")
        self.ad_shape = seg("ad_shape")
        self.interest = seg("interest")
        self.elasticity = seg("price_elasticity")
        self.relationship = seg("relationship_weight")
        self.cycle_days = seg("cycle_days")
        self.patience_days = seg("patience_days")
        self.fade = np.array(
            [
                np.log(2.0) / s.response_half_life_days if s.response_half_life_days else 0.0
                for s in segs
            ]
        )
        self.churn = seg("churn")

        aware0 = np.array([[f.awareness.get(s.id, 0.0) for s in segs] for f in firms])
        self.aware = np.rint(aware0 * self.accounts)
        self.brand = np.array([float(f.brand_equity) for f in firms])
        self.price = np.array([float(f.price) for f in firms])
        self.price_cut = np.zeros(F)  # event: price war, fraction off the decided price
        self.active = np.ones(F, dtype=bool)
        self.stock = {ch: np.zeros(self.shape) for ch in ("advertising", "pr", "demand_gen")}
        self.daily_spend = {ch: np.zeros(self.shape) for ch in self.stock}
        self.daily_marketing = np.zeros(F)  # currency per day, all channels and segments
        self.targeting = np.tile(self._potential(), (F, 1))
        self.interest_multiplier = np.ones(S)
        self.churn_multiplier = np.ones(S)
        self._cells = np.arange(3 * S)  # (kind, segment) cells of a day's lead counts, kind-major
        # ... and a fourth block on a day some leads come back from nurture (inbound leads);
        # a cell's segment is cell % S
        self._cells_back = np.arange(4 * S)
        self._kind_of_cell = np.array([INBOUND, REFERRAL, OUTBOUND, INBOUND])[self._cells_back // S]
        # the qualification bar and the nurture stock (sim.model.nurture)
        self.qualification = np.zeros(F)
        self.nurture = np.zeros(self.shape)  # leads in nurture
        self.nurture_in = np.zeros(self.shape)  # sent to nurture this round
        self.nurture_back = np.zeros(self.shape)  # back from nurture this round
        self.daily_nurture = np.zeros(F)  # today's nurture cost, currency
        # the perceptual map (sim.model.positioning) and the product (sim.model.product)
        self.ideal_base = np.array([s.ideal.xy() if s.ideal else (0.5, 0.5) for s in segs])
        self.ideal_drift = np.array([(s.ideal_drift.power, s.ideal_drift.service) for s in segs])
        self.ideal = self.ideal_base.copy()
        self.fit_weight = np.array([s.fit_weight if s.ideal is not None else 0.0 for s in segs])
        start = np.array([f.position.xy() for f in firms], dtype=float).reshape(F, 2)
        self.position = np.repeat(start[:, None, :], S, axis=1)
        self.target = start.copy()
        self.quality = start[:, 0].copy()
        self.service_anchor = start[:, 1].copy()
        self.rd_stock = np.zeros(F)
        self.daily_rd = np.zeros(F)
        self.h_rd = np.zeros(F)
        per_day = streams >= 2
        self.awareness_chance = [Chance(seed, "awareness", i, per_day) for i in range(F)]
        self.lead_chance = [Chance(seed, "leads", i, per_day) for i in range(F)]
        self.nurture_chance = [Chance(seed, "nurture", i, per_day) for i in range(F)]
        # routes to market (sim.model.routes): partners and self-serve, where a segment has them
        self.routes = RoutesToMarket(seed, F, S, per_day)
        self.partner_capacity = seg("partner_capacity")
        self.partner_reach = seg("partner_leads")
        conversion = seg("self_serve_conversion")
        with np.errstate(divide="ignore"):
            self.self_serve_logit = np.where(
                conversion > 0,
                np.log(conversion) - np.log1p(-np.minimum(conversion, 1 - 1e-12)),
                -np.inf,
            )
        # last tick's figures, for reports
        self.h_ad = np.zeros(self.shape)
        self.h_pr = np.zeros(F)
        self.h_dg = np.zeros(self.shape)
        # the round's warm leads (inbound + referral) per firm and segment, for the gauge's
        # outlook (sim.model.outlook): expected before and after routes, and drawn
        self.warm_pre = np.zeros(self.shape)
        self.warm_expected = np.zeros(self.shape)
        self.warm_drawn = np.zeros(self.shape)

    def _potential(self) -> np.ndarray:
        pot = self.accounts * self.deal_value
        return pot / pot.sum()

    # --- decisions -------------------------------------------------------------------------

    def set_spend(
        self, firm: int, budget: float, mix: dict[str, float], targeting: np.ndarray, days: int
    ) -> None:
        """Spread a round's marketing budget evenly over its days, by channel and segment."""
        for ch in self.daily_spend:
            self.daily_spend[ch][firm] = budget * mix.get(ch, 0.0) * targeting / days
        self.targeting[firm] = targeting
        self.daily_marketing[firm] = sum(s[firm].sum() for s in self.daily_spend.values())

    def hold_out(self, firm: int, segment: int) -> None:
        """A lift test: the firm's advertising aimed at `segment` is not spent this round."""
        self.daily_spend["advertising"][firm, segment] = 0.0
        self.daily_marketing[firm] = sum(s[firm].sum() for s in self.daily_spend.values())

    def set_product(self, firm: int, budget: float, days: int) -> None:
        """Spread a round's R&D budget evenly over its days."""
        self.daily_rd[firm] = budget / days

    def set_target(self, firm: int, power: float, service: float) -> None:
        """The position the firm's communications claim from now on."""
        self.target[firm] = (power, service)

    def start_round(self, round_no: int) -> None:
        """Segment ideals move as the scenario says (round 1: where they start); the round's
        nurture counts start again."""
        self.ideal = drifted_ideal(self.ideal_base, self.ideal_drift, round_no)
        self.nurture_in = np.zeros(self.shape)
        self.nurture_back = np.zeros(self.shape)
        self.warm_pre = np.zeros(self.shape)
        self.warm_expected = np.zeros(self.shape)
        self.warm_drawn = np.zeros(self.shape)
        self.routes.start_round()

    def withdraw(self, firm: int) -> None:
        """A bankrupt firm leaves: no spend, no carry-over, nobody remembers it."""
        self.active[firm] = False
        self.aware[firm] = 0.0
        self.daily_marketing[firm] = 0.0
        self.daily_rd[firm] = 0.0
        self.nurture[firm] = 0.0
        self.qualification[firm] = 0.0
        self.routes.withdraw(firm)
        for ch in self.daily_spend:
            self.daily_spend[ch][firm] = 0.0
            self.stock[ch][firm] = 0.0

    def effective_price(self) -> np.ndarray:
        return self.price * (1.0 - self.price_cut)

    # --- one day ---------------------------------------------------------------------------

    def advertise(self) -> None:
        """Adstock every channel, then saturate: h_ad, h_dg per segment, h_pr per firm."""
        p = self.params
        for ch, stock in self.stock.items():
            self.stock[ch] = adstock(stock, self.daily_spend[ch], p.decay[ch][:, None])
        self.h_ad = hill(self.stock["advertising"], self.ad_half, self.ad_shape)
        self.h_pr = hill(self.stock["pr"].sum(axis=1), p.pr_half_saturation, 1.0)
        self.h_dg = hill(self.stock["demand_gen"], p.demand_gen_half_saturation[:, None], 1.0)

    def develop(self) -> None:
        """R&D stock (adstock), its saturation, and quality one day on (`sim.model.product`)."""
        p = self.params
        self.rd_stock = adstock(self.rd_stock, self.daily_rd, p.rd_decay)
        self.h_rd = hill(self.rd_stock, p.rd_half_saturation, 1.0)
        moved = improve(self.quality, self.h_rd, p.quality_gain_rate, p.quality_obsolescence, DT)
        self.quality = np.where(self.active, moved, self.quality)

    def reposition(self) -> None:
        """Perceived positions one day on (`sim.model.positioning`): communications pull toward the
        target, reality (power = quality, the starting service) pulls back."""
        p = self.params
        move = p.position_move_rate[:, None] * (self.h_ad + self.h_pr[:, None]) / 2.0
        reality = np.stack([self.quality, self.service_anchor], axis=1)
        moved = settle(
            self.position, self.target, reality, move, p.position_drift_rate[:, None], DT
        )
        self.position = np.where(self.active[:, None, None], moved, self.position)

    def fit(self) -> np.ndarray:
        """w_s |P - I_s|^2, firms x segments: log-appeal and logit lost to a poor fit."""
        return fit_penalty(self.position, self.ideal, self.fit_weight)

    def learning_hazard(self, aware: np.ndarray) -> np.ndarray:
        """Generalized Bass: the rate (per year) at which unaware accounts learn of each firm,
        p + ad_lift h_ad + q A, firms x segments, at awareness `aware` (accounts)."""
        return self.innovation + self.ad_lift * self.h_ad + self.imitation * (aware / self.accounts)

    def spread_awareness(self, customers: np.ndarray) -> None:
        """Generalized Bass: unaware accounts learn at (p + ad_lift h_ad + q A) per year;
        aware non-customers forget at `forgetting` per year. Customers never forget."""
        N = self.accounts
        hazard = self.learning_hazard(self.aware)
        learn_p = -np.expm1(-hazard * DT)
        forget_p = -np.expm1(-self.forgetting * DT)
        # trials[i] = (unaware, forgettable) and chances[i] = (learn, forget), per segment
        F, S = self.shape
        trials = np.empty((F, 2, S))
        np.subtract(N, self.aware, out=trials[:, 0])
        np.subtract(self.aware, customers, out=trials[:, 1])
        chances = np.empty((F, 2, S))
        chances[:, 0] = learn_p
        chances[:, 1] = forget_p
        moved = np.zeros((F, 2, S))  # (gained, lost) per firm and segment
        for i in np.flatnonzero(self.active).tolist():
            moved[i] = self.awareness_chance[i].binomial(trials[i], chances[i])
        after = np.clip(self.aware + moved[:, 0] - moved[:, 1], customers, N)
        self.aware = np.where(self.active[:, None], after, self.aware)

    def build_brand(self, satisfaction: np.ndarray, customers: np.ndarray) -> None:
        """Nerlove-Arrow goodwill on 0..100: dG/dt = delta (100 h_pr - G) + m (Sat - G), where
        delta = ln 2 / half-life and m = satisfaction_pull x c / (c + 50) for c customers."""
        rate, target = self.goodwill(satisfaction, customers)
        self.brand = np.where(self.active, relax(self.brand, target, rate, DT), self.brand)

    def goodwill(
        self, satisfaction: np.ndarray, customers: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per firm, the rate (per year) at which brand equity moves and the level it moves
        toward (`build_brand`): delta + m, and (delta 100 h_pr + m Sat) / (delta + m)."""
        p = self.params
        delta = np.log(2.0) / (p.brand_half_life_days / 365.0)
        c = customers.sum(axis=1)
        m = p.satisfaction_pull * c / (c + 50.0)
        rate = delta + m
        return rate, (delta * 100.0 * self.h_pr + m * satisfaction) / rate

    def appeal(self, fit: np.ndarray | float = 0.0) -> np.ndarray:
        """How much an aware prospect wants to talk to the firm (1 = neutral), firms x segments:
        (1 + lift h_dg) exp(brand_lift (G - 50)/50) exp(-elasticity (price - 1)) e^-fit."""
        p = self.params
        brand = np.exp(p.brand_lift * (self.brand - 50.0) / 50.0)
        price = np.exp(-self.elasticity * (self.effective_price()[:, None] - 1.0))
        return (
            (1.0 + p.demand_gen_lift[:, None] * self.h_dg) * brand[:, None] * price * np.exp(-fit)
        )

    def utility_parts(
        self,
        skill: np.ndarray,
        effort: np.ndarray,
        fit: np.ndarray | float = 0.0,
        expertise: np.ndarray | None = None,
    ) -> np.ndarray:
        """The parts of a buyer's utility of each firm in each segment (logit scale), stacked
        as REASONS orders them: price, brand (weighted by 1 - relationship_weight), rep skill
        and the reps' expertise in the segment (`expertise`, F x S, a coverage plan's; by
        relationship_weight), fit on the map, and sales effort. Shape parts x F x S."""
        p = self.params
        rw = self.relationship
        F, S = self.shape
        brand = p.brand_win_weight[:, None] * (self.brand[:, None] - 50.0) / 50.0
        rep = p.skill_win_weight[:, None] * (2.0 * skill[:, None] - 1.0)
        price = self.elasticity * (self.effective_price()[:, None] - 1.0)
        push = p.commission_win_weight[:, None] * (effort[:, None] - 0.5)
        parts = np.empty((5, F, S))
        parts[0] = -price
        parts[1] = (1.0 - rw) * brand
        parts[2] = rw * rep
        if expertise is not None:
            parts[2] += rw * p.specialisation_win_weight[:, None] * expertise
        parts[3] = -fit
        parts[4] = push
        return parts

    def utility(
        self, skill: np.ndarray, effort: np.ndarray, fit: np.ndarray | float = 0.0
    ) -> np.ndarray:
        """A buyer's utility of each firm in each segment: the sum of `utility_parts`."""
        return self.utility_parts(skill, effort, fit).sum(axis=0)

    def aware_prospects(self, customers: np.ndarray, prospects: np.ndarray) -> np.ndarray:
        """Accounts that know firm i and buy from nobody: its aware non-customers, thinned by
        the share of its non-customers that are prospects (independence assumption)."""
        others = np.maximum(self.accounts - customers, 1.0)
        return np.maximum(self.aware - customers, 0.0) * prospects / others

    def lead_rates(self, accounts: Accounts, appeal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected inbound and referral leads per day, firms x segments.

        inbound = interest / 365 x aware prospects x appeal x (recession multiplier);
        referral = referral_rate / 365 x customers x satisfaction / 100 x prospect share."""
        cust = accounts.customers
        prospects = accounts.prospects
        aware_prospects = self.aware_prospects(cust, prospects)
        inbound = (self.interest * self.interest_multiplier * DT) * aware_prospects * appeal
        referral = (
            (self.params.referral_rate * DT * accounts.satisfaction / 100.0)[:, None]
            * cust
            * (prospects / self.accounts)
        )
        share_aware = aware_prospects / np.maximum(prospects, 1e-9)
        return np.stack([inbound, referral], axis=1), share_aware

    def leads_today(
        self,
        rates: np.ndarray,
        share_aware: np.ndarray,
        idle: np.ndarray,
        utility: np.ndarray,
        present: np.ndarray,
        effort: np.ndarray,
        parts: np.ndarray | None = None,
        room: float = math.inf,
        covered: dict[int, np.ndarray] | None = None,
        back: dict[int, np.ndarray] | None = None,
    ) -> dict[int, LeadBatch]:
        """Today's leads for every firm (inbound, referral, outbound) with odds and cycle;
        `NoRoom` if there are more than `room` of them (checked before any is made).

        Each firm draws from its own streams (counts, uniforms, cycle times); the arithmetic
        then runs over all firms' leads at once. Each lead's win probability is a multinomial
        logit against the status quo and the rivals the buyer knows:
        p = 1 / (1 + e^-(U_i + warmth + win_base) + sum_j e^(U_j - U_i - warmth)), where rival
        j is on the shortlist with probability present[j, s] (its awareness).

        Each lead also carries the reason it would be lost (for the win/loss study): the loss
        goes to a rival with probability pressure / (pressure + e^-(U_i + warmth + win_base)),
        read off the same uniform that decides the deal; otherwise the buyer stays with the
        status quo, for the weakest part of the firm's utility (price, brand, rep or fit)."""
        p = self.params
        F, S = self.shape
        outbound_rate = (p.prospect_rate * idle)[:, None] * self.targeting
        for i, idle_by in (covered or {}).items():  # a coverage plan: reps prospect their own
            outbound_rate[i] = p.prospect_rate[i] * idle_by
        lam = np.concatenate([rates.reshape(F, 2 * S), outbound_rate], axis=1)
        blocks: list[tuple[int, int]] = []
        cells, us, gs, ss = [], [], [], []
        if float(lam[self.active].sum()) > room:
            # More leads expected today than the game has room for (a fortune spent on reps,
            # every one prospecting): stop before drawing them (a Poisson mean past 2^63 does
            # not draw at all).
            raise NoRoom(int(min(lam[self.active].sum(), 2**62)))
        for i, chance in enumerate(self.lead_chance):
            if not self.active[i]:
                continue
            counts = chance.count(lam[i])
            self.warm_drawn[i] += counts[:S] + counts[S : 2 * S]
            returning = (back or {}).get(i)
            if returning is not None:  # leads back from nurture: inbound, a block of their own
                counts = np.concatenate([counts, returning.astype(np.int64)])
            n = int(counts.sum())
            if n == 0:
                continue
            room -= n
            if room < 0:
                raise NoRoom(n)
            blocks.append((i, n))
            cells.append(np.repeat(self._cells if returning is None else self._cells_back, counts))
            own, cycle, shortlist = chance.lead_draws(n, F, p.cycle_shape[i])
            us.append(own)
            gs.append(cycle)
            ss.append(shortlist)
        if not blocks:
            return {}
        firm = np.repeat([i for i, _ in blocks], [n for _, n in blocks])
        cell = np.concatenate(cells)
        u = np.concatenate(us)
        kinds = self._kind_of_cell[cell]
        segments = cell % S
        outbound = kinds == OUTBOUND
        knows = ~outbound | (u[:, 0] < share_aware[firm, segments])
        warmth = p.referral_bonus[firm] * (kinds == REFERRAL) - outbound * (
            p.outbound_penalty[firm] + p.unaware_penalty[firm] * ~knows
        )
        returned = cell >= 3 * S if back else None  # leads back from nurture (none most days)
        if returned is not None:
            warmth = warmth + p.nurture_warmth[firm] * returned
        own = utility[firm, segments] + warmth
        rivals = np.concatenate(ss) < present[:, segments].T
        rivals[np.arange(len(firm)), firm] = False
        pressure = (rivals * np.exp(utility[:, segments].T - own[:, None])).sum(axis=1)
        status_quo = np.exp(-(own + p.win_base[firm]))
        p_win = 1.0 / (1.0 + status_quo + pressure)
        rival_share = pressure / np.maximum(pressure + status_quo, 1e-300)
        if parts is None:
            reason = np.full(len(firm), RIVAL)
        else:
            where_lost = (u[:, 2] - p_win) / np.maximum(1.0 - p_win, 1e-12)
            weakest = np.argmin(parts[:4][:, firm, segments], axis=0)
            reason = np.where(where_lost < rival_share, RIVAL, weakest)
        cycle = np.concatenate(gs) * self.cycle_days[segments] / (0.7 + 0.6 * effort[firm])
        if self.qualification[[i for i, _ in blocks]].any():
            keep = self.qualify(firm, kinds, segments, u[:, 2], returned)
            firm, cycle, u, kinds, segments, p_win, reason = (
                a[keep] for a in (firm, cycle, u, kinds, segments, p_win, reason)
            )
            outbound = kinds == OUTBOUND
            blocks = [(i, int((firm == i).sum())) for i, _ in blocks]
            blocks = [(i, n) for i, n in blocks if n > 0]
            if not blocks:
                return {}
        patience = self.patience_days[segments]
        fade = self.fade[segments]
        offered = np.where(outbound, 0.0, cycle * expected_hold_share(p_win))
        # Each firm's leads arrive in the order of their offsets: one sort for all firms
        # (by firm, then offset), then every array is cut into the firms' blocks.
        perm = np.lexsort((u[:, 1], firm))
        offsets = u[perm, 1]
        segment, kind, p_win_, cycle_, fate, patience_, fade_, reason_ = (
            a[perm] for a in (segments, kinds, p_win, cycle, u[:, 2], patience, fade, reason)
        )
        offered_by = np.bincount(firm * S + segments, weights=offered, minlength=F * S)
        offered_by = offered_by.reshape(F, S)
        batches = {}
        start = 0
        for i, n in blocks:
            block = slice(start, start + n)
            start += n
            batches[i] = LeadBatch(
                segment=segment[block],
                kind=kind[block],
                p_win=p_win_[block],
                cycle=cycle_[block],
                fate=fate[block],
                offset=offsets[block],
                patience=patience_[block],
                fade=fade_[block],
                reason=reason_[block],
                offered=float(offered[block].sum()),
                offered_by=offered_by[i],
            )
        return batches

    def qualify(
        self,
        firm: np.ndarray,
        kinds: np.ndarray,
        segments: np.ndarray,
        fate: np.ndarray,
        returned: np.ndarray | None,
    ) -> np.ndarray:
        """The qualification bar: each firm with a bar scores its new warm leads
        (`sim.model.nurture.lead_score`) and sends those below the bar to nurture, at its
        cost per lead. Returns which of today's leads go on to sales."""
        p = self.params
        S = self.shape[1]
        keep = np.ones(len(firm), dtype=bool)
        for i in np.flatnonzero(self.qualification > 0).tolist():
            warm = (firm == i) & (kinds != OUTBOUND)
            new_warm = np.flatnonzero(warm if returned is None else warm & ~returned)
            if len(new_warm) == 0:
                continue
            noise = self.nurture_chance[i].uniform(len(new_warm))
            score = lead_score(fate[new_warm], noise, float(p.lead_score_accuracy[i]))
            sent = new_warm[score < self.qualification[i]]
            keep[sent] = False
            by_segment = np.bincount(segments[sent], minlength=S).astype(float)
            self.nurture[i] += by_segment
            self.nurture_in[i] += by_segment
            self.daily_nurture[i] += len(sent) * float(p.nurture_cost[i])
        return keep

    def leave_nurture(self) -> dict[int, np.ndarray]:
        """One day of every firm's nurture stock: the leads coming back to sales today, by
        firm (`sim.model.nurture.release`)."""
        p = self.params
        back = {}
        for i in np.flatnonzero(self.active & (self.nurture.sum(axis=1) > 0)).tolist():
            self.nurture[i], came = release(
                self.nurture[i],
                float(p.nurture_return_rate[i]),
                float(p.nurture_drop_rate[i]),
                self.nurture_chance[i],
            )
            if came.any():
                back[i] = came
                self.nurture_back[i] += came
        return back

    def route(
        self,
        rates: np.ndarray,
        parts: np.ndarray,
        utility: np.ndarray,
        present: np.ndarray,
        prospects: np.ndarray,
        routing: np.ndarray,
    ) -> tuple[np.ndarray, dict[int, tuple[np.ndarray, np.ndarray]]]:
        """Routes to market for a day (`sim.model.routes`): each firm `routing` sends its
        shares of the warm leads to partners and self-serve. Returns the warm lead rates left
        for the reps, and by firm the deals its partners signed and its self-serve sign-ups,
        by segment."""
        p = self.params
        routes = self.routes
        warm = rates.sum(axis=1)  # inbound + referral, firms x segments
        direct = rates * routes.direct_share()[:, None, :]
        rw = self.relationship
        partner_u = (
            parts[0]
            + p.partner_brand_weight[:, None] * parts[1]
            + rw * (p.skill_win_weight * (2.0 * p.partner_skill - 1.0))[:, None]
            + parts[3]
        )
        serve_x = self.self_serve_logit + parts[0] + parts[3]
        serve_x = serve_x + (p.self_serve_quality_weight * 2.0 * (self.quality - 0.5))[:, None]
        with np.errstate(over="ignore"):
            p_self = logistic(serve_x)  # 0 where a segment has no self-serve (logit -inf)
        # the rivals' pull on a partner's buyer: sum over j != i of a_j e^(U_j - U_p,i)
        pull = present * np.exp(utility)
        pressure = (pull.sum(axis=0) - pull) * np.exp(-partner_u)
        p_partner = 1.0 / (1.0 + np.exp(-(partner_u + p.win_base[:, None])) + pressure)
        signed = {}
        for i in np.flatnonzero(routing).tolist():
            signed[i] = routes.day(
                i,
                warm[i],
                prospects,
                self.partner_capacity,
                self.partner_reach,
                self.cycle_days,
                p_partner[i],
                p_self[i],
            )
        return direct, signed

    # --- one day --------------------------------------------------------------------------------

    def day(
        self, today: int, accounts: Accounts, forces: list[SalesForce], room: float = math.inf
    ) -> tuple[
        list[float],
        list[float],
        dict[int, LeadBatch],
        dict[int, tuple[np.ndarray, np.ndarray]],
    ]:
        """One day of the market: marketing works, customers are served (or churn), leads are
        drawn, routes to market sell. Returns each firm's revenue and cost to serve today, its
        leads, and (firms with routes) its partner deals and self-serve sign-ups by segment;
        more than `room` leads today raise `NoRoom` before any is made."""
        for chance in (
            *self.awareness_chance,
            *self.lead_chance,
            *accounts.chance,
            *self.nurture_chance,
        ):
            chance.start_day(today)
        self.daily_nurture[:] = 0.0
        self.advertise()
        self.develop()
        self.reposition()
        fit = self.fit()
        self.spread_awareness(accounts.customers)
        self.build_brand(accounts.satisfaction, accounts.customers)
        skill = np.fromiter((f.skill for f in forces), float, len(forces))
        effort = np.fromiter((f.effort for f in forces), float, len(forces))
        held = accounts.customers.sum(axis=1)
        coverage = np.fromiter(
            (f.coverage(c) for f, c in zip(forces, held.tolist(), strict=True)),
            float,
            len(forces),
        )
        quality_bonus = self.params.quality_satisfaction * (self.quality - 0.5)
        accounts.satisfy(coverage, self.effective_price(), skill, self.active, quality_bonus)
        revenue, serving = accounts.serve(coverage, self.churn_multiplier, self.active)
        expertise = None
        if any(f.expertise.any() for f in forces):
            expertise = np.stack([f.expertise for f in forces])
        parts = self.utility_parts(skill, effort, fit, expertise)
        utility = parts.sum(axis=0)
        rates, share_aware = self.lead_rates(accounts, self.appeal(fit))
        self.warm_pre += rates.sum(axis=1)
        engaged = np.fromiter((f.hunting_slots > 0 for f in forces), bool, len(forces))
        present = (self.aware / self.accounts) * (self.active & engaged)[:, None]
        signed: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        routing = self.active & self.routes.used
        if routing.any():
            rates, signed = self.route(rates, parts, utility, present, accounts.prospects, routing)
        self.warm_expected += rates.sum(axis=1)
        idle = np.fromiter((f.idle_slots() for f in forces), float, len(forces))
        covered = {i: v for i, f in enumerate(forces) if (v := f.idle_by_segment()) is not None}
        back = self.leave_nurture() if self.nurture.any() else None
        batches = self.leads_today(
            rates, share_aware, idle, utility, present, effort, parts, room, covered, back
        )
        return revenue.tolist(), serving.tolist(), batches, signed
