"""Homes and commuting: where people live, and how far they will travel to a school.

Every teacher, side-entrant and student has a home: a municipality of the scenario and a km
position around its centre (spread as the region spreads school sites: wider for larger towns).
Homes are drawn from the municipalities' populations:

- people who seek a job from inside the region (students of the region's school leavers,
  returners, career changers) live in a municipality drawn by population;
- staff at the initial census, and teachers who come from another region once hired, live near
  their school: population x ``exp(-distance / home_distance_scale_km)`` (gravity);
- students from outside the region's school leavers live near their institute (gravity).

Each person accepts a commute up to their own longest distance (``max_commute``, log-normal
across people with median ``max_commute_km_median`` and log-sd ``max_commute_km_log_sd``); a
teacher moving from another region moves house and accepts any distance. Every draw comes from
the model's ``homes`` stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model.model import RegionModel


class Municipalities:
    """The scenario's municipalities in the layout's km: centre, population, spread of homes."""

    def __init__(self, model: RegionModel) -> None:
        specs = model.scenario_spec.municipalities
        self.names = [m.name for m in specs]
        self.xy = np.array([model.layout.to_km(m.lat, m.lon) for m in specs], dtype=float)
        population = np.array([m.population for m in specs], dtype=float)
        if population.sum() <= 0:
            # a schools-table scenario without populations: homes follow the pupils taught in
            # each municipality (only shares matter for where people live; the spread of homes
            # then uses pupils as the size, a narrower spread than inhabitants would give)
            pupils = {m.name: 0.0 for m in specs}
            for site in model.layout.sites:
                pupils[site.municipality] = pupils.get(site.municipality, 0.0) + sum(site.pupils)
            population = np.array([pupils[m.name] for m in specs], dtype=float)
        self.population = population
        # as the layout spreads school sites around a municipality's centre
        self.spread = 1.0 + 3.0 * np.sqrt(self.population / 500_000)

    def draw(
        self,
        n: int,
        rng: np.random.Generator,
        near: np.ndarray | None = None,
        scale_km: float = 10.0,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Homes of ``n`` people: (municipality index, (n, 2) km positions).

        Args:
            n: How many.
            rng: The homes stream.
            near: (n, 2) points each home is drawn near (gravity), or None (population only).
            scale_km: Gravity distance scale.
        """
        if n == 0:
            return np.empty(0, dtype=np.int64), np.empty((0, 2))
        if near is None:
            muni = rng.choice(
                self.population.size, size=n, p=self.population / self.population.sum()
            )
        else:
            # one weight row per distinct point (people share schools), not per person
            # as complex numbers, one 1-D unique (much faster than a row-wise unique)
            keys, which = np.unique(near[:, 0] + 1j * near[:, 1], return_inverse=True)
            points = np.column_stack([keys.real, keys.imag])
            d = np.hypot(
                points[:, None, 0] - self.xy[None, :, 0], points[:, None, 1] - self.xy[None, :, 1]
            )
            cdf = np.cumsum(self.population[None, :] * np.exp(-d / scale_km), 1)
            which = which.ravel()
            u = rng.random(n) * cdf[which, -1]
            muni = np.empty(n, dtype=np.int64)
            order = np.argsort(which, kind="stable")
            bounds = np.searchsorted(which[order], np.arange(points.shape[0] + 1))
            for k in range(points.shape[0]):
                idx = order[bounds[k] : bounds[k + 1]]
                muni[idx] = np.searchsorted(cdf[k], u[idx], side="left")
            muni = np.minimum(muni, self.population.size - 1)
        xy = self.xy[muni] + rng.normal(0.0, 1.0, (n, 2)) * self.spread[muni, None]
        return muni.astype(np.int64), xy


def draw_max_commute(model: RegionModel, n: int, rng: np.random.Generator) -> np.ndarray:
    """The longest commute (km) each of ``n`` people accepts (log-normal across people)."""
    p = model.p
    return p.max_commute_km_median * np.exp(rng.normal(0.0, p.max_commute_km_log_sd, n))


def commute_km(model: RegionModel, rows: np.ndarray) -> np.ndarray:
    """Straight-line km from home to main school of the workforce ``rows``."""
    col = model.workforce.data
    school = col["school"][rows]
    return np.hypot(
        col["home_x"][rows] - model.xy[school, 0], col["home_y"][rows] - model.xy[school, 1]
    )


def too_far(model: RegionModel, rows: np.ndarray) -> np.ndarray:
    """Whether the commute of each of the workforce ``rows`` is longer than they accept."""
    return commute_km(model, rows) > model.workforce.data["max_commute"][rows]


def settle(
    model: RegionModel,
    table_name: str,
    rows: np.ndarray,
    near: np.ndarray | None = None,
    max_commute: np.ndarray | None = None,
) -> None:
    """Give the ``rows`` of the table ``table_name`` ("workforce" or "students") homes and
    longest commutes (drawn unless ``max_commute`` is given); ``near`` as in
    :meth:`Municipalities.draw`. Staff settled near their school (``near`` given, workforce)
    took that job, so they accept at least its commute: their longest commute is the drawn
    one or the commute, whichever is longer."""
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size == 0:
        return
    rng = model.streams["homes"]
    col = getattr(model, table_name).data
    muni, xy = model.municipalities.draw(rows.size, rng, near, model.p.home_distance_scale_km)
    col["home_muni"][rows] = muni
    col["home_x"][rows] = xy[:, 0]
    col["home_y"][rows] = xy[:, 1]
    col["max_commute"][rows] = (
        draw_max_commute(model, rows.size, rng) if max_commute is None else max_commute
    )
    if table_name == "workforce" and near is not None:
        col["max_commute"][rows] = np.maximum(col["max_commute"][rows], commute_km(model, rows))
