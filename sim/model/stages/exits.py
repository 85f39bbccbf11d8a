"""Stage 2, exits and hours: teachers age; some retire, leave education or the region; some change hours."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import preferences
from sim.model.agents import EXIT_REASONS, ROUTE, UNQUALIFIED, Teacher, age_band
from sim.model.parameters import AGE_BANDS
from sim.model.reserve import pension_age
from sim.model.table import UID

if TYPE_CHECKING:
    from sim.model.model import RegionModel


def run(model: RegionModel) -> None:
    """Teachers age; exits by reason are drawn and removed (leavers from education join the
    silent reserve, which ages a year first); some change their hours."""
    wf = model.workforce
    live = wf.live()
    qualified = live[wf.data["degree"][live] != UNQUALIFIED]
    model.stock_by_age_band = np.bincount(
        age_band(wf.data["age"][qualified] + 1), minlength=len(AGE_BANDS)
    )
    leaving = Teacher.age_and_exit(model, model.streams["exits"])
    exits_by_band = np.zeros(len(AGE_BANDS), dtype=np.int64)
    for reason, rows in leaving.items():
        model.year_counts[f"exits_{reason}"] += rows.size
        if reason != "left_region":
            exits_by_band += np.bincount(age_band(wf.data["age"][rows]), minlength=len(AGE_BANDS))
            record_starter_exits(model, rows)
    model.exits_by_age_band = exits_by_band
    record_side_entrant_moves(model, leaving["left_region"])
    # the silent reserve ages (and loses those reaching the pension age) before this year's
    # leavers join it with their own ages
    model.year_counts["reserve_pension_exits"] += model.reserve.age_one_year(
        pension_age(model.p, model.year), model.streams["reserve"], model.streams["identity"]
    )
    # leavers keep their ids in the reserve, so a returner is the same person
    gone = leaving["left_education"]
    model.reserve.add(wf.data["age"][gone], uids=wf.data[UID][gone])
    preferences.remember(model, wf.data[UID][gone], preferences.of(model, "workforce", gone))
    for reason, rows in leaving.items():
        model.history.record(
            "left",
            model.year,
            wf.data[UID][rows],
            wf.data["school"][rows],
            EXIT_REASONS.index(reason),
        )
    # in-migrants this year are drawn from the ages of this year's out-migrants
    model.outmigrant_ages = wf.data["age"][leaving["left_region"]].astype(np.int64)
    model.remove_staff(np.concatenate(list(leaving.values())))
    model.year_counts["hour_changes"] += Teacher.change_hours(model, model.streams["hours"])


def record_side_entrant_moves(model: RegionModel, rows: np.ndarray) -> None:
    """Count side-entrants of the market's cohorts who move to another region: they are still
    in education (the source's retention counts every region)."""
    wf = model.workforce
    moved = rows[wf.data["route"][rows] == ROUTE["side_entrant"]]
    for entry, k in zip(*np.unique(wf.data["entry_year"][moved], return_counts=True), strict=True):
        record = model.side_entrant_cohorts.get(int(entry))
        if record is not None and record[2] < 0:  # moves after the fifth year do not count
            record[1] += int(k)


def record_starter_exits(model: RegionModel, rows: np.ndarray) -> None:
    wf = model.workforce
    starters = rows[wf.data["starter"][rows]]
    for entry, k in zip(
        *np.unique(wf.data["entry_year"][starters], return_counts=True), strict=True
    ):
        record = model.cohorts.get(int(entry))
        if record is not None:
            since = model.year - int(entry)
            if since < record.size:
                record[since] += k
