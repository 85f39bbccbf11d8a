import re
from types import SimpleNamespace

import numpy as np
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
