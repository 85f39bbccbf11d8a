"""Schools that respond when short: recruit early, ask part-timers for more hours, hire
unqualified staff, enlarge classes. Each response has a limit, a cost and reporters.

Recruiting early (``early_recruitment_threshold``, ``early_recruitment_max_fte``,
``early_recruitment_cost_eur_per_school``) is done by :func:`recruit` in the labour market
stage; hiring unqualified staff and enlarging classes are steps of the stop-gap accounting
(:func:`sim.model.staffing.cover`), priced here by :func:`price_stopgaps`.

Extra hours.

After the hiring season, a school still short of qualified cover in a subject group asks its
part-time teachers of that group (qualified, contract at most 1 fte less ``extra_hours_fte``)
to take on ``extra_hours_fte`` more, for a bonus. Each teacher asked decides alone: a share
``extra_hours_acceptance`` says yes (reference: a quarter of part-timers in primary education
would add 0.2 fte for a bonus). A teacher is asked once in their time in the region (the
willingness is a share of people, not a yearly rate; ``asked_hours`` marks who was asked). The school asks only as many as its gap needs (the hours added
in a school and subject group never exceed its open fte plus half a step), and each yes costs
``extra_hours_bonus_eur_per_fte`` a year per fte added on top of the wage. The new contract
stays (later yearly hours changes may cut it again). Draws come from the ``responses`` stream.
The yearly count, fte and bonus are reporters (``extra_hours_teachers``, ``extra_hours_fte``,
``extra_hours_bonus_eur``); the hours then count as qualified cover in the staffing identity,
so the hidden-shortage accounting shows what the response covered.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING

import numpy as np

from sim.model.agents import UNQUALIFIED
from sim.model.matching import Seekers, Vacancies
from sim.model.staffing import cover

if TYPE_CHECKING:
    from sim.model.model import RegionModel


def extra_hours(model: RegionModel) -> float:
    """Part-timers of short schools asked for more hours (see the module docstring).

    Returns:
        The fte added.
    """
    p = model.p
    step = p.extra_hours_fte
    if step <= 0 or p.extra_hours_acceptance <= 0:
        return 0.0
    gap = cover(model.demand, model.staff(), 0.0, 0.0, stopgaps=False).open_by_level.sum(-1)
    wf = model.workforce
    col = wf.data
    live = wf.live()
    rows = live[
        (col["degree"][live] != UNQUALIFIED)
        & (col["fte"][live] <= 1.0 - step + 1e-9)
        & ~col["asked_hours"][live]
        & (gap[col["school"][live], col["subject"][live]] > 0.05)
    ]
    if rows.size == 0:
        return 0.0
    rng = model.streams["responses"]
    accept = rng.random(rows.size) < p.extra_hours_acceptance
    # each school asks its part-timers of the group in random order until the yeses meet its
    # gap; those asked (yes or no) are not asked again
    order = rng.permutation(rows.size)
    rows, accept = rows[order], accept[order]
    cell = col["school"][rows].astype(np.int64) * gap.shape[1] + col["subject"][rows]
    order = np.argsort(cell, kind="stable")
    rows, accept, cell = rows[order], accept[order], cell[order]
    starts = np.r_[0, np.flatnonzero(np.diff(cell)) + 1]
    sizes = np.diff(np.r_[starts, cell.size])
    yes_before = np.cumsum(accept) - accept  # yeses earlier in the whole list
    yes_before = yes_before - np.repeat(yes_before[starts], sizes)  # ... in the same cell
    needed = np.ceil((gap.ravel()[cell] - 0.5 * step - 1e-9) / step)
    asked = yes_before < needed
    col["asked_hours"][rows[asked]] = True
    take = rows[asked & accept]
    col["fte"][take] = np.round(col["fte"][take] + step, 2)
    added = float(take.size * step)
    model.year_counts["extra_hours_teachers"] += int(take.size)
    model.year_counts["extra_hours_fte"] += added
    model.year_counts["extra_hours_bonus_eur"] += added * p.extra_hours_bonus_eur_per_fte
    return added


def price_stopgaps(model: RegionModel) -> None:
    """Count and price what the stop-gap responses of this census covered (from
    ``model.staffing``): unqualified staff hired (fte x ``unqualified_hire_cost_eur_per_fte``),
    lessons dropped by larger classes or a trimmed lesson table (fte x
    ``class_enlargement_cost_eur_per_fte``) and the pupils who pay for them (each school's
    pupils x its share of demand dropped)."""
    p = model.p
    st = model.staffing
    hired = float(st.hired.sum())
    enlarged_s = st.enlarged.sum(1)
    demand_s = np.maximum(st.demand.sum(axis=(1, 2)), 1e-9)
    pupils_s = np.asarray(model.pupils, dtype=float).reshape(demand_s.size, -1).sum(1)
    c = model.year_counts
    c["unqualified_hired_fte"] = hired
    c["unqualified_hire_cost_eur"] = hired * p.unqualified_hire_cost_eur_per_fte
    c["class_enlargement_fte"] = float(enlarged_s.sum())
    c["class_enlargement_cost_eur"] = float(enlarged_s.sum()) * p.class_enlargement_cost_eur_per_fte
    c["class_enlargement_pupils"] = float((pupils_s * enlarged_s / demand_s).sum())


def recruit(model: RegionModel, seekers: Seekers, vac: Vacancies) -> np.ndarray:
    """The hiring season with early recruitment by short schools.

    A school whose open vacancies are at least ``early_recruitment_threshold`` of its demand
    posts up to ``early_recruitment_max_fte`` per subject group and level early: those
    postings meet all seekers in a first season of their own (the same matching as the main
    season), so they get first pick. The seekers not placed then meet every vacancy still open
    in the main season. Each school that recruits early costs
    ``early_recruitment_cost_eur_per_school``.

    Returns:
        Per seeker, the index in ``vac`` of the vacancy they fill, or -1.
    """
    p = model.p
    rng = model.streams["market"]
    match = model.mech.matching
    if len(vac) == 0 or len(seekers) == 0 or p.early_recruitment_max_fte <= 0:
        return match.place(seekers, vac, model.attractiveness, rng)
    demand = np.maximum(model.demand.sum(axis=(1, 2)), 1e-9)
    open_s = np.bincount(vac.school, weights=vac.fte, minlength=demand.size)
    short = open_s / demand >= p.early_recruitment_threshold
    early = np.flatnonzero(short[vac.school])
    if early.size == 0:
        return match.place(seekers, vac, model.attractiveness, rng)
    cap = np.full(len(vac), p.early_recruitment_max_fte)
    got = match.place(seekers, vac.restrict(early, cap), model.attractiveness, rng)
    placed = np.full(len(seekers), -1, dtype=np.int64)
    ok = got >= 0
    placed[ok] = early[got[ok]]
    schools = np.unique(vac.school[early])
    c = model.year_counts
    c["early_recruitment_schools"] += int(schools.size)
    c["early_recruitment_hires"] += int(ok.sum())
    c["early_recruitment_fte"] += float(seekers.fte[ok].sum())
    c["early_recruitment_cost_eur"] += schools.size * p.early_recruitment_cost_eur_per_school
    filled = np.bincount(placed[ok], weights=seekers.fte[ok], minlength=len(vac))
    # a first-degree job holds the upper-year hours first, then the same school's lower-year
    # hours of the subject (as in the matching): what goes beyond an entry goes to its partner
    partner = vac.partner
    spill = np.where((vac.level == 0) & (partner >= 0), np.maximum(0.0, filled - vac.fte), 0.0)
    filled = filled - spill
    np.add.at(filled, np.maximum(partner, 0), np.where(partner >= 0, spill, 0.0))
    left = np.maximum(0.0, vac.fte - filled)
    keep = np.flatnonzero(left > 0.05)
    rest = np.flatnonzero(~ok)
    got = match.place(_subset(seekers, rest), vac.restrict(keep, left), model.attractiveness, rng)
    placed[rest[got >= 0]] = keep[got[got >= 0]]
    return placed


def _subset(seekers: Seekers, idx: np.ndarray) -> Seekers:
    """The seekers ``idx`` (every per-seeker field taken at ``idx``)."""
    values = {}
    for f in fields(seekers):
        v = getattr(seekers, f.name)
        values[f.name] = None if v is None else np.asarray(v)[idx]
    return Seekers(**values)
