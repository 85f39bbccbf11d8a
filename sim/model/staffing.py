"""Staffing accounting: how a school's demand is covered, and what stays open.

Demand per school, subject group and level (upper havo/vwo needs a first-degree teacher; vmbo and
the lower years a second-degree one) is covered in this order:

1. qualified teachers: first-degree fte covers the first-degree level, what is left of it and
   second-degree fte cover the second-degree level; a teacher qualified in two subject groups
   splits their time toward the larger remaining gap;
2. side-entrants (not yet qualified) fill what is left, lower years first;
3. stop-gaps (surplus staff teaching out of field, extra hours, unqualified temporary staff)
   cover part of the rest, at most ``cap_share`` of the school's demand in all unqualified
   teaching and at most the school's surplus plus ``fill_share`` of its remaining gap; they go
   to the second-degree level (vmbo and lower years) first, since schools keep qualified
   teachers on the exam classes. The stop-gaps are the school's surplus staff teaching out
   of field first (``out_of_field``, no extra cost) and then unqualified temporary staff the
   school hires (``hired``), at most ``hire_cap_share`` of its demand (the school's own
   priced decision, see ``sim/model/responses.py``);
4. of what is still open, a school enlarges classes or trims the lesson table for at most
   ``enlarge_share`` of its demand (``enlarged``): lessons nobody teaches as planned, a hidden
   shortage of its own kind (pupils pay the price);
5. the rest is open vacancies.

So ``demand = qualified + unqualified + vacancy`` holds per school and subject, where
unqualified (the hidden shortage) is side-entrants plus stop-gaps plus enlarged classes, and
``stopgap = out_of_field + hired``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.model.agents import FIRST, SECOND, UNQUALIFIED


@dataclass
class Staffing:
    """Coverage of demand per school (rows) and subject group (columns), in fte."""

    demand: np.ndarray  # (S, G, 2): level 0 first-degree lessons, level 1 second-degree lessons
    qualified: np.ndarray  # (S, G)
    side_entrant: np.ndarray  # (S, G) side-entrant fte used on demand
    stopgap: np.ndarray  # (S, G)
    vacancy: np.ndarray  # (S, G)
    surplus: np.ndarray  # (S, G) staff fte beyond demand, after stop-gap use
    open_by_level: np.ndarray  # (S, G, 2) gap after qualified staff and side-entrants
    unqualified_by_level: np.ndarray | None = None  # (S, G, 2) side-entrants + stop-gaps
    side_entrant_by_level: np.ndarray | None = None  # (S, G, 2) side-entrant fte used
    hired: np.ndarray | None = None  # (S, G) part of stopgap: unqualified staff hired
    enlarged: np.ndarray | None = None  # (S, G) demand dropped by larger classes / fewer lessons

    @cached_property
    def out_of_field(self) -> np.ndarray:
        """Part of the stop-gaps covered by the school's own surplus staff out of field."""
        return self.stopgap if self.hired is None else self.stopgap - self.hired

    @cached_property
    def shortage_by_level(self) -> np.ndarray:
        """Open + hidden shortage per school, subject group and level (S, G, 2): the lessons no
        qualified teacher covers (``open_by_level`` already holds the stop-gaps' part)."""
        if self.side_entrant_by_level is None:
            return self.open_by_level
        return self.open_by_level + self.side_entrant_by_level

    @cached_property
    def unqualified(self) -> np.ndarray:
        """Hidden shortage: demand covered without the required qualification, plus the
        lessons dropped by enlarged classes or a trimmed lesson table."""
        if self.enlarged is None:
            return self.side_entrant + self.stopgap
        return self.side_entrant + self.stopgap + self.enlarged

    @cached_property
    def by_school(self) -> dict[str, list[float]]:
        """Per-school totals (``demand_fte``, ``vacancy_fte``, ``unqualified_fte``,
        ``shortage_rate``), computed once: the School agents' properties read them, so a
        yearly collection over many schools sums the arrays once rather than once per school.
        """
        demand = self.demand.sum(axis=(1, 2)).tolist()
        vacancy = self.vacancy.sum(1).tolist()
        unqualified = self.unqualified.sum(1).tolist()
        rate = [
            (v + u) / d if d > 0 else 0.0
            for d, v, u in zip(demand, vacancy, unqualified, strict=True)
        ]
        return {
            "demand_fte": demand,
            "vacancy_fte": vacancy,
            "unqualified_fte": unqualified,
            "shortage_rate": rate,
        }

    @classmethod
    def empty(cls, n_schools: int, n_subjects: int) -> Staffing:
        """All-zero staffing (before the first census)."""
        z = np.zeros((n_schools, n_subjects))
        return cls(
            np.zeros((n_schools, n_subjects, 2)),
            z,
            z.copy(),
            z.copy(),
            z.copy(),
            z.copy(),
            np.zeros((n_schools, n_subjects, 2)),
        )


