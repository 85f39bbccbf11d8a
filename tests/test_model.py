"""The region model as a whole: accounting identities, seeds, the closed-form path, levers."""

import numpy as np
import pandas as pd
import pytest

from sim.model.agents import School, SideEntrant, Student, Teacher
from sim.model.model import RegionModel
from sim.model.policies import PolicyError
from sim.model.scenarios import ScenarioError
from sim.model.stages import demand, exits, intake, market, pipeline, stopgaps, vacancies

from conftest import SMALL, run_model


def test_demand_is_qualified_plus_unqualified_plus_vacancy_every_year(small_run):
    s = small_run.series()
    assert len(s) == 7 and s.index[0] == 2023 and s.index[-1] == 2029
    np.testing.assert_allclose(
        s.qualified_fte + s.unqualified_fte + s.vacancy_fte, s.demand_fte, rtol=1e-9
    )
    np.testing.assert_allclose(s.shortage_rate, (s.vacancy_fte + s.unqualified_fte) / s.demand_fte)


def test_head_count_is_stock_plus_entrants_minus_leavers(small_run):
    s = small_run.series()
    staff = s.teachers + s.side_entrants
    entrants = s.hires_graduate + s.hires_side_entrant + s.hires_returner + s.hires_inmigrant
    leavers = (
        s.exits_retirement + s.exits_left_education + s.exits_left_region + s.side_entrant_dropouts
    )
    np.testing.assert_array_equal(staff.diff().iloc[1:], (entrants - leavers).iloc[1:])
    students = s.students_enrolled
    np.testing.assert_array_equal(
        students.diff().iloc[1:],
        (s.students_intake - s.students_graduated - s.students_dropout).iloc[1:],
    )


def test_mesa_registry_matches_the_tables(small_run):
    m = small_run
    s = m.series().iloc[-1]
    assert len(m.agents_by_type[Teacher]) == s.teachers
    assert len(m.agents_by_type[SideEntrant]) == s.side_entrants
    assert len(m.agents_by_type[Student]) == s.students_enrolled
    for agent in m.agents_by_type[Teacher]:
        assert m.workforce.agents[agent.row] is agent
    assert m.time == 6


def test_same_rng_same_result_different_rng_differs():
    a = run_model(rng=11, years=4).series()
    b = run_model(rng=11, years=4).series()
    c = run_model(rng=12, years=4).series()
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    gen = RegionModel(rng=np.random.default_rng(5), **SMALL)
    assert gen.seed == RegionModel(rng=np.random.default_rng(5), **SMALL).seed


def test_closed_form_stock_path_without_feedbacks_and_with_constant_rates():
    """No inflow, one exit hazard for all, no feedbacks: each initial teacher is still there
    after t years with probability ((1 - h)(1 - r))^t unless they reached the pension age."""
    h, r, years = 0.08, 0.02, 6
    m = RegionModel(
        rng=4,
        pupils_total=80_000,
        school_sites=24,
        feedbacks=False,
        pupil_noise_sd=0.0,
        pupil_trend_per_year=0.0,
        exit_hazard_by_age=(h,) * 5,
        starter_exit_hazard=(h,) * 5,
        temporary_exit_rr=1.0,
        small_contract_exit_rr=1.0,
        induction_exit_rr=1.0,
        leave_region_rate=r,
        pension_age_rise=0.0,  # the closed form below counts a whole pension age
        graduate_entry_interned_in_region=0.0,
        graduate_entry_other=0.0,
        returner_rate=0.0,
        inmigration_ratio=0.0,
        side_entrant_applicants_per_100_teachers=0.0,
    )
    wf = m.workforce
    ages = wf.data["age"][wf.live()]
    m.run_for(years)
    n = m.series().teachers.to_numpy()
    t = np.arange(years + 1)
    p = ((1 - h) * (1 - r)) ** t
    at_risk = np.array([(ages + k < m.p.retirement_age).sum() for k in t])
    expected = at_risk * p
    sd = np.sqrt(at_risk * p * (1 - p))
    assert n[0] == ages.size
    assert (np.abs(n - expected) <= 4 * sd + 1).all(), (n, expected)


