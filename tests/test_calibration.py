"""The calibration objective, the measures it is computed from, the search, and writing fitted
values into a scenario file."""

from __future__ import annotations

import dataclasses
import math
import tomllib

import numpy as np
import pytest

from sim.fit.calibration import (
    BEGIN_MARK,
    END_MARK,
    FREE_PARAMETERS,
    TARGETS,
    FreeParameter,
    coordinate_search,
    objective,
    objective_terms,
    simulate,
    starter_attrition,
    to_overrides,
    unqualified_by_level,
    write_calibrated_block,
)
from sim.model.model import RegionModel
from sim.model.parameters import Parameters
from sim.model.scenarios import SCENARIO_DIR, ScenarioError, load_scenario

TINY = {"pupils_total": 3_000, "school_sites": 4, "school_boards": 2}
"""A region of four schools and about 250 teachers."""


@pytest.fixture(scope="module")
def tiny_measures():
    return simulate("rijnmond", TINY, seed=3, years=10)


def _at(measures, targets=TARGETS):
    """Targets moved onto the simulated values (those the tiny run can measure)."""
    out = []
    for t in targets:
        v = measures[t.name]
        if math.isfinite(v) and v != 0:
            out.append(dataclasses.replace(t, observed=v, low=v, high=v))
    return out


def test_tiny_region_measures_every_target(tiny_measures):
    missing = [t.name for t in TARGETS if t.name not in tiny_measures]
    assert not missing
    assert 0 < tiny_measures["shortage_rate"] < 1
    assert math.isclose(
        sum(
            tiny_measures[f"age_share_{b}"]
            for b in ("under_30", "30_39", "40_49", "50_59", "60_plus")
        ),
        1.0,
        abs_tol=1e-9,
    )


def test_objective_is_zero_at_targets_equal_to_the_simulated_values(tiny_measures):
    targets = _at(tiny_measures)
    assert len(targets) >= 20
    assert objective(tiny_measures, targets) == pytest.approx(0.0, abs=1e-12)


def test_objective_grows_as_a_target_moves_away(tiny_measures):
    targets = _at(tiny_measures)
    i = next(i for i, t in enumerate(targets) if t.name == "shortage_rate")
    values = []
    for factor in (1.0, 1.1, 1.3, 1.6):
        moved = list(targets)
        obs = targets[i].observed * factor
        moved[i] = dataclasses.replace(targets[i], observed=obs, low=obs, high=obs)
        values.append(objective(tiny_measures, moved))
    assert values[0] == pytest.approx(0.0, abs=1e-12)
    assert values[1] > 0 and values[1] < values[2] < values[3]
    # weight * (relative distance) ** 2, by hand for the 10% move
    w = targets[i].weight
    assert values[1] == pytest.approx(w * (0.1 / 1.1) ** 2)


def test_objective_is_zero_inside_an_observed_range_and_charges_missing_values():
    t = dataclasses.replace(TARGETS[0], observed=0.2, low=0.19, high=0.21, weight=2.0)
    assert objective({t.name: 0.205}, [t]) == 0.0
    assert objective({t.name: 0.23}, [t]) == pytest.approx(2.0 * (0.02 / 0.2) ** 2)
    assert objective_terms({t.name: float("nan")}, [t])[t.name] == pytest.approx(2.0)