def staff_fte(
    demand: np.ndarray,
    school: np.ndarray,
    fte: np.ndarray,
    subject: np.ndarray,
    subject2: np.ndarray,
    degree: np.ndarray,
    shared: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Staff fte per school, subject group and degree (index 0 unqualified, 1 first, 2 second).

    Args:
        demand: Demand fte (S, G, 2), for the split of dual-qualified teachers.
        school, fte, subject, subject2, degree: Per staff member: main school, fte there,
            subject groups (``subject2`` -1 for none) and degree.
        shared: Shared appointments as (staff indices, second school, fte there), if any.

    A teacher with a second subject group splits their fte between the two in proportion to the
    gaps the single-subject staff leave.
    """
    n_s, n_g, _ = demand.shape
    key = (school * n_g + subject) * 3 + degree
    weight = fte
    if shared is not None and shared[0].size:
        # each shared part is one more entry, after everyone's main part
        rows, school2, fte2 = shared
        key = np.concatenate([key, (school2 * n_g + subject[rows]) * 3 + degree[rows]])
        weight = np.concatenate([weight, fte2])
        subject2 = np.concatenate([subject2, subject2[rows]])
    size = n_s * n_g * 3
    dual = np.flatnonzero(subject2 >= 0)
    if dual.size:
        fd = weight[dual]
        weight = weight.copy()
        weight[dual] = 0.0
    # entries in the order given, so the sums are the same whatever zero entries come between
    out = np.bincount(key, weights=weight, minlength=size).reshape(n_s, n_g, 3)
    if dual.size:
        cover = out[..., FIRST] + out[..., SECOND]
        gap = np.maximum(0.0, demand.sum(-1) - cover)
        k, b = key[dual].astype(np.int64), subject2[dual].astype(np.int64)
        s, a, d = k // (3 * n_g), (k // 3) % n_g, k % 3
        ga, gb = gap[s, a], gap[s, b]
        tot = ga + gb
        w = np.divide(gb, tot, out=np.full_like(tot, 0.5), where=tot > 0)
        out += np.bincount((s * n_g + a) * 3 + d, weights=fd * (1 - w), minlength=size).reshape(
            n_s, n_g, 3
        )
        out += np.bincount((s * n_g + b) * 3 + d, weights=fd * w, minlength=size).reshape(
            n_s, n_g, 3
        )
    return out


def cover(
    demand: np.ndarray,
    staff: np.ndarray,
    cap_share: np.ndarray | float,
    fill_share: float,
    stopgaps: bool = True,
    hire_cap_share: np.ndarray | float = 1.0,
    enlarge_share: np.ndarray | float = 0.0,
) -> Staffing:
    """Cover ``demand`` (S, G, 2) with ``staff`` (S, G, 3) as described in the module docstring.

    Args:
        demand: Demand fte by school, subject group, level.
        staff: Output of :func:`staff_fte`.
        cap_share: Cap on unqualified teaching as a share of each school's demand.
        fill_share: Share of a school's remaining gap that stop-gaps can cover.
        stopgaps: Whether to apply stop-gaps (off when posting vacancies).
        hire_cap_share: Cap on unqualified staff a school hires, as a share of its demand.
        enlarge_share: Cap on lessons a school drops by larger classes or a trimmed lesson
            table, as a share of its demand (applied only with stop-gaps).
    """
    d1, d2 = demand[..., 0], demand[..., 1]
    f1, f2, e = staff[..., FIRST], staff[..., SECOND], staff[..., UNQUALIFIED]
    q1 = np.minimum(d1, f1)
    q2 = np.minimum(d2, f2 + f1 - q1)
    qualified = q1 + q2
    qual_surplus = f1 + f2 - qualified
    gap1, gap2 = d1 - q1, d2 - q2
    se2 = np.minimum(e, gap2)
    se1 = np.minimum(e - se2, gap1)
    se_used = se1 + se2
    surplus = qual_surplus + (e - se_used)
    open_by_level = np.stack([gap1 - se1, gap2 - se2], axis=-1)
    remaining = open_by_level.sum(-1)
    stopgap_by_level = np.zeros_like(open_by_level)
    if stopgaps:
        school_demand = demand.sum(axis=(1, 2))
        rem_s = remaining.sum(1)
        surplus_s = surplus.sum(1)
        room = np.maximum(0.0, np.asarray(cap_share) * school_demand - se_used.sum(1))
        used_surplus = np.minimum.reduce([rem_s, room, surplus_s])
        hired_s = np.minimum.reduce(
            [
                rem_s - used_surplus,
                room - used_surplus,
                fill_share * rem_s,
                np.asarray(hire_cap_share) * school_demand,
            ]
        )
        hired_s = np.maximum(0.0, hired_s)
        fill_s = used_surplus + hired_s
        # lower-year lessons first: schools keep qualified teachers on the exam classes and
        # put stop-gaps where they are accepted most, in vmbo and the lower years
        open_s = open_by_level.sum(1)  # (S, 2)
        fill_lower = np.minimum(fill_s, open_s[:, 1])
        fill_level = np.stack([fill_s - fill_lower, fill_lower], axis=-1)
        frac = np.divide(fill_level, open_s, out=np.zeros_like(open_s), where=open_s > 0)
        stopgap_by_level = open_by_level * frac[:, None, :]
        keep = np.divide(
            surplus_s - used_surplus, surplus_s, out=np.zeros_like(surplus_s), where=surplus_s > 0
        )
        surplus = surplus * keep[:, None]
    stopgap = stopgap_by_level.sum(-1)
    hired = np.zeros_like(stopgap)
    enlarged_by_level = np.zeros_like(open_by_level)
    if stopgaps:
        # hired staff share each school's stop-gaps in proportion (both go lower years first)
        share = np.divide(hired_s, fill_s, out=np.zeros_like(fill_s), where=fill_s > 0)
        hired = stopgap * share[:, None]
        left = open_by_level - stopgap_by_level
        left_s = left.sum(axis=(1, 2))
        drop = np.minimum(left_s, np.asarray(enlarge_share) * school_demand)
        frac = np.divide(drop, left_s, out=np.zeros_like(left_s), where=left_s > 0)
        enlarged_by_level = left * frac[:, None, None]
    enlarged = enlarged_by_level.sum(-1)
    return Staffing(
        demand=demand,
        qualified=qualified,
        side_entrant=se_used,
        stopgap=stopgap,
        vacancy=remaining - stopgap - enlarged,
        surplus=surplus,
        open_by_level=open_by_level,
        unqualified_by_level=np.stack([se1, se2], axis=-1) + stopgap_by_level,
        side_entrant_by_level=np.stack([se1, se2], axis=-1),
        hired=hired,
        enlarged=enlarged,
    )
