"""The labour market: job seekers meet vacancies.

Two ways of matching, each a small strategy object (a policy lever picks one):

- :class:`SchoolRecruitment` — every school recruits alone. A seeker applies to
  ``applications`` schools one after another, drawn in proportion to the school's open fte times
  ``exp(attractiveness)``; each school takes its applicants in random order until its vacancy
  is filled. Attractive schools fill first, and a seeker whose applications all land on filled
  vacancies is lost to the region. First-degree seekers, qualified for every year, prefer the
  upper years: an upper-year (level 0) vacancy weighs ``upper_year_weight`` times a lower-year
  one of the same size and attractiveness in their draw.
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
    def from_open(
        cls, open_by_level: np.ndarray, demand: np.ndarray, min_fte: float = 0.05
    ) -> Vacancies:
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
        return Vacancies(
            self.school[keep], self.subject[keep], self.level[keep], fte, self.need[keep]
        )


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

    def __init__(self, applications: int, upper_year_weight: float = 1.0) -> None:
        self.applications = applications
        self.upper_year_weight = upper_year_weight

    def place(
        self,
        seekers: Seekers,
        vacancies: Vacancies,
        attractiveness: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Return, per seeker, the index of the vacancy they fill, or -1."""
        result = np.full(len(seekers), -1, dtype=np.int64)
        if len(seekers) == 0 or len(vacancies) == 0:
            return result
        open_fte = vacancies.fte.copy()
        attract = attractiveness[vacancies.school]
        weight_base = np.exp(attract - attract.max())
        cand = _Candidates(vacancies, attract, attractiveness, self.upper_year_weight)
        subjects = [seekers.subject]
        if (seekers.subject2 >= 0).any():
            subjects.append(seekers.subject2)
        for subj in subjects:
            group = cand.group(subj, seekers.degree)
            floor = cand.floor_code(group, seekers.min_attractiveness)
            for _ in range(self.applications):
                todo = np.flatnonzero((result < 0) & (subj >= 0))
                if todo.size == 0:
                    break
                choice = self._apply(todo, group, floor, cand, open_fte, weight_base, rng)
                self._accept(todo, choice, seekers, open_fte, result, rng)
        return result

    @staticmethod
    def _apply(todo, group, floor, cand, open_fte, weight_base, rng) -> np.ndarray:
        """Each seeker in ``todo`` picks one open vacancy (or -1 if none fits).

        Within their group (see :class:`_Candidates`) a seeker draws a vacancy with probability
        proportional to its open fte times ``weight_base``, among the open vacancies at or
        above their attractiveness floor. The random numbers are drawn group by group (subject
        ascending, first-degree seekers first), in the seekers' order, for the groups that
        have open vacancies.
        """
        choice = np.full(todo.size, -1, dtype=np.int64)
        live = open_fte[cand.entry] > 0.05
        entry, entry_group, entry_code = cand.entry[live], cand.key[live], cand.code[live]
        pref = cand.pref[live]
        # seekers in drawing order, with the span of their group's open vacancies
        who = _stable_argsort(group[todo])
        g = group[todo][who]
        if who.size == 0 or entry.size == 0:
            return choice
        top = max(int(g[-1]), int(entry_group[-1])) + 2
        bounds = np.searchsorted(entry_group, np.arange(top))  # each group's entries
        first, last = bounds[g], bounds[g + 1]
        has = last > first
        who, g, first, last = who[has], g[has], first[has], last[has]
        if who.size == 0:
            return choice
        # one running sum over all groups: a group's weights are the stretch between the sum
        # before its first entry (or before the seeker's floor) and the sum at its last entry
        cum = np.cumsum(open_fte[entry] * weight_base[entry] * pref)
        before = np.concatenate([[0.0], cum])
        # a seeker only applies to schools above their attractiveness floor
        lo_idx = np.maximum(np.searchsorted(entry_code, floor[todo[who]], side="right"), first)
        lo, hi = before[lo_idx], cum[last - 1]
        ok = lo_idx < last
        u = lo + rng.random(who.size) * (hi - lo)
        # the entry whose running sum passes u, kept inside the seeker's span against rounding
        pick = np.clip(np.searchsorted(cum, u, side="right"), lo_idx, last - 1)
        choice[who[ok]] = entry[pick[ok]]
        return choice

    @staticmethod
    def _accept(todo, choice, seekers, open_fte, result, rng) -> None:
        """Each vacancy takes its applicants in random order until filled."""
        applied = choice >= 0
        if not applied.any():
            return
        who = todo[applied]
        vac = choice[applied]
        # by vacancy, applicants in random order (as np.lexsort((random, vac)), faster)
        order = np.argsort(rng.random(who.size), kind="stable")  # ties: in index order
        order = order[_stable_argsort(vac[order], open_fte.size)]
        who, vac = who[order], vac[order]
        fte = seekers.fte[who]
        cum = np.cumsum(fte)
        new = np.concatenate([[True], vac[1:] != vac[:-1]])
        group_start = np.maximum.accumulate(np.where(new, np.arange(vac.size), 0))
        before = cum - fte - np.where(group_start > 0, cum[group_start - 1], 0.0)
        take = before + 0.5 * fte <= open_fte[vac]
        result[who[take]] = vac[take]
        np.subtract.at(open_fte, vac[take], fte[take])


