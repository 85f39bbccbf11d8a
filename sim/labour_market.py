"""The labour market: job seekers meet vacancies.

Two ways of matching, each a small strategy object (a policy lever picks one):

- :class:`SchoolRecruitment` — every school recruits alone. A seeker applies to
  ``applications`` schools one after another, drawn in proportion to the school's open fte times
  ``exp(attractiveness)``; each school takes its applicants in random order until its vacancy
  is filled. Attractive schools fill first, and a seeker whose applications all land on filled
  vacancies is lost to the region.
- :class:`RegionalPool` — one regional vacancy pool places every seeker at the vacancy where the
  relative need is largest (water-filling over chunks of a vacancy), so nobody is lost while a
  fitting vacancy is open.

Both are linear-logarithmic in the number of seekers and vacancies (sorting), never quadratic.
Eligibility: a seeker fits a vacancy of their subject group (or second subject group); a
first-degree seeker fits both levels, a second-degree seeker or side-entrant only the
second-degree level (vmbo and lower years).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Vacancies:
    """Open positions: one entry per school, subject group and level, in fte."""

    school: np.ndarray
    subject: np.ndarray
    level: np.ndarray  # 0 first-degree lessons, 1 second-degree lessons
    fte: np.ndarray
    need: np.ndarray  # school's demand in that subject group, for relative need

    @classmethod
    def from_open(cls, open_by_level: np.ndarray, demand: np.ndarray, min_fte: float = 0.05) -> Vacancies:
        """Vacancies from an (S, G, 2) array of open fte; entries under ``min_fte`` are ignored."""
        s, g, lv = np.nonzero(open_by_level > min_fte)
        return cls(
            school=s,
            subject=g,
            level=lv,
            fte=open_by_level[s, g, lv].astype(float),
            need=np.maximum(demand.sum(-1)[s, g], 1e-9),
        )

    def __len__(self) -> int:
        return int(self.school.size)

    def restrict(self, keep: np.ndarray, cap_fte: np.ndarray | None = None) -> Vacancies:
        """A subset of the vacancies, optionally with their fte capped."""
        fte = self.fte[keep] if cap_fte is None else np.minimum(self.fte[keep], cap_fte[keep])
        return Vacancies(self.school[keep], self.subject[keep], self.level[keep], fte, self.need[keep])


@dataclass
class Seekers:
    """Job seekers: subject group(s), degree (1, 2 or 0 for side-entrants), fte sought and the
    lowest attractiveness of a school they would move to (-inf for people without a job)."""

    subject: np.ndarray
    subject2: np.ndarray
    degree: np.ndarray
    fte: np.ndarray
    min_attractiveness: np.ndarray

    def __len__(self) -> int:
        return int(self.subject.size)


class SchoolRecruitment:
    """Each school recruits alone; attractive schools fill first (see module docstring).

    Args:
        applications: Schools each seeker applies to.
    """

    name = "school_recruitment"

    def __init__(self, applications: int) -> None:
        self.applications = applications

    def place(
        self, seekers: Seekers, vacancies: Vacancies, attractiveness: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Return, per seeker, the index of the vacancy they fill, or -1."""
        result = np.full(len(seekers), -1, dtype=np.int64)
        if len(seekers) == 0 or len(vacancies) == 0:
            return result
        open_fte = vacancies.fte.copy()
        attract = attractiveness[vacancies.school]
        weight_base = np.exp(attract - attract.max())
        subjects = [seekers.subject]
        if (seekers.subject2 >= 0).any():
            subjects.append(seekers.subject2)
        for subj in subjects:
            for _ in range(self.applications):
                todo = np.flatnonzero((result < 0) & (subj >= 0))
                if todo.size == 0:
                    break
                choice = self._apply(todo, subj, seekers, vacancies, open_fte, weight_base, attract, rng)
                self._accept(todo, choice, seekers, open_fte, result, rng)
        return result

    @staticmethod
    def _apply(todo, subj, seekers, vacancies, open_fte, weight_base, attract, rng) -> np.ndarray:
        """Each seeker in ``todo`` picks one open vacancy (or -1 if none fits)."""
        choice = np.full(todo.size, -1, dtype=np.int64)
        first_only = seekers.degree[todo] == 1
        for g in np.unique(subj[todo]):
            for first in (True, False):
                who = np.flatnonzero((subj[todo] == g) & (first_only == first))
                if who.size == 0:
                    continue
                fits = (vacancies.subject == g) & (open_fte > 0.05)
                if not first:
                    fits &= vacancies.level == 1
                cand = np.flatnonzero(fits)
                if cand.size == 0:
                    continue
                order = cand[np.argsort(attract[cand], kind="stable")]
                cum = np.cumsum(open_fte[order] * weight_base[order])
                # a seeker only applies to schools above their attractiveness floor
                lo_idx = np.searchsorted(attract[order], seekers.min_attractiveness[todo[who]], side="right")
                lo = np.where(lo_idx > 0, cum[np.maximum(lo_idx - 1, 0)], 0.0)
                hi = cum[-1]
                ok = lo_idx < order.size
                u = lo + rng.random(who.size) * (hi - lo)
                pick = np.minimum(np.searchsorted(cum, u, side="right"), order.size - 1)
                choice[who[ok]] = order[pick[ok]]
        return choice

    @staticmethod
    def _accept(todo, choice, seekers, open_fte, result, rng) -> None:
        """Each vacancy takes its applicants in random order until filled."""
        applied = choice >= 0
        if not applied.any():
            return
        who = todo[applied]
        vac = choice[applied]
        order = np.lexsort((rng.random(who.size), vac))
        who, vac = who[order], vac[order]
        fte = seekers.fte[who]
        cum = np.cumsum(fte)
        starts = np.r_[0, np.flatnonzero(np.diff(vac)) + 1]
        group_start = np.repeat(starts, np.diff(np.r_[starts, vac.size]))
        before = cum - fte - np.where(group_start > 0, cum[group_start - 1], 0.0)
        take = before + 0.5 * fte <= open_fte[vac]
        result[who[take]] = vac[take]
        np.subtract.at(open_fte, vac[take], fte[take])


