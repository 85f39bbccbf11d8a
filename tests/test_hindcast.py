"""The hindcast from 2015: its scenario uses no value measured after its start year, its
draws stay in their ranges and draw the parameter priors (never a calibrated value or range),
``--quick`` finishes in under a minute; and the general pieces it needs: parameter paths by
year, scenarios that extend another, the initial training pipeline."""

from __future__ import annotations

import importlib.util
import math
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.fit import hindcast as hc
from sim.fit.calibration import FREE_PARAMETERS
from sim.model.model import RegionModel
from sim.model.parameters import Parameters
from sim.model.scenarios import SCENARIO_DIR, ScenarioError, load_scenario

REPO = Path(__file__).resolve().parents[1]
RAW = tomllib.loads((SCENARIO_DIR / f"{hc.SCENARIO}.toml").read_text(encoding="utf-8"))

EXOGENOUS_PATHS = {"retirement_age", "side_entrant_applicants_per_100_teachers"}
"""What happened outside the model, the only year-indexed inputs a hindcast may be fed."""

POST_2015_VALUES = {
    # parameter: the value it takes when set from a measurement after 2015
    "initial_shortage_rate": (0.058, 0.069),  # Oct 2023
    "pupils_per_teacher_fte": (14.5,),  # 952.1k pupils / 65.5k demand fte, Oct 2023
    "initial_second_degree_shortage_ratio": (1.21,),  # Oct 2023
    "silent_reserve_per_teacher": (0.66,),  # CentERdata c. 2017
    "side_entrant_dropout_per_year": (0.07,),  # set to the 2014 cohort measured in 2019
    "side_entrant_applicants_per_100_teachers": (1.6,),  # subsidies 2023
}


def _flat_values(params: Parameters) -> dict[str, float]:
    out = {}
    for name, value in params.model_dump().items():
        if isinstance(value, tuple):
            out.update({f"{name}[{i}]": float(v) for i, v in enumerate(value)})
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = float(value)
    return out


# ------------------------------------------------------------ no value measured after 2015
def test_the_hindcast_scenario_starts_in_2015_and_ends_at_the_last_measurement():
    p = load_scenario(hc.SCENARIO).parameters()
    assert p.start_year == hc.START_YEAR == 2015
    assert p.start_year + p.horizon_years == hc.LAST_YEAR


def test_no_parameter_takes_a_value_measured_after_2015():
    scen = load_scenario(hc.SCENARIO)
    p = scen.parameters_at(hc.START_YEAR)
    for name, post in POST_2015_VALUES.items():
        assert all(not math.isclose(getattr(p, name), v, rel_tol=1e-6) for v in post), name
    assert p.initial_shortage_by_subject != Parameters().initial_shortage_by_subject  # Oct 2023
    assert p.age_distribution == (0.149, 0.237, 0.207, 0.280, 0.126)  # 2013-16 [D]


def test_the_scenario_sets_no_value_it_is_compared_with():
    """None of the values the hindcast file sets itself equals a later measurement the
    hindcast is compared with (a value copied from the comparison would be a fit)."""
    own = Parameters.build(
        {k: v for k, v in RAW["parameters"].items() if k not in ("start_year", "horizon_years")}
    )
    values = {
        name: v for name, v in _flat_values(own).items() if name.split("[")[0] in RAW["parameters"]
    }
    measured = {m.value for m in hc.MEASURED}
    hits = {
        name: v for name, v in values.items() for m in measured if math.isclose(v, m, rel_tol=1e-9)
    }
    # a coincidence of numbers, not of quantities: the 2013-16 share of teachers aged 50-59 is
    # 28.0% [D], as is the 2022 share of fte aged 55+ [S]
    hits.pop("age_distribution[3]", None)
    assert not hits, f"parameters equal to later measurements: {hits}"
    assert len(values) > 20  # the check saw the file's own values


def test_calibrated_parameters_are_set_explicitly_at_their_uncalibrated_priors():
    """A calibrated block copied into netherlands.toml later cannot leak into the hindcast:
    every fitted parameter is set in the hindcast file itself, at the default of
    parameters.py (the search's start, not its result) or as a documented assumption."""
    own = RAW["parameters"]
    defaults = Parameters()
    assumed = {a.name for a in hc.ASSUMPTIONS}
    names = {f.name for f in FREE_PARAMETERS} | {
        t[0] for f in FREE_PARAMETERS for t in getattr(f, "tied", ())
    }
    assert names, "no calibrated parameters found"
    for name in names:
        assert name in own, f"{name} is not set in the hindcast scenario file"
        value = own[name]
        value = tuple(value) if isinstance(value, list) else value
        assert name in assumed or value == getattr(defaults, name), name


