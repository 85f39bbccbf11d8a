"""Each agent rule on a tiny region (a handful of schools)."""

import numpy as np
import pytest

from sim.model.agents import (
    ROUTE,
    UNQUALIFIED,
    School,
    SideEntrant,
    Student,
    Teacher,
    TrainingProgramme,
    age_band,
)
from sim.model.model import RegionModel

TINY = {"pupils_total": 4_000, "school_sites": 4, "school_boards": 2}


def tiny(**overrides) -> RegionModel:
    return RegionModel(rng=3, **{**TINY, **overrides})


def _rows(model):
    wf = model.workforce
    live = wf.live()
    return live[wf.data["degree"][live] != UNQUALIFIED]


def test_agents_are_mesa_agents_with_table_backed_attributes():
    m = tiny()
    teachers = m.agents_by_type[Teacher]
    assert len(teachers) == len(_rows(m))
    t = next(iter(teachers))
    assert m.workforce.agents[t.row] is t
    t.age = 44
    assert m.workforce.data["age"][t.row] == 44 and t.age == 44
    assert len(m.agents_by_type[School]) == 4
    assert len(m.agents_by_type[TrainingProgramme]) == len(m.programmes)
    assert len(m.agents_by_type[Student]) == len(m.students)
    assert len(m.agents_by_type[SideEntrant]) == int(
        (m.workforce.data["degree"][m.workforce.live()] == UNQUALIFIED).sum()
    )


def test_age_bands():
    assert list(age_band(np.array([22, 29, 30, 45, 59, 60, 66]))) == [0, 0, 1, 2, 3, 4, 4]


def test_exit_hazard_follows_age_experience_induction_contract_and_workload():
    m = tiny(
        temporary_exit_rr=2.0,
        small_contract_exit_rr=1.5,
        induction_exit_rr=0.5,
        workload_exit_sensitivity=4.0,
        workload_threshold=0.05,
    )
    wf, p = m.workforce, m.p
    r = _rows(m)[:1]
    d = wf.data
    d["permanent"][r], d["fte"][r], d["induction"][r] = True, 0.8, False
    d["age"][r], d["experience"][r] = 45, 15
    m.workload[:] = 0.0
    assert Teacher.exit_hazard(m, r)[0] == pytest.approx(p.exit_hazard_by_age[2])
    d["age"][r], d["experience"][r] = 24, 1
    assert Teacher.exit_hazard(m, r)[0] == pytest.approx(p.starter_exit_hazard[0])
    d["induction"][r] = True
    assert Teacher.exit_hazard(m, r)[0] == pytest.approx(p.starter_exit_hazard[0] * 0.5)
    d["permanent"][r], d["fte"][r] = False, 0.4
    assert Teacher.exit_hazard(m, r)[0] == pytest.approx(p.starter_exit_hazard[0] * 0.5 * 2.0 * 1.5)
    m.workload[d["school"][r]] = 0.15
    assert Teacher.exit_hazard(m, r)[0] == pytest.approx(p.starter_exit_hazard[0] * 0.5 * 3.0 * 1.4)
    off = tiny(feedbacks=False)
    off.workload[:] = 0.5
    r2 = _rows(off)[:1]
    off.workforce.data["age"][r2], off.workforce.data["experience"][r2] = 45, 15
    off.workforce.data["permanent"][r2], off.workforce.data["fte"][r2] = True, 0.8
    assert Teacher.exit_hazard(off, r2)[0] == pytest.approx(off.p.exit_hazard_by_age[2])


def test_age_and_exit_draws_at_the_hazard_and_retires_at_pension_age():
    m = RegionModel(
        rng=5,
        pupils_total=60_000,
        school_sites=20,
        school_boards=4,
        feedbacks=False,
        temporary_exit_rr=1.0,
        small_contract_exit_rr=1.0,
        leave_region_rate=0.0,
        exit_hazard_by_age=(0.1, 0.1, 0.1, 0.1, 0.1),
        starter_exit_hazard=(0.1,) * 5,
    )
    wf = m.workforce
    rows = _rows(m)
    age_before = wf.data["age"][rows].copy()
    out = Teacher.age_and_exit(m, np.random.default_rng(0))
    assert (wf.data["age"][rows] == age_before + 1).all()
    retired_forced = rows[wf.data["age"][rows] >= m.p.retirement_age]
    gone = np.concatenate([out["retirement"], out["left_education"]])
    assert set(retired_forced) <= set(gone)
    voluntary = len(gone) - len(retired_forced)
    n = rows.size - retired_forced.size
    assert abs(voluntary / n - 0.1) < 4 * np.sqrt(0.1 * 0.9 / n)
    assert out["left_region"].size == 0


