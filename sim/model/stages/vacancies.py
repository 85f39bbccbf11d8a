"""Stage 4, vacancies: schools compare staff with demand; each board moves surplus staff between its own sites; shared appointments move surplus hours to neighbouring sites of other boards; the rest is posted."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from sim.model.agents import FIRST, SECOND, UNQUALIFIED
from sim.model.parameters import SUBJECT_GROUPS
from sim.model.staffing import Staffing
from sim.model.table import UID

if TYPE_CHECKING:
    from sim.model.model import RegionModel

N_G = len(SUBJECT_GROUPS)


def run(model: RegionModel) -> None:
    """Reset shared appointments, let each board move its own surplus staff, make this year's
    shared appointments, and post what is still open."""
    wf = model.workforce
    wf.data["school2"][: wf.n] = -1
    wf.data["fte2"][: wf.n] = 0.0
    pre = model.cover_before_market()
    if board_moves(model, pre):
        pre = model.cover_before_market()
    if model.mech.shared_appointments:
        shared_appointments(model, pre)
        pre = model.cover_before_market()
    model.pre_market = pre
    model.year_counts["vacancies_posted_fte"] = float(pre.open_by_level.sum())


def board_moves(model: RegionModel, pre: Staffing) -> int:
    """Each board moves surplus staff between its own sites before it hires; returns the moves.

    A qualified single-subject teacher (not on a course) at a site whose surplus in their
    subject holds their contract within ``match_fte_tolerance`` moves to the site of the same
    board where they fit a gap (the rule of every matching: contract <= open + tolerance, a
    level their degree allows) with the largest relative need, first-degree lessons first for
    first-degree teachers, provided the move leaves their old site's qualified cover no lower
    by more than the tolerance. Surplus cells are handled largest first and, within a cell,
    larger contracts first. Moves are counted in ``board_moves``.
    """
    tol = model.p.match_fte_tolerance
    wf = model.workforce
    board = model.board
    surplus = pre.surplus
    s_idx, g_idx = np.nonzero(surplus > 0.05)
    if s_idx.size == 0:
        model.year_counts["board_moves"] = 0
        return 0
    open_level = pre.open_by_level.copy()
    open_level[open_level < 0] = 0.0
    has_gap = open_level.sum(-1) > 0.05  # (S, G)
    # only cells whose board has another site with a gap in the subject
    gap_boards = {(int(board[s]), int(g)) for s, g in zip(*np.nonzero(has_gap), strict=True)}
    keep = [
        i
        for i, (s, g) in enumerate(zip(s_idx.tolist(), g_idx.tolist(), strict=True))
        if (int(board[s]), g) in gap_boards
    ]
    if not keep:
        model.year_counts["board_moves"] = 0
        return 0
    s_idx, g_idx = s_idx[keep], g_idx[keep]
    live = wf.live()
    col = wf.data
    rows = live[
        (col["degree"][live] != UNQUALIFIED)
        & (col["subject2"][live] < 0)
        & (col["course_years_left"][live] <= 0)
    ]
    key = col["school"][rows].astype(np.int64) * N_G + col["subject"][rows]
    wanted = set((s_idx * N_G + g_idx).tolist())
    rows = rows[np.isin(key, list(wanted))]
    key = col["school"][rows].astype(np.int64) * N_G + col["subject"][rows]
    order = np.lexsort((-col["fte"][rows], key))
    rows, key = rows[order], key[order]
    by_cell: dict[int, list[int]] = {}
    for k, r in zip(key.tolist(), rows.tolist(), strict=True):
        by_cell.setdefault(k, []).append(r)
    staff = model.staff()  # (S, G, 3) fte by degree
    demand = model.demand
    need = np.maximum(demand.sum(-1), 1e-9)
    sites_of = {int(b): np.flatnonzero(board == b) for b in np.unique(board)}
    moves = 0
    spare = surplus.copy()
    for i in np.argsort(-surplus[s_idx, g_idx], kind="stable").tolist():
        s, g = int(s_idx[i]), int(g_idx[i])
        sites = sites_of[int(board[s])]
        sites = sites[sites != s]
        for r in by_cell.get(s * N_G + g, []):
            f = float(col["fte"][r])
            if f > spare[s, g] + tol + 1e-9:
                continue
            d = int(col["degree"][r])
            if _cover_loss(demand[s, g], staff[s, g], d, f) > tol + 1e-9:
                continue
            t, lv = _best_site(sites, g, d, f, open_level, need, tol)
            if t < 0:
                continue
            col["school"][r] = t
            model.history.record("moved", model.year, col[UID][r : r + 1], t, s)
            spare[s, g] -= f
            open_level[t, g, lv] -= f
            staff[s, g, d] -= f
            staff[t, g, d] += f
            moves += 1
    model.year_counts["board_moves"] = moves
    return moves


def _cover_loss(demand: np.ndarray, staff: np.ndarray, degree: int, fte: float) -> float:
    """Qualified cover a site loses in one subject group when a teacher of ``degree`` and
    ``fte`` leaves (demand by level, staff by degree as in :func:`sim.model.staffing.cover`)."""

    def qualified(f1: float, f2: float) -> float:
        q1 = min(demand[0], f1)
        return q1 + min(demand[1], f2 + f1 - q1)

    f1, f2 = float(staff[FIRST]), float(staff[SECOND])
    after = (f1 - fte, f2) if degree == FIRST else (f1, f2 - fte)
    return qualified(f1, f2) - qualified(max(after[0], 0.0), max(after[1], 0.0))


def _best_site(sites, g, degree, fte, open_level, need, tol) -> tuple[int, int]:
    """The site (and level) of the board where a teacher fits a gap with the largest relative
    need, first-degree lessons first for a first-degree teacher; (-1, -1) when none fits."""
    best, best_score, best_level = -1, -np.inf, -1
    levels = (0, 1) if degree == FIRST else (1,)
    for t in sites.tolist():
        for lv in levels:
            gap = open_level[t, g, lv]
            if fte > gap + tol + 1e-9 or gap <= 0.05:
                continue
            score = gap / need[t, g] + (1e9 if lv == 0 else 0.0)
            if score > best_score:
                best, best_score, best_level = t, score, lv
    return best, best_level


def shared_appointments(model: RegionModel, pre: Staffing) -> None:
    """Move surplus hours to the neighbouring school with the largest gap in the subject."""
    wf = model.workforce
    live = wf.live()
    openg = pre.open_by_level.sum(-1)
    rows = live[wf.data["degree"][live] != UNQUALIFIED]
    rows = rows[wf.data["subject2"][rows] < 0]
    if rows.size == 0:  # a collapsed workforce: nobody whose hours could be shared
        model.year_counts["shared_appointments"] = 0
        return
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
        t = ranking.best_near(*other_boards_near(model, s))
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


def other_boards_near(model: RegionModel, site: int) -> tuple[set[int], list[int]]:
    """The sites of other boards near ``site`` (within a board, moving staff is the board's
    own move, not a shared appointment)."""
    cache = model.other_boards_cache
    near = cache.get(site)
    if near is None:
        _, listed = neighbours_of(model, site)
        listed = [j for j in listed if model.board[j] != model.board[site]]
        near = cache[site] = (set(listed), listed)
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
