"""Routes to market: channel partners and self-serve sign-up, beside the direct sales force
(docs/MODEL.md, "Routes to market").

Per firm and segment, a share r_p of the warm leads (inbound and referrals) goes to channel
partners and a share r_s to self-serve online; the rest, and every lead the reps find by
prospecting, go to the firm's reps as before. Without routes every lead goes to the reps.

Partners bring their own reach and selling capacity for a margin m on the first-year value of
every deal they close. What a firm gets of them follows the margin it offers:

    e(m) = m^4 / (m^4 + h^4)                      (engagement, 0..1; h = partner_margin_half)
    capacity  c = partner_capacity x e(m)             deals in flight at once
    own leads   = partner_leads x r_p x e(m) x prospects / 365    a day

The capacity is the partner network's, whatever share of the segment it is given; its reach
grows with the share (the territory it works for the firm). So a small share finds room for
every lead, and a large one turns leads away that the reps could have worked.

A partner works each lead it takes for an exponential time of mean `cycle_days`, won or lost,
and signs the won ones at the end. It does not queue: a lead that finds all c places taken is
turned away. That is Erlang's loss system, so the share turned away is Erlang's B(c, a) at the
offered load a = arrivals a day x cycle_days, whatever the cycle's distribution. A partner
sells its own relationship: on its deals the odds take the partner's skill in place of the
reps', no commission push or segment expertise, and the firm's brand counts only
`partner_brand_weight` of its part; rivals weigh in by their awareness:

    p = 1 / (1 + e^-(U + win_base) + sum_j a_j e^(U_j - U))

Self-serve buyers sign up without a rep, at once or never, with probability

    sigma = logistic(logit(c_s) - elasticity (price - 1) + w_q 2 (quality - 0.5) - fit)

where c_s is the segment's `self_serve_conversion` (at list price, average quality, a perfect
fit), and then churn at `self_serve_churn` x the segment's rate (`sim.model.accounts`).

Every count here is drawn from the firm's own "routes" stream; the state is plain arrays (in
flight by outcome), so a snapshot carries it as data.
"""

from __future__ import annotations

import numpy as np

from sim.model.chance import Chance

DT = 1.0 / 365.0
DIRECT, PARTNER, SELF_SERVE = 0, 1, 2
ROUTES = ("direct", "partner", "self_serve")
ENGAGEMENT_SHAPE = 4.0


def engagement(margin: np.ndarray | float, half: np.ndarray | float) -> np.ndarray:
    """How much of their capacity and reach partners give a firm at margin m: Hill,
    m^4 / (m^4 + h^4); half of it at m = h."""
    m = np.maximum(np.asarray(margin, dtype=float), 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        x = (m / half) ** ENGAGEMENT_SHAPE
        # a margin far above a tiny half gives x = inf: the whole network (inf / inf is NaN)
        return np.asarray(np.where(np.isinf(x), 1.0, x / (1.0 + x)))


def erlang_b(servers: int, load: float) -> float:
    """Erlang's loss formula B(c, a): the share of arrivals turned away by c servers at offered
    load a (Erlangs), by the stable recursion B(k) = a B(k-1) / (k + a B(k-1))."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def logistic(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


class RoutesToMarket:
    """Every firm's partner and self-serve routes: shares, partners' deals in flight, and the
    round's counts."""

    def __init__(self, seed: int, firms: int, segments: int, per_day: bool = True) -> None:
        shape = (firms, segments)
        self.partner = np.zeros(shape)  # share of warm leads sent to partners
        self.self_serve = np.zeros(shape)  # ... and to self-serve
        self.margin = np.zeros(firms)  # partner margin on first-year value
        self.engaged = np.zeros(firms)  # e(margin)
        self.winning = np.zeros(shape)  # partners' deals in flight that will be won
        self.losing = np.zeros(shape)  # ... and lost
        self.chance = [Chance(seed, "routes", i, per_day) for i in range(firms)]
        self.start_round()

    def start_round(self) -> None:
        """The round's counts start again."""
        shape = self.partner.shape
        self.partner_leads = np.zeros(shape)  # leads that went to partners (theirs and ours)
        self.partner_turned_away = np.zeros(shape)  # ... and found every place taken
        self.self_serve_leads = np.zeros(shape)

    def decide(
        self,
        firm: int,
        partner: np.ndarray,
        self_serve: np.ndarray,
        margin: float,
        half: float,
    ) -> None:
        """A firm's routes for the round (shares by segment, the partner margin)."""
        self.partner[firm] = partner
        self.self_serve[firm] = self_serve
        self.margin[firm] = margin
        self.engaged[firm] = float(engagement(margin, half))

    @property
    def used(self) -> np.ndarray:
        """Which firms send leads by a route, or still have partners' deals in flight."""
        flight = (self.winning + self.losing).sum(axis=1) > 0
        return (self.partner.sum(axis=1) + self.self_serve.sum(axis=1) > 0) | flight

    def direct_share(self) -> np.ndarray:
        """The share of each firm's warm leads that go to its reps, firms x segments."""
        return 1.0 - self.partner - self.self_serve

    def withdraw(self, firm: int) -> None:
        """A bankrupt firm's partners stop selling for it."""
        for table in (self.partner, self.self_serve, self.winning, self.losing):
            table[firm] = 0.0
        self.engaged[firm] = 0.0

    def day(
        self,
        firm: int,
        warm: np.ndarray,
        prospects: np.ndarray,
        capacity: np.ndarray,
        reach: np.ndarray,
        cycle_days: np.ndarray,
        p_partner: np.ndarray,
        p_self: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """One day of a firm's routes, by segment: partners' deals end (the won ones sign),
        today's partner and self-serve leads arrive (`warm`: the firm's expected warm leads
        today, before routing), partners take what they have room for, self-serve buyers
        sign or leave. Returns (partner deals signed, self-serve sign-ups) by segment."""
        chance = self.chance[firm]
        partner, serve = self.partner[firm], self.self_serve[firm]
        signed_p = np.zeros_like(warm)
        if self.winning[firm].any() or self.losing[firm].any():
            # the deals that end today, won then lost (one call: the same draws, in order)
            flight = np.empty((2, len(warm)))
            flight[0], flight[1] = self.winning[firm], self.losing[firm]
            ended = chance.binomial(flight, -np.expm1(-1.0 / cycle_days))
            signed_p = ended[0]
            self.winning[firm] -= signed_p
            self.losing[firm] -= ended[1]
        if partner.any():
            e = self.engaged[firm]
            lam = partner * (warm + e * reach * prospects * DT)
            came = chance.count(lam).astype(float)
            room = np.floor(capacity * e) - self.winning[firm] - self.losing[firm]
            taken = np.minimum(came, np.maximum(room, 0.0))
            wins = chance.binomial(taken, p_partner)
            self.winning[firm] += wins
            self.losing[firm] += taken - wins
            self.partner_leads[firm] += came
            self.partner_turned_away[firm] += came - taken
        signed_s = np.zeros_like(warm)
        if serve.any():
            came = chance.count(serve * warm).astype(float)
            signed_s = chance.binomial(came, p_self)
            self.self_serve_leads[firm] += came
        return signed_p, signed_s
