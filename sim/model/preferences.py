"""Personal job preferences: how much each person weighs commute, vmbo, workload and standing.

Every teacher, side-entrant and student (and every returner or teacher from another region who
seeks a job) has four weights, drawn once per person from the model's ``preferences`` stream and
kept in the person's columns (:data:`TASTE_COLUMNS`):

- ``taste_commute``: loss of attractiveness per km of commute, uniform on
  [0, ``taste_commute_per_km_max``];
- ``taste_vmbo``: loss per unit vmbo share of a school's pupils, ``attractiveness_vmbo_weight``
  plus uniform on [-``taste_vmbo_spread``, +``taste_vmbo_spread``] (negative: prefers vmbo);
- ``taste_workload``: loss per unit workload pressure, ``attractiveness_workload_weight`` plus
  uniform on [-``taste_workload_spread``, +``taste_workload_spread``], floored at 0;
- ``taste_standing``: weight of a school's own standing (``attractiveness_base``), 1 plus uniform
  on [-``taste_standing_spread``, +``taste_standing_spread``].

The average person thus weighs a school as the shared ``attractiveness`` does, plus commute.
How the weights enter job choice: :mod:`sim.model.matching`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.stages import demand as demand_stage

if TYPE_CHECKING:
    from sim.model.model import RegionModel

TASTE_COLUMNS = ("taste_commute", "taste_vmbo", "taste_workload", "taste_standing")
"""The person's columns with their weights, in the order of a taste array's columns."""


def draw(model: RegionModel, n: int) -> np.ndarray:
    """Weights of ``n`` new people, an (n, 4) array in the order of :data:`TASTE_COLUMNS`."""
    p = model.p
    rng = model.streams["preferences"]
    u = rng.uniform(-1.0, 1.0, (n, 4))
    return np.column_stack(
        [
            p.taste_commute_per_km_max * (u[:, 0] + 1.0) / 2.0,
            p.attractiveness_vmbo_weight + p.taste_vmbo_spread * u[:, 1],
            np.maximum(p.attractiveness_workload_weight + p.taste_workload_spread * u[:, 2], 0.0),
            1.0 + p.taste_standing_spread * u[:, 3],
        ]
    )


def assign(model: RegionModel, table_name: str, rows: np.ndarray) -> None:
    """Draw weights for the ``rows`` of the table ``table_name`` and store them."""
    store(model, table_name, rows, draw(model, np.asarray(rows).size))


def store(model: RegionModel, table_name: str, rows: np.ndarray, taste: np.ndarray) -> None:
    """Keep the (n, 4) weights ``taste`` in the columns of ``rows``."""
    col = getattr(model, table_name).data
    for k, name in enumerate(TASTE_COLUMNS):
        col[name][rows] = taste[:, k]


def of(model: RegionModel, table_name: str, rows: np.ndarray) -> np.ndarray:
    """The (n, 4) weights of the ``rows`` of the table ``table_name``."""
    col = getattr(model, table_name).data
    return np.column_stack([col[name][rows] for name in TASTE_COLUMNS])


def remember(model: RegionModel, uids: np.ndarray, taste: np.ndarray) -> None:
    """Keep the weights of people who leave for the silent reserve, by id, so a returner
    comes back with their own."""
    model.reserve_tastes.update(zip(np.asarray(uids).tolist(), taste.tolist(), strict=True))


def of_returners(model: RegionModel, uids: np.ndarray) -> np.ndarray:
    """Weights of returning seekers: their own when they left with a known id, else new."""
    uids = np.asarray(uids, dtype=np.int64)
    out = draw(model, uids.size)
    kept = model.reserve_tastes
    for k, uid in enumerate(uids.tolist()):
        if uid in kept:
            out[k] = kept[uid]
    return out


def school_traits(model: RegionModel) -> np.ndarray:
    """(S, 3) what people weigh at each school: standing, vmbo share, workload pressure."""
    return np.column_stack(
        [model.attractiveness_base, demand_stage.vmbo_share(model), model.workload]
    )