def _stable_argsort(keys: np.ndarray, bound: int | None = None) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` for non-negative integers, as 16-bit integers when
    they fit (numpy radix-sorts those, many times faster than its stable sort of int64);
    ``bound``, when given, is known to exceed every key."""
    if bound is not None:
        fits = bound <= 2**16
    else:
        fits = keys.size and keys.min() >= 0 and keys.max() < 2**16
    if fits:
        keys = keys.astype(np.uint16)
    return np.argsort(keys, kind="stable")


class _Candidates:
    """The vacancies each group of seekers may apply to, laid out group after group.

    A seeker's group is ``2 * subject`` for first-degree seekers (who fit both levels) and
    ``2 * subject + 1`` for the others (lower-year lessons, level 1, only). Within a group the
    vacancies are sorted by attractiveness (ties by vacancy index). ``code`` orders the entries
    by group and rank of attractiveness as integers, so a seeker's floor is compared exactly.
    ``pref`` is each entry's weight in the draw: ``upper_year_weight`` for upper-year (level 0)
    vacancies in a first-degree group, 1 otherwise.
    """

    def __init__(
        self,
        vacancies: Vacancies,
        attract: np.ndarray,
        attractiveness: np.ndarray,
        upper_year_weight: float = 1.0,
    ) -> None:
        every = np.arange(len(vacancies))
        lower = every[vacancies.level == 1]
        entry = np.concatenate([every, lower])
        key = np.concatenate([2 * vacancies.subject, 2 * vacancies.subject[lower] + 1])
        # by group, then attractiveness, ties by position: a stable sort of the integer codes
        # distinct attractiveness values of the schools (a superset of the vacancies' values
        # keeps every comparison exact, and there are fewer schools than vacancies)
        self.values = np.unique(attractiveness)
        code = self._code(key, attract[entry])
        order = _stable_argsort(code)
        self.entry = entry[order]
        self.key = key[order]
        self.code = code[order]
        upper = (vacancies.level[self.entry] == 0) & (self.key % 2 == 0)
        self.pref = np.where(upper, upper_year_weight, 1.0)

    @staticmethod
    def group(subject: np.ndarray, degree: np.ndarray) -> np.ndarray:
        """Each seeker's group for the given subject column."""
        return 2 * subject.astype(np.int64) + (degree != 1)

    def floor_code(self, group: np.ndarray, floor: np.ndarray) -> np.ndarray:
        """Codes such that an entry of the seeker's group is at most the floor iff its code is
        at most the seeker's."""
        return self._code(group, floor)

    def _code(self, group: np.ndarray, value: np.ndarray) -> np.ndarray:
        rank = np.searchsorted(self.values, value, side="right")  # distinct values <= value
        return group * (self.values.size + 1) + rank


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
        self,
        seekers: Seekers,
        vacancies: Vacancies,
        attractiveness: np.ndarray,
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
        # first-degree seekers take first-degree lessons first, then everyone the rest
        levels = ((0, (1,)), (1, (1, 2, 0)))
        fits = [np.isin(seekers.degree[order], degrees) for _, degrees in levels]
        at_level = [vacancies.level == level for level, _ in levels]
        for subj in subjects:
            subj_in_order = subj[order]
            for g in np.unique(subj[subj >= 0]):
                of_subject = subj_in_order == g
                vacancy_of_subject = vacancies.subject == g
                for fit, level_mask in zip(fits, at_level, strict=True):
                    who = order[of_subject & (result[order] < 0) & fit]
                    cand = np.flatnonzero(vacancy_of_subject & level_mask & (open_fte > 0.05))
                    if who.size == 0 or cand.size == 0:
                        continue
                    # as many contracts as fit with at least half of each still open
                    n_chunks = np.maximum(
                        1, np.floor(open_fte[cand] / self.chunk_fte + 0.5)
                    ).astype(np.int64)
                    owner = np.repeat(cand, n_chunks)
                    j = np.arange(owner.size) - np.repeat(np.cumsum(n_chunks) - n_chunks, n_chunks)
                    priority = (open_fte[owner] - j * self.chunk_fte) / vacancies.need[owner]
                    ranked = owner[np.argsort(-priority, kind="stable")]
                    k = min(who.size, ranked.size)
                    result[who[:k]] = ranked[:k]
                    np.subtract.at(open_fte, ranked[:k], seekers.fte[who[:k]])
        return result