def test_pooled_starter_attrition_by_hand():
    cohorts = {
        2024: np.array([100, 20, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0]),
        2025: np.array([50, 10, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        2030: np.array([10, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),  # outside the entry years
    }
    years = range(2024, 2029)
    assert starter_attrition(cohorts, 2030, 1, years) == pytest.approx(30 / 150)
    assert starter_attrition(cohorts, 2030, 3, years) == pytest.approx((30 + 15) / 150)
    # the 2025 cohort cannot be followed 6 years by 2030: only 2024 counts
    assert starter_attrition(cohorts, 2030, 6, years) == pytest.approx(30 / 100)
    assert math.isnan(starter_attrition(cohorts, 2024, 1, years))


def test_unqualified_by_level_adds_up_to_the_model_hidden_shortage():
    model = RegionModel("rijnmond", rng=2, **TINY)
    model.run_for(3)
    unq, dem = unqualified_by_level(model)
    assert unq.sum() == pytest.approx(model.staffing.unqualified.sum())
    assert dem.sum() == pytest.approx(model.staffing.demand.sum())
    assert (unq >= -1e-12).all() and (unq <= dem + 1e-9).all()


def test_to_overrides_sets_tuple_elements_and_tied_values():
    base = Parameters()
    free = (
        FreeParameter("starter_exit_hazard", 0.0, 0.1, (1, 2)),
        FreeParameter(
            "graduate_entry_interned_in_region", 0.3, 0.9, tied=(("graduate_entry_other", 0.5),)
        ),
    )
    out = to_overrides([0.05, 0.6], base, free)
    hazard = out["starter_exit_hazard"]
    assert hazard[1] == hazard[2] == 0.05
    assert hazard[0] == base.starter_exit_hazard[0] and hazard[3] == base.starter_exit_hazard[3]
    assert out["graduate_entry_other"] == pytest.approx(0.3)
    Parameters.build(out)  # a valid parameter set


def test_free_parameters_start_inside_their_bounds():
    base = Parameters()
    for f in FREE_PARAMETERS:
        assert f.lower <= f.start(base) <= f.upper, f.label
        info = Parameters.info()[f.name]
        assert info.ge is None or f.lower >= info.ge


def test_coordinate_search_finds_a_known_minimum_and_is_reproducible():
    target = np.array([0.3, -1.2, 2.0])

    def evaluate(points):
        return [(float(((np.array(p) - target) ** 2).sum()), {}) for p in points]

    a = coordinate_search(
        evaluate, [0, 0, 0], [-2, -2, -2], [3, 3, 3], max_evaluations=400, min_step=0.0005
    )
    b = coordinate_search(
        evaluate, [0, 0, 0], [-2, -2, -2], [3, 3, 3], max_evaluations=400, min_step=0.0005
    )
    assert a.x == b.x and a.value == b.value
    assert np.allclose(a.x, target, atol=0.01)
    assert a.value < a.start_value
    budget = coordinate_search(evaluate, [0, 0, 0], [-2, -2, -2], [3, 3, 3], max_evaluations=7)
    assert budget.evaluations == 7


# --------------------------------------------------------------------------- file writing
@pytest.fixture
def scenario_copy(tmp_path):
    path = tmp_path / "region.toml"
    text = (SCENARIO_DIR / "rijnmond.toml").read_text(encoding="utf-8")
    # start from a file without a calibrated block
    lines = text.splitlines()
    if BEGIN_MARK in lines:
        del lines[lines.index(BEGIN_MARK) : lines.index(END_MARK) + 1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _outside_block(text):
    lines = text.splitlines()
    if BEGIN_MARK in lines:
        del lines[lines.index(BEGIN_MARK) : lines.index(END_MARK) + 1]
    return [line for line in lines if line.strip()]


def test_write_block_puts_values_in_parameters_and_keeps_the_rest(scenario_copy):
    before = scenario_copy.read_text(encoding="utf-8")
    values = {"starter_exit_hazard": (0.2, 0.03, 0.03, 0.02, 0.02), "stopgap_fill_share": 0.55}
    write_calibrated_block(scenario_copy, values, {"stopgap_fill_share": "fit: ok"}, ["hello"])
    after = scenario_copy.read_text(encoding="utf-8")
    assert _outside_block(after) == _outside_block(before)
    data = tomllib.loads(after)
    assert data["parameters"]["stopgap_fill_share"] == 0.55
    assert data["parameters"]["pupils_total"] == 62000
    assert "stopgap_fill_share = 0.55  # fit: ok" in after
    scen = load_scenario(scenario_copy)
    assert scen.parameters().starter_exit_hazard == (0.2, 0.03, 0.03, 0.02, 0.02)
    # a second write replaces the block instead of adding one
    write_calibrated_block(scenario_copy, {"stopgap_fill_share": 0.6})
    again = scenario_copy.read_text(encoding="utf-8")
    assert again.count(BEGIN_MARK) == 1 and again.count(END_MARK) == 1
    assert tomllib.loads(again)["parameters"]["stopgap_fill_share"] == 0.6
    assert "starter_exit_hazard" not in tomllib.loads(again)["parameters"]


def test_write_block_comments_out_a_key_set_elsewhere_in_parameters(scenario_copy):
    write_calibrated_block(scenario_copy, {"school_sites": 72})
    text = scenario_copy.read_text(encoding="utf-8")
    assert "# (replaced by the calibrated block) school_sites = 70" in text
    assert load_scenario(scenario_copy).parameters().school_sites == 72


def test_write_block_refuses_unbalanced_markers_and_invalid_values(scenario_copy):
    text = scenario_copy.read_text(encoding="utf-8")
    scenario_copy.write_text(
        text.replace("[parameters]", f"[parameters]\n{BEGIN_MARK}"), encoding="utf-8"
    )
    with pytest.raises(ScenarioError, match="unbalanced"):
        write_calibrated_block(scenario_copy, {"stopgap_fill_share": 0.5})
    scenario_copy.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="stopgap_fill_share") as info:
        write_calibrated_block(scenario_copy, {"stopgap_fill_share": 1.5})
    assert str(scenario_copy) in str(info.value)
    assert scenario_copy.read_text(encoding="utf-8") == text  # left untouched


def test_write_block_adds_a_parameters_table_when_there_is_none(tmp_path):
    path = tmp_path / "bare.toml"
    text = (SCENARIO_DIR / "rijnmond.toml").read_text(encoding="utf-8")
    head, rest = text.split("[parameters]", 1)
    rest = rest[rest.index("[[municipalities]]") :]
    path.write_text(head + rest, encoding="utf-8")
    write_calibrated_block(path, {"returner_rate": 0.03})
    assert load_scenario(path).parameters().returner_rate == 0.03