def test_shortage_grows_without_inflow_and_falls_with_fewer_pupils():
    closed = run_model(
        years=6,
        graduate_entry_interned_in_region=0.0,
        graduate_entry_other=0.0,
        returner_rate=0.0,
        inmigration_ratio=0.0,
        side_entrant_applicants_per_100_teachers=0.0,
    ).series()
    assert (np.diff(closed.qualified_fte) < 0).all()
    assert closed.shortage_rate.iloc[-1] > closed.shortage_rate.iloc[0] + 0.15
    falling = run_model(years=6, pupil_trend_per_year=-0.06).series()
    base = run_model(years=6).series()
    assert falling.demand_fte.iloc[-1] < 0.75 * falling.demand_fte.iloc[0]
    assert falling.shortage_rate.iloc[-1] < base.shortage_rate.iloc[-1]
    assert falling.surplus_fte.iloc[-1] > base.surplus_fte.iloc[-1]


def test_bad_scenario_and_policy_names():
    with pytest.raises(ScenarioError, match="unknown scenario 'atlantis'"):
        RegionModel(scenario="atlantis")
    with pytest.raises(PolicyError, match="unknown policy"):
        RegionModel(policy="cooperative")


def test_school_frame_for_maps(small_run):
    f = small_run.school_frame()
    assert len(f) == len(small_run.agents_by_type[School]) == SMALL["school_sites"]
    assert {"x_km", "y_km", "pupils", "shortage_rate", "vacancy_fte"} <= set(f.columns)
    np.testing.assert_allclose(f.vacancy_fte.sum(), small_run.series().vacancy_fte.iloc[-1])
    school = next(iter(small_run.agents_by_type[School]))
    assert school.shortage_rate == pytest.approx(f.shortage_rate.iloc[school.index])


def test_mesa_batch_run_builds_the_model_from_keywords():
    import mesa

    rows = mesa.batch_run(
        RegionModel,
        parameters={
            "policy": ["isolated", "collaborative"],
            "pupils_total": 12_000,
            "school_sites": 6,
        },
        number_processes=1,
        max_steps=2,
        data_collection_period=-1,
        display_progress=False,
        rng=[1, 2],
    )
    runs = {(r["policy"], r["rng"] if "rng" in r else r["RunId"]) for r in rows}
    assert len(runs) == 4
    assert all(r["year"] == 2025 for r in rows)


def test_run_model_stops_at_the_horizon():
    model = RegionModel(rng=1, horizon_years=3, **SMALL)
    model.run_model()
    assert model.year == 2026 and not model.running


@pytest.mark.parametrize("policy", ["isolated", "collaborative"])
def test_side_entrants_see_the_vacancies_left_after_the_years_hires(policy):
    """The side-entrants' market comes after the graduates, returners and in-migrants are hired:
    the vacancies it offers are those still open then, not those posted before the hires."""
    m = RegionModel(rng=4, policy=policy)
    for _ in range(2):
        demand.run(m)
        exits.run(m)
        pipeline.run(m)
        vacancies.run(m)
        posted = m.pre_market.open_by_level.sum()
        market.movers(m)
        market.new_seekers(m)
        assert m.year_counts["hires_graduate"] > 0
        fresh = m.cover_before_market().open_by_level
        np.testing.assert_allclose(m.pre_market.open_by_level, fresh)
        assert fresh.sum() < posted  # the hires filled some of what was posted
        market.side_entrants(m)
        stopgaps.run(m)
        intake.run(m)


def test_training_intake_follows_its_trend():
    """The intake into teacher training falls by the trend a year, compounded: after three
    years at -20% a year it is 0.8**3 of the intake without the trend (same seed, same pupils),
    for school leavers and outside intake alike."""
    flat = RegionModel(rng=3, training_intake_trend_per_year=0.0, **SMALL)
    falling = RegionModel(rng=3, training_intake_trend_per_year=-0.2, **SMALL)
    for m in (flat, falling):
        m.run_for(3)
    np.testing.assert_allclose(falling.pupils, flat.pupils)
    assert falling.expected_school_leavers() == pytest.approx(
        0.8**3 * flat.expected_school_leavers()
    )
    for a, b in zip(falling.programmes, flat.programmes, strict=True):
        assert a.expected_outside_intake == pytest.approx(0.8**3 * b.expected_outside_intake)
    students = [m.series()["students_intake"].iloc[1:].sum() for m in (flat, falling)]
    assert students[1] < students[0]
