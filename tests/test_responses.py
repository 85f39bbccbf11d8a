"""Schools that respond when short: part-timers asked for extra hours, within the gap, once."""

import numpy as np
import pytest

from sim import RegionModel
from sim.model.matching import Seekers
from sim.model.model import STAGES
from sim.model.responses import extra_hours, recruit
from sim.model.staffing import cover
from sim.model.stages import market


def _gap(m):
    return cover(m.demand, m.staff(), 0.0, 0.0, stopgaps=False).open_by_level.sum(-1)


@pytest.mark.parametrize("acceptance", [1.0, 0.25])
def test_short_schools_get_extra_hours_within_their_gap(acceptance):
    m = RegionModel(rng=11, extra_hours_acceptance=acceptance)
    wf = m.workforce
    before = wf.data["fte"].copy()
    gap = _gap(m)
    added = extra_hours(m)
    n = wf.n
    step = m.p.extra_hours_fte
    diff = wf.data["fte"][:n] - before[:n]
    changed = np.flatnonzero(diff > 1e-9)
    assert added == pytest.approx(changed.size * step) and added > 0
    assert np.allclose(diff[changed], step)
    assert (wf.data["fte"][changed] <= 1.0 + 1e-9).all()
    # only where a gap was, and never more than the gap plus half a step
    cell = wf.data["school"][changed] * gap.shape[1] + wf.data["subject"][changed]
    per_cell = np.bincount(cell, minlength=gap.size) * step
    assert (per_cell <= gap.ravel() + 0.5 * step + 1e-9).all()
    assert (gap.ravel()[np.unique(cell)] > 0.05).all()
    asked = wf.data["asked_hours"][: wf.n]
    assert asked[changed].all()
    share = changed.size / asked.sum()
    assert abs(share - acceptance) < (1e-9 if acceptance == 1.0 else 0.08)
    assert m.year_counts["extra_hours_bonus_eur"] == pytest.approx(
        added * m.p.extra_hours_bonus_eur_per_fte
    )


def test_nobody_is_asked_twice_and_zero_switches_it_off():
    m = RegionModel(rng=11, extra_hours_acceptance=0.0)
    assert extra_hours(m) == 0.0
    m = RegionModel(rng=11, extra_hours_acceptance=0.5)
    extra_hours(m)
    asked = m.workforce.data["asked_hours"].copy()
    fte = m.workforce.data["fte"].copy()
    extra_hours(m)  # the same gap again (nothing else happened): only people not asked yet
    again = np.flatnonzero(m.workforce.data["fte"] != fte)
    assert not asked[again].any()


def test_the_response_lowers_the_shortage_it_covers():
    on = RegionModel(rng=2)
    off = RegionModel(rng=2, extra_hours_fte=0.0)
    on.step()
    off.step()
    assert on.year_counts["extra_hours_fte"] > 0 and off.year_counts["extra_hours_fte"] == 0
    s_on, s_off = on.series().iloc[-1], off.series().iloc[-1]
    assert s_on["qualified_fte"] > s_off["qualified_fte"]
    assert s_on["shortage_rate"] < s_off["shortage_rate"]


def test_training_intake_follows_the_shortage_with_a_lag():
    m = RegionModel(rng=3, intake_shortage_response=2.0, intake_response_lag_years=3)
    start = m.shortage_path[m.p.start_year]
    trend = lambda m: (1 + m.p.training_intake_trend_per_year) ** (m.year - m.p.start_year)  # noqa: E731
    m.run_for(2)
    assert m.intake_market_factor == 1.0  # the lag has not passed
    m.run_for(2)
    m.shortage_path[m.year - 3] = start + 0.05  # the shortage programmes see this year
    assert m.intake_market_factor == pytest.approx(1.0 + 2.0 * 0.05)
    assert m.training_intake_factor == pytest.approx(trend(m) * 1.1)
    leavers = m.expected_school_leavers()
    m.shortage_path[m.year - 3] = start - 0.05
    assert m.expected_school_leavers() == pytest.approx(leavers * 0.9 / 1.1)
    m.shortage_path[m.year - 3] = start - 1.0
    assert m.intake_market_factor == 0.0  # never negative


def test_no_response_leaves_intake_to_the_trend():
    m = RegionModel(rng=3, intake_shortage_response=0.0)
    m.run_for(6)
    assert m.intake_market_factor == 1.0
    assert m.series()["intake_market_factor"].eq(1.0).all()


