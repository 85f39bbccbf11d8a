"""The silent reserve: qualified people outside teaching, held as age x years-out cohorts.

Everyone who leaves education before the early-retirement ages joins the reserve with the age
they had when they left and zero years out. Each year the whole reserve ages a year (age and
years out both go up by one); people who reach the pension age of that calendar year leave it
(as teachers retire, see :func:`retirement_share`). A member seeks to return to teaching with a
yearly hazard that declines with the years out:

    hazard(y) = returner_rate x (1 - returner_rate_decline) ** y / outside_labour_market_tightness

times, when members seek (:meth:`draw_seekers`), the pull of the region's shortage
(``RegionModel.inflow_pull``: more return when the shortage has risen since the start).

where ``y`` is the number of whole years since they left (0 in the year they leave). Returners are
drawn from the cells, so a hire's age is the returner's own age; those who find no vacancy stay
in their cell.

The counts are integers in one array ``counts[age - MIN_AGE, years_out]``; every rule acts on
the whole array at once. Years out above :data:`MAX_YEARS_OUT` are pooled in the last column.

**Who is who.** Members who left the model's own workforce keep their ``unique_id``: the
reserve holds them beside the counts as (id, age, years out), one entry each, counted in their
cell. The cell rules stay as they are; which of a cell's members a draw takes is then drawn
among them (hypergeometric, from a separate identity stream, so the counts' draws do not
change). A returner hired back is the same person with the same id. Members of the initial
reserve were never agents of the run and have no id (-1); hired, they get a new one.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.model.table import rank_within

if TYPE_CHECKING:
    from sim.model.parameters import Parameters

MIN_AGE = 18
"""Youngest age held (teachers start at 22 at the earliest)."""
MAX_AGE = 80
"""Oldest age held; everyone leaves at the pension age long before."""
MAX_YEARS_OUT = 50
"""Years out above this are pooled in the last column (nobody is out longer than a career)."""


def pension_age(p: Parameters, year: int) -> float:
    """State pension (AOW) age in calendar ``year``: ``retirement_age``, raised by
    ``pension_age_rise`` from ``pension_age_rise_year`` on (67, then 67 years 3 months from 2028)."""
    return p.retirement_age + (p.pension_age_rise if year >= p.pension_age_rise_year else 0.0)


def retirement_share(age: np.ndarray, pension: float) -> np.ndarray:
    """Share of the people of whole age ``age`` at the census who reach the pension age this year.

    Ages are whole years at the census date. With a whole pension age ``A`` everyone aged ``A`` or
    more goes. With a fractional one (67.25) a share ``1 - frac(A)`` of those aged ``floor(A)``
    goes and the rest goes a year later, so the cohort works ``frac(A)`` of a year more on average
    (the yearly step cannot split a person's year); everyone aged ``floor(A) + 1`` or more goes.
    """
    return np.clip(np.asarray(age, dtype=float) - pension + 1.0, 0.0, 1.0)


class SilentReserve:
    """Qualified people outside teaching, counted by age and whole years since they left."""

    def __init__(self) -> None:
        self.counts = np.zeros((MAX_AGE - MIN_AGE + 1, MAX_YEARS_OUT + 1), dtype=np.int64)
        self.ages = np.arange(MIN_AGE, MAX_AGE + 1)
        self.years_out = np.arange(MAX_YEARS_OUT + 1)
        # members with a known id: id, age, years out (each also counted in ``counts``)
        self.known_uid = np.empty(0, dtype=np.int64)
        self.known_age = np.empty(0, dtype=np.int64)
        self.known_out = np.empty(0, dtype=np.int64)

    def _cell(self, ages: np.ndarray, years_out: np.ndarray) -> np.ndarray:
        """Flat cell index of (age, years out) pairs."""
        y = np.minimum(np.asarray(years_out, dtype=np.int64), MAX_YEARS_OUT)
        return (np.asarray(ages, dtype=np.int64) - MIN_AGE) * (MAX_YEARS_OUT + 1) + y

    def _pick_known(self, taken: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Which known members a draw of ``taken`` people per cell (flat array) takes: in each
        cell the number of known members taken is hypergeometric, and which ones is random.
        Returns a boolean mask over the known members."""
        if self.known_uid.size == 0:
            return np.zeros(0, dtype=bool)
        cell = self._cell(self.known_age, self.known_out)
        flat = self.counts.ravel()
        k = np.bincount(cell, minlength=flat.size)
        cells = np.flatnonzero((k > 0) & (taken > 0))
        n_take = np.zeros(flat.size, dtype=np.int64)
        if cells.size:
            n_take[cells] = rng.hypergeometric(k[cells], flat[cells] - k[cells], taken[cells])
        order = rng.permutation(cell.size)
        rank = np.empty(cell.size, dtype=np.int64)
        rank[order] = rank_within(cell[order])
        return rank < n_take[cell]

    # ---------------------------------------------------------------- state
    @property
    def size(self) -> int:
        """People in the reserve."""
        return int(self.counts.sum())

    @property
    def mean_age(self) -> float:
        """Mean age of the people in the reserve (NaN when empty)."""
        n = self.counts.sum()
        return float(self.counts.sum(1) @ self.ages / n) if n else float("nan")

    @property
    def mean_years_out(self) -> float:
        """Mean whole years since leaving (NaN when empty)."""
        n = self.counts.sum()
        return float(self.counts.sum(0) @ self.years_out / n) if n else float("nan")

    def people(self) -> tuple[np.ndarray, np.ndarray]:
        """Every member as (ages, years out), one entry per person."""
        a, y = np.nonzero(self.counts)
        k = self.counts[a, y]
        return np.repeat(self.ages[a], k), np.repeat(self.years_out[y], k)

    # ---------------------------------------------------------------- flows
    def add(
        self,
        ages: np.ndarray,
        years_out: np.ndarray | int = 0,
        uids: np.ndarray | None = None,
    ) -> None:
        """People join (or go back to) the reserve with their ages and years out (and their
        ids, when known; -1 for none).

        Raises:
            ValueError: an age lies outside the held range.
        """
        ages = np.asarray(ages, dtype=np.int64)
        if ages.size == 0:
            return
        if ages.min() < MIN_AGE or ages.max() > MAX_AGE:
            raise ValueError(f"reserve ages must lie in [{MIN_AGE}, {MAX_AGE}], got {ages}")
        y = np.minimum(
            np.broadcast_to(np.asarray(years_out, dtype=np.int64), ages.shape), MAX_YEARS_OUT
        )
        np.add.at(self.counts, (ages - MIN_AGE, y), 1)
        if uids is not None:
            uids = np.asarray(uids, dtype=np.int64)
            known = uids >= 0
            self.known_uid = np.concatenate([self.known_uid, uids[known]])
            self.known_age = np.concatenate([self.known_age, ages[known]])
            self.known_out = np.concatenate([self.known_out, y[known]])

    def remove(
        self, ages: np.ndarray, years_out: np.ndarray, uids: np.ndarray | None = None
    ) -> None:
        """People leave the reserve (returners who were hired), known ones by ``uids``.

        Raises:
            ValueError: a cell would become negative (someone not in the reserve).
        """
        ages = np.asarray(ages, dtype=np.int64)
        if ages.size == 0:
            return
        cells = (ages - MIN_AGE, np.minimum(np.asarray(years_out, dtype=np.int64), MAX_YEARS_OUT))
        np.subtract.at(self.counts, cells, 1)
        if (self.counts < 0).any():
            raise ValueError("removed people who are not in the silent reserve")
        if uids is not None and self.known_uid.size:
            keep = ~np.isin(self.known_uid, np.asarray(uids, dtype=np.int64))
            self.known_uid = self.known_uid[keep]
            self.known_age = self.known_age[keep]
            self.known_out = self.known_out[keep]

    def seeker_ids(
        self, ages: np.ndarray, years_out: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Ids of this year's seekers (as :meth:`draw_seekers` returns them, grouped by cell):
        in each cell, which members seek is drawn among its known and unknown members; -1 for
        a seeker without a known id."""
        out = np.full(np.asarray(ages).size, -1, dtype=np.int64)
        if out.size == 0 or self.known_uid.size == 0:
            return out
        cell = self._cell(ages, years_out)
        taken = np.bincount(cell, minlength=self.counts.size)
        chosen = self._pick_known(taken, rng)
        kcell = self._cell(self.known_age[chosen], self.known_out[chosen])
        kuid = self.known_uid[chosen]
        if kuid.size == 0:
            return out
        # the first known-many seekers of each cell carry the chosen ids
        korder = np.argsort(kcell, kind="stable")
        kcell, kuid = kcell[korder], kuid[korder]
        srank = rank_within(cell)
        krank = rank_within(kcell)
        key_k = kcell * (out.size + 1) + krank
        key_s = cell * (out.size + 1) + srank
        pos = np.searchsorted(key_k, key_s)
        hit = (pos < key_k.size) & (key_k[np.minimum(pos, key_k.size - 1)] == key_s)
        out[hit] = kuid[pos[hit]]
        return out

    def age_one_year(
        self, pension: float, rng: np.random.Generator, id_rng: np.random.Generator | None = None
    ) -> int:
        """Everyone ages a year and is a year longer out; those reaching ``pension`` leave
        (which known members leave is drawn from ``id_rng``).

        Returns:
            How many left at the pension age.
        """
        c = np.zeros_like(self.counts)
        c[1:, 1:] = self.counts[:-1, :-1]
        c[1:, -1] += self.counts[:-1, -1]  # the pooled last column stays pooled
        share = retirement_share(self.ages, pension)
        gone = rng.binomial(c, share[:, None])
        self.counts = c
        if self.known_uid.size:
            self.known_age = self.known_age + 1
            self.known_out = np.minimum(self.known_out + 1, MAX_YEARS_OUT)
            left = self._pick_known(gone.ravel(), id_rng if id_rng is not None else rng)
            self.known_uid = self.known_uid[~left]
            self.known_age = self.known_age[~left]
            self.known_out = self.known_out[~left]
        self.counts = c - gone
        return int(gone.sum())

    def return_hazard(self, p: Parameters) -> np.ndarray:
        """Yearly hazard of seeking to return, by whole years out (see the module docstring)."""
        h = p.returner_rate * (1.0 - p.returner_rate_decline) ** self.years_out
        return np.clip(h / p.outside_labour_market_tightness, 0.0, 1.0)

    def draw_seekers(
        self, p: Parameters, rng: np.random.Generator, pull: float = 1.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """This year's members who seek to return, as (ages, years out), with the hazard times
        ``pull`` (the shortage's pull, capped at a hazard of 1); they stay in the reserve until
        :meth:`remove` takes the ones who were hired."""
        hazard = np.clip(self.return_hazard(p) * pull, 0.0, 1.0)
        k = rng.binomial(self.counts, hazard[None, :])
        a, y = np.nonzero(k)
        n = k[a, y]
        return np.repeat(self.ages[a], n), np.repeat(self.years_out[y], n)

    # -------------------------------------------------------------- initial
    @classmethod
    def steady_state(
        cls,
        size: int,
        leaver_ages: np.ndarray,
        p: Parameters,
        year: int,
        rng: np.random.Generator,
    ) -> SilentReserve:
        """An initial reserve of ``size`` people with the structure a steady yearly flow of
        leavers would build.

        ``leaver_ages`` weighs each age at leaving (index = age - MIN_AGE). A leaver at age ``a``
        is in cell (a + y, y) ``y`` years later if they have not returned (survival
        prod_{k<y} (1 - hazard(k)) with the tightness of the scenario) and are under the pension
        age of ``year``. People are drawn from these weights (multinomial).
        """
        out = cls()
        w_leave = np.zeros(out.ages.size)
        w_leave[: leaver_ages.size] = leaver_ages[: out.ages.size]
        if size <= 0 or w_leave.sum() <= 0:
            return out
        stay = np.concatenate([[1.0], np.cumprod(1.0 - out.return_hazard(p))[:-1]])
        weights = np.zeros_like(out.counts, dtype=float)
        top = math.floor(pension_age(p, year))
        for y in range(MAX_YEARS_OUT + 1):
            weights[y:, y] = w_leave[: out.ages.size - y] * stay[y]
        weights[out.ages >= top, :] = 0.0
        total = weights.sum()
        if total <= 0:
            return out
        draw = rng.multinomial(size, (weights / total).ravel())
        out.counts = draw.reshape(out.counts.shape).astype(np.int64)
        return out
