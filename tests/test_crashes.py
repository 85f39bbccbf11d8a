"""Valid parameter sets that used to crash the model (issue 13, defect 1), each run as reported."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.model import RegionModel


def test_a_year_with_no_vacancy_anywhere_places_nobody():
    """``--set school_sites=1 --set pupil_trend_per_year=-0.2`` raised IndexError in new_seekers."""
    model = RegionModel(rng=1, school_sites=1, pupil_trend_per_year=-0.2)
    model.run_for(17)
    s = model.series()
    assert (s.vacancy_fte == 0).any()  # the case the fix is about did occur
    np.testing.assert_allclose(s.qualified_fte + s.unqualified_fte + s.vacancy_fte, s.demand_fte)


def test_a_collapsed_workforce_shares_no_hours():
    """``--policy collaborative --rng 9 --set leave_region_rate=0.5 --set school_sites=2
    --set pupils_total=500`` raised IndexError in shared_appointments (300 pupils here: the
    real-school region's two kept sites need fewer pupils to collapse; no pull of the shortage
    on the silent reserve, which would refill it)."""
    model = RegionModel(
        policy="collaborative",
        rng=9,
        leave_region_rate=0.5,
        school_sites=2,
        pupils_total=300,
        inflow_shortage_response=0.0,
    )
    model.run_for(17)
    s = model.series()
    assert s.teachers.min() <= 1
    assert s.shared_appointments.iloc[-1] == 0


def test_a_starter_hazard_of_one_still_gives_initial_ages():
    """``starter_exit_hazard = (0, 0, 0, 0, 1)`` left no steady survivors: NaN probabilities."""
    model = RegionModel(
        rng=0, school_sites=50, pupils_total=2500, starter_exit_hazard=(0.0, 0.0, 0.0, 0.0, 1.0)
    )
    model.run_for(1)
    ages = model.workforce.col("age")[model.workforce.live()]
    assert ages.size and (ages >= 23).all()


@pytest.mark.parametrize("years", [math.nan, math.inf, -1, 0.5, 10**6])
def test_run_for_refuses_a_number_of_years_it_cannot_run(years):
    model = RegionModel(rng=1, school_sites=2, pupils_total=1000)
    with pytest.raises(ValueError, match="years"):
        model.run_for(years)


def test_a_programme_whose_subjects_no_graduate_chooses_still_enrols():
    """``graduate_subject_share`` all on a subject a programme does not train for: 0/0 shares."""
    share = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)
    model = RegionModel(rng=0, school_sites=50, pupils_total=2500, graduate_subject_share=share)
    model.run_for(2)
    s = model.series()
    np.testing.assert_array_equal(
        s.students_enrolled.diff().iloc[1:],
        (s.students_intake - s.students_graduated - s.students_dropout).iloc[1:],
    )