def test_hidden_shortage_is_split_by_what_covered_it():
    m = RegionModel(rng=4)
    m.run_for(3)
    s = m.series()
    parts = (
        s["unqualified_side_entrant_fte"]
        + s["unqualified_stopgap_fte"]
        + s["class_enlargement_fte"]
    )
    assert np.allclose(parts, s["unqualified_fte"])
    stopgap = s["unqualified_out_of_field_fte"] + s["unqualified_hired_fte"]
    assert np.allclose(stopgap, s["unqualified_stopgap_fte"])
    assert (s["unqualified_hired_fte"] > 0).all() and (s["class_enlargement_fte"] > 0).all()
    assert (s["unqualified_side_entrant_fte"] > 0).all() and (
        s["unqualified_stopgap_fte"] > 0
    ).all()
    # side-entrants cover no more than the side-entrants' own fte
    wf = m.workforce
    live = wf.live()
    se_fte = wf.data["fte"][live[wf.data["degree"][live] == 0]].sum()
    assert s["unqualified_side_entrant_fte"].iloc[-1] <= se_fte + 1e-9


def _staffing(m, **kw):
    args = dict(
        hire_cap_share=m.p.unqualified_hire_cap_share,
        enlarge_share=m.p.class_enlargement_cap_share,
    )
    args.update(kw)
    return cover(m.demand, m.staff(), m.mech.unqualified_cap_share, m.p.stopgap_fill_share, **args)


def test_hired_staff_and_enlarged_classes_stay_within_their_caps():
    m = RegionModel(rng=5)
    st = _staffing(m, hire_cap_share=0.01, enlarge_share=0.004)
    demand = st.demand.sum(axis=(1, 2))
    hired, enlarged = st.hired.sum(1), st.enlarged.sum(1)
    assert (hired <= 0.01 * demand + 1e-9).all() and (enlarged <= 0.004 * demand + 1e-9).all()
    assert (hired >= -1e-12).all() and (enlarged >= -1e-12).all()
    assert np.isclose(hired, 0.01 * demand).any()  # the cap binds somewhere
    assert np.isclose(enlarged, 0.004 * demand).any()
    # the identity holds with both responses in it
    np.testing.assert_allclose(
        st.demand.sum(-1), st.qualified + st.unqualified + st.vacancy, atol=1e-9
    )
    # out-of-field teaching comes from the school's own surplus before anyone is hired
    free = cover(m.demand, m.staff(), m.mech.unqualified_cap_share, 0.0, hire_cap_share=0.0)
    assert st.out_of_field.sum() == pytest.approx(free.stopgap.sum())
    assert free.hired.sum() == 0.0


def test_responses_move_open_shortage_into_their_own_hidden_kind():
    m = RegionModel(rng=5)
    none = _staffing(m, hire_cap_share=0.0, enlarge_share=0.0)
    hire = _staffing(m, enlarge_share=0.0)
    both = _staffing(m)
    # hiring covers vacancies, class enlargement covers more of what is left; the total
    # shortage (open + hidden) is the same: they hide the shortage, they do not end it
    assert hire.vacancy.sum() == pytest.approx(none.vacancy.sum() - hire.hired.sum())
    assert both.vacancy.sum() == pytest.approx(hire.vacancy.sum() - both.enlarged.sum())
    tot = lambda st: st.vacancy.sum() + st.unqualified.sum()  # noqa: E731
    assert tot(none) == pytest.approx(tot(hire)) == pytest.approx(tot(both))
    assert both.enlarged.sum() > 0 and hire.hired.sum() > 0
    # the staff-without-qualification split (IPTO comparison) leaves enlarged classes out
    np.testing.assert_allclose(
        both.unqualified_by_level.sum(-1), both.side_entrant + both.stopgap, atol=1e-9
    )


def test_stopgap_responses_are_priced():
    m = RegionModel(rng=6, unqualified_hire_cost_eur_per_fte=1000.0)
    m.step()
    s = m.series().iloc[-1]
    assert s["unqualified_hire_cost_eur"] == pytest.approx(1000.0 * s["unqualified_hired_fte"])
    assert s["class_enlargement_cost_eur"] == pytest.approx(
        m.p.class_enlargement_cost_eur_per_fte * s["class_enlargement_fte"]
    )
    st = m.staffing
    pupils = m.pupils.sum(1)
    share = st.enlarged.sum(1) / st.demand.sum(axis=(1, 2))
    assert s["class_enlargement_pupils"] == pytest.approx((pupils * share).sum())
    assert 0 < s["class_enlargement_pupils"] < pupils.sum() * m.p.class_enlargement_cap_share + 1e-6


