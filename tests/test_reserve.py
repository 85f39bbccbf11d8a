"""Supply stocks with a demography: the silent reserve, region moves, the pension age and the
initial state (issue 10). Expected values come from the reference figures or from arithmetic
on the inputs, never from the code under test."""

from __future__ import annotations

import numpy as np
import pytest

from sim import RegionModel
from sim.model.agents import ROUTE, UNQUALIFIED
from sim.model.reserve import MAX_YEARS_OUT, SilentReserve, pension_age, retirement_share
from sim.model.scenarios import load_scenario

SMALL = {"pupils_total": 30_000, "school_sites": 20, "school_boards": 6}


def _qualified(m: RegionModel) -> np.ndarray:
    wf = m.workforce
    rows = wf.live()
    return rows[wf.data["degree"][rows] != UNQUALIFIED]


# ------------------------------------------------------------------ pension age
def test_pension_age_follows_the_aow_table_and_a_fraction_acts_on_a_share_of_the_cohort():
    p = load_scenario("rijnmond").parameters()
    assert pension_age(p, 2027) == 67.0  # [S] 67 for 2024-27
    assert pension_age(p, 2028) == 67.25  # [S] 67 years 3 months from 2028
    assert retirement_share(np.array([66, 67, 68]), 67.0).tolist() == [0.0, 1.0, 1.0]
    assert retirement_share(np.array([66, 67, 68]), 67.25).tolist() == [0.0, 0.75, 1.0]


def test_teachers_retire_at_the_pension_age_of_the_calendar_year():
    m = RegionModel(rng=3, **SMALL)
    wf = m.workforce
    for _ in range(5):  # to the census of 2028
        m.step()
        ages = wf.data["age"][_qualified(m)]
        top = pension_age(m.p, m.year)
        assert ages.max() < np.ceil(top), (m.year, ages.max())
        if m.year < 2028:
            assert (ages >= 67).sum() == 0
    # from 2028 a quarter of those reaching 67 work on a year: some 67-year-olds are left
    assert (wf.data["age"][_qualified(m)] == 67).sum() > 0


# ----------------------------------------------------------------- the reserve
def test_reserve_cohorts_shift_by_one_year_of_age_and_out_and_leave_at_pension_age():
    r = SilentReserve()
    r.add(np.array([30, 30, 45, 60, 66]))
    r.add(np.array([50]), years_out=7)
    rng = np.random.default_rng(0)
    for _ in range(3):
        r.age_one_year(67.0, rng)
    ages, out = r.people()
    # 30, 30, 45, 60 three years on; 66 reached 67 and left; 50 with 7 years out -> 53 with 10
    assert sorted(zip(ages.tolist(), out.tolist(), strict=True)) == [
        (33, 3),
        (33, 3),
        (48, 3),
        (53, 10),
        (63, 3),
    ]
    for _ in range(MAX_YEARS_OUT + 5):
        r.age_one_year(67.0, rng)
    assert r.size == 0


def test_return_hazard_declines_with_years_out():
    p = (
        load_scenario("rijnmond")
        .parameters()
        .with_overrides(
            returner_rate=0.2, returner_rate_decline=0.1, outside_labour_market_tightness=1.0
        )
    )
    r = SilentReserve()
    n = 20_000
    r.add(np.full(n, 35), years_out=0)
    r.add(np.full(n, 45), years_out=10)
    ages, out = r.draw_seekers(p, np.random.default_rng(1))
    fresh, old = (out == 0).sum(), (out == 10).sum()
    for k, expected in ((fresh, n * 0.2), (old, n * 0.2 * 0.9**10)):
        sd = np.sqrt(expected)
        assert abs(k - expected) < 4 * sd
    assert set(ages[out == 10].tolist()) == {45}  # a seeker keeps their own age


def test_reserve_ages_and_shrinks_without_returns_and_without_new_leavers():
    """Returns off and nobody leaving education: the reserve only ages and loses people at the
    pension age; nobody in it is ever at or past the pension age of the year."""
    m = RegionModel(rng=2, returner_rate=0.0, **SMALL)
    # the initial reserve is built from the leavers of the default hazards; from now on nobody
    # leaves education (and workload feedback has nothing to multiply)
    m.p = m.p.with_overrides(exit_hazard_by_age=(0.0,) * 5, starter_exit_hazard=(0.0,) * 5)
    size = [m.reserve.size]
    assert size[0] > 0
    for k in range(1, 11):
        m.step()
        ages, out = m.reserve.people()
        assert ages.size == 0 or ages.max() < np.ceil(pension_age(m.p, m.year))
        assert out.size == 0 or out.min() >= k  # nobody new: everyone a year longer out
        size.append(m.reserve.size)
    assert (np.diff(size) < 0).all(), size
    s = m.series()
    assert (s.hires_returner == 0).all()
    assert (s.silent_reserve.diff().iloc[1:] == -s.reserve_pension_exits.iloc[1:]).all()


