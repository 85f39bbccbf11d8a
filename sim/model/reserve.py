"""The silent reserve: qualified people outside teaching, held as age x years-out cohorts.

Everyone who leaves education before the early-retirement ages joins the reserve with the age
they had when they left and zero years out. Each year the whole reserve ages a year (age and
years out both go up by one); people who reach the pension age of that calendar year leave it
(as teachers retire, see :func:`retirement_share`). A member seeks to return to teaching with a
yearly hazard that declines with the years out:

    hazard(y) = returner_rate x (1 - returner_rate_decline) ** y / outside_labour_market_tightness

where ``y`` is the number of whole years since they left (0 in the year they leave). Returners are
drawn from the cells, so a hire's age is the returner's own age; those who find no vacancy stay
in their cell.

The counts are integers in one array ``counts[age - MIN_AGE, years_out]``; every rule acts on
the whole array at once. Years out above :data:`MAX_YEARS_OUT` are pooled in the last column.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

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
    def add(self, ages: np.ndarray, years_out: np.ndarray | int = 0) -> None:
        """People join (or go back to) the reserve with their ages and years out.

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

    def remove(self, ages: np.ndarray, years_out: np.ndarray) -> None:
        """People leave the reserve (returners who were hired).

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

    def age_one_year(self, pension: float, rng: np.random.Generator) -> int:
        """Everyone ages a year and is a year longer out; those reaching ``pension`` leave.

        Returns:
            How many left at the pension age.
        """
        c = np.zeros_like(self.counts)
        c[1:, 1:] = self.counts[:-1, :-1]
        c[1:, -1] += self.counts[:-1, -1]  # the pooled last column stays pooled
        share = retirement_share(self.ages, pension)
        gone = rng.binomial(c, share[:, None])
        self.counts = c - gone
        return int(gone.sum())

    def return_hazard(self, p: Parameters) -> np.ndarray:
        """Yearly hazard of seeking to return, by whole years out (see the module docstring)."""
        h = p.returner_rate * (1.0 - p.returner_rate_decline) ** self.years_out
        return np.clip(h / p.outside_labour_market_tightness, 0.0, 1.0)

    def draw_seekers(
        self, p: Parameters, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """This year's members who seek to return, as (ages, years out); they stay in the
        reserve until :meth:`remove` takes the ones who were hired."""
        k = rng.binomial(self.counts, self.return_hazard(p)[None, :])
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
