"""Per-person histories of a batch on request: the same people as the run, a cohort followed."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import RegionModel
from sim.batch.history import cohort_table, run_histories
from sim.batch.runner import Arm, Design
from sim.model.agents import ROUTE
from sim.model.history import follow_cohort


@pytest.fixture(scope="module")
def design() -> Design:
    return Design("hist", (Arm("iso", "isolated"), Arm("col", "collaborative")), 1, 6)


def test_histories_are_the_runs_own_people_and_follow_a_cohort(tmp_path, design):
    paths = run_histories(tmp_path, design, run_ids=[1])
    assert [p.name for p in paths] == ["000001.parquet"]
    h = pd.read_parquet(paths[0])
    spec = design.run_specs()[1]
    model = RegionModel(policy=spec.policy, rng=spec.seed)
    model.run_for(6)
    own = model.history.frame()
    assert (h["arm"] == "col").all() and len(h) == len(own)
    assert (h["unique_id"].to_numpy() == own["unique_id"].to_numpy()).all()
    table = cohort_table(paths, "side_entrant", 2024, 5)
    expect = follow_cohort(own, ROUTE["side_entrant"], 2024, 5)
    assert table.loc[0, "hired"] == expect["hired"] > 0
    assert table.loc[0, "in_region"] == pytest.approx(expect["in_region"])


def test_unknown_runs_and_routes_are_refused(tmp_path, design):
    with pytest.raises(KeyError, match="run ids \\[7\\]"):
        run_histories(tmp_path, design, run_ids=[7])
    with pytest.raises(FileNotFoundError, match="manifest"):
        run_histories(tmp_path)
    with pytest.raises(ValueError, match="route 'teacher'"):
        cohort_table([], "teacher", 2024, 5)