def test_reserve_stock_and_flow_and_returners_keep_their_age():
    m = RegionModel(rng=5, **SMALL)
    for _ in range(6):
        before = m.reserve.size
        m.step()
        c = m.year_counts
        assert m.reserve.size == (
            before - c["reserve_pension_exits"] + c["exits_left_education"] - c["hires_returner"]
        )
        assert c["returner_seekers"] >= c["hires_returner"]
    wf = m.workforce
    rows = wf.live()
    ret = rows[wf.data["route"][rows] == ROUTE["returner"]]
    assert ret.size > 0
    # hires drawn from the reserve: ages of the people it holds, never past the pension age
    assert wf.data["age"][ret].min() >= 23
    s = m.series()
    assert s.silent_reserve_mean_age.notna().all()


# ------------------------------------------------------------------- region moves
@pytest.mark.parametrize("ratio", [1.0, 0.5])
def test_inmigrant_seekers_follow_the_outmigration_rate_times_the_ratio(ratio):
    m = RegionModel(rng=7, leave_region_rate=0.03, inmigration_ratio=ratio)
    seekers = out = 0
    for _ in range(6):
        m.step()
        seekers += m.year_counts["inmigrant_seekers"]
        out += m.year_counts["exits_left_region"]
        wf = m.workforce
        rows = wf.live()
        new_in = rows[
            (wf.data["route"][rows] == ROUTE["inmigrant"]) & (wf.data["entry_year"][rows] == m.year)
        ]
        # in-migrants take the ages of this year's out-migrants
        assert set(wf.data["age"][new_in].tolist()) <= set(m.outmigrant_ages.tolist())
    # both are binomial/Poisson counts around teachers x rate (x ratio): 4 sd on the difference
    assert abs(seekers - ratio * out) < 4 * np.sqrt(seekers + ratio**2 * out)
    s = m.series()
    assert (s.outmigrants == s.exits_left_region).all()
    assert (s.inmigrants == s.hires_inmigrant).all()


# ----------------------------------------------------------------- initial state
def test_initial_census_meets_the_2022_structure():
    """[S] 2022: 28% of teacher fte aged 55+, mean age 43.1; experience consistent with age;
    exits in the first year no higher than in the three years after (the old block of
    first-years made 2024 about 17% higher). The workload feedback is off so that the check
    sees the initial structure alone, not the response to the initial shortage. Some excess is
    real: retirements fall 2024-2027 as the large 60+ band of 2022 thins (16% in the real-school
    region, 11% in the old drawn one), so the margin is 10% over eight seeds (measured 1.087)."""
    share, mean, first, after = [], [], 0, 0.0
    for seed in range(1, 9):
        m = RegionModel(rng=seed, workload_exit_sensitivity=0.0)
        s0 = m.series().iloc[0]
        share.append(s0.fte_share_55_plus)
        mean.append(s0.mean_age_teachers)
        wf = m.workforce
        rows = _qualified(m)
        age, exp = wf.data["age"][rows], wf.data["experience"][rows]
        assert (exp <= age - 22).all()
        # no block of first-years: at most one year's graduate inflow (about 4% of teachers)
        # plus a margin, where the old start put 10% at experience 0
        assert (exp == 0).mean() < 0.06
        m.run_for(4)
        s = m.series()
        exits = s.exits_left_education + s.exits_retirement
        first += exits.loc[2024]
        after += exits.loc[2025:2027].mean()
        assert abs(s0.fte_share_55_plus - 0.28) < 0.025
        assert abs(s0.mean_age_teachers - 43.1) < 0.7
    assert abs(np.mean(share) - 0.28) < 0.015
    assert abs(np.mean(mean) - 43.1) < 0.4


def test_2024_has_no_exit_spike():
    """Teachers leaving education (retirement apart) in the first year no more than 10% above
    the three years after (the old block of first-years made 2024 about 17% higher), workload
    feedback off. Retirements are left out: they really fall 2024-2027 as the large 60+ band of
    2022 thins (about 226 -> 191 a year here), which is no artefact of the initial state."""
    first, after = 0, 0.0
    for seed in range(1, 9):
        m = RegionModel(rng=seed, workload_exit_sensitivity=0.0)
        m.run_for(4)
        s = m.series()
        first += s.exits_left_education.loc[2024]
        after += s.exits_left_education.loc[2025:2027].mean()
    assert first < 1.10 * after, (first, after)