class RegionalPool:
    """One regional vacancy pool that places job seekers where the need is largest.

    Args:
        chunk_fte: Size of the pieces a vacancy is split into for water-filling (the mean
            contract).
    """

    name = "regional_pool"

    def __init__(self, chunk_fte: float) -> None:
        self.chunk_fte = chunk_fte

    def place(
        self, seekers: Seekers, vacancies: Vacancies, attractiveness: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Return, per seeker, the index of the vacancy they fill, or -1."""
        result = np.full(len(seekers), -1, dtype=np.int64)
        if len(seekers) == 0 or len(vacancies) == 0:
            return result
        open_fte = vacancies.fte.copy()
        order = rng.permutation(len(seekers))
        subjects = [seekers.subject]
        if (seekers.subject2 >= 0).any():
            subjects.append(seekers.subject2)
        for subj in subjects:
            for g in np.unique(subj[subj >= 0]):
                # first-degree seekers take first-degree lessons first, then everyone the rest
                for level, degrees in ((0, (1,)), (1, (1, 2, 0))):
                    who = order[(subj[order] == g) & (result[order] < 0)
                                & np.isin(seekers.degree[order], degrees)]
                    cand = np.flatnonzero((vacancies.subject == g) & (vacancies.level == level)
                                          & (open_fte > 0.05))
                    if who.size == 0 or cand.size == 0:
                        continue
                    # as many contracts as fit with at least half of each still open
                    n_chunks = np.maximum(1, np.floor(open_fte[cand] / self.chunk_fte + 0.5)).astype(np.int64)
                    owner = np.repeat(cand, n_chunks)
                    j = np.arange(owner.size) - np.repeat(np.cumsum(n_chunks) - n_chunks, n_chunks)
                    priority = (open_fte[owner] - j * self.chunk_fte) / vacancies.need[owner]
                    ranked = owner[np.argsort(-priority, kind="stable")]
                    k = min(who.size, ranked.size)
                    result[who[:k]] = ranked[:k]
                    np.subtract.at(open_fte, ranked[:k], seekers.fte[who[:k]])
        return result