def test_change_hours_stays_within_bounds_and_cuts_under_pressure():
    m = tiny(hours_change_rate=1.0)
    m.workload[:] = 0.0
    before = m.workforce.data["fte"][_rows(m)].copy()
    Teacher.change_hours(m, np.random.default_rng(1))
    after = m.workforce.data["fte"][_rows(m)]
    assert ((after >= 0.2) & (after <= 1.0)).all()
    assert np.isclose(np.abs(after - before), 0.1).mean() > 0.7
    m.workload[:] = 0.3  # heavy pressure: all changes are cuts
    before = after.copy()
    Teacher.change_hours(m, np.random.default_rng(2))
    assert (m.workforce.data["fte"][_rows(m)] <= before + 1e-9).all()


def test_side_entrants_qualify_after_the_route_and_support_lowers_dropout():
    m = RegionModel(
        rng=2,
        pupils_total=40_000,
        school_sites=12,
        side_entrant_applicants_per_100_teachers=20.0,
        mentor_places_training_school=60,
        mentor_places_other_school=30,
        side_entrant_dropout_per_year=0.3,
        supported_side_entrant_dropout_rr=0.3,
    )
    wf = m.workforce
    se = wf.live()[wf.data["degree"][wf.live()] == UNQUALIFIED]
    assert se.size > 200
    wf.data["training_year"][se] = 1
    half = se[: se.size // 2]
    wf.data["supported"][se] = False
    wf.data["supported"][half] = True
    out = SideEntrant.progress(m, np.random.default_rng(4))
    drop = np.isin(se, out["dropout"])
    assert drop[: half.size].mean() < drop[half.size :].mean()
    assert abs(drop[half.size :].mean() - 0.3) < 0.1
    assert set(out["completed"]) == set(se[~drop])


def test_students_drop_out_graduate_on_time_or_slowly():
    m = tiny()
    st = m.students
    rows = st.live()
    out = Student.progress_year(m, np.random.default_rng(0), slow_graduation_rr=1.0)
    year = st.data["year_of_study"]
    dur = m.programme_duration[st.data["programme"]]
    grads = out["graduated"]
    # graduation only from the last nominal year on
    assert (year[grads] >= dur[grads]).all()
    stayed = np.setdiff1d(rows, np.concatenate([grads, out["dropout"]]))
    assert stayed.size > 0


def test_help_raises_slow_finishers_graduation():
    def graduates(rr):
        m = RegionModel(rng=1, pupils_total=40_000, school_sites=10)
        st = m.students
        rows = st.live()
        st.data["year_of_study"][rows] = m.programme_duration[st.data["programme"][rows]] + 1
        st.data["helped"][rows] = True
        return (
            Student.progress_year(m, np.random.default_rng(9), slow_graduation_rr=rr)[
                "graduated"
            ].size
            / rows.size
        )

    assert graduates(2.0) > graduates(1.0) + 0.15


def test_programme_intake_respects_subjects():
    m = tiny()
    sec = next(p for p in m.programmes if p.institute == "SEC Delft")
    subjects, from_region = sec.intake(30, 12, np.random.default_rng(0))
    assert set(subjects) <= set(sec.subjects.tolist())
    assert from_region[:30].all() and not from_region[30:].any()


def test_hires_have_their_route():
    m = tiny()
    m.run_for(3)
    routes = set(m.workforce.data["route"][m.workforce.live()].tolist())
    assert ROUTE["graduate"] in routes and ROUTE["initial"] in routes


def test_new_behaviour_parameters_reach_their_rules():
    """Each of these was a number in the code; now a parameter: its extremes show it acts."""
    never = tiny(temporary_to_permanent_rate=0.0, temporary_contract_share_new_hire=1.0)
    always = tiny(temporary_to_permanent_rate=1.0, temporary_contract_share_new_hire=1.0)
    for m in (never, always):
        m.run_for(1)
    permanent = {}
    for name, m in (("never", never), ("always", always)):
        rows = _rows(m)
        initial = rows[m.workforce.data["route"][rows] == ROUTE["initial"]]  # not this year's hires
        permanent[name] = m.workforce.data["permanent"][initial].mean()
    assert permanent["always"] == 1.0 and permanent["never"] < 0.95
    first = tiny(seeker_first_degree_share=1.0, inmigration_ratio=10.0)
    first.run_for(2)
    wf = first.workforce
    rows = _rows(first)
    incoming = rows[np.isin(wf.data["route"][rows], [ROUTE["returner"], ROUTE["inmigrant"]])]
    assert incoming.size > 0 and (wf.data["degree"][incoming] == 1).all()
    courses = {}
    for age in (18, 70):
        m = RegionModel(
            rng=3, policy="isolated+dual_qualification", dual_qualification_max_age=age, **TINY
        )
        m.run_for(1)
        courses[age] = m.year_counts["dual_courses_started"]
    assert courses[18] == 0 < courses[70]
