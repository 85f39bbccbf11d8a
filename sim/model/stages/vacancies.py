"""Stage 4, vacancies: schools compare staff with demand; shared appointments move surplus hours to neighbouring sites; the rest is posted."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from sim.model.agents import UNQUALIFIED
from sim.model.parameters import SUBJECT_GROUPS
from sim.model.staffing import Staffing

if TYPE_CHECKING:
    from sim.model.model import RegionModel

N_G = len(SUBJECT_GROUPS)


def run(model: RegionModel) -> None:
    """Reset shared appointments, make this year's, and post what is still open."""
    wf = model.workforce
    wf.data["school2"][: wf.n] = -1
    wf.data["fte2"][: wf.n] = 0.0
    pre = model.cover_before_market()
    if model.mech.shared_appointments:
        shared_appointments(model, pre)
        pre = model.cover_before_market()
    model.pre_market = pre
    model.year_counts["vacancies_posted_fte"] = float(pre.open_by_level.sum())


def shared_appointments(model: RegionModel, pre: Staffing) -> None:
    """Move surplus hours to the neighbouring school with the largest gap in the subject."""
    wf = model.workforce
    live = wf.live()
    openg = pre.open_by_level.sum(-1)
    rows = live[wf.data["degree"][live] != UNQUALIFIED]
    rows = rows[wf.data["subject2"][rows] < 0]
    key = wf.data["school"][rows].astype(np.int64) * N_G + wf.data["subject"][rows]
    # by school and subject, largest contract first (two stable sorts: faster than lexsort)
    order = np.argsort(-wf.data["fte"][rows], kind="stable")
    order = order[np.argsort(key[order], kind="stable")]
    rows, key = rows[order], key[order]
    first = np.concatenate([[True], key[1:] != key[:-1]])
    lead = dict(zip(key[first].tolist(), rows[first].tolist(), strict=True))
    half_fte = dict(
        zip(rows[first].tolist(), (wf.data["fte"][rows[first]] / 2).tolist(), strict=True)
    )
    s_idx, g_idx = np.nonzero(pre.surplus >= 0.2)
    amounts = pre.surplus[s_idx, g_idx]
    order = np.argsort(-amounts, kind="stable")
    # one pass over the surplus cells, largest first; each finds its neighbour with the
    # largest gap through a ranking of the gaps (linear in the region's size, not quadratic)
    gaps = openg.T.tolist()
    rankings: dict[int, _GapRanking] = {}
    shared_rows, shared_to, shared_fte = [], [], []
    for s, g, surplus in zip(
        s_idx[order].tolist(), g_idx[order].tolist(), amounts[order].tolist(), strict=True
    ):
        row = lead.get(s * N_G + g)
        if row is None:
            continue
        ranking = rankings.get(g) or rankings.setdefault(g, _GapRanking(gaps[g]))
        t = ranking.best_near(*neighbours_of(model, s))
        if t < 0:
            continue
        amount = round(min(surplus, gaps[g][t], half_fte[row]), 1)
        if amount < 0.1:
            continue
        shared_rows.append(row)
        shared_to.append(t)
        shared_fte.append(amount)
        ranking.take(t, amount)
    wf.data["school2"][shared_rows] = shared_to
    wf.data["fte2"][shared_rows] = shared_fte
    model.year_counts["shared_appointments"] = len(shared_rows)


def neighbour_pairs(model: RegionModel) -> tuple[np.ndarray, np.ndarray]:
    """Sites within ``shared_appointment_max_km`` of each other, as (start, neighbours):
    site s's neighbours are ``neighbours[start[s]:start[s + 1]]``, ascending. Found when
    shared appointments are first made, not for every run."""
    if model.neighbour_pairs is None:
        model.neighbour_pairs = _neighbours(model.xy, model.p.shared_appointment_max_km)
    return model.neighbour_pairs


def neighbours_of(model: RegionModel, site: int) -> tuple[set[int], list[int]]:
    """The sites near ``site``, as a set and as an ascending list."""
    near = model.neighbour_cache.get(site)
    if near is None:
        start, neighbours = neighbour_pairs(model)
        listed = neighbours[start[site] : start[site + 1]].tolist()
        near = model.neighbour_cache[site] = (set(listed), listed)
    return near


def _neighbours(xy: np.ndarray, max_km: float) -> tuple[np.ndarray, np.ndarray]:
    """For each site, the other sites within ``max_km`` (ascending), without an S x S matrix:
    (start, neighbours) with site s's neighbours at ``neighbours[start[s]:start[s + 1]]``.

    A k-d tree proposes the pairs (with a hair of slack); the distance test itself is the
    exact ``sqrt(dx**2 + dy**2) <= max_km``.
    """
    pairs = cKDTree(xy).query_pairs(max_km * (1 + 1e-9) + 1e-12, output_type="ndarray")
    pairs = pairs.reshape(-1, 2).astype(np.int64)
    dist = np.sqrt(((xy[pairs[:, 0]] - xy[pairs[:, 1]]) ** 2).sum(-1))
    pairs = pairs[dist <= max_km]
    both = np.concatenate([pairs, pairs[:, ::-1]])
    both = both[np.lexsort((both[:, 1], both[:, 0]))]
    start = np.concatenate([[0], np.cumsum(np.bincount(both[:, 0], minlength=len(xy)))])
    return start, both[:, 1]


class _GapRanking:
    """The schools' open fte in one subject group, ranked largest first (ties: lowest index),
    to find a site's neighbour with the largest gap (over 0.1 fte) without scanning them all."""

    def __init__(self, gaps: list[float]) -> None:
        self.gaps = gaps
        self.ranked = sorted((-gap, j) for j, gap in enumerate(gaps) if gap > 0.1)

    def best_near(self, near: set[int], near_list: list[int]) -> int:
        """The neighbour with the largest gap, or -1 when no neighbour has one."""
        for i, (_, j) in enumerate(self.ranked):
            if j in near:
                return j
            if i >= len(near_list):
                break  # far-away gaps lead the ranking: scanning the neighbours is cheaper
        else:
            return -1
        t, best = -1, 0.0
        for j in near_list:  # ascending, so ties go to the lowest index
            gap = self.gaps[j]
            if gap > 0.1 and (t < 0 or gap > best):
                t, best = j, gap
        return t

    def take(self, j: int, amount: float) -> None:
        """Lower school ``j``'s gap by ``amount``."""
        old = self.gaps[j]
        del self.ranked[bisect.bisect_left(self.ranked, (-old, j))]
        self.gaps[j] = old - amount
        if self.gaps[j] > 0.1:
            bisect.insort(self.ranked, (-self.gaps[j], j))
