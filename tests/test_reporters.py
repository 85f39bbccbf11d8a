import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.model import reporters
from sim.model.staffing import Staffing


def _model_with(short_by_school, demand_by_school):
    n = len(demand_by_school)
    demand = np.zeros((n, 1, 2))
    demand[:, 0, 1] = demand_by_school
    vac = np.asarray(short_by_school, float)[:, None]
    z = np.zeros((n, 1))
    st = Staffing(demand, demand[..., 1] - vac, z, z, vac, z, np.zeros((n, 1, 2)))
    return SimpleNamespace(staffing=st)


def test_reporter_names_are_snake_case_and_unique():
    names = list(reporters.model_reporters())
    assert len(names) == len(set(names)) > 60
    for name in names:
        assert re.fullmatch(r"[a-z0-9_]+", name)
    assert {
        "demand_fte",
        "qualified_fte",
        "unqualified_fte",
        "vacancy_fte",
        "surplus_fte",
        "shortage_rate",
        "lever_cost_eur",
    } <= set(names)
    for fn in reporters.model_reporters().values():
        assert fn.__name__ != "<lambda>" and fn.__doc__


def test_spread_of_shortage_across_schools():
    even = _model_with([1, 1, 1, 1], [10, 10, 10, 10])
    assert reporters.shortage_gini(even) == pytest.approx(0.0, abs=1e-12)
    assert reporters.shortage_rate(even) == pytest.approx(0.1)
    one = _model_with([0] * 9 + [4], [10] * 10)
    assert reporters.shortage_worst_decile_share(one) == pytest.approx(1.0)
    assert reporters.shortage_rate_worst_decile(one) == pytest.approx(0.4)
    assert reporters.shortage_gini(one) == pytest.approx(0.9, abs=1e-9)
    half = _model_with([0, 2], [10, 10])
    assert reporters.shortage_gini(half) == pytest.approx(0.5, abs=1e-9)


def _retention(**overrides) -> pd.Series:
    from sim import RegionModel

    model = RegionModel(rng=5, pupils_total=20000, school_sites=20, **overrides)
    model.run_for(9)
    return model.series()["side_entrant_retention_5y"]


def test_side_entrant_retention_follows_the_cohorts():
    """Nobody leaves: every side-entrant placed 5 or more years ago is still there (1.0); all
    drop out in their first year: none is (0.0); before the first cohort's fifth year: NaN."""
    stay = {
        "exit_hazard_by_age": (0.0,) * 5,
        "starter_exit_hazard": (0.0,) * 5,
        "workload_exit_sensitivity": 0.0,
        "leave_region_rate": 0.0,
        "side_entrant_dropout_per_year": 0.0,
    }
    kept = _retention(**stay)
    assert kept.loc[:2028].isna().all()
    assert (kept.loc[2029:] == 1.0).all()
    gone = _retention(
        **{**stay, "side_entrant_dropout_per_year": 1.0, "supported_side_entrant_dropout_rr": 1.0}
    )
    assert (gone.loc[2029:] == 0.0).all()