def test_only_exogenous_paths_follow_the_years():
    scen = load_scenario(hc.SCENARIO)
    assert set(scen.parameter_paths) <= EXOGENOUS_PATHS
    for path in scen.parameter_paths.values():
        assert path.years[0] == hc.START_YEAR and path.years[-1] <= hc.LAST_YEAR
    assert scen.pupil_projection is not None
    assert scen.pupil_projection.rest.years[0] == hc.START_YEAR


def test_the_observed_pension_age_path_reaches_the_model_year_by_year():
    model = RegionModel(hc.SCENARIO, rng=3, horizon_years=2, school_sites=700)
    assert model.p.retirement_age == 65.25
    model.step()
    assert model.year == 2016 and model.p.retirement_age == 65.5
    model.step()
    assert model.p.retirement_age == 65.75
    assert model.p.side_entrant_applicants_per_100_teachers == pytest.approx(0.162)


# ------------------------------------------------------------------------------ draws
def test_draws_stay_in_their_ranges_and_set_only_assumptions():
    draws = hc.draw_overrides(20, seed=7)
    assert len(draws) == 20
    names = {a.name for a in hc.ASSUMPTIONS}
    for d in draws:
        assert set(d) == names | {"pupils_per_teacher_fte"}
        for a in hc.ASSUMPTIONS:
            assert a.low <= d[a.name] <= a.high
        expected = hc.PUPILS_PER_EMPLOYED_FTE_2013 * (1 - d["initial_shortage_rate"])
        assert d["pupils_per_teacher_fte"] == pytest.approx(expected, abs=1e-4)
        load_scenario(hc.SCENARIO).parameters(**d)  # valid values
    # a Latin hypercube covers each range: every tenth of a range holds draws
    for a in hc.ASSUMPTIONS:
        tenths = {min(int((d[a.name] - a.low) / (a.high - a.low) * 10), 9) for d in draws}
        assert tenths == set(range(10)), a.name


def test_the_comparison_counts_a_measurement_inside_the_band_as_a_hit():
    sim = pd.DataFrame(
        {
            "run_id": range(11),
            "arm": "c",
            "year": 2023,
            "shortage_rate": np.linspace(0.04, 0.09, 11),
        }
    )  # 10-90% band 0.045-0.085, median 0.065
    inside = hc.Measured.point("shortage_rate", 2023, 0.05, 0.01, "x")  # median 1.5 points off
    near = hc.Measured.point("shortage_rate", 2023, 0.058, 0.01, "x")
    above = hc.Measured.point("shortage_rate", 2023, 0.09, 0.01, "x")
    overlapping = hc.Measured("shortage_rate", 2023, 0.09, 0.08, 0.10, 0.0, "x")
    table = hc.compare(sim, [inside, near, above, overlapping])
    assert table["hit"].tolist() == [True, True, False, True]
    assert table["median_hit"].tolist() == [False, True, False, False]
    assert table["simulated_median"].iloc[0] == pytest.approx(0.065)
    assert table["simulated_p10"].iloc[0] == pytest.approx(0.045)
    assert table["simulated_p90"].iloc[0] == pytest.approx(0.085)


def test_the_drivers_rank_scalar_draws_and_skip_share_profiles():
    arms = [f"draw-{i}" for i in range(6)]
    outcome = [0.02, 0.03, 0.05, 0.06, 0.08, 0.09]
    sim = pd.DataFrame({"arm": arms, "year": 2023, "shortage_rate": outcome})
    draws = {
        "central": {},
        **{
            a: {"returner_rate": 0.2 - 0.02 * i, "share": (0.5, 0.5), "noise": [3, 1, 2][i % 3]}
            for i, a in enumerate(arms)
        },
    }
    table = hc.drivers(sim, draws)
    assert table["input"].tolist()[0] == "returner_rate"
    assert table["rank correlation"].iloc[0] == pytest.approx(-1.0)
    assert "share" not in set(table["input"])


