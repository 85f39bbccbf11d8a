"""Stage 1, demand: pupil numbers follow the scenario's projection by school type; demand in fte
per school, subject and level follows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model.model import RegionModel


def run(model: RegionModel) -> None:
    """Pupils change by the projection's step per school type, the extra trend and noise per
    school; demand in fte follows."""
    p = model.p
    rng = model.streams["demand"]
    factor = 1.0 + p.pupil_trend_per_year + rng.normal(0.0, p.pupil_noise_sd, len(model.schools))
    step = projection_step(model, model.year)
    model.pupils *= step * np.maximum(factor, 0.0)[:, None]
    model.demand = demand_fte(model)


def city_sites(model: RegionModel) -> np.ndarray:
    """Boolean mask of the sites in a G4 municipality of the scenario (``g4 = true``)."""
    g4 = {m.name for m in model.scenario_spec.municipalities if m.g4}
    return np.array([s.municipality in g4 for s in model.schools], dtype=bool)


def projection_step(model: RegionModel, year: int) -> np.ndarray:
    """Relative change of pupils per site and school type from ``year - 1`` to ``year`` (S, 3).

    The scenario's ``[pupil_projection]`` gives an index per school type and year (linear
    between given years, held at its last value after the last year); city (G4) sites follow the
    ``city`` path when there is one. Without a projection, or with
    ``follow_pupil_projection`` off, every step is 1. A type whose index
    was 0 the year before stays as it is (its pupils are 0).
    """
    proj = model.scenario_spec.pupil_projection
    n = len(model.schools)
    if proj is None or not model.p.follow_pupil_projection:
        return np.ones((n, 3))
    city = model.city_site
    out = np.ones((n, 3))
    for is_city in (False, True):
        path = proj.path(is_city)
        before, now = path.at(year - 1), path.at(year)
        ratio = np.divide(now, before, out=np.ones(3), where=before > 0)
        out[city == is_city] = ratio
    return out


def demand_fte(model: RegionModel) -> np.ndarray:
    """Demand fte (S, G, 2): level 0 first-degree lessons, level 1 second-degree lessons.

    Demand is pupils / ``pupils_per_teacher_fte``, a ratio of pupils to employed teacher fte
    plus the shortage, so demand is what the pupils need, not what schools employ.
    """
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


def type_weights(model: RegionModel) -> tuple[np.ndarray, np.ndarray]:
    """How each site's lessons of each level belong to school types, as shares (S, 3) each.

    First-degree lessons (level 0) are the upper years of havo and vwo: they split over havo and
    vwo by the site's havo pupils × ``first_degree_share_havo`` and vwo pupils ×
    ``first_degree_share_vwo``. Second-degree lessons (level 1) are vmbo and the lower years:
    they split over vmbo pupils, havo pupils × (1 − that share) and vwo pupils × (1 − that share).
    A site with no lessons of a level gets zero weights for it.
    """
    p = model.p
    pu = model.pupils
    zero = np.zeros(len(pu))
    w0 = np.stack(
        [zero, pu[:, 1] * p.first_degree_share_havo, pu[:, 2] * p.first_degree_share_vwo], axis=1
    )
    w1 = np.stack(
        [
            pu[:, 0],
            pu[:, 1] * (1 - p.first_degree_share_havo),
            pu[:, 2] * (1 - p.first_degree_share_vwo),
        ],
        axis=1,
    )
    out = []
    for w in (w0, w1):
        tot = w.sum(1, keepdims=True)
        out.append(np.divide(w, tot, out=np.zeros_like(w), where=tot > 0))
    return out[0], out[1]


def vmbo_share(model: RegionModel) -> np.ndarray:
    """Share of each site's pupils in vmbo."""
    return model.pupils[:, 0] / np.maximum(model.pupils.sum(1), 1e-9)
