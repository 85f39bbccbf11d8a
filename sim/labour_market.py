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

    def __init__(self, applications: int) -> None:
        self.applications = applications

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
        subjects = [seekers.subject]
        if (seekers.subject2 >= 0).any():
            subjects.append(seekers.subject2)
        for subj in subjects:
            for _ in range(self.applications):
                todo = np.flatnonzero((result < 0) & (subj >= 0))
                if todo.size == 0:
                    break
                choice = self._apply(
                    todo, subj, seekers, vacancies, open_fte, weight_base, attract, rng
                )
                self._accept(todo, choice, seekers, open_fte, result, rng)
        return result

    @staticmethod
    def _apply(todo, subj, seekers, vacancies, open_fte, weight_base, attract, rng) -> np.ndarray:
        """Each seeker in ``todo`` picks one open vacancy (or -1 if none fits).

        Seekers fall into groups by subject and degree (first-degree seekers fit both levels,
        the others only level 1). Within a group a seeker draws a vacancy with probability
        proportional to its open fte times ``weight_base`` among the vacancies at or above
        their attractiveness floor. All groups are handled at once: the candidates of every
        group are laid out one group after another, sorted by attractiveness, and the random
        numbers are drawn group by group (subject ascending, first-degree seekers first), in
        the seekers' order.
        """
        choice = np.full(todo.size, -1, dtype=np.int64)
        # candidate entries: every open vacancy for its subject's first-degree group, open
        # level-1 vacancies again for the second-degree group
        open_idx = np.flatnonzero(open_fte > 0.05)
        lower = open_idx[vacancies.level[open_idx] == 1]
        entry = np.concatenate([open_idx, lower])
        entry_key = np.concatenate(
            [2 * vacancies.subject[open_idx], 2 * vacancies.subject[lower] + 1]
        )
        if entry.size == 0:
            return choice
        sort = np.lexsort((attract[entry], entry_key))  # stable: ties stay by vacancy index
        entry, entry_key = entry[sort], entry_key[sort]
        entry_attract = attract[entry]
        weight = open_fte[entry] * weight_base[entry]
        bounds = np.flatnonzero(np.r_[True, entry_key[1:] != entry_key[:-1], True])
        cum = np.empty(entry.size)
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            cum[a:b] = np.cumsum(weight[a:b])  # per group, as a cumulative sum from zero
        # seekers whose group has candidates, in drawing order
        key = 2 * subj[todo] + (seekers.degree[todo] != 1)
        who = np.argsort(key, kind="stable")
        first = np.searchsorted(entry_key, key[who], side="left")
        last = np.searchsorted(entry_key, key[who], side="right")
        has = last > first
        who, first, last = who[has], first[has], last[has]
        if who.size == 0:
            return choice
        # a seeker only applies to schools above their attractiveness floor
        lo_idx = first + _count_at_most(
            entry_key, entry_attract, key[who], seekers.min_attractiveness[todo[who]]
        )
        lo = np.where(lo_idx > first, cum[np.maximum(lo_idx - 1, 0)], 0.0)
        hi = cum[last - 1]
        ok = lo_idx < last
        u = lo + rng.random(who.size) * (hi - lo)
        pick = np.minimum(first + _count_at_most(entry_key, cum, key[who], u), last - 1)
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


def _count_at_most(
    keys: np.ndarray, values: np.ndarray, q_keys: np.ndarray, q_values: np.ndarray
) -> np.ndarray:
    """For each query, how many entries of its group have a value at most the query's.

    ``keys`` is sorted and ``values`` ascending within each key, so this is
    ``np.searchsorted(values[group], q_value, side="right")`` for every query at once: entries
    and queries are merged in one stable sort in which a query follows equal entries.
    """
    n = keys.size
    is_query = np.r_[np.zeros(n, dtype=bool), np.ones(q_keys.size, dtype=bool)]
    merged = np.lexsort((is_query, np.r_[values, q_values], np.r_[keys, q_keys]))
    position = np.empty(merged.size, dtype=np.int64)
    position[merged] = np.arange(merged.size)
    queries_before = np.cumsum(is_query[merged]) - 1  # at each query: earlier queries
    q_pos = position[n:]
    entries_before = q_pos - queries_before[q_pos]
    return entries_before - np.searchsorted(keys, q_keys, side="left")


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
        for subj in subjects:
            for g in np.unique(subj[subj >= 0]):
                # first-degree seekers take first-degree lessons first, then everyone the rest
                for level, degrees in ((0, (1,)), (1, (1, 2, 0))):
                    who = order[
                        (subj[order] == g)
                        & (result[order] < 0)
                        & np.isin(seekers.degree[order], degrees)
                    ]
                    cand = np.flatnonzero(
                        (vacancies.subject == g) & (vacancies.level == level) & (open_fte > 0.05)
                    )
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