# ------------------------------------------------------------------------ the script
def _script():
    spec = importlib.util.spec_from_file_location(
        "hindcast_script", REPO / "experiments/hindcast.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_finishes_in_under_a_minute_and_writes_the_report(tmp_path):
    script = _script()
    start = time.perf_counter()
    code = script.main(["--quick", "--results-dir", str(tmp_path), "--out", str(tmp_path / "r")])
    seconds = time.perf_counter() - start
    assert code == 0
    assert seconds < 60, f"--quick took {seconds:.0f} s"
    text = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "| shortage_rate | 2023 | 5.8% |" in text
    assert (tmp_path / "r" / "all_quantities.png").stat().st_size > 0


def test_the_design_has_a_central_arm_and_one_arm_per_draw():
    draws = [{"returner_rate": 0.05}, {"returner_rate": 0.15}]
    design = _script().design(2, draws)
    assert [a.name for a in design.arms] == ["central", "draw-00", "draw-01"]
    assert dict(design.arms[2].overrides) == {"returner_rate": 0.15}
    assert design.scenario == hc.SCENARIO and design.horizon == 9
    design.validate()


def _default_design():
    script = _script()
    return script.design_from_args(script.build_parser().parse_args([]))


def _set_by_the_scenario_files() -> set[str]:
    """What netherlands-2015.toml and the file it extends set, read from the TOML itself."""
    base = tomllib.loads((SCENARIO_DIR / f"{RAW['scenario']['extends']}.toml").read_text("utf-8"))
    return set(RAW["parameters"]) | set(base["parameters"]) | set(RAW["parameter_paths"])


def test_the_default_design_draws_the_parameter_priors_with_the_assumptions():
    design = _default_design()
    info = Parameters.info()
    draws = [dict(a.overrides) for a in design.arms if a.name != "central"]
    assert len(draws) >= 12 and not dict(design.arm("central").overrides)
    assert len(design.arms) * design.replications <= 60  # the default run stays small
    assumed = {a.name for a in hc.ASSUMPTIONS} | {"pupils_per_teacher_fte"}
    fixed = _set_by_the_scenario_files() - assumed
    drawn = set(draws[0]) - assumed
    # every parameter with a prior that the files do not set is drawn, except the pupil trend
    expected = {n for n, i in info.items() if i.prior is not None} - fixed - assumed
    assert drawn == expected - {"pupil_trend_per_year"}
    assert {"inmigration_ratio", "mover_search_rate", "subject_demand_share"} <= drawn
    assert not drawn & fixed  # nothing the scenario sets, no observed path
    for d in draws:
        assert set(d) == drawn | assumed
        for a in hc.ASSUMPTIONS:
            assert a.low <= d[a.name] <= a.high
        for name in drawn:
            prior = info[name].prior
            if prior.shape == "dirichlet":
                assert sum(d[name]) == pytest.approx(1.0)
            else:
                assert prior.low <= d[name] <= prior.high, name
    # two draws differ in a drawn parameter, and every continuous one takes a value per draw
    assert draws[0]["inmigration_ratio"] != draws[1]["inmigration_ratio"]
    continuous = [n for n in drawn if not info[n].prior.integer]
    assert all(len({repr(d[n]) for d in draws}) == len(draws) for n in continuous)
    # a Latin hypercube: a uniform prior's range is covered, a quarter of the draws per quarter
    low, high = info["inmigration_ratio"].prior.low, info["inmigration_ratio"].prior.high
    quarters = [min(int((d["inmigration_ratio"] - low) / (high - low) * 4), 3) for d in draws]
    assert np.bincount(quarters, minlength=4).tolist() == [len(draws) // 4] * 4
    design.validate()


def test_no_draw_takes_a_calibrated_rijnmond_value_or_a_post_2015_value():
    """The calibration's results for rijnmond (values that differ from the defaults, and its
    supported ranges) appear in no arm's parameters; nor does a value measured after 2015."""
    rijnmond = load_scenario("rijnmond")
    calibrated = {f.name for f in FREE_PARAMETERS} | {
        t[0] for f in FREE_PARAMETERS for t in getattr(f, "tied", ())
    }
    defaults, fitted = Parameters(), rijnmond.parameters()
    only_calibrated = {
        n: getattr(fitted, n) for n in calibrated if getattr(fitted, n) != getattr(defaults, n)
    }
    assert len(only_calibrated) >= 4  # the check sees the fit (e.g. workload sensitivity 1.0)
    design = _default_design()
    scen = load_scenario(hc.SCENARIO)
    for arm in design.arms:
        p = scen.parameters_at(hc.START_YEAR, **arm.overrides)
        for name, value in only_calibrated.items():
            assert getattr(p, name) != value, (arm.name, name)
        for name, post in POST_2015_VALUES.items():
            assert all(not math.isclose(getattr(p, name), v, rel_tol=1e-6) for v in post), name
    # the priors drawn are the documented ones, not a scenario's supported range
    priors = hc.prior_design(4).priors()
    assert priors and all(p == Parameters.info()[n].prior for n, p in priors.items())
    assert not any(p.supported for p in priors.values())


def test_a_supported_range_of_a_calibration_is_refused(tmp_path):
    text = (SCENARIO_DIR / f"{hc.SCENARIO}.toml").read_text(encoding="utf-8")
    text = text.replace(
        "horizon_years = 9\n", "horizon_years = 9\nsupported_range.inmigration_ratio = [0.9, 1.1]\n"
    )
    path = tmp_path / "calibrated-2015.toml"
    path.write_text(text, encoding="utf-8")
    assert load_scenario(path).supported_ranges == {"inmigration_ratio": (0.9, 1.1)}
    with pytest.raises(hc.HindcastError, match="inmigration_ratio"):
        hc.draws(3, scenario=path)
    assert len(hc.draws(3, scenario=path, priors=False)) == 3  # the assumptions alone are fine


def test_without_priors_the_draws_are_the_assumptions_alone():
    assert hc.draws(5, priors=False) == hc.draw_overrides(5)
    with_priors = hc.draws(5)
    assert [
        {k: d[k] for k in a} for d, a in zip(with_priors, hc.draw_overrides(5), strict=True)
    ] == (hc.draw_overrides(5))


# -------------------------------------------------------------- parameter paths (general)
def _scenario(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "variant.toml"
    path.write_text(text, encoding="utf-8")
    return path


HEAD = '[scenario]\nname = "variant"\ndescription = "d"\nlayout_seed = 1\nextends = "rijnmond"\n'


def test_extends_takes_the_base_and_replaces_what_it_gives(tmp_path):
    path = _scenario(tmp_path, HEAD + "[parameters]\nstart_year = 2020\n")
    scen, base = load_scenario(path), load_scenario("rijnmond")
    assert scen.name == "variant" and scen.municipalities == base.municipalities
    assert scen.programmes == base.programmes
    p = scen.parameters()
    assert p.start_year == 2020
    assert p.returner_rate == base.parameters().returner_rate  # the base's own values kept


def test_extends_names_an_unknown_base(tmp_path):
    path = _scenario(tmp_path, HEAD.replace('"rijnmond"', '"atlantis"'))
    with pytest.raises(ScenarioError, match=r"extends.*atlantis"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[parameter_paths.no_such]\nyears = [2023]\nvalues = [1.0]\n", "unknown parameter"),
        ("[parameter_paths.age_distribution]\nyears = [2023]\nvalues = [1.0]\n", "cannot follow"),
        (
            "[parameter_paths.returner_rate]\nyears = [2024, 2023]\nvalues = [0.1, 0.2]\n",
            "increasing",
        ),
        ("[parameter_paths.returner_rate]\nyears = [2023, 2024]\nvalues = [0.1]\n", "one finite"),
        (
            "[parameter_paths.returner_rate]\nyears = [2023, 2024]\nvalues = [0.1, 3.0]\n",
            "returner_rate",
        ),
    ],
)
def test_bad_parameter_paths_are_named(tmp_path, table, message):
    path = _scenario(tmp_path, HEAD + table)
    with pytest.raises(ValueError, match=message) as info:
        load_scenario(path)
    assert str(path) in str(info.value)


def test_a_path_sets_the_value_of_each_year_and_the_callers_value_wins(tmp_path):
    table = "[parameter_paths.retirement_age]\nyears = [2023, 2025]\nvalues = [66.0, 67.0]\n"
    path = _scenario(tmp_path, HEAD + table)
    model = RegionModel(path, rng=1)
    ages = [model.p.retirement_age]
    for _ in range(3):
        model.step()
        ages.append(model.p.retirement_age)
    assert ages == [66.0, 66.5, 67.0, 67.0]  # linear between the years, held after the last
    fixed = RegionModel(path, rng=1, retirement_age=68.0)
    fixed.step()
    assert fixed.p.retirement_age == 68.0


# --------------------------------------------------------------- the initial training pipeline
def _graduates(seed: int, **overrides) -> np.ndarray:
    model = RegionModel("rijnmond", rng=seed, **overrides)
    model.run_for(5)
    return model.series()["students_graduated"].to_numpy()[1:]


def test_the_initial_pipeline_is_steady_when_intake_is_level():
    """With a level intake the first year's graduates are those of the later years: the build
    holds the whole tail of slow finishers (before, year 1 had 15-20% fewer)."""
    level = {
        "training_intake_trend_per_year": 0.0,
        "follow_pupil_projection": False,
        "intake_shortage_response": 0.0,  # intake that follows the market is not level
    }
    runs = np.array([_graduates(s, **level) for s in range(1, 13)])
    first, later = runs[:, 0].mean(), runs[:, 2:].mean()
    assert abs(first / later - 1) < 0.05, (first, later)


def test_a_falling_intake_before_the_start_fills_the_later_study_years():
    counts = {}
    for trend in (0.0, -0.04):
        model = RegionModel("rijnmond", rng=2, training_intake_trend_before_start=trend)
        year = model.students.data["year_of_study"][model.students.live()]
        counts[trend] = np.bincount(year, minlength=6)
    ratio = (counts[-0.04][3:].sum() / counts[-0.04][1]) / (counts[0.0][3:].sum() / counts[0.0][1])
    assert ratio > 1.05  # cohorts that entered 2-3 years earlier were 8-12% larger
