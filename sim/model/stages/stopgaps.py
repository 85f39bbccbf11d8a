"""Stage 6, stop-gaps: what stays open is covered in part by unqualified staff (hidden shortage); workload and attractiveness follow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model import responses
from sim.model.staffing import cover
from sim.model.stages import demand as demand_stage

if TYPE_CHECKING:
    from sim.model.model import RegionModel


def run(model: RegionModel) -> None:
    """Short schools ask part-timers for more hours (not at the initial census); cover
    demand, apply stop-gaps (surplus staff out of field, hired unqualified staff, enlarged
    classes, each within its cap and priced), and update workload and attractiveness."""
    p = model.p
    if model.year > p.start_year:  # short schools ask part-timers for more hours first
        responses.extra_hours(model)
    model.census_cache: dict[str, Any] = {}  # figures reporters derive once per census
    model.staffing = cover(
        model.demand,
        model.staff(),
        model.mech.unqualified_cap_share,
        p.stopgap_fill_share,
        stopgaps=True,
        # a lever that lets schools teach more without full qualification (the qualification
        # experiment) raises the room for hiring by as much as it raises the overall cap
        hire_cap_share=p.unqualified_hire_cap_share
        + max(0.0, model.mech.unqualified_cap_share - p.unqualified_cap_share),
        enlarge_share=p.class_enlargement_cap_share,
    )
    st = model.staffing
    responses.price_stopgaps(model)
    model.shortage_path[model.year] = float(
        (st.vacancy.sum() + st.unqualified.sum()) / max(st.demand.sum(), 1e-9)
    )  # what training programmes see, a few years late
    demand = np.maximum(model.staffing.demand.sum(axis=(1, 2)), 1e-9)
    pressure = (
        model.staffing.vacancy.sum(1) + p.hidden_workload_weight * model.staffing.unqualified.sum(1)
    ) / demand
    model.workload = pressure if p.feedbacks else np.zeros_like(pressure)
    model.attractiveness = (
        model.attractiveness_base
        - p.attractiveness_vmbo_weight * demand_stage.vmbo_share(model)
        - p.attractiveness_workload_weight * model.workload
    )
