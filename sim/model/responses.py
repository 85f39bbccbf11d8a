"""Schools that respond when short: part-time teachers asked to teach more hours.

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

from typing import TYPE_CHECKING

import numpy as np

from sim.model.agents import UNQUALIFIED
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
