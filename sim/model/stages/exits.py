"""Stage 2, exits and hours: teachers age; some retire, leave education or the region; some change hours."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.agents import UNQUALIFIED, Teacher, age_band
from sim.model.parameters import AGE_BANDS

if TYPE_CHECKING:
    from sim.model.model import RegionModel


def run(model: RegionModel) -> None:
    """Teachers age; exits by reason are drawn and removed; some change their hours."""
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
    model.silent_reserve += leaving["left_education"].size
    model.remove_staff(np.concatenate(list(leaving.values())))
    model.year_counts["hour_changes"] += Teacher.change_hours(model, model.streams["hours"])


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
