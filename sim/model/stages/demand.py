"""Stage 1, demand: pupil numbers change and the demand in fte per school, subject and level follows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model.model import RegionModel


def run(model: RegionModel) -> None:
    """Pupils change by the trend plus noise per school; demand in fte follows."""
    p = model.p
    rng = model.streams["demand"]
    factor = 1.0 + p.pupil_trend_per_year + rng.normal(0.0, p.pupil_noise_sd, len(model.schools))
    model.pupils *= np.maximum(factor, 0.0)[:, None]
    model.demand = demand_fte(model)


def demand_fte(model: RegionModel) -> np.ndarray:
    """Demand fte (S, G, 2): level 0 first-degree lessons, level 1 second-degree lessons."""
    p = model.p
    pupils = model.pupils.sum(1)
    # per school, as floats for the School agents' yearly reporters
    model.pupils_by_school: list[float] = pupils.tolist()
    total = pupils / p.pupils_per_teacher_fte
    first = (
        model.pupils[:, 1] * p.first_degree_share_havo
        + model.pupils[:, 2] * p.first_degree_share_vwo
    ) / p.pupils_per_teacher_fte
    share = np.asarray(p.subject_demand_share)
    return np.stack([first[:, None] * share, (total - first)[:, None] * share], axis=-1)


def vmbo_share(model: RegionModel) -> np.ndarray:
    return model.pupils[:, 0] / np.maximum(model.pupils.sum(1), 1e-9)
