"""The calibration objective, the measures it is computed from, the search, and writing fitted
values into a scenario file."""

from __future__ import annotations

import dataclasses
import math
import tomllib

import numpy as np
import pandas as pd
import pytest

from sim.fit.calibration import (
    BEGIN_MARK,
    END_MARK,
    FITTED_TARGETS,
    FREE_PARAMETERS,
    HELD_OUT_TARGETS,
    TARGETS,
    FreeParameter,
    FreeParameterError,
    Target,
    TargetError,
    available,
    coordinate_search,
    measures_from_run,
    objective,
    objective_terms,
    ratio_of_years,
    resolve_free_parameters,
    simulate,
    starter_attrition,
    target,
    to_overrides,
    unqualified_by_level,
    value_in_year,
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
        v = measures.get(t.name, math.nan)
        if math.isfinite(v) and v != 0:
            out.append(dataclasses.replace(t, observed=v, low=v, high=v))
    return out


def test_tiny_region_measures_every_target_it_has_reporters_for(tiny_measures):
    columns = RegionModel("rijnmond", rng=3, **TINY).series().columns
    missing = [t.name for t in TARGETS if t.name not in tiny_measures]
    # only targets whose reporter the model lacks may be missing
    assert all(not available(target(n), columns) for n in missing), missing
    assert all(t.name in tiny_measures for t in FITTED_TARGETS)
    assert 0 < tiny_measures["shortage_rate_2024"] < 1
    assert tiny_measures["path_shortage_rate_2024"] == tiny_measures["shortage_rate_2024"]
    assert tiny_measures["shortage_ratio_2028_2023"] == pytest.approx(
        tiny_measures["path_shortage_rate_2028"] / tiny_measures["path_shortage_rate_2023"]
    )
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
    i = next(i for i, t in enumerate(targets) if t.name == "shortage_rate_2024")
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
    # staff without the qualification: the hidden shortage less the enlarged classes
    st = model.staffing
    assert unq.sum() == pytest.approx(st.unqualified.sum() - st.enlarged.sum())
    assert st.enlarged.sum() > 0
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
    for f in resolve_free_parameters():
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


# ------------------------------------------------------------------ targets by year and ratio
SERIES = pd.DataFrame(
    {"shortage_rate": [0.07, 0.08, 0.06, 0.0], "rate_b": [0.02, 0.04, 0.0, 0.01]},
    index=pd.Index([2023, 2024, 2028, 2030], name="year"),
)
"""A hand-made yearly series."""


def _t(kind, **kw):
    return Target("t", "t", 1.0, 1.0, 1.0, "src", "g", 0.0, 0.1, "w", fitted=False, kind=kind, **kw)


def test_year_and_ratio_targets_read_a_hand_made_series():
    assert value_in_year(SERIES, "shortage_rate", 2024) == 0.08
    assert math.isnan(value_in_year(SERIES, "shortage_rate", 2025))  # year not in the run
    assert ratio_of_years(SERIES, "shortage_rate", 2028, 2023) == pytest.approx(0.06 / 0.07)
    assert math.isnan(ratio_of_years(SERIES, "shortage_rate", 2023, 2030))  # base 0
    assert _t("year", column="shortage_rate", year=2024).measure(SERIES) == 0.08
    ratio = _t("ratio", column="shortage_rate", year=2024, base_year=2023)
    assert ratio.measure(SERIES) == pytest.approx(0.08 / 0.07)
    cols = _t("column_ratio", column="rate_b", other="shortage_rate", year=2024)
    assert cols.measure(SERIES) == pytest.approx(0.04 / 0.08)
    with pytest.raises(KeyError, match="no_such"):
        _t("year", column="no_such", year=2024).measure(SERIES)


def test_shipped_path_targets_measure_what_they_say():
    frame = SERIES.rename(columns={"rate_b": "hidden_shortage_rate"})
    assert target("shortage_rate_2023").measure(frame) == 0.07
    assert target("shortage_rate_2024").measure(frame) == 0.08
    assert target("shortage_ratio_2028_2023").measure(frame) == pytest.approx(0.06 / 0.07)
    assert target("hidden_shortage_rate").measure(frame) == 0.04


def test_bad_target_definitions_are_refused():
    with pytest.raises(TargetError, match="base_year"):
        _t("ratio", column="shortage_rate", year=2028)
    with pytest.raises(TargetError, match="kind"):
        _t("slope", column="shortage_rate", year=2028)
    with pytest.raises(TargetError, match="weight"):  # held out with a weight
        Target("t", "t", 1.0, 1.0, 1.0, "s", "g", 1.0, 0.1, "w", fitted=False)
    with pytest.raises(TargetError, match="weight"):  # fitted without one
        Target("t", "t", 1.0, 1.0, 1.0, "s", "g", 0.0, 0.1, "w", fitted=True)


def test_carrying_rule_for_2024_by_hand():
    t = target("shortage_rate_2024")
    demand_2023 = 3800 / 0.058
    employment = (58441 / 60892) ** 0.2
    national = 3800 / (demand_2023 * employment)
    assert t.observed == pytest.approx(0.069 * national / 0.058, abs=1e-4)
    assert t.low == pytest.approx(0.069)
    assert t.high == pytest.approx(0.069 * (3800 / (demand_2023 * 930 / 952.1)) / 0.058, abs=1e-4)
    ratio = target("shortage_ratio_2028_2023")
    assert ratio.observed == pytest.approx(5.0 / 3.9, abs=1e-4)
    assert ratio.low < ratio.observed < ratio.high and ratio.low > 1.0  # the direction is up


def test_a_missing_reporter_leaves_the_target_out_and_extras_can_supply_it():
    series = pd.DataFrame(
        {
            "shortage_rate": [0.07, 0.08, 0.07, 0.07, 0.07, 0.09],
            "students_graduated": [0, 10, 10, 10, 10, 10],
            "graduates_seeking": [0, 5, 5, 5, 5, 5],
        },
        index=pd.Index(range(2023, 2029), name="year"),
    )
    extras = pd.DataFrame(index=series.index)
    out = measures_from_run(series, extras, {})
    assert "fte_share_55_plus_2023" not in out  # no reporter, no value: "not available"
    assert "hidden_shortage_rate" not in out
    assert out["shortage_ratio_2028_2023"] == pytest.approx(0.09 / 0.07)
    assert out["path_shortage_rate_2028"] == 0.09
    assert "inmigrants_mean" not in out and "silent_reserve_last" not in out
    extras["fte_share_55_plus"] = 0.3
    assert measures_from_run(series, extras, {})["fte_share_55_plus_2023"] == 0.3
    series["inmigrants"] = [0, 10, 20, 30, 40, 50]
    out = measures_from_run(series, extras, {})
    assert (out["inmigrants_first"], out["inmigrants_last"], out["inmigrants_mean"]) == (0, 50, 30)
    # a fitted target the run cannot measure costs its weight in the objective
    terms = objective_terms(out)
    assert terms["hidden_shortage_rate"] == pytest.approx(target("hidden_shortage_rate").weight)


# --------------------------------------------------------------------- fitted and held out
MUST_BE_HELD_OUT = (
    "unqualified_share_vmbo",
    "unqualified_share_havo",
    "unqualified_share_vwo",
    "shortage_second_over_first_degree_2024",
    "fte_share_55_plus_2023",
    "mean_age_teachers_2023",
    "shortage_city_over_region_2024",
)
MUST_BE_FITTED = (
    "shortage_rate_2023",
    "shortage_rate_2024",
    "shortage_ratio_2028_2023",
    "side_entrant_retention_5y",
)


def test_the_split_is_the_documented_one():
    held = {t.name for t in HELD_OUT_TARGETS}
    fitted = {t.name for t in FITTED_TARGETS}
    assert not held & fitted and held | fitted == set(t.name for t in TARGETS)
    assert set(MUST_BE_HELD_OUT) <= held
    assert set(MUST_BE_FITTED) <= fitted
    assert all(t.weight == 0 for t in HELD_OUT_TARGETS)
    assert all(t.weight > 0 for t in FITTED_TARGETS)


def test_held_out_targets_never_enter_the_objective(tiny_measures):
    terms = objective_terms(tiny_measures)
    assert set(terms) == {t.name for t in FITTED_TARGETS}
    base = objective(tiny_measures)
    for t in HELD_OUT_TARGETS:
        for wild in (-1e6, 0.0, 1e6, math.nan):
            assert objective({**tiny_measures, t.name: wild}) == base, t.name
    # even a list made only of held-out targets scores nothing
    assert objective({t.name: 1e6 for t in HELD_OUT_TARGETS}, HELD_OUT_TARGETS) == 0.0
    # and a held-out target that claimed a weight is refused at definition
    with pytest.raises(TargetError):
        dataclasses.replace(HELD_OUT_TARGETS[0], weight=1.0)


# ------------------------------------------------------------------------ free parameters
def test_free_parameters_take_plausible_ranges_and_unknown_names_fail_at_start():
    resolved = {f.label: f for f in resolve_free_parameters()}
    info = Parameters.info()
    for f in FREE_PARAMETERS:
        if f.lower is None:
            assert (resolved[f.label].lower, resolved[f.label].upper) == tuple(
                map(float, info[f.name].plausible)
            )
    bad = (
        FreeParameter("no_such_parameter", 0.0, 1.0),
        FreeParameter.plausible("stopgap_fill_share", tied=(("gone_too", 1.0),)),
        FreeParameter("starter_exit_hazard", 0.0, 0.1, (7,)),
        FreeParameter("starter_exit_hazard", 0.0, 0.1),
        FreeParameter.plausible("pupils_total"),
    )
    with pytest.raises(FreeParameterError) as info_:
        resolve_free_parameters(bad)
    text = str(info_.value)
    for part in ("no_such_parameter", "gone_too", "index [7]", "needs an index", "pupils_total"):
        assert part in text
    with pytest.raises(FreeParameterError, match="twice"):
        resolve_free_parameters(
            (FreeParameter.plausible("returner_rate"), FreeParameter.plausible("returner_rate"))
        )


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