def test_short_schools_recruit_early_and_get_first_pick():
    def seekers_and_vacancies(**kw):
        m = RegionModel(rng=7, **{"early_recruitment_threshold": 0.1, **kw})
        m.year += 1
        m.year_counts.clear()
        for stage in STAGES[: STAGES.index(market)]:
            stage.run(m)
        return m

    m = seekers_and_vacancies()
    vac = m.open_vacancies()
    gs = m.graduate_seekers
    n = gs["subject"].size
    seekers = Seekers(
        gs["subject"].astype(np.int64),
        np.full(n, -1),
        gs["degree"].astype(np.int64),
        np.full(n, 0.8),
        np.full(n, -np.inf),
    )
    demand = m.demand.sum(axis=(1, 2))
    open_s = np.bincount(vac.school, weights=vac.fte, minlength=demand.size)
    short = open_s / demand >= 0.1
    assert 0 < vac.fte[short[vac.school]].sum() < vac.fte.sum()
    placed = recruit(m, seekers, vac)
    c = m.year_counts
    assert c["early_recruitment_schools"] == np.unique(vac.school[short[vac.school]]).size
    assert c["early_recruitment_cost_eur"] == pytest.approx(
        c["early_recruitment_schools"] * m.p.early_recruitment_cost_eur_per_school
    )
    early_hires = c["early_recruitment_hires"]
    assert 0 < early_hires <= (placed >= 0).sum()
    # with the response off, short schools hire a smaller share of the same seekers
    m_off = seekers_and_vacancies(early_recruitment_threshold=10.0)
    placed_off = recruit(m_off, seekers, m_off.open_vacancies())
    assert m_off.year_counts["early_recruitment_hires"] == 0
    to_short = lambda pl, v: short[v.school[pl[pl >= 0]]].sum()  # noqa: E731
    assert to_short(placed, vac) > to_short(placed_off, m_off.open_vacancies())
    # the limit: no early posting holds more than early_recruitment_max_fte
    m_cap = seekers_and_vacancies(early_recruitment_max_fte=0.0)
    recruit(m_cap, seekers, m_cap.open_vacancies())
    assert m_cap.year_counts["early_recruitment_hires"] == 0


def test_inflow_pull_follows_last_years_shortage():
    m = RegionModel(rng=3, inflow_shortage_response=10.0)
    start = m.shortage_path[m.p.start_year]
    assert m.inflow_pull == 1.0  # nothing seen yet: the first year
    m.run_for(2)
    m.shortage_path[m.year - 1] = start + 0.02
    assert m.inflow_pull == pytest.approx(1.2)
    m.shortage_path[m.year - 1] = start - 0.02
    assert m.inflow_pull == pytest.approx(0.8)
    m.shortage_path[m.year - 1] = start - 1.0
    assert m.inflow_pull == 0.0  # never negative


def test_the_pull_raises_returners_and_side_entrant_applicants():
    """Same seed, same state: a shortage 5 points above the start's, with a response of 10,
    draws about 1.5 times the returners and side-entrant applicants of no response."""
    counts = {}
    for response in (0.0, 10.0):
        ret, app = 0, 0
        for seed in range(1, 7):
            m = RegionModel(rng=seed, inflow_shortage_response=response)
            m.step()
            m.shortage_path[m.year] = m.shortage_path[m.p.start_year] + 0.05
            m.step()
            ret += m.year_counts["returner_seekers"]
            app += m.year_counts["side_entrant_applicants"]
        counts[response] = (ret, app)
    (r0, a0), (r1, a1) = counts[0.0], counts[10.0]
    assert r0 > 100 and a0 > 50
    assert r1 / r0 == pytest.approx(1.5, rel=0.15)
    assert a1 / a0 == pytest.approx(1.5, rel=0.2)


def test_the_reserve_pull_scales_the_hazard_and_caps_it():
    from sim.model.reserve import SilentReserve

    m = RegionModel(rng=5)
    reserve: SilentReserve = m.reserve
    rng = np.random.default_rng(0)
    base = sum(reserve.draw_seekers(m.p, np.random.default_rng(s))[0].size for s in range(20))
    doubled = sum(
        reserve.draw_seekers(m.p, np.random.default_rng(s), pull=2.0)[0].size for s in range(20)
    )
    assert doubled / base == pytest.approx(2.0, rel=0.08)
    everyone = reserve.draw_seekers(m.p, rng, pull=1e6)[0].size
    assert everyone == reserve.size  # a hazard is at most 1
